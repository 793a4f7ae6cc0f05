import pytest

from index import build_index
from qa import Pipeline, SentenceReader
from qa.abstention import AbstentionPolicy
from qa.nearmiss import NAME_LABELS, NUMBER_LABELS, absent, near_miss, written_in

ARTICLE = (
    "Finnish fighter jets struck a supply convoy near Kemi on Tuesday morning, an army spokesman said. "
    "Colonel Aino Virtanen said the convoy had left Oulu in 2019 and carried 3,000 litres of fuel. "
    "The U.S. embassy in Helsinki said it had not been told of the strike."
)
BOTH = NAME_LABELS | NUMBER_LABELS


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("Which Finnish jets struck the convoy near Kemi?", []),
        ("Which Swedish jets struck the convoy near Kemi?", ["Swedish"]),  # a swapped nationality
        ("Which jets struck the convoy near Tornio?", ["Tornio"]),  # a swapped place
        ("When did the convoy leave Oulu in 2021?", ["2021"]),  # a changed year
        ("What did Virtanen say about the convoy?", []),  # a person named by the surname alone
        ("What did Colonel Aino Lahtinen say about the convoy?", ["Aino Lahtinen"]),  # another surname
        ("How many litres of fuel did the convoy carry after leaving Oulu in 2019?", []),
        ("What did the American embassy say about the strike?", []),  # American, U.S.: one country
        ("What did the embassy in Helsinky say?", []),  # one slip in a long name is the same name
        ("What did the two embassies say about the strike?", []),  # a number in words counts answers
        ("What did the convoy carry in the 3,000th litre of 2019?", []),  # an ordinal's suffix is not a word
        ("What did the convoy carry in the 21st year?", ["the 21st year"]),
    ],
)
def test_absent_names_and_numbers_are_those_the_text_never_writes(question, missing):
    assert absent(question, ARTICLE, BOTH) == missing


def test_names_are_whole_words_and_numbers_whole_runs():
    assert not written_in("Kem", ARTICLE)  # not a word of the text, only part of "Kemi"
    assert written_in("3,000 litres", ARTICLE) and written_in("3000", ARTICLE)
    assert not written_in("300", ARTICLE)


def test_near_miss_names_the_numbers_the_article_lacks_and_passes_what_it_has():
    reason = near_miss("How much fuel did the convoy carry when it left Oulu in 2021 with 4,000 litres?", ARTICLE)
    assert reason is not None and "2021" in reason and "4,000" in reason
    assert "does not appear to answer" in reason  # the support check's words, as evals count them
    assert near_miss("How much fuel did the convoy that left Oulu in 2019 carry?", ARTICLE) is None
    assert near_miss("Which Swedish jets struck the convoy near Tornio?", ARTICLE) is None  # names: not checked


def test_the_default_policy_withholds_an_answer_about_a_year_the_article_never_gives(corpus, tmp_path, embedder):
    build_index([corpus], tmp_path / "ix", embedder=embedder)

    def ask(question, **near):
        policy = AbstentionPolicy(min_relevance=0.0, **near)
        return Pipeline(tmp_path / "ix", reader=SentenceReader(), embedder=embedder, policy=policy).answer(question)

    asked_right = "How many residents of Brackwater were evacuated when the river peaked at 4.2 metres?"
    asked_wrong = "How many residents of Brackwater were evacuated when the river peaked at 5.8 metres?"
    assert not ask(asked_right).abstained
    assert not ask(asked_wrong, near_miss=False).abstained  # the check, nothing else, withholds it
    withheld = ask(asked_wrong)
    assert withheld.abstained and "5.8 metres" in withheld.reason
