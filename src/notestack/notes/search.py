"""Where a search matched, to show it: the same rule as the indexes' (every searched word
begins a word of the note, compared without case or accents), applied to the note's text in
Python, so both databases highlight alike and nothing the client renders is HTML."""

from __future__ import annotations

import re
from typing import Any

from notestack.core.text import fold

SNIPPET_CHARS = 180
_WORD_CHAR = re.compile(r"[^\W_]")


def _folded_with_map(text: str) -> tuple[str, list[int]]:
    """``text`` folded as the indexes fold it, and for each folded character the index of
    the original character it came from."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        kept = fold(char)
        folded.append(kept)
        origin.extend([index] * len(kept))
    return "".join(folded), origin


def match_spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Spans of ``text`` (original indices, merged) where a word begins with a searched word."""
    folded, origin = _folded_with_map(text)
    spans: list[tuple[int, int]] = []
    for word in words:
        start = folded.find(word)
        while start >= 0:
            if start == 0 or not _WORD_CHAR.match(folded[start - 1]):
                end = start + len(word)
                spans.append((origin[start], origin[end - 1] + 1))
            start = folded.find(word, start + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _segments(text: str, spans: list[tuple[int, int]]) -> list[dict[str, Any]]:
    segments, at = [], 0
    for start, end in spans:
        if start > at:
            segments.append({"text": text[at:start], "match": False})
        segments.append({"text": text[start:end], "match": True})
        at = end
    if at < len(text) or not segments:
        segments.append({"text": text[at:], "match": False})
    return segments


def highlights(title: str, description: str, words: list[str]) -> dict[str, Any]:
    title_spans = match_spans(title, words)
    spans = match_spans(description, words)
    start = 0
    if spans and spans[0][0] > SNIPPET_CHARS // 3:
        start = spans[0][0] - SNIPPET_CHARS // 3
        space = description.rfind(" ", 0, start + 1)
        start = space + 1 if space > start - 20 else start
    end = min(len(description), start + SNIPPET_CHARS)
    window = [
        (max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start
    ]
    return {
        "title": _segments(title, title_spans),
        "description": _segments(description[start:end], window),
        "descriptionStart": start > 0,
        "descriptionEnd": end < len(description),
    }
