"""Ingest throughput per format, and a 100,000-article JSONL dump read in bounded memory.

The corpora are generated into a temporary folder (never committed) from real text: paragraphs of
the NewsQA CNN stories (three sentences each) and of SQuAD's dev paragraphs, sampled and recombined
3 to 6 to an article, with a headline, a date, an outlet and a URL. Each measurement runs in a fresh
process, so its peak resident memory is its own; "baseline" is that process after its imports.

    .venv/bin/python benchmarks/ingest_throughput.py ../shared/data --articles 100000 --per-format 1000

Stages measured: ``stream`` reads every record and drops it (what parsing costs, and the memory a
dump of any size needs); ``plan`` is what ``citeqa index`` does before embedding (read everything,
drop exact copies, MinHash and group near-duplicates), which holds the articles, as the index does.
Embedding is not run here: its rate is in the build tables above (sentences per second).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SITES = ("Vell Herald", "Arno Post", "Dunmore Courier", "Valley Times", "Port Ellis Gazette")


def _paragraphs(data: Path) -> list[str]:
    from index.chunk import split_sentences

    out = []
    for story in sorted((data / "newsqa-dev" / "stories").glob("*.txt")):
        text = story.read_text(encoding="utf-8")
        sentences = [text[s.start : s.end] for s in split_sentences(text)]
        out += [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
    squad = json.loads((data / "squad-v1.1" / "dev-v1.1.json").read_text(encoding="utf-8"))
    out += [p["context"] for a in squad["data"] for p in a["paragraphs"]]
    return out


def _records(pool: list[str], n: int, seed: int):
    rng = random.Random(seed)
    for i in range(n):
        paragraphs = rng.sample(pool, rng.randint(3, 6))
        yield {
            "id": f"a{i}",
            "title": paragraphs[0].split(". ")[0][:90],
            "text": "\n\n".join(paragraphs),
            "published_at": f"{rng.randint(2007, 2015)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T12:00:00Z",
            "site": rng.choice(SITES),
            "url": f"https://news.example/{i}",
        }


def generate(data: Path, out: Path, articles: int, per_format: int) -> None:
    import csv

    pool = _paragraphs(data)
    with open(out / "dump.jsonl", "w", encoding="utf-8") as handle:
        for record in _records(pool, articles, 1):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    small = list(_records(pool, per_format, 2))
    with open(out / "dump.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(small[0]))
        writer.writeheader()
        writer.writerows(small)
    (out / "pages").mkdir()
    (out / "markdown").mkdir()
    items = []
    for r in small:
        body = "".join(f"<p>{escape(p)}</p>" for p in r["text"].split("\n\n"))
        (out / "pages" / f"{r['id']}.html").write_text(
            f'<html><head><title>{escape(r["title"])}</title><meta property="og:site_name" content="{r["site"]}">'
            f'<meta property="article:published_time" content="{r["published_at"]}"></head><body>'
            f'<nav><a href="/">Home</a> <a href="/world">World</a></nav><article><h1>{escape(r["title"])}</h1>'
            f"{body}</article><footer>© {r['site']}</footer></body></html>",
            encoding="utf-8",
        )
        (out / "markdown" / f"{r['id']}.md").write_text(
            f"---\ntitle: {json.dumps(r['title'])}\ndate: {r['published_at'][:10]}\nsource: {r['site']}\n"
            f"url: {r['url']}\n---\n{r['text']}\n",
            encoding="utf-8",
        )
        items.append(
            f"<item><title>{escape(r['title'])}</title><link>{r['url']}</link><pubDate>{r['published_at']}</pubDate>"
            f"<description>{escape(body)}</description></item>"
        )
    (out / "feed.rss").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{"".join(items)}</channel></rss>',
        encoding="utf-8",
    )


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(stage: str, path: Path) -> dict[str, float]:
    import feedparser  # noqa: F401  (imported before the baseline, so it counts libraries, not data)
    import trafilatura  # noqa: F401

    from index.dedup import DEFAULT_DEDUP
    from index.ingest import plan_build
    from index.sources import ReadOptions, discover, read_source

    baseline = _peak_mib()
    found = discover([path]).sources
    started = time.perf_counter()
    if stage == "plan":
        plan = plan_build(found, [path], {}, options=ReadOptions(), dedup=DEFAULT_DEDUP)
        count, errors = len(plan.fresh), len(plan.errors)
    else:
        count = errors = 0
        for source in found:
            for item in read_source(source):
                if hasattr(item, "reason"):
                    errors += 1
                else:
                    count += 1
    seconds = time.perf_counter() - started
    return {"articles": count, "errors": errors, "seconds": seconds, "baseline_mib": baseline, "peak_mib": _peak_mib()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path, help="the shared data folder (newsqa-dev/, squad-v1.1/)")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--per-format", type=int, default=1000)
    parser.add_argument("--measure", nargs=2, metavar=("STAGE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure[0], Path(args.measure[1]))))
        return 0
    with tempfile.TemporaryDirectory(prefix="citeqa-ingest-") as tmp:
        out = Path(tmp)
        started = time.perf_counter()
        generate(args.data, out, args.articles, args.per_format)
        size = (out / "dump.jsonl").stat().st_size
        print(f"generated in {time.perf_counter() - started:.0f} s; dump.jsonl {size / 2**20:.0f} MiB", file=sys.stderr)
        runs = [
            (f"JSONL dump, {args.articles:,} articles", "stream", out / "dump.jsonl"),
            (f"JSONL dump, {args.articles:,} articles", "plan", out / "dump.jsonl"),
            (f"CSV dump, {args.per_format:,}", "stream", out / "dump.csv"),
            (f"RSS feed, {args.per_format:,} items", "stream", out / "feed.rss"),
            (f"HTML pages, {args.per_format:,} files", "stream", out / "pages"),
            (f"Markdown with front matter, {args.per_format:,} files", "stream", out / "markdown"),
        ]
        print("| source | stage | articles | seconds | articles/s | peak memory (baseline) |")
        print("| --- | --- | --- | --- | --- | --- |")
        for label, stage, path in runs:
            result = subprocess.run(
                [sys.executable, __file__, str(args.data), "--measure", stage, str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(result.stdout.strip().splitlines()[-1])
            rate = r["articles"] / r["seconds"]
            print(
                f"| {label} | {stage} | {r['articles']:,} | {r['seconds']:.1f} | {rate:,.0f} | "
                f"{r['peak_mib']:.0f} MiB ({r['baseline_mib']:.0f}) |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
