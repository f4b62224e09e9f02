"""Where a phrase shown with a position comes from, and inline footnote marks.

A condition or proposition is shown as coming from the position's evidence
sentence only when the sentence holds its words (all content words, crudely
stemmed; one may be missing from a phrase of five or more). Otherwise the
article's sentence that holds them is cited on its own; when no sentence
does, the phrase is shown as the extractor's wording, not as a quotation.

Inline footnote references inside generated text are written with private-use
marks (:func:`ref`), never as "[n]", so that a bracketed number in an article
can never turn into a footnote link; :func:`render_refs` turns them into
"[n]", "[^n]" or HTML links.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from markupsafe import Markup, escape

from ..model import Position
from .names import content_tokens

if TYPE_CHECKING:
    from .ledger import Citation, Ledger, Notes

__all__ = ["PhraseSource", "locate", "shown", "describe", "ref", "refs", "render_refs", "strip_marks", "sentences"]

REF_OPEN, REF_CLOSE = "\ue000", "\ue001"
_REF = re.compile(REF_OPEN + r"(\d+)" + REF_CLOSE)
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"'\u201d\u2019)]*|$)")


def ref(n: int) -> str:
    """An inline reference to footnote ``n`` inside generated text."""
    return f"{REF_OPEN}{n}{REF_CLOSE}"


def refs(ns: list[int]) -> str:
    return "".join(ref(n) for n in ns)


def strip_marks(text: str) -> str:
    """Article-derived text with any private-use reference marks removed."""
    return text.replace(REF_OPEN, "").replace(REF_CLOSE, "")


def render_refs(text: str, style: Literal["text", "md", "html"] = "text") -> str:
    """Inline references as "[n]" (text), "[^n]" (Markdown) or escaped HTML with links (the rest escaped)."""
    if style == "html":
        return Markup(_REF.sub(r'<sup><a href="#note-\1">[\1]</a></sup>', str(escape(text))))
    return _REF.sub(r"[^\1]" if style == "md" else r"[\1]", text)


def sentences(text: str) -> list[tuple[int, int]]:
    """Rough sentence spans of an article (offsets into ``text``), for finding where a phrase is."""
    out = []
    for m in _SENTENCE.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        if e > s:
            out.append((s, e))
    return out


def _same_word(a: str, b: str) -> bool:
    """Crude stems that are one word ("giv"/"give", "return"/"returned"): one a prefix of the other."""
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 3 and long_.startswith(short)


def _holds(phrase_tokens: set[str], sentence: str) -> bool:
    if not phrase_tokens:
        return True
    have = content_tokens(sentence)
    missing = sum(1 for t in phrase_tokens if t not in have and not any(_same_word(t, h) for h in have))
    return missing == 0 or (missing == 1 and len(phrase_tokens) >= 5)


@dataclass(frozen=True)
class PhraseSource:
    """``evidence``: in the cited sentence; ``elsewhere``: in another sentence, cited by ``citation``;
    ``nowhere``: no sentence of the article holds it (the extractor's wording)."""

    where: Literal["evidence", "elsewhere", "nowhere"]
    citation: Citation | None = None


def locate(ledger: Ledger, p: Position, phrase: str) -> PhraseSource:
    """Where the words of ``phrase`` (a condition or proposition of ``p``) are in ``p``'s article."""
    toks = content_tokens(phrase)
    if _holds(toks, p.evidence.text):
        return PhraseSource("evidence")
    aid = p.article_id or ""
    text = ledger.text(aid)
    if text is None:
        return PhraseSource("nowhere")
    best: tuple[int, int] | None = None
    for s, e in sentences(text):
        if _holds(toks, text[s:e]):
            if best is None or abs(s - p.evidence.start) < abs(best[0] - p.evidence.start):
                best = (s, e)
    if best is None:
        return PhraseSource("nowhere")
    return PhraseSource("elsewhere", ledger.cite_span(aid, best[0], best[1], text[best[0]:best[1]]))


def shown(ledger: Ledger, p: Position, phrase: str, notes: Notes) -> str:
    """``phrase`` as shown with ``p``: as it is when the evidence sentence holds it, followed by a
    reference to its own sentence when another sentence does, marked when none does."""
    phrase = strip_marks(phrase)
    src = locate(ledger, p, phrase)
    if src.where == "elsewhere" and src.citation is not None:
        return f"{phrase} {ref(notes.ref(src.citation))}"
    if src.where == "nowhere":
        return f"{phrase} (not in the article's words)"
    return phrase


def describe(ledger: Ledger, p: Position, notes: Notes, actor: bool = True) -> str:
    """"Actor: stance (red line) on issue — proposition, if condition" with every phrase sourced."""
    from ..model import condition_phrase

    s = f"{p.actor}: {p.stance}" if actor else p.stance
    if p.red_line:
        s += " (red line)"
    s += f" on {p.issue}"
    if p.proposition:
        s += f" — {shown(ledger, p, p.proposition, notes)}"
    if p.conditions:
        s += ", " + condition_phrase(tuple(shown(ledger, p, c, notes) for c in p.conditions))
    return s
