"""Component ``parley_shift``: the earlier stance when the text says it changed.

A shift phrase ("previously", "had long", "no longer", "now appears",
"reversed", "softened", "backed off", ...) in a sentence with claims: a claim
whose cue the phrase modifies ("previously dismissed") describes the *earlier*
stance, is removed, and gives its polarity as ``previous_stance`` to the other
claims of the sentence; otherwise the phrase's default earlier stance applies,
or the opposite of the current one. A past claim with no current claim in its
sentence is marked ``historical``: the article step makes it the
``previous_stance`` of the same actor's later claim (see ``rules._history``).
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Token

from .claims import register_extensions

_OPPOSITE = {"support": "oppose", "oppose": "support", "conditional": "oppose", "mixed": "oppose"}
_PAST_MARKERS = {"previously", "long", "earlier", "initially", "once", "formerly", "first"}


class ShiftDetector:
    def __init__(self) -> None:
        register_extensions()

    @staticmethod
    def _chain(tok: Token) -> list[Token]:
        """The cue and the reporting verbs above it ("had earlier insisted it would not yield")."""
        out = [tok]
        while out[-1].dep_ in ("ccomp", "xcomp") and out[-1].head.i != out[-1].i and len(out) < 3:
            out.append(out[-1].head)
        return out

    @staticmethod
    def _past(t: Token) -> bool:
        return any(ch.lower_ in _PAST_MARKERS for ch in t.children) or (
            t.tag_ == "VBN" and any(ch.lower_ == "had" for ch in t.children))

    def __call__(self, doc: Doc) -> Doc:
        shifts = [c for c in doc._.parley_cues or () if c[0] == "shift"]
        claims = doc._.parley_claims or []
        if not shifts or not claims:
            return doc
        past = [c for c in claims if any(self._past(t) for t in self._chain(doc[c.cue_i]))]
        current = [c for c in claims if c not in past]
        if past and current:
            prev = past[0].stance
            for c in current:
                if prev and prev != c.stance:
                    c.previous_stance = prev
            doc._.parley_claims = current
            return doc
        for c in past:  # "X had previously insisted ...": an earlier stance, for a later sentence's claim
            c.historical = True
        default = next((s[4] for s in shifts if s[4]), None)
        for c in claims:
            if c in past:
                continue
            prev = default or _OPPOSITE.get(c.stance or "")
            if prev and prev != c.stance:
                c.previous_stance = prev
        return doc


@Language.factory("parley_shift", requires=["doc._.parley_claims", "doc._.parley_cues"],
                  assigns=["doc._.parley_claims"])
def make_shift(nlp: Language, name: str) -> ShiftDetector:
    return ShiftDetector()
