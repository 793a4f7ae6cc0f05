"""Sentence splitting and sentence-aware chunking with exact character offsets."""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.types import Chunk, Sentence

DEFAULT_CHUNK_CHARS = 800
DEFAULT_OVERLAP_SENTENCES = 1

# Words that end in a period without ending the sentence.
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st jr sr gen col lt sgt capt gov sen rep rev pres vs etc inc ltd co corp
    jan feb mar apr jun jul aug sep sept oct nov dec no fig approx dept est univ mt ft""".split()
)
_SENTENCE_END = re.compile(r"""[.!?]+["'”’)\]]*(?=\s)""")
_LINE_BREAK = re.compile(r"\n")
# Markup at the start of a line that is not part of the sentence: headings, bullets, quotes.
_LINE_MARKUP = re.compile(r"(?:#{1,6}\s+|[-*+]\s+|>\s+)")
_HEADING_MARKUP = re.compile(r"#{1,6}\s+")


def _ends_sentence(text: str, end: int) -> bool:
    """Whether the punctuation run ending at ``end`` closes a sentence."""
    following = text[end : end + 3].lstrip()
    if following and following[0].islower():
        return False
    if text[end - 1] in "!?\"'”’)]":
        return True
    match = re.search(r"([A-Za-z.]+)\.$", text[max(0, end - 40) : end])
    if not match:
        return True
    word = match.group(1).rstrip(".").lower()
    # Abbreviations, initials and dotted abbreviations: "Dr. Smith", "J. Smith", "U.S. Army".
    return not (word in _ABBREVIATIONS or len(word) == 1 or re.fullmatch(r"(?:[a-z]\.)+[a-z]", word))


def split_sentences(text: str, start: int = 0, article_id: str = "") -> list[Sentence]:
    """Split ``text[start:]`` into sentences and heading lines.

    Boundaries are sentence-final punctuation followed by white space (abbreviations and
    initials excepted) and line breaks, except a line break followed by a lower-case letter,
    which is read as a hard-wrapped sentence.

    Args:
        text: The article's text.
        start: Character offset where splitting begins (the citable body).
        article_id: Stamped on every sentence.

    Returns:
        Sentences in order, stripped of surrounding white space and line markup, never empty.
    """
    cuts: set[int] = set()
    for match in _SENTENCE_END.finditer(text, start):
        if _ends_sentence(text, match.end()):
            cuts.add(match.end())
    for match in _LINE_BREAK.finditer(text, start):
        following = text[match.end() : match.end() + 1]
        if not following.islower():
            cuts.add(match.start())
    cuts.add(len(text))

    sentences: list[Sentence] = []
    begin = start
    for cut in sorted(cuts):
        if cut <= begin:
            continue
        s, e = begin, cut
        while s < e and text[s].isspace():
            s += 1
        markup = _LINE_MARKUP.match(text, s, e)
        if markup and (s == 0 or text[s - 1] == "\n"):
            s = markup.end()
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            sentences.append(Sentence(article_id, len(sentences), s, e))
        begin = cut
    return sentences


def is_heading(text: str, sentence: Sentence) -> bool:
    """Whether ``sentence`` is a Markdown heading line (``# Title``) of ``text``."""
    line_start = text.rfind("\n", 0, sentence.start) + 1
    return _HEADING_MARKUP.fullmatch(text, line_start, sentence.start) is not None


def chunk_sentences(
    text: str,
    sentences: Sequence[Sentence],
    *,
    article_id: str = "",
    max_chars: int = DEFAULT_CHUNK_CHARS,
    overlap: int = DEFAULT_OVERLAP_SENTENCES,
) -> list[Chunk]:
    """Group consecutive sentences into chunks of at most ``max_chars`` characters.

    A sentence longer than ``max_chars`` becomes a chunk of its own. Consecutive chunks share
    ``overlap`` sentences, so a fact split across a chunk boundary is still found whole.

    Args:
        text: The article's text.
        sentences: Its sentences, as from :func:`split_sentences`.
        article_id: Stamped on every chunk.
        max_chars: Upper bound on a chunk's span, in characters.
        overlap: Sentences repeated at the start of the next chunk.

    Returns:
        Chunks in order; together they cover every sentence.
    """
    if max_chars <= 0:
        raise ValueError(f"max_chars must be greater than 0, got {max_chars}")
    if overlap < 0:
        raise ValueError(f"overlap must be 0 or more, got {overlap}")
    chunks: list[Chunk] = []
    first = 0
    while first < len(sentences):
        last = first + 1
        while last < len(sentences) and sentences[last].end - sentences[first].start <= max_chars:
            last += 1
        start, end = sentences[first].start, sentences[last - 1].end
        chunks.append(Chunk(article_id, len(chunks), start, end, text[start:end], first, last))
        if last >= len(sentences):
            break
        first = max(first + 1, last - overlap)
    return chunks


def paragraph_bounds(text: str, start: int, end: int, floor: int = 0) -> tuple[int, int]:
    """The paragraph (text between blank lines) holding ``text[start:end]``, trimmed.

    Args:
        text: The article's text.
        start: Start of the span, character offset.
        end: End of the span, half-open.
        floor: Offsets below it (the date marker) are never included.

    Returns:
        ``(para_start, para_end)`` with ``para_start <= start`` and ``para_end >= end``.
    """
    breaks = [m.end() for m in re.finditer(r"\n\s*\n", text[:start])]
    para_start = max([floor, *breaks])
    after = re.search(r"\n\s*\n", text[end:])
    para_end = end + after.start() if after else len(text)
    while para_start < start and text[para_start].isspace():
        para_start += 1
    while para_end > end and text[para_end - 1].isspace():
        para_end -= 1
    return para_start, para_end
