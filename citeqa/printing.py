"""Answers as terminal text: the answer in its shape (a verdict, bullets, a paragraph), numbered
markers, then each citation's title, date, offsets and quote."""

from __future__ import annotations

import textwrap
import unicodedata

from qa import Answer
from ui.shapes import time_read

# Where a summary's or an explanation's paragraph is wrapped.
WIDTH = 100


def shown(text: object) -> str:
    """Article text for a terminal: control characters (ESC, BEL, ...) escaped, so an article
    cannot move the cursor, retitle the window or ring the bell."""
    return "".join(c if c in "\n\t" or unicodedata.category(c) != "Cc" else f"\\x{ord(c):02x}" for c in str(text))


def _body(result: Answer) -> list[str]:
    """The answer's own lines, each part followed by its markers, numbered across the answer."""
    confidence = f"(confidence {result.score:.2f})"
    if not result.parts:
        return [f"{shown(result.text)}  {confidence}"]
    parts, n = [], 1
    for part in result.parts:
        markers = "".join(f"[{i}]" for i in range(n, n + len(part.citations)))
        n += len(part.citations)
        parts.append(f"{shown(' '.join(part.text.split()))} {markers}")
    if result.verdict is not None:
        return [f"{'Yes' if result.verdict else 'No'} — {' '.join(parts)}  {confidence}"]
    if result.kind == "list":
        return [*(f"- {item}" for item in parts), confidence]
    return [textwrap.fill(f"{' '.join(parts)}  {confidence}", WIDTH, break_long_words=False)]


def print_answer(result: Answer) -> None:
    """Print ``result`` for a person: the answer, how its time words were read, its citations
    (one quote for the markers that cite the same span)."""
    if result.abstained:
        print(f"The articles do not say. ({shown(result.reason)})")
        return
    print("\n".join(_body(result)))
    if result.time is not None:
        print(f"Time read as {shown(time_read(result))}")
    # A list's items often come from one sentence: its quote is printed once, after all their markers.
    quoted: dict[tuple[str, int, int], list[int]] = {}
    for i, c in enumerate(result.citations, start=1):
        quoted.setdefault((c.article_id, c.start, c.end), []).append(i)
    for numbers in quoted.values():
        c = result.citations[numbers[0] - 1]
        when = c.published.isoformat() if c.published else "undated"
        markers = "".join(f"[{i}]" for i in numbers)
        print(
            f"\n{markers} {shown(c.title)} ({when}) [{shown(c.article_id)}:{c.start}-{c.end}]\n"
            f"    \u201c{shown(c.quote)}\u201d"
        )
