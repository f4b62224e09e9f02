"""Content-derived position ids: the same position extracted again keeps its id.

The id hashes what makes a position that position: its article, the extractor
and taxonomy that produced it, the actor, issue and stance, and the evidence
offsets. Proposition, conditions, confidence and the extractor version are left
out, so a re-extraction that only rewords a proposition keeps the id that
`parley show` and `parley search` printed. Two positions of one save with the
same content get distinct ids by their order (``n``).
"""
from __future__ import annotations

import hashlib

__all__ = ["position_uid", "UID_CHARS"]

UID_CHARS = 12      # hex digits; 48 bits


def position_uid(article_id: str, extractor: str, taxonomy: str, actor: str, issue: str, stance: str,
                 start: int, end: int, n: int = 0) -> str:
    """The stable id of a position (``UID_CHARS`` hex digits of a SHA-256 over its content)."""
    parts = [article_id, extractor, taxonomy, actor, issue, stance, str(start), str(end)]
    if n:
        parts.append(f"#{n}")
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:UID_CHARS]
