"""Yes/no questions the rules leave open, read by the LLM: which gate on its reading keeps the right
verdicts and drops the wrong ones? One LLM run per file, every gate scored offline.

    python benchmarks/yesno_reader.py collect evals/data/news_yesno_fresh.jsonl evals/data/news_faq.jsonl \\
        --out yn-dev.json
    python benchmarks/yesno_reader.py sweep yn-dev.json            # choose a gate here...
    python benchmarks/yesno_reader.py sweep yn-held.json           # ...and confirm it on held-out files

``collect`` asks each file's yes/no questions twice: with the sentence reader (the rules alone) and
with the default LLM reader, its reading ungated (no verdict or cosine threshold; the guards that
need no threshold stay: words copied from an evidence sentence, the question's names near, no
"Yes" over negating words). ``sweep`` applies each gate to the
recorded signals: a reading the gate withholds is an abstention, as the rules gave.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

Record = dict[str, Any]
Gate = Callable[[dict[str, float]], bool]


class Recording:
    """The in-process LLM, the token probabilities of its last yes/no reading kept by question
    (the verdict token's probability is not one of the support signals)."""

    def __init__(self) -> None:
        from qa.llm import DEFAULT_LLM, ChatModel, repacks

        # Repacked as `citeqa eval` loads it (evaluate(repack=True)): the weights' layout moves borderline readings.
        self._llm = ChatModel(DEFAULT_LLM, repack=repacks(DEFAULT_LLM, prefer=True))
        self.kept: dict[str, list[float]] = {}

    @property
    def model(self) -> str:
        return self._llm.model

    def warm(self, system: str, turns: Any) -> None:
        self._llm.warm(system, turns)

    def chat(self, system: str, turns: Any, user: str, **kwargs: Any) -> Any:
        generation = self._llm.chat(system, turns, user, **kwargs)
        self.kept[user.rpartition("Question: ")[2].strip()] = list(generation.token_probs)
        return generation


def collect(files: list[str]) -> dict[str, Any]:
    from evals.faq import evaluate
    from qa.kinds.yesno_reader import ReadYesNo

    ungated_read = ReadYesNo(min_verdict=0.0, min_cosine=-1.0)
    recording = Recording()
    out: dict[str, Any] = {}
    for path in files:
        rules = evaluate(path, kinds=["yes/no"], reader="sentence")["questions"]
        ungated = evaluate(path, kinds=["yes/no"], reader="llm", llm=recording, yes_no_llm=ungated_read)["questions"]
        for r in ungated:
            if r["signals"] and r["question"].strip() in recording.kept:
                r["signals"]["verdict"] = recording.kept[r["question"].strip()][-1]
        out[path] = {"rules": rules, "ungated": ungated}
        print(f"{path}: {len(rules)} questions", file=sys.stderr)
    return out


def gates() -> dict[str, Gate]:
    from qa.readers import LLM_SUPPORT
    from qa.support import SupportSignals

    def support(s: dict[str, float]) -> float:
        return LLM_SUPPORT.support(SupportSignals(**{k: v for k, v in s.items() if k != "verdict"}))

    chosen: dict[str, Gate] = {"rules alone (every reading withheld)": lambda s: False, "none": lambda s: True}
    for t in (0.5, 0.6, 0.7, 0.8, 0.9):
        chosen[f"confidence >= {t}"] = lambda s, t=t: s["reader"] >= t
    for c in (0.3, 0.4, 0.5, 0.55, 0.6, 0.65):
        chosen[f"sentence cosine >= {c}"] = lambda s, c=c: s["quote_cosine"] >= c
    for o in (0.3, 0.5):
        chosen[f"word overlap >= {o}"] = lambda s, o=o: s["quote_overlap"] >= o
    for v in (0.6, 0.7, 0.8, 0.9, 0.95):
        chosen[f"verdict token >= {v}"] = lambda s, v=v: s.get("verdict", 1.0) >= v
    chosen["support check (factoid fit)"] = lambda s: support(s) >= LLM_SUPPORT.threshold
    for c in (0.5, 0.55, 0.6):
        name = f"verdict token >= 0.7 and cosine >= {c}"
        chosen[name] = lambda s, c=c: s.get("verdict", 1.0) >= 0.7 and s["quote_cosine"] >= c
    for t in (0.5, 0.7):
        for c in (0.4, 0.5):
            name = f"confidence >= {t} and cosine >= {c}"
            chosen[name] = lambda s, t=t, c=c: s["reader"] >= t and s["quote_cosine"] >= c
    return chosen


def outcome(rule: Record, read: Record, gate: Gate) -> tuple[bool, bool]:
    """(answered, right) for one question under ``gate``."""
    if not rule["abstained"] or read["abstained"] or not read["signals"]:
        chosen = rule if not rule["abstained"] else read
        return not chosen["abstained"], chosen["right"]
    if gate(read["signals"]):
        return True, read["right"]
    return False, not rule["answerable"]


def sweep(data: dict[str, Any]) -> str:
    """Each gate's right rate, wrong answers and abstentions per file; then, summed over the files,
    right and wrong answers against the rules alone, and net = more right - 2 x more wrong (a
    confident wrong answer costs more than an abstention): the gate is chosen by net."""
    rows = []
    base: tuple[int, int] | None = None
    for name, gate in gates().items():
        row = [name]
        total_right = total_wrong = 0
        for runs in data.values():
            by_id = {r["id"]: r for r in runs["ungated"]}
            n = right = wrong = ans = ans_abst = unans = unans_abst = 0
            for rule in runs["rules"]:
                answered, ok = outcome(rule, by_id[rule["id"]], gate)
                n += 1
                right += ok
                wrong += answered and not ok
                if rule["answerable"]:
                    ans += 1
                    ans_abst += not answered
                else:
                    unans += 1
                    unans_abst += not answered
            row.append(f"{right / n:.3f} ({wrong} wrong; abst. {ans_abst}/{ans}, unans. {unans_abst}/{unans})")
            total_right += right
            total_wrong += wrong
        base = base or (total_right, total_wrong)  # the first gate is the rules alone
        more_right, more_wrong = total_right - base[0], total_wrong - base[1]
        row += [f"{more_right:+d}", f"{more_wrong:+d}", f"{more_right - 2 * more_wrong:+d}"]
        rows.append(row)
    header = ["gate", *(Path(p).stem for p in data), "right", "wrong", "net"]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("collect")
    c.add_argument("files", nargs="+")
    c.add_argument("--out", type=Path, required=True)
    s = sub.add_parser("sweep")
    s.add_argument("collected", type=Path)
    args = parser.parse_args(argv)
    if args.command == "collect":
        args.out.write_text(json.dumps(collect(args.files), indent=1), encoding="utf-8")
    else:
        print(sweep(json.loads(args.collected.read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
