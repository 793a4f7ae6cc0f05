"""Fit the support check of qa/support.py from `citeqa eval squad --setting all` output.

    citeqa eval squad DEV.json --limit 200 --setting open unanswerable --out train.json
    python benchmarks/fit_support.py train.json --check heldout.json
    python benchmarks/reader_sweep.py NEWSQA_DIR --seed 7 --settings open unanswerable --no-support --out news.json
    python benchmarks/fit_support.py squad.json news.json --check heldout.json   # fit on both corpora

Several training files are pooled, each weighted equally (so 100 news questions count as much as
200 SQuAD ones), and the threshold must keep answerable abstention at or under --max-abstention
on each of them.

Every answer that reached the check carries its signals. Answers to answerable questions
("open") are the positives, answers given although the question's own article was left out
("unanswerable") the negatives. A logistic regression (numpy, L2) is fit on them; the threshold
is the highest that keeps abstention on answerable questions, the reader's own abstentions
included, at or under --max-abstention. The table shows that trade-off on each file.

Open F1 is exact only for a file evaluated without a support check (or with a lower threshold
than the row's): an answer that a check withheld during the run is recorded with F1 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from qa.support import SIGNALS, SupportModel, SupportSignals


def load(path: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, int]]:
    """Signals, labels (1 = answerable) and F1 of the answers that reached the check, plus counts."""
    rows = json.loads(Path(path).read_text(encoding="utf-8"))["questions"]
    counts = {"open": 0, "unanswerable": 0, "open_abstained": 0, "unanswerable_abstained": 0}
    x, y, f1 = [], [], []
    for row in rows:
        setting = row["setting"]
        if setting not in ("open", "unanswerable"):
            continue
        counts[setting] += 1
        if not row.get("signals"):
            counts[f"{setting}_abstained"] += 1  # the reader itself found nothing
            continue
        x.append([row["signals"][name] for name in SIGNALS])
        y.append(setting == "open")
        f1.append(row.get("f1", 0.0) if setting == "open" else 0.0)  # reader_sweep has no f1 without an answer
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float), np.asarray(f1), counts


def fit(
    x: np.ndarray, y: np.ndarray, l2: float = 0.01, steps: int = 20000, sample_weight: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    mean, std = x.mean(0), x.std(0) + 1e-9
    z = np.c_[(x - mean) / std, np.ones(len(x))]
    w = np.zeros(z.shape[1])
    sw = np.ones(len(y)) if sample_weight is None else sample_weight / sample_weight.mean()
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-z @ w))
        w -= 0.5 * (z.T @ (sw * (p - y)) / len(y) + l2 * np.r_[w[:-1], 0.0])
    weights = w[:-1] / std
    return weights, float(w[-1] - np.sum(w[:-1] * mean / std))


def as_signals(values: Sequence[float] | np.ndarray) -> SupportSignals:
    return SupportSignals(**{name: float(v) for name, v in zip(SIGNALS, values, strict=True)})


def trade_off(model: SupportModel, path: str, threshold: float) -> dict[str, float]:
    x, y, f1, counts = load(path)
    support = np.asarray([model.support(as_signals(row)) for row in x])
    kept = support >= threshold
    return {
        "answerable_abstained": (counts["open_abstained"] + np.sum(~kept & (y == 1))) / counts["open"],
        "unanswerable_abstained": (counts["unanswerable_abstained"] + np.sum(~kept & (y == 0)))
        / counts["unanswerable"],
        "open_f1": 100 * float(np.sum(f1[kept])) / counts["open"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("train", nargs="+", help="eval JSON files with open and unanswerable answers")
    parser.add_argument("--check", nargs="*", default=[], help="held-out eval JSON files")
    parser.add_argument("--max-abstention", type=float, default=0.05)
    args = parser.parse_args()
    loaded = [load(path)[:2] for path in args.train]
    x = np.vstack([signals for signals, _ in loaded])
    y = np.concatenate([labels for _, labels in loaded])
    weights, bias = fit(
        x, y, sample_weight=np.concatenate([np.full(len(labels), 1 / len(labels)) for _, labels in loaded])
    )
    thresholds = [round(t, 2) for t in np.arange(0.05, 0.95, 0.05)]
    fitted = SupportModel(weights=as_signals(weights), bias=bias, threshold=0.0)
    ok = [
        t
        for t in thresholds
        if all(trade_off(fitted, path, t)["answerable_abstained"] <= args.max_abstention for path in args.train)
    ]
    chosen = max(ok) if ok else 0.0
    model = SupportModel(weights=as_signals([round(w, 3) for w in weights]), bias=round(bias, 3), threshold=chosen)
    print(f"positives {int(y.sum())}, negatives {int(len(y) - y.sum())}")
    print(f"SupportModel(weights={model.weights}, bias={model.bias}, threshold={model.threshold})")
    print("| file | threshold | answerable abstained | unanswerable abstained | open F1 |")
    print("| --- | --- | --- | --- | --- |")
    for path in [*args.train, *args.check]:
        for t in sorted({0.0, *thresholds[::2], chosen}):
            r = trade_off(model, path, t)
            mark = " (chosen)" if t == chosen else ""
            print(
                f"| {Path(path).name} | {t:.2f}{mark} | {r['answerable_abstained']:.3f} | "
                f"{r['unanswerable_abstained']:.3f} | {r['open_f1']:.1f} |"
            )


if __name__ == "__main__":
    main()
