"""Question kinds: each question gets the shape it asks for, every part cited at exact offsets."""

from datetime import date

import pytest

from index import build_index
from qa import Pipeline, SentenceReader
from qa.kinds.detect import classify
from qa.kinds.when import find_time, resolve
from tests.conftest import SEEDS


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Was anyone killed?", "yes/no"),
        ("Did Serbia withdraw its troops?", "yes/no"),
        ("Has Radoičić taken responsibility?", "yes/no"),
        ("Did Serbia withdraw troops or send more?", "factoid"),  # asks which, not whether
        ("Why did Serbia pull back?", "explanation"),
        ("How did the US respond?", "explanation"),
        ("What caused the tensions?", "explanation"),
        ("How many gunmen were killed?", "factoid"),
        ("How long did the battle last?", "factoid"),
        ("What happened?", "summary"),
        ("What is the latest news about Kosovo?", "summary"),
        ("Tell me about the ambush", "summary"),
        ("What are the main points about the clashes?", "summary"),
        ("Which countries were involved?", "list"),
        ("Who was involved?", "list"),
        ("What measures did the US threaten?", "list"),
        ("Which country sent troops?", "factoid"),  # singular: one answer
        ("Who led the armed group?", "factoid"),
        ("What does the US want?", "factoid"),
    ],
)
def test_questions_are_read_as_their_kind(question, kind):
    assert classify(question).kind == kind


def test_topic_and_head_are_read_off_the_question():
    latest = classify("What is the latest news about Kosovo?")
    assert (latest.topic, latest.time.phrase) == ("Kosovo", "the latest")
    assert classify("What happened?").topic == ""
    assert classify("Which countries were involved?").head == "countries"


@pytest.mark.parametrize(
    ("question", "since", "until", "newest_first"),
    [
        ("What happened last week?", date(2023, 11, 6), date(2023, 11, 12), False),
        ("What happened this week?", date(2023, 11, 13), date(2023, 11, 14), False),
        ("What did Serbia say in 2009?", date(2009, 1, 1), date(2009, 12, 31), False),
        ("What happened in March 2021?", date(2021, 3, 1), date(2021, 3, 31), False),
        ("What happened yesterday?", date(2023, 11, 13), date(2023, 11, 13), False),
        ("What happened last month?", date(2023, 10, 1), date(2023, 10, 31), False),
        ("Who has won since 2020?", date(2020, 1, 1), None, False),
        ("What's the latest?", None, None, True),
    ],
)
def test_time_words_resolve_against_today(question, since, until, newest_first):
    scope = resolve(find_time(question), date(2023, 11, 14))  # a Tuesday
    assert (scope.since, scope.until, scope.newest_first) == (since, until, newest_first)


def test_a_question_without_time_words_has_none():
    assert find_time("Who led the armed group?") is None
    assert find_time("Who is the current mayor?").form == "recent"


# Three dated reports of one developing story, the newest revising the count.
DATED = {
    "a.txt": "date 2024-03-01 A storm hit the coast of Marlow on Friday. Two people were killed in Marlow, police said."
    " Hundreds of homes lost power.",
    "b.txt": "date 2024-03-08 Repairs began in Marlow after the storm. The council promised new sea walls for Marlow.",
    "c.txt": "date 2024-03-12 The death toll from the Marlow storm rose to five, officials said on Tuesday.",
}


@pytest.fixture(scope="module")
def dated(tmp_path_factory):
    from tests.fakes import HashEmbedder

    root = tmp_path_factory.mktemp("dated")
    for name, text in DATED.items():
        (root / name).write_text(text, encoding="utf-8")
    embedder = HashEmbedder()
    build_index([root], root / "ix", embedder=embedder)
    return Pipeline(root / "ix", reader=SentenceReader(), embedder=embedder, min_relevance=0.0)


def test_the_latest_is_read_from_the_newest_article_first(dated):
    result = dated.answer("What is the latest news about the Marlow storm?")
    assert result.kind == "summary" and result.time.newest_first
    assert result.time.today == date(2024, 3, 12)  # the newest article's date, as none was given
    assert result.parts[0].citations[0].published == date(2024, 3, 12)
    dates = [p.citations[0].published for p in result.parts]
    assert dates == sorted(dates, reverse=True)


def test_last_week_filters_to_that_week_counted_from_today(dated):
    result = dated.answer("What happened last week?", today=date(2024, 3, 14))
    assert (result.time.since, result.time.until) == (date(2024, 3, 4), date(2024, 3, 10))
    assert result.parts and {c.published for c in result.citations} == {date(2024, 3, 8)}


def test_a_time_with_no_articles_says_so(dated):
    result = dated.answer("What happened last week?", today=date(2024, 6, 1))
    assert result.abstained
    assert "last week" in result.reason and "2024-05-20 to 2024-05-26" in result.reason


def test_a_calendar_date_no_article_is_from_is_read_as_the_events_date(dated):
    # "in 2019" may date the event, not the article: with no article from 2019 it is a word of the question.
    result = dated.answer("What did the council promise for Marlow in 2019?")
    assert result.time is None and "no indexed article" not in result.reason, result
    assert any("sea walls" in c.quote for c in (*result.citations, *result.considered))


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    directory = tmp_path_factory.mktemp("seeds-kinds")
    build_index([SEEDS], directory)
    return Pipeline(directory, reader=SentenceReader())


def exact(pipeline, answer):
    """Every citation is the article's text at its offsets; every copied part lies inside its citation."""
    for part in answer.parts:
        assert part.citations
        for c in part.citations:
            text = pipeline.article(c.article_id).text
            assert text[c.start : c.end] == c.quote
            assert c.start <= c.answer_start < c.answer_end <= c.end
            if not part.worded and answer.kind != "explanation":
                assert text[c.answer_start : c.answer_end] == part.text
    assert answer.citations == tuple(c for p in answer.parts for c in p.citations)


@pytest.mark.models
@pytest.mark.parametrize(
    ("question", "verdict", "evidence"),
    [
        ("Was anyone killed?", True, "killed"),
        ("Has Radoičić taken responsibility for the shootout?", True, "has taken responsibility"),
        ("Were Vučić's claims of ethnic cleansing true?", False, "proven false"),
        ("Did the US warn Serbia?", True, "warnings from the United States"),
    ],
)
def test_yes_no_gives_the_verdict_and_the_clause_that_settles_it(seeds, question, verdict, evidence):
    result = seeds.answer(question)
    assert (result.kind, result.verdict, result.text) == ("yes/no", verdict, "Yes" if verdict else "No"), result
    assert evidence in result.parts[0].text
    exact(seeds, result)


@pytest.mark.models
@pytest.mark.parametrize(
    "question", ["Did Serbia invade Kosovo?", "Did Germany send troops?", "Was the Serbian president arrested?"]
)
def test_yes_no_abstains_when_the_text_does_not_settle_it(seeds, question):
    result = seeds.answer(question)
    assert result.kind == "yes/no" and result.abstained, result


@pytest.mark.models
def test_what_happened_is_the_lead_in_two_to_four_cited_sentences(seeds):
    result = seeds.answer("What happened?")
    assert result.kind == "summary" and 2 <= len(result.parts) <= 4
    assert result.parts[0].text.startswith("Serbia has recently made the decision to withdraw")
    assert len({p.text for p in result.parts}) == len(result.parts)
    exact(seeds, result)


@pytest.mark.models
def test_a_topic_summary_speaks_of_the_topic(seeds):
    result = seeds.answer("Tell me about the ambush")
    assert result.kind == "summary" and "ambushed a Kosovan police patrol" in result.parts[0].text, result
    exact(seeds, result)


@pytest.mark.models
def test_countries_are_listed_each_cited_and_no_person_among_them(seeds):
    result = seeds.answer("Which countries were involved?")
    items = [p.text for p in result.parts]
    assert result.kind == "list" and {"Serbia", "Kosovo"} <= set(items), items
    assert not {"Vučić", "Blinken", "Radoičić"} & set(items)
    exact(seeds, result)


@pytest.mark.models
def test_people_are_listed_once_each(seeds):
    result = seeds.answer("Who was involved?")
    items = [p.text for p in result.parts]
    assert any("Blinken" in i for i in items) and any("Radoičić" in i for i in items), items
    surnames = [i.split()[-1] for i in items]
    assert len(surnames) == len(set(surnames))
    exact(seeds, result)


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("Three Serb gunmen were killed in the battle.", []),
        ("3 Serb gunmen were killed.", []),  # a number word and its digits are one number
        ("Five Serb gunmen were killed.", ["Five"]),
        ("Three Serb gunmen were killed in Belgrade.", ["Belgrade"]),
        ("Three Serb gunmen were arrested.", ["arrested"]),
    ],
)
def test_a_worded_sentence_is_proven_word_by_word_against_its_source(text, missing):
    from qa.kinds.verify import unproven

    assert unproven(text, ["Three Serb gunmen were also killed in the ensuing battle."]) == missing


class _Shortener:
    """An LLM that shortens the first sentence faithfully and makes up the rest."""

    model = "fake"

    def __init__(self):
        self.calls = 0

    def chat(self, system, turns, user, **kwargs):
        from qa.llm import Generation

        self.calls += 1
        faithful = "Serbia made the decision to withdraw some of its troops from the border with Kosovo."
        text = faithful if self.calls == 1 else "Five NATO soldiers died in Belgrade on Monday."
        return Generation(text=text, token_probs=(0.9,))

    def warm(self, system, turns):
        pass


@pytest.mark.models
def test_a_worded_summary_keeps_what_is_proven_and_drops_a_fabricated_sentence(seeds):
    from qa.kinds.route import answer_kind

    llm = _Shortener()
    retriever = seeds.retriever
    kind = classify("What happened?")
    vector = retriever.embed_query("What happened?")
    hits = retriever.search("What happened?", 5, query_vector=vector)
    args = (seeds.store, retriever.embedder, seeds.reader, "What happened?", kind, hits, vector)
    copied = answer_kind(*args)
    result = answer_kind(*args, wording=llm)
    assert llm.calls == len(result.parts) >= 2
    first, *rest = result.parts
    assert first.worded and first.text.startswith("Serbia made the decision")
    # The made-up sentences are dropped: the copied ones stand in their place.
    assert [p.text for p in rest] == [p.text for p in copied.parts[1:]] and not any(p.worded for p in rest)
    assert result.citations == copied.citations


@pytest.mark.models
def test_the_latest_figure_wins_and_the_older_report_is_shown_beside_it(tmp_path):
    root = tmp_path / "reports"
    root.mkdir()
    for name, text in DATED.items():
        (root / name).write_text(text, encoding="utf-8")
    build_index([root], tmp_path / "ix")
    result = Pipeline(tmp_path / "ix", reader=SentenceReader()).answer(
        "How many people died in the Marlow storm, according to the latest report?"
    )
    assert result.time.newest_first and not result.abstained, result
    newest, *older = result.citations
    assert newest.published == date(2024, 3, 12) and "rose to five" in newest.quote
    assert older and older[0].published == date(2024, 3, 1) and "Two people were killed" in older[0].quote


@pytest.mark.models
def test_why_it_matters_is_the_sentence_that_says_what_the_story_means(seeds):
    result = seeds.answer("Why does it matter?")
    assert result.kind == "explanation" and "is seen as a step toward deescalation" in result.text, result
    exact(seeds, result)


@pytest.mark.models
def test_an_explanation_is_a_cause_not_what_followed(seeds):
    result = Pipeline(seeds.index_dir).answer("What caused the tensions?")  # the default LLM reader
    assert result.kind == "explanation" and not result.abstained, result
    assert "ambushed a Kosovan police patrol" in result.text and "resulting in" not in result.text
    exact(seeds, result)


class _Lister:
    """An LLM that lists two items the article names apart, and one it makes up."""

    model = "fake"

    def chat(self, system, turns, user, **kwargs):
        from qa.llm import Generation

        return Generation(text="Serbia\nthe deployment of British troops\nsanctions on Belgrade", token_probs=(0.9,))

    def warm(self, system, turns):
        pass


@pytest.mark.models
def test_listed_items_are_kept_only_where_they_are_in_the_articles_word_for_word(seeds):
    from qa.evidence import rank_sentences
    from qa.kinds.listing import answer_list

    question = "What steps did Serbia and NATO take?"
    vector = seeds.retriever.embed_query(question)
    hits = seeds.retriever.search(question, 5, query_vector=vector)
    evidence = rank_sentences(seeds.store, question, vector, hits)

    def unused():
        raise AssertionError("two listed items need no factoid reading")

    result = answer_list(seeds.store, question, "steps", evidence, unused, chat_model=_Lister(), policy=seeds.policy)
    assert [p.text for p in result.parts] == ["Serbia", "the deployment of British troops"], result
    exact(seeds, result)


@pytest.mark.parametrize(
    ("question", "kind", "head"),
    [
        # The parse finds the noun a what/which question asks for, past its modifiers...
        ("Which regional airlines cancelled flights?", "list", "airlines"),
        ("Which close aides of the mayor were questioned?", "list", "aides"),
        ("In which provinces did the floods hit hardest?", "list", "provinces"),
        ("What three bridges were closed?", "list", "bridges"),
        ("Which of the mayor's aides were questioned?", "list", "aides"),
        ("Who were Ortega's co-defendants?", "list", "co-defendants"),
        ("What are the main causes of the strike?", "list", "causes"),
        # ...and tells a plural inside the phrase from the one it asks for.
        ("What share of voters backed the mayor?", "factoid", ""),
        ("What kind of boats do the smugglers use?", "factoid", ""),
        ("Which of the mayor's aides was questioned first?", "factoid", ""),
        ("What happens when the river floods?", "factoid", ""),
        ("What are the protesters angry about?", "factoid", ""),
        ("Which airline cancelled the most flights?", "factoid", ""),
    ],
)
def test_a_list_is_asked_by_the_plural_noun_the_question_is_about(question, kind, head):
    found = classify(question)
    assert (found.kind, found.head) == (kind, head)
