"""Component ``parley_cues``: find condition, red-line, mixed and shift phrases in a Doc.

Sets ``doc._.parley_cues``: a list of ``(family, phrase, start_token, end_token, extra)``
where family is condition | red_line | mixed | shift and ``extra`` is the
condition's keep-marker flag, the red line's polarity or the shift's default
previous stance.
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from .claims import Cue, register_extensions
from .lexicon import load_cues


def _rx(phrases: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(p) for p in phrases) + r")(?![\w-])")


class CueFinder:
    def __init__(self, lexicon: str | None = None) -> None:
        register_extensions()
        c = load_cues(lexicon)
        self.patterns: list[tuple[re.Pattern[str], str]] = []
        self.families: list[tuple[str, re.Pattern[str], dict[str, str | bool | None]]] = [
            ("condition", _rx([m for m, _ in c.condition_markers]), dict(c.condition_markers)),
            ("red_line", _rx([p for p, _ in c.red_lines]), dict(c.red_lines)),
        ]
        for pol, pats in (c.raw.get("red_line_patterns") or {}).items():
            for pat in pats:
                self.patterns.append((re.compile(pat), pol))
        self.families += [
            ("mixed", _rx(list(c.mixed)), {m: None for m in c.mixed}),
            ("precondition", _rx(list(c.raw.get("precondition_markers") or ["before"])), {}),
            ("shift", _rx([s for s, _ in c.shifts]), dict(c.shifts)),
        ]

    def __call__(self, doc: Doc) -> Doc:
        low = doc.text.lower().replace("\u2019", "'")
        found: list[Cue] = []
        for fam, rx, extra in self.families:
            for m in rx.finditer(low):
                span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
                if span is None:
                    continue
                found.append((fam, m.group(0), span.start, span.end, extra.get(m.group(0))))
        for rx, pol in self.patterns:  # red lines said with a pattern ("refused any compromise")
            for m in rx.finditer(low):
                span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
                if span is not None:
                    found.append(("red_line", m.group(0), span.start, span.end, pol))
        doc._.parley_cues = found
        return doc


@Language.factory("parley_cues", assigns=["doc._.parley_cues"], default_config={"lexicon": None})
def make_cues(nlp: Language, name: str, lexicon: str | None) -> CueFinder:
    return CueFinder(lexicon)
