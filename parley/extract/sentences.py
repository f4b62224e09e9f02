"""A simple, fast sentence splitter whose granularity matches the labelled sets.

The dev set's evidence sentences come from a plain splitter (terminal punctuation
plus closing quotes, paragraph breaks), so evidence offsets are aligned to the
same boundaries instead of the parser's. Returns ``(start, end)`` character
offsets into the text, stripped of surrounding whitespace.
"""
from __future__ import annotations

import re

# Tokens that end with a period but rarely end a sentence.
_ABBREV = {
    "mr", "mrs", "ms", "dr", "st", "gen", "sen", "rep", "gov", "lt", "col", "capt", "sgt",
    "prof", "jr", "sr", "no", "vs", "etc", "inc", "corp", "co", "ltd", "jan", "feb", "mar",
    "apr", "aug", "sept", "sep", "oct", "nov", "dec", "rev", "maj", "adm", "cmdr", "gens",
    "u.s", "u.k", "u.n", "e.u", "a.m", "p.m", "i.e", "e.g", "d.c",
}
_BOUNDARY = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]?[A-Z0-9])")
_PARA = re.compile(r"\n+")


def _abbrev_before(text: str, dot: int) -> bool:
    """True when the period at ``dot`` closes an abbreviation or an initial."""
    i = dot
    while i > 0 and not text[i - 1].isspace() and text[i - 1] not in "\"'(\u201c":
        i -= 1
    word = text[i:dot].lower()
    if word in _ABBREV:
        return True
    # single initials ("John F. Kennedy") and dotted acronyms ("U.S.")
    return (len(word) == 1 and word.isalpha()) or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", word))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text`` as (start, end) offsets; never crosses a line break."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for para in _PARA.split(text):
        pstart = text.index(para, pos) if para else pos
        pos = pstart + len(para)
        cur = 0
        for m in _BOUNDARY.finditer(para):
            if (para[m.start()] == "." and m.end() - m.start() == 1) or (
                para[m.start()] == "." and para[m.start():m.end()].rstrip("\"'\u201d\u2019)]") == "."
            ):
                if _abbrev_before(para, m.start()):
                    continue
            _add(spans, text, pstart + cur, pstart + m.end())
            cur = m.end()
        _add(spans, text, pstart + cur, pstart + len(para))
    return spans


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
