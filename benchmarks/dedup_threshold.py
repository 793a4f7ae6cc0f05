"""The near-duplicate threshold, measured on pairs built from real stories (local evaluation data, never committed).

Near-duplicate pairs are a story and an edited copy of it, as outlets and updates make them:
another outlet's byline, dateline and boilerplate around the same wire text; 5% or 15% of the words
changed; the last third cut; an update that rewrites two sentences, drops one and adds three new
ones. Non-duplicate pairs are two different stories: random ones, and every pair of different
files of the set (it holds 14 exact copies, left out, and one court case in an earlier and a later
report, which a good threshold groups). For each signature setting the table gives the share of
each kind of pair grouped at each threshold (with LSH banding, so a pair the bands never compare
counts as not grouped); for the pairs of different files, how many were grouped.

    .venv/bin/python benchmarks/dedup_threshold.py ../shared/data/newsqa-dev/stories
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.chunk import split_sentences
from index.dedup import DedupSettings, MinHasher, similarity, text_key

THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def _sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text)]


def _swap_words(text: str, share: float, vocabulary: list[str], rng: random.Random) -> str:
    words = text.split()
    for i in rng.sample(range(len(words)), int(share * len(words))):
        words[i] = rng.choice(vocabulary)
    return " ".join(words)


def edits(story: list[str], other: list[str], vocabulary: list[str], rng: random.Random) -> dict[str, str]:
    text = " ".join(story)
    cut = max(1, len(story) * 2 // 3)
    update = list(story)
    for i in rng.sample(range(len(update)), min(2, len(update))):
        update[i] = _swap_words(update[i], 0.5, vocabulary, rng)
    if len(update) > 3:
        del update[rng.randrange(len(update))]
    update += rng.sample(other, min(3, len(other)))
    return {
        "other outlet": f"By Staff Reporter. LONDON (Wire) -- {text} Copyright 2024 Wire. All rights reserved.",
        "5% words changed": _swap_words(text, 0.05, vocabulary, rng),
        "15% words changed": _swap_words(text, 0.15, vocabulary, rng),
        "last third cut": " ".join(story[:cut]),
        "updated version": " ".join(update),
    }


def grouped(a: np.ndarray, b: np.ndarray, settings: DedupSettings, threshold: float) -> bool:
    rows = settings.num_perm // settings.bands
    bands = range(settings.bands)
    shares_band = any(np.array_equal(a[i * rows : (i + 1) * rows], b[i * rows : (i + 1) * rows]) for i in bands)
    return shares_band and similarity(a, b) >= threshold


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stories", type=Path)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    stories = [_sentences(f.read_text(encoding="utf-8")) for f in sorted(args.stories.glob("*.txt"))]
    stories = [s for s in stories if len(s) >= 6]
    vocabulary = [w for s in stories for sentence in s for w in sentence.split()]
    pairs: dict[str, list[tuple[str, str]]] = {}
    for i, story in enumerate(stories):
        other = stories[(i + 1) % len(stories)]
        for kind, edited in edits(story, other, vocabulary, rng).items():
            pairs.setdefault(kind, []).append((" ".join(story), edited))
    texts = [" ".join(s) for s in stories]
    pairs["different stories (random)"] = [
        (texts[a], texts[b]) for a, b in (rng.sample(range(len(texts)), 2) for _ in range(2000))
    ]
    settings_list = {
        "5-word shingles, 64 perm, 16 bands": DedupSettings(bands=16),
        "5-word shingles, 128 perm, 32 bands": DedupSettings(num_perm=128, bands=32),
        "5-word shingles, 64 perm, 32 bands (citeqa)": DedupSettings(),
    }
    for label, settings in settings_list.items():
        hasher = MinHasher(settings)
        started = time.perf_counter()
        signatures = [hasher.signature(t) for t in texts]
        per_article_ms = 1000 * (time.perf_counter() - started) / len(texts)
        # Every pair of different files that are not exact copies (the data holds 14 exact copies).
        matrix = np.stack(signatures)
        rows = settings.num_perm // settings.bands
        same = matrix[:, None, :] == matrix[None, :, :]
        sims = same.mean(axis=2)
        bands = same.reshape(len(texts), len(texts), settings.bands, rows).all(axis=3).any(axis=2)
        keys = [text_key(t) for t in texts]
        upper = [(i, j) for i in range(len(texts)) for j in range(i + 1, len(texts)) if keys[i] != keys[j]]
        kinds = dict(pairs)
        print(f"\n{label}: {per_article_ms:.2f} ms per article signature")
        print("| pair kind | pairs | mean similarity | " + " | ".join(f"grouped at {t}" for t in THRESHOLDS) + " |")
        print("| --- | --- | --- | " + " | ".join("---" for _ in THRESHOLDS) + " |")
        for kind, items in kinds.items():
            sigs = [(hasher.signature(a), hasher.signature(b)) for a, b in items]
            mean = float(np.mean([similarity(a, b) for a, b in sigs]))
            shares = [np.mean([grouped(a, b, settings, t) for a, b in sigs]) for t in THRESHOLDS]
            print(f"| {kind} | {len(items)} | {mean:.3f} | " + " | ".join(f"{s:.3f}" for s in shares) + " |")
        counts = [sum(bool(bands[i, j]) and sims[i, j] >= t for i, j in upper) for t in THRESHOLDS]
        mean = float(np.mean([sims[i, j] for i, j in upper]))
        print(
            f"| all pairs of different stories, exact copies left out (pairs grouped) | {len(upper):,} | {mean:.3f} | "
            + " | ".join(str(c) for c in counts)
            + " |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
