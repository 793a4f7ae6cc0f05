"""Properties of composed answers on generated articles: every citation is the article's text at
its offsets, and no part is shown that its kind's check would turn down."""

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index import build_index
from qa import Pipeline, SentenceReader
from qa.kinds.clauses import contradicts, negated, still_to_come
from qa.kinds.subjects import names_in
from tests.fakes import HashEmbedder

NAMES = ["Marlow", "Quinn", "Olsen", "Brackwater", "Ellis", "Serbia", "Kosovo", "Germany"]
VERBS = ["closed", "opened", "attacked", "visited", "praised", "killed", "warned", "rebuilt"]
THINGS = ["the bridge", "the school", "two libraries", "the border", "a police patrol", "the harbour"]
NEGATIONS = ["", "", " did not deny that", " never said", " falsely claimed that"]

sentences = st.builds(
    lambda who, neg, verb, what, n: f"{who}{neg} {verb} {what} on day {n}.",
    st.sampled_from(NAMES),
    st.sampled_from(NEGATIONS),
    st.sampled_from(VERBS),
    st.sampled_from(THINGS),
    st.integers(1, 30),
)
articles = st.lists(st.lists(sentences, min_size=3, max_size=8), min_size=1, max_size=3)
questions = st.one_of(
    st.builds(lambda w, v, t: f"Did {w} {v.removesuffix('ed')} {t}?", st.sampled_from(NAMES), st.sampled_from(VERBS),
              st.sampled_from(THINGS)),
    st.builds(lambda w: f"Was anyone {w}?", st.sampled_from(VERBS)),
    st.just("What happened?"),
    st.builds(lambda w: f"Tell me about {w}", st.sampled_from(NAMES + THINGS)),
    st.just("Which countries were involved?"),
    st.just("Who was involved?"),
)  # fmt: skip


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies=articles, asked=st.lists(questions, min_size=1, max_size=4))
def test_composed_answers_cite_exact_spans_and_show_only_what_passes_their_check(bodies, asked):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for i, body in enumerate(bodies):
            (root / f"a{i}.txt").write_text(f"date 2024-03-0{i + 1} " + " ".join(body), encoding="utf-8")
        embedder = HashEmbedder()
        build_index([root], root / "ix", embedder=embedder)
        pipeline = Pipeline(root / "ix", reader=SentenceReader(), embedder=embedder)
        for question in asked:
            result = pipeline.answer(question)
            if result.abstained:
                assert not result.parts and not result.citations
                continue
            assert result.citations == tuple(c for p in result.parts for c in p.citations) or not result.parts
            for citation in result.citations:
                text = pipeline.article(citation.article_id).text
                assert text[citation.start : citation.end] == citation.quote
                assert citation.start <= citation.answer_start < citation.answer_end <= citation.end
            for part in result.parts:
                c = part.citations[0]
                shown = pipeline.article(c.article_id).text[c.answer_start : c.answer_end]
                if result.kind in ("yes/no", "list", "summary"):
                    assert part.text == shown  # copied, never worded by default
            if result.kind == "yes/no":
                clause = result.parts[0].text
                # "No" only where the clause negates, says the opposite or puts the event ahead
                said_no = negated(clause) or contradicts(question, clause) or still_to_come(question, clause)
                assert result.verdict is not said_no
                quote = result.citations[0].quote.lower()
                article = pipeline.article(result.citations[0].article_id).text.lower()
                assert all(name[:4] in article for name in names_in(question))
                assert clause.lower() in quote
            if result.kind == "summary":
                assert 1 <= len(result.parts) <= 4
                assert len({p.text for p in result.parts}) == len(result.parts)
