"""Small news sources written for the tests: a saved page, feeds, dumps (invented stories, not shared data)."""

from __future__ import annotations

import json
from pathlib import Path

BRIDGE_BODY = (
    "The harbour bridge in Port Ellis reopened on Monday after eight months of repairs. "
    "Engineer Maria Olsen led the repair crew, which worked through the winter on the deck and the cables.",
    "The work cost 12 million euros, paid by the regional government and the port authority. "
    "Traffic was light on the first morning, and cyclists were the first to cross.",
    "Olsen said the new deck should last fifty years with little upkeep.",
)

PAGE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Harbour bridge reopens | Port Ellis Gazette</title>
<meta property="og:title" content="Harbour bridge reopens after eight months">
<meta property="og:site_name" content="Port Ellis Gazette">
<meta property="article:published_time" content="2024-03-04T09:30:00+01:00">
<link rel="canonical" href="https://gazette.example/news/harbour-bridge-reopens">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Harbour bridge reopens after eight months of repairs",
 "datePublished": "2024-03-04T09:30:00+01:00",
 "author": [{{"@type": "Person", "name": "Tom Reyes"}}, {{"@type": "Person", "name": "Ana Lima"}}],
 "publisher": {{"@type": "Organization", "name": "Gazette Media"}}}}</script>
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/weather">Weather</a></li></ul></nav>
<div class="ad">Buy the new Zephyr phone today, only 99 euros a month!</div>
<article><h1>Harbour bridge reopens after eight months of repairs</h1>
<p class="byline">By Tom Reyes and Ana Lima</p>
<p>{BRIDGE_BODY[0]}</p><p>{BRIDGE_BODY[1]}</p><p>{BRIDGE_BODY[2]}</p></article>
<section class="comments"><h3>Comments</h3><p>Finally! It took them long enough, said reader42.</p></section>
<footer><p>Copyright 2024 Port Ellis Gazette. All rights reserved. Privacy policy.</p></footer>
</body></html>"""

PAGE_WITHOUT_METADATA = """<html><body><div id="main">
<p>Heavy rain flooded the lower town of Brackwater overnight, and about three hundred residents were taken
to the school gym by volunteers in boats, the fire service said on Tuesday morning.</p>
<p>The river peaked at 4.2 metres shortly after midnight, the highest level since records began in 1952.</p>
</div></body></html>"""

LINK_PAGE = """<html><head><title>Sections</title></head><body><nav><a href="/a">News</a> <a href="/b">Sport</a>
<a href="/c">Weather</a></nav><footer>Copyright</footer></body></html>"""

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Dunmore Courier</title><link>https://courier.example/</link>
<item><title>Mayor re-elected in Dunmore</title>
<link>https://courier.example/politics/mayor-re-elected</link>
<guid>courier-1001</guid>
<pubDate>Sun, 12 May 2024 21:15:00 GMT</pubDate>
<dc:creator>Lena Park</dc:creator>
<description>Sarah Quinn wins again.</description>
<content:encoded><![CDATA[<p>Sarah Quinn won a second term as mayor of Dunmore on Sunday.</p>
<p>She received 54 percent of the vote. <b>Turnout</b> was the highest since 1998.</p>
<script>alert(1)</script>]]></content:encoded></item>
<item><title>Ferry service resumes</title>
<link>https://courier.example/local/ferry-resumes</link>
<pubDate>Mon, 13 May 2024 07:00:00 GMT</pubDate>
<description>&lt;p&gt;The ferry to Inish Mor sails again from Friday, the operator said.&lt;/p&gt;</description></item>
<item><title>Empty item</title><link>https://courier.example/empty</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Valley Times</title>
<entry><title>School roof repaired</title><link href="https://valley.example/school-roof"/>
<id>urn:valley:77</id><updated>2024-06-01T10:00:00Z</updated><author><name>Ray Cole</name></author>
<content type="html">&lt;p&gt;The roof of the village school was repaired over the holidays.&lt;/p&gt;</content>
</entry></feed>"""

BROKEN_RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title>
<item><title>First</title><description>The first item is fine.</description></item>
<item><title>Second</title><description>Unclosed <b>tag & bad entity</description>
</channel>"""

NOT_A_FEED = """<?xml version="1.0"?><catalog><book id="1"><title>XML, not news</title></book></catalog>"""


def dump_records() -> list[dict[str, object]]:
    return [
        {
            "id": "r1",
            "headline": "Library opens in Port Ellis",
            "body": "A new public library opened in Port Ellis on Saturday. It holds forty thousand books.",
            "published_at": "2024-02-10T08:00:00Z",
            "link": "https://news.example/library",
            "author": "Kim Vo",
        },
        {"id": "r2", "title": "Dunmore bakery wins prize", "text": "A Dunmore bakery won the national bread prize."},
    ]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_jsonl(path: Path, lines: list[str]) -> Path:
    return write(path, "\n".join(lines) + "\n")


def good_jsonl_lines() -> list[str]:
    return [json.dumps(r) for r in dump_records()]
