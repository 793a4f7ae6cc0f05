"""Bad questions and passage counts are clear errors naming the input and what is valid."""

import math

import numpy as np
import pytest

from qa import InvalidQuestionError
from qa.questions import MAX_QUESTION_CHARS, MAX_TOP_K, validate_question, validate_top_k


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "empty"),
        (" \t\n ", "empty"),
        ("x" * (MAX_QUESTION_CHARS + 1), "2,001 characters long; the limit is 2,000"),
        ("Who\x00 led it?", "control character U\\+0000 at character 3"),
        ("Who led\x1b[2J it?", "control character U\\+001B"),
        ("Who led it?\x07", "control character U\\+0007"),
        ("Who \ud800 led it?", "lone surrogate U\\+D800 at character 4"),
        (None, "must be a string, got NoneType"),
        (b"Who led it?", "must be a string, got bytes"),
        (42, "must be a string, got int"),
    ],
)
def test_bad_questions_say_what_is_wrong(question, message):
    with pytest.raises(InvalidQuestionError, match=message):
        validate_question(question)


@pytest.mark.parametrize(
    "question",
    ["  Who led the armed group?  ", "من قاد المجموعة المسلحة؟", "Who led it? 🤔", "Who led\tthe group,\nand why?"],
)
def test_text_in_any_script_with_emoji_and_line_breaks_is_a_question(question):
    assert validate_question(question) == question.strip()


@pytest.mark.parametrize(
    ("top_k", "message"),
    [
        (0, "greater than 0, got 0"),
        (-3, "greater than 0, got -3"),
        (MAX_TOP_K + 1, f"at most {MAX_TOP_K}"),
        (10**9, "at most"),
        ("3", "whole number from 1 to 200, got '3' \\(str\\)"),
        (None, "got None \\(NoneType\\)"),
        (2.5, "got 2.5 \\(float\\)"),
        (math.nan, "got nan \\(float\\)"),
        (True, "got True \\(bool\\)"),
    ],
)
def test_bad_passage_counts_say_what_is_valid(top_k, message):
    with pytest.raises(ValueError, match=message):
        validate_top_k(top_k)


def test_whole_numbers_of_any_integer_type_are_accepted():
    assert validate_top_k(1) == 1 and validate_top_k(np.int64(7)) == 7 and validate_top_k(MAX_TOP_K) == MAX_TOP_K


@pytest.mark.parametrize(("kwargs", "error"), [({"top_k": "3"}, ValueError), ({"top_k": math.nan}, ValueError)])
def test_answer_checks_its_arguments_before_touching_any_index(tmp_path, kwargs, error):
    from qa import answer

    with pytest.raises(error, match="top_k"):
        answer("Who led the armed group?", index_dir=tmp_path / "none", **kwargs)
    with pytest.raises(InvalidQuestionError, match="lone surrogate"):
        answer("Who led \udcff the group?", index_dir=tmp_path / "none")
