"""Yes/no rules on sentences written here: other forms of a word, synonyms and opposites, what is
still to come, the verb a question asks of, and names as news writes them again."""

from pathlib import Path

import pytest

from index import build_index
from index.chunk import split_sentences
from index.types import Article
from qa import Pipeline, SentenceReader
from qa.kinds.clauses import akin, asked_terms, contradicts, negated, spoken_of, still_to_come
from qa.kinds.predicate import predicate
from qa.kinds.subjects import given_names, name_root, names_near, referred_to
from qa.kinds.yesno import settling_clause
from qa.types import Evidence
from tests.fakes import HashEmbedder


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("smoke", "smoker", True),  # Snowball stems
        ("respond", "respons", True),  # responded / response
        ("bomb", "bomb", True),
        ("polic", "polici", False),  # police is not policy
        ("state", "statement", False),
        ("plan", "plane", False),
    ],
)
def test_other_forms_of_a_word_are_the_word_and_look_alikes_are_not(a, b, same):
    assert akin(a, b) is same


def test_auxiliaries_times_and_possessives_are_no_content():
    assert asked_terms("Has the mayor's office been searched before?") == {"mayor", "offic", "search"}


@pytest.mark.parametrize(
    ("question", "sentence", "spoken"),
    [
        ("Did the flood cause power cuts?", "The storm led to power cuts in the valley.", "cause"),
        ("Was the driver arrested?", "The driver was detained at the border.", "arrested"),
        ("Did the minister admit his guilt?", "The minister maintained his innocence.", "admit guilt"),
        ("Has the singer responded to the claims?", "There was no response from the singer.", "responded"),
        ("Was the goalkeeper caught?", "He was captured two days later.", "caught"),
    ],
)
def test_a_sentence_speaks_of_a_question_word_in_other_words(question, sentence, spoken):
    assert set(spoken.split()) <= set(spoken_of(question, sentence).split())


def test_words_the_sentence_does_not_speak_of_are_not_added():
    assert spoken_of("Was the driver arrested?", "The driver thanked the crowd.") == "driver"


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        ("Did the tenants have permission to hold the party?", "their unauthorized party went on until dawn"),
        ("Was the cyclist seriously hurt?", "the cyclist suffered minor cuts"),
        ("Did the home side win?", "despite the home side's 2-1 loss"),
        ("Was the final played on Sunday?", "the final was postponed because of snow"),
        ("Is the air quality improving?", "air quality continued to deteriorate"),
        ("Did the rebels agree to stop fighting?", "the rebels vowed to continue their campaign"),
        ("Did the pilot have a valid permit?", "his permit had been revoked in May"),
        ("Is the activist still in prison?", "the activist was released on Friday"),
    ],
)
def test_a_clause_saying_the_opposite_answers_no(question, clause):
    assert contradicts(question, clause) and not negated(clause)


def test_a_clause_saying_the_same_is_no_contradiction():
    assert not contradicts("Is the activist still in prison?", "the activist remains in prison")


@pytest.mark.parametrize(
    ("question", "clause", "to_come"),
    [
        ("Has the trader been sentenced?", "sentencing is scheduled for June 4", True),
        ("Did the council vote on the plan?", "the council will vote next week", True),
        ("Has the trader been sentenced?", "the trader was sentenced to two years", False),
        ("Did the coach say he would resign?", "the coach said he will resign", False),  # asks what was said
        ("Will the council vote on the plan?", "the council will vote next week", False),  # asks of the future
    ],
)
def test_what_is_still_to_come_did_not_happen(question, clause, to_come):
    assert still_to_come(question, clause) is to_come


def test_unsuccessful_attempts_negate():
    assert negated("attempts to reach the owner were unsuccessful")


def test_the_settling_span_takes_the_relative_clause_that_holds_the_rest_of_the_question():
    text = "The mayor praised the rescue crews, who said nobody was injured."
    question = "Were the rescue crews injured?"
    start, end = settling_clause(text, 0, len(text), question, asked_terms(question))
    assert text[start:end] == "The mayor praised the rescue crews, who said nobody was injured"


def test_a_clause_about_other_words_is_not_added():
    text = "The rescue crews arrived at noon, and the mayor thanked the volunteers."
    question = "Did the rescue crews arrive?"
    start, end = settling_clause(text, 0, len(text), question, asked_terms(question))
    assert text[start:end] == "The rescue crews arrived at noon"


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("Has anyone been arrested for the theft?", "arrested"),
        ("Were any climbers injured in the avalanche?", "injured"),  # the parser hangs it on the subject
        ("Is there a shortage of nurses?", "shortage"),
        ("Was the senator found guilty?", "guilty"),
        ("Will the coach become the manager?", "manager"),
    ],
)
def test_a_question_asks_of_its_main_verb_or_the_complement_of_a_light_one(question, asked):
    assert predicate(question) == asked


@pytest.mark.parametrize(
    ("word", "root"),
    [("Kurdistan", "kurd"), ("Kurdish", "kurd"), ("Iraqi", "iraq"), ("Iraq's", "iraq"), ("Serbian", "serb")],
)
def test_a_place_and_its_people_share_a_root(word, root):
    assert name_root(word) == root


def test_austria_is_not_australia():
    assert name_root("Austria") != name_root("Australian")


def _evidence(text: str, index: int) -> tuple[Evidence, list]:
    article = Article(id="a", title="t", published=None, text=text, body_start=0, source="a.txt", sha256="0")
    sentences = split_sentences(text, article_id="a")
    return Evidence(sentence=sentences[index], article=article, relevance=0.6), sentences


@pytest.mark.parametrize(
    ("text", "index", "near"),
    [
        ("Clara Osei won the race. Bail was set. But Osei said nothing.", 2, True),  # a surname alone
        ("Clara Osei won the race. Bail was set. Mark Osei said nothing.", 2, False),  # another Osei
        ("The vote was held. Most Kurdish parties took part.", 1, True),
    ],
)
def test_names_as_news_writes_them_again(text, index, near):
    question = "Did Clara Osei speak?" if "Osei" in text else "Did parties in Kurdistan take part?"
    item, sentences = _evidence(text, index)
    names = {w.lower() for w in question.rstrip("?").split()[1:] if w[0].isupper()}
    assert names_near(item, sentences, names, given_names(question)) is near


def test_he_reaches_past_quoted_sentences_to_the_name():
    text = 'Ines Varga wrote to the board. "I regret it." "It was my error." He apologized to staff.'
    item, sentences = _evidence(text, 3)
    assert names_near(item, sentences, {"varga"}, {})
    far = "Ines Varga wrote to the board. Rain fell. Roads flooded. Trains stopped. He apologized to staff."
    item, sentences = _evidence(far, 4)
    assert not names_near(item, sentences, {"varga"}, {})


def test_a_day_need_only_be_in_the_article():
    item, sentences = _evidence("Fans marched on Saturday. No arrests were made. Shops stayed shut.", 2)
    assert names_near(item, sentences, {"saturday"}, {})


def test_that_refers_back_to_the_sentence_before():
    item, sentences = _evidence("Protesters blocked the bridge. That led to delays.", 1)
    assert referred_to(item, sentences) == "Protesters blocked the bridge. "
    item, sentences = _evidence("Protesters blocked the bridge. Delays followed.", 1)
    assert referred_to(item, sentences) == ""


STORY = (
    "Harbour workers in Velmont walked out on Monday over pay. "
    "Police detained two men after a fight near the gates. "
    "The harbour authority said the strike had cost millions. "
    "Sentencing of the two men is scheduled for next month. "
    "The union's leader, Petra Lind, said talks would resume. "
    "Lind denied that the union had planned the fight."
)


@pytest.fixture(scope="module")
def harbour(tmp_path_factory) -> Pipeline:
    root: Path = tmp_path_factory.mktemp("harbour")
    (root / "harbour.txt").write_text(STORY, encoding="utf-8")
    embedder = HashEmbedder()
    build_index([root], root / "ix", embedder=embedder)
    return Pipeline(root / "ix", reader=SentenceReader(), embedder=embedder)


@pytest.mark.parametrize(
    ("question", "verdict", "span"),
    [
        ("Were any men arrested after the fight?", True, "Police detained two men after a fight near the gates"),
        ("Have the two men been sentenced?", False, "Sentencing of the two men is scheduled"),
        ("Did Petra Lind admit the union planned the fight?", False, "Lind denied"),
    ],
)
def test_yes_no_on_a_story_written_here(harbour, question, verdict, span):
    result = harbour.answer(question)
    assert (result.kind, result.verdict) == ("yes/no", verdict), result
    assert span in result.parts[0].text


def test_a_sentence_not_speaking_of_what_is_asked_does_not_settle_it(harbour):
    # The fight, the men and the harbour are all there; a conviction is not.
    result = harbour.answer("Were the two men convicted over the fight?")
    assert result.kind == "yes/no" and result.abstained, result
