"""Near-duplicate detection: MinHash signatures and an LSH index over them.

The same wire story republished with a new byline or one changed sentence
gets a different article id (the id hashes the exact text), but nearly the
same set of word 5-grams. A MinHash of those shingles, stored beside each
article, lets a new article find its earliest near-copy in sub-linear time.
"""
from __future__ import annotations

import inspect
import logging
import re

import numpy as np
from datasketch import MinHash, MinHashLSH

from ..model import normalise_text

log = logging.getLogger(__name__)

SHINGLE = 5          # words per shingle
_SEED = 1            # fixed so signatures are comparable across runs and machines
_WORD = re.compile(r"\w+", re.UNICODE)
_DTYPE = np.dtype("<u8")
# datasketch >= 2 has several permutation schemes and needs the one used named when a
# MinHash is rebuilt from stored values; the 64-bit one keeps stored values uint64.
_SCHEME_KW = {"scheme": "affine64"} if "scheme" in inspect.signature(MinHash.__init__).parameters else {}


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    """Word ``size``-grams of the normalised, lower-cased text (the whole text when shorter)."""
    words = _WORD.findall(normalise_text(text).lower())
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}


def _minhash(text: str, num_perm: int) -> MinHash:
    m = MinHash(num_perm=num_perm, seed=_SEED, **_SCHEME_KW)
    m.update_batch([s.encode("utf-8") for s in shingles(text)])
    return m


def minhash_signature(text: str, num_perm: int) -> bytes:
    """MinHash of ``text``'s word 5-gram shingles, as ``num_perm`` little-endian uint64 (8*num_perm bytes)."""
    return _minhash(text, num_perm).hashvalues.astype(_DTYPE).tobytes()


def signature_to_minhash(signature: bytes, num_perm: int) -> MinHash:
    """Rebuild a MinHash from :func:`minhash_signature` bytes; ValueError when the size is wrong."""
    if len(signature) != 8 * num_perm:
        raise ValueError(f"signature has {len(signature) // 8} hash values, expected {num_perm}")
    return MinHash(num_perm=num_perm, seed=_SEED, hashvalues=np.frombuffer(signature, dtype=_DTYPE), **_SCHEME_KW)


def estimated_jaccard(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures of the same size."""
    va, vb = np.frombuffer(a, dtype=_DTYPE), np.frombuffer(b, dtype=_DTYPE)
    if va.shape != vb.shape:
        raise ValueError("signatures of different sizes")
    return float(np.count_nonzero(va == vb)) / len(va)


class NearDuplicateIndex:
    """LSH index of article signatures; :meth:`query` returns the earliest added near-copy."""

    def __init__(self, threshold: float, num_perm: int) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        # Candidates come from a looser LSH band setting weighted against false
        # negatives (with 64 permutations the default bands miss many pairs just above
        # the threshold); each candidate is then verified on the full signature.
        lsh_threshold = min(0.9, max(0.1, threshold - 0.1))
        self._lsh = MinHashLSH(threshold=lsh_threshold, num_perm=num_perm, weights=(0.1, 0.9))
        self._order: dict[str, int] = {}
        self._sigs: dict[str, bytes] = {}

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._order

    def add(self, article_id: str, signature: bytes) -> bool:
        """Index one article; False (and nothing done) when the id is present or the signature's size is wrong."""
        if article_id in self._order:
            return False
        try:
            m = signature_to_minhash(signature, self.num_perm)
        except ValueError as exc:
            log.warning("article %s: signature not indexed (%s)", article_id, exc)
            return False
        self._lsh.insert(article_id, m)
        self._order[article_id] = len(self._order)
        self._sigs[article_id] = bytes(signature)
        return True

    def query(self, signature: bytes) -> str | None:
        """Id of the earliest indexed article whose estimated Jaccard with ``signature`` is >= threshold."""
        m = signature_to_minhash(signature, self.num_perm)
        matches = [cid for cid in self._lsh.query(m)
                   if estimated_jaccard(self._sigs[cid], signature) >= self.threshold]
        if not matches:
            return None
        return min(matches, key=self._order.__getitem__)


__all__ = ["NearDuplicateIndex", "estimated_jaccard", "minhash_signature", "shingles", "signature_to_minhash"]
