"""Evidence verified, never trusted: a model's quoted sentence anchored to sentence offsets.

The sentences are those of :func:`parley.extract.sentences.split_sentences` (the labelled sets'
granularity). A quote is looked for

1. **exactly** in the text;
2. else **normalised, inside one sentence**: whitespace runs as one space, curly quotes as straight
   ones, dashes as hyphens, on both sides.

Where it is found decides the evidence span:

* a quote that is itself a sentence by the text's own punctuation (it starts where a sentence
  starts or after ``. ! ? …``, and ends with one of them, a closing quote or bracket, or where a
  sentence ends) is the evidence exactly as found: the splitter sometimes misses a boundary (an
  ellipsis between two sentences) and the model's sentence is then the truer one;
* any other quote (a clause the model cut out of a sentence) stands for the splitter sentence(s) it
  lies in, never across a line break, and must cover at least :data:`MIN_COVER` of them.

A quote must hold at least :data:`MIN_WORDS` words unless it is a whole sentence, so that a stray
phrase ("he said") never passes for evidence. When a quote occurs in several places, the first
that names the actor (or one of its aliases) wins, else the first. Anything else is not in the
article: :meth:`Anchorer.anchor` returns None and the caller drops the position and counts it.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..sentences import split_sentences

MIN_COVER = 0.34          # share of the sentence(s) a clause must cover
MIN_WORDS = 4             # fewer words only for a quote that is a whole sentence
MAX_OCCURRENCES = 50      # exact occurrences examined per quote

_TRANS = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u0060": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ",
})
_WS = re.compile(r"\s+")
_ENDS = ".!?…"
_CLOSERS = "\"'”’)]»"


def normalise(text: str) -> str:
    """Quotes straight, dashes as hyphens, whitespace runs as one space, stripped."""
    return _WS.sub(" ", text.translate(_TRANS)).strip()


def _normalise_map(text: str) -> tuple[str, list[int]]:
    """:func:`normalise` of ``text`` and, for each of its characters, its offset in ``text``
    (one more entry: the end)."""
    out: list[str] = []
    where: list[int] = []
    t = text.translate(_TRANS)          # one character for one: offsets unchanged
    space = False
    for i, ch in enumerate(t):
        if ch.isspace():
            space = bool(out)
            continue
        if space:
            out.append(" ")
            where.append(i - 1)
            space = False
        out.append(ch)
        where.append(i)
    where.append(where[-1] + 1 if where else 0)
    return "".join(out), where


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    exact: bool            # found verbatim (else after normalisation)


class Anchorer:
    """Anchors quotes to the sentences of one text (split once)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans = split_sentences(text)
        self._starts = {s for s, _ in self.spans}
        self._ends = {e for _, e in self.spans}
        self._norm: list[tuple[str, list[int]] | None] = [None] * len(self.spans)

    # -- shape of a span -----------------------------------------------------------------
    def _opens(self, start: int) -> bool:
        if start in self._starts:
            return True
        i = start - 1
        while i >= 0 and self.text[i] in " \t":
            i -= 1
        if i < 0 or self.text[i] == "\n":
            return True
        while i >= 0 and self.text[i] in _CLOSERS:
            i -= 1
        return i >= 0 and self.text[i] in _ENDS and i < start - 1

    def _closes(self, end: int) -> bool:
        if end in self._ends:
            return True
        tail = self.text[max(0, end - 3):end].rstrip(_CLOSERS)
        return bool(tail) and tail[-1] in _ENDS

    def _sentence_like(self, start: int, end: int) -> bool:
        return self._opens(start) and self._closes(end) and "\n" not in self.text[start:end]

    def _covering(self, start: int, end: int) -> tuple[int, int] | None:
        """The union of the sentences that overlap [start, end), or None when it crosses a line break."""
        hit = [(s, e) for s, e in self.spans if s < end and e > start]
        if not hit:
            return None
        s, e = min(hit[0][0], start), max(hit[-1][1], end)
        return None if "\n" in self.text[s:e] else (s, e)

    def _accept(self, start: int, end: int, words: int, exact: bool) -> Anchor | None:
        """The evidence for a quote found at [start, end), or None when it is not acceptable."""
        if self._sentence_like(start, end):
            return Anchor(start, end, exact) if words >= 2 else None
        span = self._covering(start, end)
        if span is None or words < MIN_WORDS or end - start < MIN_COVER * (span[1] - span[0]):
            return None
        return Anchor(span[0], span[1], exact)

    # -- search ----------------------------------------------------------------------------
    def candidates(self, quote: str) -> list[Anchor]:
        """Every acceptable anchoring of ``quote``, in text order (exact ones when there are any)."""
        q = quote.strip()
        nq = normalise(q)
        words = len(nq.split())
        if not nq:
            return []
        found: list[Anchor] = []
        pos = self.text.find(q)
        tries = 0
        while pos >= 0 and tries < MAX_OCCURRENCES:
            tries += 1
            a = self._accept(pos, pos + len(q), words, True)
            if a is not None and a not in found:
                found.append(a)
            pos = self.text.find(q, pos + 1)
        if found:
            return found
        for k, (s, e) in enumerate(self.spans):
            cached = self._norm[k]
            if cached is None:
                cached = self._norm[k] = _normalise_map(self.text[s:e])
            ns, where = cached
            i = ns.find(nq)
            if i < 0:
                continue
            a = self._accept(s + where[i], s + where[i + len(nq) - 1] + 1, words, False)
            if a is not None and a not in found:
                found.append(a)
        return found

    def anchor(self, quote: str, names: Iterable[str] = ()) -> Anchor | None:
        """The anchoring of ``quote`` (preferring a place that names one of ``names``), or None."""
        found = self.candidates(quote)
        if len(found) <= 1:
            return found[0] if found else None
        keys = [normalise(n).lower() for n in names if n and len(n.strip()) > 2]
        for a in found:
            low = normalise(self.text[a.start:a.end]).lower()
            if any(k in low for k in keys):
                return a
        return found[0]


__all__ = ["Anchor", "Anchorer", "normalise", "MIN_COVER", "MIN_WORDS"]
