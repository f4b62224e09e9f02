"""Near-duplicate detection: MinHash signatures and an LSH index over them.

The same wire story republished with a new byline or one changed sentence
gets a different article id (the id hashes the exact text), but nearly the
same set of word 5-grams. A MinHash of those shingles, stored beside each
article, lets a new article find its earliest near-copy in sub-linear time.
"""
from __future__ import annotations

import hashlib
import inspect
import logging
import re
import struct
from collections.abc import Iterable
from typing import Protocol

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
    blob: bytes = _minhash(text, num_perm).hashvalues.astype(_DTYPE).tobytes()
    return blob


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
        first: str = min(matches, key=self._order.__getitem__)
        return first


def band_layout(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band) of the LSH candidate search for ``threshold``: the same looser setting
    weighted against false negatives as :class:`NearDuplicateIndex`."""
    lsh_threshold = min(0.9, max(0.1, threshold - 0.1))
    lsh = MinHashLSH(threshold=lsh_threshold, num_perm=num_perm, weights=(0.1, 0.9))
    return int(lsh.b), int(lsh.r)


def band_keys(signature: bytes, bands: int, rows: int) -> list[int]:
    """One signed 64-bit key per LSH band of ``signature`` (a hash of the band's number and values):
    two signatures that agree on a whole band share that band's key."""
    out = []
    for i in range(bands):
        chunk = signature[8 * rows * i: 8 * rows * (i + 1)]
        digest = hashlib.blake2b(struct.pack("<I", i) + chunk, digest_size=8).digest()
        out.append(struct.unpack("<q", digest)[0])
    return out


class BandStore(Protocol):
    """What :class:`StoredNearDuplicateIndex` needs of a store (``SqlStore`` has it)."""

    def band_candidates(self, scheme: str, keys: list[int]) -> list[tuple[str, bytes]]: ...
        # (article id, signature) of articles sharing a band key, earliest ingested first
    def add_bands(self, scheme: str, rows: Iterable[tuple[int, str]]) -> None: ...
    def bands_missing(self, scheme: str) -> Iterable[tuple[str, bytes]]: ...


class StoredNearDuplicateIndex:
    """The near-duplicate index kept in the database (``minhash_bands``), for ingestion at any size:
    memory holds only the articles added since the last :meth:`flush` (one ingest batch).

    Same answers as :class:`NearDuplicateIndex`: LSH band candidates (here looked up by key in the
    database), each verified on its full signature against ``threshold``; the earliest indexed match
    wins (ingested first; articles of the batch not yet flushed come after the stored ones, in the
    order they were added). Band rows are written under a *scheme* naming the threshold, the
    permutations and the band layout, so changing the threshold builds the bands of the new scheme
    from the stored signatures (once, streamed) instead of mixing layouts.
    """

    def __init__(self, store: BandStore, threshold: float, num_perm: int) -> None:
        self.store = store
        self.threshold = threshold
        self.num_perm = num_perm
        self.bands, self.rows = band_layout(threshold, num_perm)
        self.scheme = f"t{threshold:g}-p{num_perm}-b{self.bands}r{self.rows}"
        self._pending: dict[str, tuple[bytes, list[int]]] = {}     # id -> (signature, keys), in added order
        self._backfill()

    def _backfill(self) -> None:
        """Band rows for canonical articles stored without them (ingested before migration 12, under
        another scheme, or by a process that stopped between its two writes)."""
        n = 0
        for article_id, signature in self.store.bands_missing(self.scheme):
            if len(signature) != 8 * self.num_perm:
                log.warning("article %s: signature not indexed (%d hash values, expected %d)",
                            article_id, len(signature) // 8, self.num_perm)
                continue
            self.add(article_id, signature)
            n += 1
            if len(self._pending) >= 1000:
                self.flush()
        self.flush()
        if n:
            log.info("near-duplicate index: bands of %d stored articles written (scheme %s)", n, self.scheme)

    def __len__(self) -> int:
        return len(self._pending)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._pending

    def add(self, article_id: str, signature: bytes) -> bool:
        """Index one article (written to the database at the next :meth:`flush`)."""
        if article_id in self._pending or len(signature) != 8 * self.num_perm:
            return False
        keys = band_keys(signature, self.bands, self.rows)
        self._pending[article_id] = (bytes(signature), keys)
        return True

    def query(self, signature: bytes) -> str | None:
        """Id of the earliest indexed article whose estimated Jaccard with ``signature`` is >= threshold."""
        if len(signature) != 8 * self.num_perm:
            raise ValueError(f"signature has {len(signature) // 8} hash values, expected {self.num_perm}")
        keys = band_keys(signature, self.bands, self.rows)
        for article_id, sig in self.store.band_candidates(self.scheme, keys):     # earliest first
            if estimated_jaccard(sig, signature) >= self.threshold:
                return article_id
        wanted = set(keys)
        for article_id, (sig, its) in self._pending.items():                       # in added order
            if wanted.intersection(its) and estimated_jaccard(sig, signature) >= self.threshold:
                return article_id
        return None

    def flush(self) -> None:
        """Write the band rows of the articles added since the last flush (call it after the articles
        themselves are stored: a band row refers to its article)."""
        if not self._pending:
            return
        self.store.add_bands(self.scheme, ((k, article_id) for article_id, (_, keys) in self._pending.items()
                                           for k in keys))
        self._pending.clear()


__all__ = ["BandStore", "NearDuplicateIndex", "StoredNearDuplicateIndex", "band_keys", "band_layout",
           "estimated_jaccard", "minhash_signature", "shingles", "signature_to_minhash"]
