"""Time words in questions ("the latest", "last week", "in 2009"), resolved against a "today".

"Today" is the caller's, else the newest indexed article's date: an archive of 2009 stories asked
"what happened last week?" means the last week of that archive, not of the calendar.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from qa.types import TimeScope

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTH = "|".join(sorted((m for m in _MONTHS if m != "may"), key=len, reverse=True)) + "|may(?= \\d{4})"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.I))
    for name, pattern in (
        ("recent", r"\b(?:the )?(?:latest|most recent|newest|recent(?:ly)?|up to date|current(?:ly)?|right now|now)\b"),
        ("today", r"\btoday\b"),
        ("yesterday", r"\byesterday\b"),
        ("days", r"\b(?:in )?the (?:past|last) (?P<n>\d+|two|three|four|five|six|seven|ten|few) days\b"),
        ("week", r"\b(?P<which>this|last|past) week\b"),
        ("month", r"\b(?P<which>this|last|past) month\b"),
        ("year", r"\b(?P<which>this|last|past) year\b"),
        ("month-year", rf"\b(?:in |during )?(?P<month>{_MONTH}) (?P<year>(?:19|20)\d\d)\b"),
        ("since", r"\bsince (?P<year>(?:19|20)\d\d)\b"),
        ("before", r"\bbefore (?P<year>(?:19|20)\d\d)\b"),
        ("after", r"\bafter (?P<year>(?:19|20)\d\d)\b"),
        ("in-year", r"\b(?:in|during|of) (?P<year>(?:19|20)\d\d)\b"),
    )
)
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10, "few": 7}


@dataclass(frozen=True, slots=True)
class TimePhrase:
    """Time words found in a question, not yet resolved against a date.

    Attributes:
        phrase: The words, as written.
        form: Which pattern matched (``"recent"``, ``"last-week"``, ``"in-year"``…).
        start: Where they start in the question.
        end: Where they end (half-open).
        groups: The numbers and names the pattern captured (a year, a month, "last"…).
    """

    phrase: str
    form: str
    start: int
    end: int
    groups: tuple[tuple[str, str], ...] = ()


def find_time(question: str) -> TimePhrase | None:
    """The first time phrase of ``question``, or None."""
    found = []
    for form, pattern in _PATTERNS:
        match = pattern.search(question)
        if match:
            groups = tuple((k, v) for k, v in match.groupdict().items() if v is not None)
            found.append(TimePhrase(match.group(0).strip(), form, match.start(), match.end(), groups))
    if not found:
        return None
    # A date range says more than "recent": "the latest news from 2009" is about 2009.
    dated = [t for t in found if t.form != "recent"]
    return min(dated or found, key=lambda t: t.start)


def resolve(phrase: TimePhrase, today: date | None) -> TimeScope:
    """The dates ``phrase`` allows, counted back from ``today`` (None: only "recent" can be read)."""
    g = dict(phrase.groups)
    form = phrase.form
    since: date | None = None
    until: date | None = None
    if form == "recent":
        return TimeScope(phrase=phrase.phrase, today=today, newest_first=True, form=form)
    if "year" in g and form in ("in-year", "since", "before", "after", "month-year"):
        year = int(g["year"])
        if form == "month-year":
            month = _MONTHS[g["month"].lower()]
            since, until = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        elif form == "in-year":
            since, until = date(year, 1, 1), date(year, 12, 31)
        elif form == "since":
            since = date(year, 1, 1)
        elif form == "before":
            until = date(year - 1, 12, 31)
        else:
            since = date(year + 1, 1, 1)
        return TimeScope(phrase=phrase.phrase, today=today, since=since, until=until, form=form)
    if today is None:  # "last week" of an undated archive means nothing
        return TimeScope(phrase=phrase.phrase, today=None, newest_first=True, form=form)
    if form == "today":
        since = until = today
    elif form == "yesterday":
        since = until = today - timedelta(days=1)
    elif form == "days":
        n = int(g["n"]) if g["n"].isdigit() else _NUMBERS[g["n"].lower()]
        since, until = today - timedelta(days=n), today
    elif form == "week":
        monday = today - timedelta(days=today.weekday())
        if g["which"].lower() == "last":
            since, until = monday - timedelta(days=7), monday - timedelta(days=1)
        else:  # this week, past week
            since, until = (monday, today) if g["which"].lower() == "this" else (today - timedelta(days=7), today)
    elif form == "month":
        first = today.replace(day=1)
        if g["which"].lower() == "last":
            until = first - timedelta(days=1)
            since = until.replace(day=1)
        else:
            since, until = (first, today) if g["which"].lower() == "this" else (today - timedelta(days=31), today)
    elif form == "year":
        if g["which"].lower() == "last":
            since, until = date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
        else:
            since, until = (
                (date(today.year, 1, 1), today)
                if g["which"].lower() == "this"
                else (
                    today - timedelta(days=365),
                    today,
                )
            )
    return TimeScope(phrase=phrase.phrase, today=today, since=since, until=until, form=form)
