"""What the chat remembers of an answer, for the follow-up after it."""

from datetime import date

from qa import Answer, AnswerPart, Citation
from ui.handlers import said


def test_a_yes_no_is_remembered_with_the_clause_that_settled_it():
    quote = "Three Serb gunmen were also killed in the ensuing battle."
    c = Citation(article_id="a", title="t", published=date(2023, 11, 14), start=0, end=len(quote), quote=quote,
                 answer_start=0, answer_end=len(quote) - 1)  # fmt: skip
    yes = Answer(question="Was anyone killed?", text="Yes", score=0.9, citations=(c,), kind="yes/no", verdict=True,
                 parts=(AnswerPart(text=quote[:-1], citations=(c,)),))  # fmt: skip
    assert said(yes) == "Yes: Three Serb gunmen were also killed in the ensuing battle"
    assert said(Answer(question="Who?", text="Milan Radoičić", score=0.9)) == "Milan Radoičić"
    assert said(Answer(question="Who?", text=None, score=0.1)) is None
