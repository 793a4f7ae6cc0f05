"""The transformers extractive reader, with a tiny BERT the test builds (no download)."""

import re

import pytest
import torch

from index import build_index, load_index
from qa import ExtractiveReader, Pipeline
from qa.evidence import passages_of
from qa.readers.extractive import _load_extractive
from qa.retrieve import HybridRetriever


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    from transformers import BertConfig, BertForQuestionAnswering, BertTokenizerFast

    from tests.conftest import ARTICLES

    folder = tmp_path_factory.mktemp("tiny-bert-qa")
    words = sorted({w for text in ARTICLES.values() for w in re.findall(r"\w+", text.lower())})
    words += ["who", "led", "what", "?", ".", ",", "#"]
    (folder / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]) + "\n")
    tokenizer = BertTokenizerFast(vocab=str(folder / "vocab.txt"), do_lower_case=True)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=128,
    )
    torch.manual_seed(0)
    BertForQuestionAnswering(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def point_logits_at(model, tokenizer, start_word, end_word):
    """Make the model's logits favour the span from start_word to end_word (as Haystack's reader tests do)."""
    start_id, end_id = tokenizer.convert_tokens_to_ids([start_word, end_word])

    def hook(module, args, kwargs, output):
        ids = kwargs["input_ids"]
        output.start_logits = torch.where(ids == start_id, 10.0, -10.0).float()
        output.end_logits = torch.where(ids == end_id, 10.0, -10.0).float()
        return output

    return model.register_forward_hook(hook, with_kwargs=True)


def test_extractive_reader_maps_tokens_back_to_exact_characters(tiny_model, corpus, tmp_path, embedder):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    tokenizer, model = _load_extractive(str(tiny_model))
    handle = point_logits_at(model, tokenizer, "maria", "olsen")
    try:
        pipeline = Pipeline(
            tmp_path / "ix",
            reader=ExtractiveReader(str(tiny_model), max_length=48, stride=16),
            embedder=embedder,
            min_relevance=0.0,
        )
        result = pipeline.answer("Who led the repair crew?")
    finally:
        handle.remove()
    assert result.text == "Maria Olsen"
    citation = result.citations[0]
    article = pipeline.article("harbour")
    assert article.text[citation.answer_start : citation.answer_end] == "Maria Olsen"
    assert citation.quote == "Engineer Maria Olsen led the repair crew."


def test_extractive_reader_abstains_when_no_answer_is_preferred(tiny_model, corpus, tmp_path, embedder):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    tokenizer, model = _load_extractive(str(tiny_model))
    handle = point_logits_at(model, tokenizer, "[CLS]", "[CLS]")
    try:
        index = load_index(tmp_path / "ix")
        hits = HybridRetriever(index, embedder).search("Who led the repair crew?", 2)
        passages = passages_of(index, hits)
        reading = ExtractiveReader(str(tiny_model)).read("Who led the repair crew?", [], passages)
    finally:
        handle.remove()
    assert reading.span is None and "no answer" in reading.reason
