"""The rule-based extractor (first crude version: cue sentences, regex actors)."""
from __future__ import annotations

import re
from typing import Iterable, Iterator

from ..model import Article, Evidence, Position
from .sentences import split_sentences

VERSION = "0.0.1"

_CUE = re.compile(r"\b(said|says|insisted|warned|demanded|rejected|proposed|ruled out|agreed|offered|threatened|called for|urged)\b")
_SUBJ = re.compile(r"^((?:[A-Z][\w'\u2019.-]+\s?)+)")


class RulesExtractor:
    name = "rules"
    version = VERSION

    def __init__(self, taxonomy: str | None = None) -> None:
        self.taxonomy = taxonomy

    def extract(self, article: Article) -> list[Position]:
        out: list[Position] = []
        for s, e in split_sentences(article.text):
            sent = article.text[s:e]
            m = _CUE.search(sent)
            if not m:
                continue
            subj = _SUBJ.match(sent)
            if not subj:
                continue
            stance = "oppose" if m.group(1) in ("rejected", "ruled out") else "support"
            if re.search(r"\b(only if|unless|provided|as long as)\b", sent):
                stance = "conditional"
            out.append(Position(actor=subj.group(1).strip(), issue="other", stance=stance,
                                evidence=Evidence(s, e, sent, article.id, m.group(1)),
                                extractor=self.name, extractor_version=self.version, article_id=article.id))
        return out

    def extract_many(self, articles: Iterable[Article], batch_size: int = 64) -> Iterator[tuple[Article, list[Position]]]:
        for a in articles:
            yield a, self.extract(a)
