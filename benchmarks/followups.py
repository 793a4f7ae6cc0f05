"""Follow-up rewriting on the seed article: each pair is a question and a follow-up that leans on it.

Prints, per pair, the first answer, the rewritten follow-up, its answer and the seconds the
follow-up took (warm), then how many rewrites named the expected referent and how many follow-up
answers hold the expected text.

    .venv/bin/python benchmarks/followups.py
"""

from __future__ import annotations

import statistics
import time

from qa import get_pipeline

# (question, follow-up, words the rewrite must contain, text the follow-up's answer must contain)
PAIRS = [
    ("Who led the armed group?", "What party is he the deputy leader of?", "Radoičić", "Serb List"),
    ("Who is Germany's ambassador to the US?", "What did he call the situation?", "Michaelis", "powder keg"),
    ("Who did Blinken speak with?", "What did he oppose?", "Vučić", "punitive measures"),
    ("Which troops reinforced Kfor?", "Which force is that?", "Kfor", "NATO"),
    ("What did Vučić allege?", "Were those allegations true?", "ethnic cleansing", "debunked"),
    ("Who took responsibility for the shootout?", "Which party is he the deputy leader of?", "Radoičić", "Serb List"),
    ("What did the Kosovan government present?", "What did it claim?", "Kosovan government", "grenade launcher"),
    ("Who expressed concerns about Serbia's buildup?", "How did they label it?", "US", "unprecedented"),
    ("Who was killed in the ambush?", "How many Serb gunmen died there?", "ambush", "three"),
    ("What has Serbia declared?", "For whom?", "mourning", "Serbs"),
    (
        "Who ordered the troops to be pulled back?",
        "Why did he say military action was a bad idea?",
        "Vučić",
        "counterproductive",
    ),
    ("Who led the armed group?", "What about the weapons?", "armed group", "unclear"),
]


def main() -> None:
    pipeline = get_pipeline()
    pipeline.answer("Who led the armed group?", history=[("Who?", "x")])  # load both contexts
    rewrites_ok = answers_ok = 0
    seconds = []
    for question, follow_up, referent, expected in PAIRS:
        first = pipeline.answer(question)
        started = time.perf_counter()
        result = pipeline.answer(follow_up, history=[(question, first.text)])
        seconds.append(time.perf_counter() - started)
        searched = result.standalone_question or follow_up
        rewrites_ok += referent.lower() in searched.lower()
        answers_ok += bool(result.text) and expected.lower() in (
            result.citations[0].quote.lower() if result.citations else ""
        )
        print(
            f"{question!r} -> {first.text!r}\n    {follow_up!r} => {searched!r} -> {result.text!r} "
            f"({seconds[-1]:.1f} s)"
        )
    n = len(PAIRS)
    print(
        f"\nrewrite names the referent: {rewrites_ok}/{n}; follow-up answer cites the expected text: {answers_ok}/{n}"
    )
    print(f"follow-up seconds: median {statistics.median(seconds):.2f}, max {max(seconds):.2f}")


if __name__ == "__main__":
    main()
