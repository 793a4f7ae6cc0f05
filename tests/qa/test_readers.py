from index import build_index
from index.chunk import is_heading
from qa import Pipeline, SentenceReader
from qa.readers import LlamaReader


def test_titles_head_each_article_s_sentences_unless_the_title_is_one_of_them(corpus, tmp_path, embedder):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    pipeline = Pipeline(tmp_path / "ix", reader=SentenceReader(), embedder=embedder)
    question = "Who won the mayor election, and who led the harbour bridge repairs?"
    evidence = pipeline.evidence(question, pipeline.retriever.embed_query(question), pipeline.retrieve(question))
    index = pipeline.store
    # Every harbour sentence (its title is its first line); the election's body without its heading.
    chosen = [
        e
        for e in evidence
        if e.sentence.article_id == "harbour"
        or (e.sentence.article_id == "election" and not is_heading(index.articles["election"].text, e.sentence))
    ]
    plain = LlamaReader().passages(chosen)
    titled = LlamaReader(titles=True).passages(chosen)
    assert "#" not in plain
    blocks = titled.split("\n\n")
    election = next(b for b in blocks if "Sarah Quinn" in b)
    assert election.startswith("# Mayor re-elected in Dunmore\n")
    # harbour.txt has no heading: its title is its first line, which is among the chosen sentences.
    harbour = next(b for b in blocks if "Maria Olsen" in b)
    assert not harbour.startswith("#") and harbour.count("Harbour bridge reopens after repairs") == 1
    assert titled.replace("# Mayor re-elected in Dunmore\n", "") == plain
