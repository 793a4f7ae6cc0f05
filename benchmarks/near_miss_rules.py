"""Candidate near-miss rules, evaluated offline on recorded answers (no LLM is run).

    citeqa eval nearmiss evals/data/near_miss.jsonl --out nearmiss.json
    citeqa eval squad ../shared/data/squad-v1.1/dev-v1.1.json --limit 100 --setting open --out squad-100.json
    citeqa eval newsqa ../shared/data/newsqa-dev --limit 100 --setting open --out newsqa-100.json
    python benchmarks/near_miss_rules.py nearmiss.json --squad squad-100.json --newsqa newsqa-100.json

Each rule withholds a shown answer from its question, its cited sentence and the passage around it
(the indexed chunk holding the citation). A rule is chosen on the near misses' "dev" half (even
``crc32(id)``) and confirmed on the "held-out" half; its cost is the answerable questions it withholds
(and the right answers among them) in the recorded SQuAD and NewsQA runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evals import nearmiss, newsqa, squad
from index.chunk import split_sentences
from index.stores.generations import load_index
from qa.kinds.clauses import NEGATION, OPPOSITES
from qa.nearmiss import NAME_LABELS, NUMBER_LABELS, absent, near_miss, question_entities


@dataclass(frozen=True, slots=True)
class Shown:
    """A shown answer as a rule sees it."""

    question: str
    answer: str
    sentence: str
    passage: str
    article: str


def shown_answers(records: list[dict[str, Any]], stores: dict[str, Any], source: str) -> list[Shown | None]:
    """Each record as a :class:`Shown`, or None for an abstention."""
    store = stores[source]
    out: list[Shown | None] = []
    for r in records:
        cited = r["citation"]
        if r["answer"] is None or cited is None:
            out.append(None)
            continue
        article = store.articles[cited["article_id"]].text
        chunk = next(
            (c for c in store.chunks if c.article_id == cited["article_id"] and c.start <= cited["start"] < c.end),
            None,
        )
        passage = chunk.text if chunk is not None else cited["quote"]
        out.append(Shown(r["question"], r["answer"], cited["quote"], passage, article))
    return out


def gold_shown(near: list[nearmiss.NearMiss], squad_path: str, stories: Path, stores: dict[str, Any], limit: int):
    """Reader-free stand-ins: each near miss over the sentence it nearly matches, and answerable
    SQuAD (a stratified sample of ``limit``) and NewsQA dev questions over their gold answer's
    sentence, as a right answer would cite them; the passage is the indexed chunk holding it."""
    paragraphs, questions = squad.load_squad(squad_path)
    texts = {key: context for key, (_, context) in paragraphs.items()}
    texts.update({p.stem: p.read_text(encoding="utf-8") for p in stories.glob("*.txt")})
    _, news = newsqa.load_newsqa(stories.parent)

    def shown(source: str, article_id: str, question: str, at: int) -> Shown | None:
        text = texts[article_id]
        sentence = next((s for s in split_sentences(text) if s.start <= at < s.end), None)
        if sentence is None:
            return None
        store = stores[source]
        # The SQuAD index holds each paragraph after a title line; find the sentence in it.
        indexed = store.articles.get(article_id)
        quote = text[sentence.start : sentence.end]
        passage = quote
        if indexed is not None:
            offset = indexed.text.find(quote)
            chunk = next((c for c in store.chunks if c.article_id == article_id and c.start <= offset < c.end), None)
            passage = chunk.text if chunk is not None else quote
        return Shown(question, "", quote, passage, indexed.text if indexed is not None else text)

    groups: dict[str, list[Shown]] = {}
    for name in ("dev", "held-out"):
        items = [shown(q.source, q.article_id, q.question, q.sentence[0]) for q in near if nearmiss.half(q.id) == name]
        groups[f"near misses, {name} (their sentence)"] = [s for s in items if s is not None]
    picked = squad.sample(questions, limit, 13)
    items = []
    for q in picked:
        at = texts[q.article_id].find(q.answers[0])
        items.append(shown("squad", q.article_id, q.question, at) if at >= 0 else None)
    groups[f"answerable squad dev, {limit} (gold sentence)"] = [s for s in items if s is not None]
    items = [shown("newsqa", q.article_id, q.question, texts[q.article_id].find(q.answers[0])) for q in news]
    groups["answerable newsqa dev, all (gold sentence)"] = [s for s in items if s is not None]
    return groups


def _polarity(q: str, s: str) -> bool:
    return (NEGATION.search(q) is None) != (NEGATION.search(s) is None)


def _opposite(q: str, s: str) -> bool:
    return any(
        (a.search(q) and b.search(s) and not a.search(s)) or (b.search(q) and a.search(s) and not b.search(s))
        for a, b in OPPOSITES
    )


_EXPECTED = (
    (("how many", "how much", "what percentage", "how old", "how far", "how large"), NUMBER_LABELS),
    (("what year", "which year", "when ", "what date", "which month", "what month", "what time"), {"DATE", "TIME"}),
    (("who ", "whom "), {"PERSON", "ORG", "NORP", "GPE"}),
)


def _type_mismatch(shown: Shown) -> bool:
    q = shown.question.lower()
    for starts, labels in _EXPECTED:
        if any(w in q for w in starts):
            found = {label for _, label in question_entities(shown.answer)}
            return bool(found) and not found & labels
    return False


RULES: dict[str, Callable[[Shown], bool]] = {
    "names missing from the sentence": lambda s: bool(absent(s.question, s.sentence, NAME_LABELS)),
    "names missing from the passage": lambda s: bool(absent(s.question, s.passage, NAME_LABELS)),
    "names missing from the article": lambda s: bool(absent(s.question, s.article, NAME_LABELS)),
    "numbers missing from the sentence": lambda s: bool(absent(s.question, s.sentence, NUMBER_LABELS)),
    # The one kept: qa.nearmiss.near_miss, the default AbstentionPolicy(near_miss=True).
    "numbers missing from the article": lambda s: near_miss(s.question, s.article) is not None,
    "names or numbers missing from the article": lambda s: bool(
        absent(s.question, s.article, NAME_LABELS | NUMBER_LABELS)
    ),
    "names missing from the article, numbers from the passage": lambda s: bool(
        absent(s.question, s.article, NAME_LABELS) or absent(s.question, s.passage, NUMBER_LABELS)
    ),
    "numbers missing from the passage": lambda s: bool(absent(s.question, s.passage, NUMBER_LABELS)),
    "names or numbers missing from the passage": lambda s: bool(
        absent(s.question, s.passage, NAME_LABELS | NUMBER_LABELS)
    ),
    "names missing from the passage, numbers from the sentence": lambda s: bool(
        absent(s.question, s.passage, NAME_LABELS) or absent(s.question, s.sentence, NUMBER_LABELS)
    ),
    "negation mismatch (question vs sentence)": lambda s: _polarity(s.question, s.sentence),
    "opposite words (question vs sentence)": lambda s: _opposite(s.question, s.sentence),
    "answer type vs span's entity label": _type_mismatch,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("near_misses", help="the --out file of 'citeqa eval nearmiss' (with --gold: the set itself)")
    parser.add_argument("--squad", help="the --out file of 'citeqa eval squad' (open setting)")
    parser.add_argument("--newsqa", help="the --out file of 'citeqa eval newsqa' (open setting)")
    parser.add_argument(
        "--gold",
        type=int,
        metavar="N",
        help="reader-free: over the sentences a right answer "
        "cites (near misses: theirs; N SQuAD dev questions and all NewsQA dev questions: the gold's)",
    )
    parser.add_argument("--squad-data", default=str(nearmiss.DEFAULT_SQUAD))
    parser.add_argument("--newsqa-data", default=str(nearmiss.DEFAULT_NEWSQA))
    parser.add_argument("--rule", action="append", help="only these rules (default: all)")
    parser.add_argument("--examples", action="store_true", help="print what each rule withholds")
    args = parser.parse_args()
    paragraphs, _ = squad.load_squad(args.squad_data)
    stories = Path(args.newsqa_data) / "stories"
    stores = {
        "squad": load_index(squad.corpus_dir(args.squad_data, paragraphs) / "index", verify=False),
        "newsqa": load_index(newsqa.index_dir_for(stories), verify=False),
    }
    groups: dict[str, tuple[list[dict[str, Any]], list[Shown | None]]] = {}
    if args.gold:
        near_set = nearmiss.load_near_misses(args.near_misses)
        for group, items in gold_shown(near_set, args.squad_data, stories, stores, args.gold).items():
            groups[group] = ([{}] * len(items), list(items))
    else:
        near = json.loads(Path(args.near_misses).read_text(encoding="utf-8"))["questions"]
        for name in ("dev", "held-out"):
            rows = [r for source in nearmiss.SOURCES for r in near if r["half"] == name and r["source"] == source]
            shown = [
                s
                for source in nearmiss.SOURCES
                for s in shown_answers([r for r in rows if r["source"] == source], stores, source)
            ]
            groups[f"near misses, {name}"] = (rows, shown)
    for source in ("squad", "newsqa"):
        path = getattr(args, source)
        if path:
            recorded = json.loads(Path(path).read_text(encoding="utf-8"))["questions"]
            rows = [r for r in recorded if r["setting"] == "open"]
            groups[f"answerable {source}"] = (rows, shown_answers(rows, stores, source))
    rules = {name: RULES[name] for name in args.rule} if args.rule else RULES
    header = ["rule", *(f"{g} (n={len(rows)})" for g, (rows, _) in groups.items())]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    base = [f"{sum(s is None for s in shown) / len(rows):.3f}" for rows, shown in groups.values()]
    print("| no rule (abstention) | " + " | ".join(base) + " |")
    for name, rule in rules.items():
        cells = []
        for group, (rows, shown) in groups.items():
            withheld = [(r, s) for r, s in zip(rows, shown, strict=True) if s is not None and rule(s)]
            rate = (sum(s is None for s in shown) + len(withheld)) / len(rows)
            cell = f"{rate:.3f} (+{len(withheld)})"
            if group.startswith("answerable") and "f1" in rows[0]:
                cell += f", {sum(r['f1'] >= 0.5 for r, _ in withheld)} right"
            cells.append(cell)
            if args.examples:
                for r, s in withheld:
                    print(f"  [{group}] {name}: {s.question!r} -> {s.answer!r} | {s.sentence[:150]!r} f1={r.get('f1')}")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
