"""One reader configuration on a fixed SQuAD or NewsQA sample: open, closed (and, for SQuAD,
unanswerable: the question's own article or story left out), with timings.

    python benchmarks/reader_sweep.py ../shared/data/squad-v1.1/dev-v1.1.json --sentences 3
    python benchmarks/reader_sweep.py ../shared/data/squad-v1.1/dev-v1.1.json --sentences 6 \\
        --lexical 0 --score-weight 0 --heading-penalty 0 --single-look   # the first session's
    python benchmarks/reader_sweep.py ../shared/data/squad-v1.1/dev-v1.1.json --lexical 0.3 \\
        --score-weight 0 --rank-penalty 0.05 --heading-penalty 0        # the fifth round's order
    python benchmarks/reader_sweep.py ../shared/data/squad-v1.1/dev-v1.1.json \\
        --layout question-first --settings open closed      # the question before the passages
    python benchmarks/reader_sweep.py ../shared/data/newsqa-dev --seed 7 --settings open \
        --prompt complete                                    # NewsQA: the stories as the corpus
    python benchmarks/reader_sweep.py ../shared/data/newsqa-dev --seed 21 --held-out-from 7   # held out

Unlike ``citeqa eval`` this varies the reader's knobs (evidence sentences shown, their order, the
second look, the support check, the prompt layout) and keeps every answer's signals and time in ``--out``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evals import newsqa
from evals.squad import (
    SETTINGS,
    UNANSWERABLE_DEPTH,
    Question,
    best_over,
    cached_index,
    corpus_dir,
    exact_match,
    f1,
    load_squad,
    own_passages,
    passages_for,
    sample,
)
from qa import EvidenceWeights, Hit, LlamaReader, Pipeline
from qa.llm import DEFAULT_LLM, ChatLLM, ChatModel
from qa.readers import LLM_SUPPORT
from qa.readers.llama import DEFAULT_LAYOUT, DEFAULT_PROMPT, LAYOUTS, PROMPTS, SECOND_LOOK_BELOW
from qa.readers.presets import MAX_SENTENCES


class CountingChat:
    """The reader's LLM, counting its calls: a question read twice took a second look."""

    def __init__(self, inner: ChatLLM):
        self.inner = inner
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def chat(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.inner.chat(*args, **kwargs)


def questions_and_index(data: str, limit: int, seed: int, held_out_from: int | None) -> tuple[list[Question], Path]:
    """The sample, the index to read from, and each question's article id as indexed.

    A NewsQA folder is sampled uniformly, without the questions of ``held_out_from``'s sample; a
    SQuAD file by article title (``held_out_from`` is not needed: its samples barely overlap).
    """
    if Path(data).is_dir():
        stories, questions = newsqa.load_newsqa(data)
        if held_out_from is not None:
            fitted = {q.id for q in newsqa.sample(questions, limit, held_out_from)}
            questions = [q for q in questions if q.id not in fitted]
        index_dir = newsqa.index_dir_for(stories)
        cached_index(stories, index_dir)
        return newsqa.sample(questions, limit, seed), index_dir
    paragraphs, questions = load_squad(data)
    root = corpus_dir(data, paragraphs)
    return sample(questions, limit, seed), cached_index(root / "corpus", root / "index")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", help="SQuAD dev-v1.1.json, or the NewsQA dev folder")
    defaults = EvidenceWeights()
    parser.add_argument("--sentences", type=int, default=MAX_SENTENCES)
    parser.add_argument("--lexical", type=float, default=defaults.lexical)
    parser.add_argument("--score-weight", type=float, default=defaults.passage_score)
    parser.add_argument("--rank-penalty", type=float, default=defaults.rank_penalty)
    parser.add_argument("--heading-penalty", type=float, default=defaults.heading_penalty)
    parser.add_argument("--single-look", action="store_true", help="no second look at more evidence")
    parser.add_argument("--no-support", action="store_true", help="no support check")
    parser.add_argument("--layout", default=DEFAULT_LAYOUT, choices=LAYOUTS)
    parser.add_argument("--prompt", default=DEFAULT_PROMPT, choices=PROMPTS)
    parser.add_argument("--titles", action=argparse.BooleanOptionalAction, default=False, help="passages under titles")
    parser.add_argument("--settings", nargs="+", default=SETTINGS, choices=SETTINGS)
    parser.add_argument("--model", default=None, help="GGUF name or path (default: the default reader's)")
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--held-out-from", type=int, help="NewsQA: leave out this seed's sample")
    parser.add_argument("--out")
    args = parser.parse_args()
    weights = EvidenceWeights(
        lexical=args.lexical,
        passage_score=args.score_weight,
        rank_penalty=args.rank_penalty,
        heading_penalty=args.heading_penalty,
    )
    looks = CountingChat(ChatModel(args.model or DEFAULT_LLM, repack=True))  # as citeqa eval: one load, many answers
    reader = LlamaReader(
        *([args.model] if args.model else []),
        max_sentences=args.sentences,
        support=None if args.no_support else LLM_SUPPORT,
        layout=args.layout,
        prompt=args.prompt,
        titles=args.titles,
        second_look_below=-1.0 if args.single_look else SECOND_LOOK_BELOW,
        chat_model=looks,
    )
    is_news = Path(args.data).is_dir()

    def without_story(q: Question, hits: list[Hit]) -> list[Hit]:
        # Near-duplicate versions of a story share its story key: all of them are left out.
        articles = pipeline.store.articles
        own_story = articles[q.article_id].story or q.article_id
        return [h for h in hits if (articles[h.chunk.article_id].story or h.chunk.article_id) != own_story][:4]

    chosen, index_dir = questions_and_index(args.data, args.limit, args.seed, args.held_out_from)
    pipeline = Pipeline(index_dir, reader=reader, evidence=weights)
    retriever = pipeline.retriever
    own = own_passages(pipeline.store)
    if is_news:
        stories = newsqa.indexed_story_ids(Path(args.data) / "stories", pipeline.store)
        chosen = [Question(q.id, q.question, q.answers, stories.get(q.article_id, q.article_id)) for q in chosen]
    pipeline.read("Warm up?", own[chosen[0].article_id])
    rows = []
    for q in chosen:
        for setting in args.settings:
            began = time.perf_counter()
            vector = retriever.embed_query(q.question)
            if is_news and setting == "unanswerable":
                hits = without_story(q, retriever.search(q.question, UNANSWERABLE_DEPTH, query_vector=vector))
            else:
                hits = passages_for(setting, q, retriever, vector, own, 4)
            calls = looks.calls
            hits = hits[:4] if setting == "open" else hits
            result = pipeline.read(q.question, hits, query_vector=vector)
            row = {"id": q.id, "setting": setting, "seconds": time.perf_counter() - began, "answer": result.text}
            row |= {"question": q.question, "answers": list(q.answers), "reason": result.reason}
            row["looks"] = looks.calls - calls
            row["signals"] = asdict(result.signals) if result.signals else None
            if result.text is not None:
                row["f1"] = best_over(f1, result.text, q.answers)
                row["exact_match"] = best_over(exact_match, result.text, q.answers)
                row["citation_hit"] = any(a in result.citations[0].quote for a in q.answers)
            rows.append(row)
            if args.out and len(rows) % 10 == 0:  # a long run stopped early still leaves its answers
                write(args.out, vars(args), rows)
            print(f"{len(rows)}/{len(chosen) * len(args.settings)}", file=sys.stderr, flush=True)
    summary = write(args.out, vars(args), rows) if args.out else summarise(rows)
    print(json.dumps({"args": vars(args), **summary}, indent=1))


def summarise(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    summary = {}
    for setting in dict.fromkeys(r["setting"] for r in rows):
        mine = [r for r in rows if r["setting"] == setting]
        n = len(mine)
        summary[setting] = {
            "EM": round(100 * sum(r.get("exact_match", 0) for r in mine) / n, 1),
            "F1": round(100 * sum(r.get("f1", 0) for r in mine) / n, 1),
            "citation hit": round(sum(r.get("citation_hit", 0) for r in mine) / n, 3),
            "abstained": round(sum(r["answer"] is None for r in mine) / n, 3),
            "median s": round(statistics.median(r["seconds"] for r in mine), 2),
            "second look": round(sum(r["looks"] > 1 for r in mine) / n, 3),
            "answer words (median)": statistics.median([len(r["answer"].split()) for r in mine if r["answer"]] or [0]),
        }
    return summary


def write(out: str, args: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    summary = summarise(rows)
    Path(out).write_text(json.dumps({"args": args, "summary": summary, "questions": rows}))
    return summary


if __name__ == "__main__":
    main()
