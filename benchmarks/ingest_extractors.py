"""Main-text extraction from news pages: trafilatura (as citeqa calls it, and in its fast mode) beside jusText.

Pages are written into a temporary folder from real stories (local evaluation data, never
committed): each story's sentences become the article's paragraphs, inside one of three page
layouts with navigation, an ad, a cookie banner, related-story links, reader comments and a footer.
The boilerplate is real text too (other stories' headlines and sentences), so an extractor cannot
tell it apart by vocabulary. Scores are word-level precision and recall against the story's text,
and the share of pages with no boilerplate sentence at all in the output.

    .venv/bin/python benchmarks/ingest_extractors.py ../shared/data/newsqa-dev/stories --pages 60
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.chunk import split_sentences
from index.sources.html import parse_html


def _sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text)]


def _page(layout: int, title: str, paragraphs: list[str], noise: list[str], links: list[str]) -> str:
    nav = "".join(f'<li><a href="/s/{i}">{escape(w)}</a></li>' for i, w in enumerate(["World", "Politics", "Sport"]))
    related = "".join(f'<li><a href="/r/{i}">{escape(t)}</a></li>' for i, t in enumerate(links))
    comments = "".join(f'<div class="comment"><p>{escape(n)}</p><span>reply</span></div>' for n in noise[:3])
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    ad = f'<div class="ad-slot">Advertisement: {escape(noise[3])}</div>'
    cookie = f'<div id="cookie-banner">We use cookies. {escape(noise[4])} <button>Accept</button></div>'
    footer = "<footer><p>© 2024 The Example Times. All rights reserved.</p><a href='/privacy'>Privacy</a></footer>"
    head = f"<head><title>{escape(title)} | The Example Times</title></head>"
    if layout == 0:
        main = f"<article><h1>{escape(title)}</h1>{body}</article>"
        return f"<html>{head}<body><nav><ul>{nav}</ul></nav>{cookie}{ad}{main}<aside><h3>Related</h3><ul>{related}</ul></aside><section class='comments'>{comments}</section>{footer}</body></html>"  # noqa: E501
    if layout == 1:
        main = f"<div class='story-body'><h1 class='headline'>{escape(title)}</h1>{body[: len(body) // 2]}{ad}{body[len(body) // 2 :]}</div>"  # noqa: E501
        return f"<html>{head}<body><div class='header'><ul class='menu'>{nav}</ul></div>{main}<div class='related'><ul>{related}</ul></div><div id='comments'>{comments}</div>{footer}</body></html>"  # noqa: E501
    main = f"<main><h2>{escape(title)}</h2>{body}</main>"
    return f"<html>{head}<body>{cookie}<div>{nav}</div>{main}<div class='more'>{related}</div>{comments}<div class='footer'>{footer}</div></body></html>"  # noqa: E501


def trafilatura_default(html: str) -> str:
    return parse_html("x", html.encode(), source="x", sha256="").text


def trafilatura_fast(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html, fast=True, include_comments=False, include_tables=False) or ""


def justext_default(html: str) -> str:
    import justext

    paragraphs = justext.justext(html.encode(), justext.get_stoplist("English"))
    return "\n\n".join(p.text for p in paragraphs if not p.is_boilerplate)


EXTRACTORS: dict[str, Callable[[str], str]] = {
    "trafilatura 2.3.1 (citeqa's call)": trafilatura_default,
    "trafilatura 2.3.1, fast=True": trafilatura_fast,
    "jusText 3.0.2 (English stoplist)": justext_default,
}


def _words(text: str) -> Counter[str]:
    return Counter(w.strip(".,;:!?\"'()").lower() for w in text.split() if w.strip(".,;:!?\"'()"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stories", type=Path, help="folder of story .txt files")
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    files = sorted(args.stories.glob("*.txt"))
    stories = [_sentences(f.read_text(encoding="utf-8")) for f in rng.sample(files, args.pages + 40)]
    pages = []
    for i in range(args.pages):
        sentences = stories[i]
        paragraphs = [" ".join(sentences[j : j + 3]) for j in range(1, len(sentences), 3)]
        others = stories[args.pages :]
        noise = [rng.choice(rng.choice(others)) for _ in range(5)]
        links = [rng.choice(others)[0][:90] for _ in range(5)]
        title = sentences[0][:90]
        pages.append((_page(i % 3, title, paragraphs, noise, links), " ".join([title, *paragraphs]), noise + links))
    print("| extractor | word precision | word recall | pages with no boilerplate | ms per page |")
    print("| --- | --- | --- | --- | --- |")
    for name, extract in EXTRACTORS.items():
        hits = got = want = clean = 0
        started = time.perf_counter()
        for html, truth, boilerplate in pages:
            try:
                out = extract(html)
            except Exception:  # a failed extraction scores as empty output
                out = ""
            a, b = _words(out), _words(truth)
            hits += sum((a & b).values())
            got += sum(a.values())
            want += sum(b.values())
            clean += not any(sentence[:60] in out for sentence in boilerplate)
        ms = 1000 * (time.perf_counter() - started) / len(pages)
        print(f"| {name} | {hits / max(got, 1):.3f} | {hits / want:.3f} | {clean}/{len(pages)} | {ms:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
