import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from index.chunk import chunk_sentences, is_heading, paragraph_bounds, split_sentences
from index.sources import parse_article


def texts(text):
    return [text[s.start : s.end] for s in split_sentences(text)]


def test_abbreviations_initials_and_decimals_do_not_split():
    text = 'Mr. Smith met U.S. officials. J. Doe said no! "Really?" she asked. Prices rose 3.5 percent.'
    assert texts(text) == [
        "Mr. Smith met U.S. officials.",
        "J. Doe said no!",
        '"Really?" she asked.',
        "Prices rose 3.5 percent.",
    ]


def test_headings_and_bullets_are_their_own_sentences_without_markup():
    assert texts("# Title\n- first point\n- second point\nBody text.") == [
        "Title",
        "first point",
        "second point",
        "Body text.",
    ]


def test_only_markdown_heading_lines_are_headings():
    text = "# Title\n\n## Part two. Then a sentence.\n- a # bullet\nA 3 # sign.\n> quoted"
    found = {text[s.start : s.end]: is_heading(text, s) for s in split_sentences(text)}
    assert found == {
        "Title": True,
        "Part two.": True,
        "Then a sentence.": False,  # on a heading's line, but not the heading itself
        "a # bullet": False,
        "A 3 # sign.": False,
        "quoted": False,
    }


def test_hard_wrapped_line_continues_the_sentence():
    assert texts("The council met\non Tuesday. It voted.") == ["The council met\non Tuesday.", "It voted."]


def test_chunks_respect_size_and_overlap():
    text = " ".join(f"Sentence number {i} is here." for i in range(30))
    sentences = split_sentences(text)
    chunks = chunk_sentences(text, sentences, max_chars=100, overlap=1)
    assert all(c.end - c.start <= 100 for c in chunks)
    for a, b in itertools.pairwise(chunks):
        assert b.first_sentence == a.last_sentence - 1  # one sentence shared
    assert chunks[-1].last_sentence == len(sentences)


def test_paragraph_bounds_stop_at_blank_lines():
    text = "date 2024-01-01 First para.\n\nSecond para one. Second para two.\n\nThird."
    start = text.index("Second para two")
    a, b = paragraph_bounds(text, start, start + 5, floor=16)
    assert text[a:b] == "Second para one. Second para two."


words = st.sampled_from(["alpha", "Beta", "gamma", "U.S.", "Dr.", "3.5", "“quoted”", "end.", "why?", "wow!"])
separators = st.sampled_from([" ", " ", " ", "\n", "\n\n", ". ", "\t", "  "])


@st.composite
def articles(draw):
    parts = draw(st.lists(st.tuples(words, separators), min_size=1, max_size=80))
    body = "".join(w + s for w, s in parts)
    marker = draw(st.sampled_from(["", "date 2024-02-29 ", " date 2023-11-14 "]))
    return marker + body


@settings(max_examples=300, deadline=None)
@given(articles(), st.integers(20, 400), st.integers(0, 2))
def test_chunks_and_sentences_hold_exact_offsets(text, max_chars, overlap):
    article = parse_article("p", text)
    sentences = split_sentences(article.text, article.body_start, article.id)
    for s in sentences:
        quote = article.text[s.start : s.end]
        assert quote and quote == quote.strip()
        assert s.start >= article.body_start
    for a, b in itertools.pairwise(sentences):
        assert a.end <= b.start
    chunks = chunk_sentences(article.text, sentences, article_id="p", max_chars=max_chars, overlap=overlap)
    for c in chunks:
        assert article.text[c.start : c.end] == c.text
        assert c.start == sentences[c.first_sentence].start and c.end == sentences[c.last_sentence - 1].end
    covered = {i for c in chunks for i in range(c.first_sentence, c.last_sentence)}
    assert covered == set(range(len(sentences)))
