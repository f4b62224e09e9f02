"""Component ``parley_redline``: mark claims the text presents as absolute.

A red-line phrase ("non-negotiable", "under no circumstances", "will never
accept", "not renegotiable", "inconceivable", "completely unacceptable", ...)
sets ``red_line`` on the claim that governs it (else the nearest claim). When the
claim's stance came only from a neutral reporting verb, the phrase's polarity
decides it ("X is non-negotiable" = support X; "X is inconceivable" = oppose X).
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from .claims import register_extensions
from .conditions import attach


class RedLineMarker:
    def __init__(self) -> None:
        register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        claims = doc._.parley_claims or []
        for fam, _phrase, s, _e, pol in doc._.parley_cues or ():
            if fam != "red_line":
                continue
            claim = attach(claims, doc[s])
            if claim is None or any(a <= s < b for a, b in claim.condition_spans):
                continue  # "unless X is taken off the table" qualifies the condition, not the stance
            claim.red_line = True
            claim.confidence = min(1.0, claim.confidence + 0.1)
            if claim.stance in ("support", "oppose") and claim.kind in ("report", "for", "quote") and pol:
                claim.stance = pol
        return doc


@Language.factory("parley_redline", requires=["doc._.parley_claims", "doc._.parley_cues"],
                  assigns=["doc._.parley_claims"])
def make_redline(nlp: Language, name: str) -> RedLineMarker:
    return RedLineMarker()
