"""A tiny deterministic extractor for the scale-out tests (importable on Dask workers: ``scale_extractor:slow``).

It finds sentences with "supports" / "opposes" / "will accept ... only if" and makes one position per
sentence (actor: the sentence's first word; evidence offsets exact). ``slow`` sleeps per article, so a
worker can be killed while it is inside a partition. The tests compare what a cluster stores with what
one process stores through the same extractor, never with fixed outputs.
"""
from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator

from parley.model import Article, Evidence, Position

_SENTENCE = re.compile(r"[^.]+\.")


class SentenceExtractor:
    name = "scale-test"
    version = "1"

    def __init__(self, sleep: float = 0.0) -> None:
        self.sleep = sleep

    def extract(self, article: Article) -> list[Position]:
        if self.sleep:
            time.sleep(self.sleep)
        out = []
        for m in _SENTENCE.finditer(article.text):
            sent = m.group(0)
            lead = len(sent) - len(sent.lstrip())
            start, end = m.start() + lead, m.end()
            words = sent.split()
            if not words:
                continue
            if " supports " in sent:
                stance, conds = "support", ()
            elif " opposes " in sent:
                stance, conds = "oppose", ()
            elif " only if " in sent:
                stance, conds = "conditional", (sent.split(" only if ", 1)[1].rstrip(". "),)
            else:
                continue
            out.append(Position(actor=words[0].strip(",;:"), issue="talks", stance=stance, conditions=conds,
                                red_line="never" in sent,
                                evidence=Evidence(start, end, article.text[start:end], article_id=article.id)))
        return out

    def extract_many(self, articles: Iterable[Article]) -> Iterator[tuple[Article, list[Position]]]:
        for a in articles:
            yield a, self.extract(a)


def fast() -> SentenceExtractor:
    return SentenceExtractor()


def slow() -> SentenceExtractor:
    return SentenceExtractor(sleep=0.4)    # 60 articles on 2 workers: ~12 s, time for the test to interrupt


ACTORS = ("Vardenia", "Kestrel", "Toren", "Ilsabad", "Morrow", "Quell", "Saran", "Odessa")


def texts(n: int) -> list[str]:
    """``n`` distinct invented articles (ids differ, no near-duplicates)."""
    out = []
    for i in range(n):
        a, b = ACTORS[i % len(ACTORS)], ACTORS[(i * 3 + 1) % len(ACTORS)]
        out.append(f"Dispatch {i} from the {i * 7 % 13}th round of the harbour negotiations. "
                   f"{a} supports a ceasefire along line {i}. "
                   f"{b} opposes any transfer of berth {i * 11} before the vote. "
                   f"{a} will accept new talks only if convoy {i} is released. "
                   f"Observers counted {i * 17 % 101} delegates and {i * 5 % 7} interpreters on day {i}. "
                   f"{b} will never sign while checkpoint {i % 9} stays closed, and accepts talks only if "
                   f"the guarantors of round {i} agree.")
    return out
