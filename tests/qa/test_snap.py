from hypothesis import given, settings
from hypothesis import strategies as st

from qa.snap import Region, snap

TEXT = "date 2023-11-14 Three Serb gunmen were also killed. The armed group was led by Milan Radoičić, the deputy."


def region(text=TEXT, start=16):
    return Region(article_id="a", text=text, start=start, end=len(text))


def test_exact_text_is_found_verbatim():
    span = snap("Milan Radoičić", [region()])
    assert TEXT[span.start : span.end] == "Milan Radoičić" and span.similarity == 1.0


def test_case_punctuation_and_number_words_are_forgiven():
    span = snap("3 serb gunmen", [region()])
    assert TEXT[span.start : span.end] == "Three Serb gunmen"
    span = snap('"milan radoičić,"', [region()])
    assert TEXT[span.start : span.end] == "Milan Radoičić"


def test_near_miss_snaps_to_closest_real_span():
    span = snap("the armed group led by Milan Radoičić", [region()])
    assert TEXT[span.start : span.end].startswith("The armed group")
    assert TEXT[span.start : span.end].endswith("Radoičić")
    assert span.similarity < 1.0


def test_text_that_is_not_there_is_refused():
    assert snap("Canberra", [region()]) is None
    assert snap("", [region()]) is None


def test_the_date_marker_outside_the_region_is_never_cited():
    assert snap("2023", [region()]) is None


def test_earlier_region_wins():
    other = Region(article_id="b", text="Milan Radoičić spoke.", start=0, end=21)
    assert snap("Milan Radoičić", [other, region()]).article_id == "b"


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=200), st.data())
def test_any_substring_snaps_to_itself(text, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    needle = text[start:end]
    span = snap(needle, [Region(article_id="a", text=text, start=0, end=len(text))])
    if needle.strip():
        assert text[span.start : span.end] == needle.strip()
