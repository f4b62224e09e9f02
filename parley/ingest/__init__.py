"""Ingestion: turn files, folders, URLs, feeds and stdin into :class:`~parley.model.Article` objects.

Formats and how each is detected
--------------------------------
A local file's format comes from its extension; an unknown extension is
sniffed from the content (the same sniffing reads stdin, ``-``). A fetched
URL's format comes from its Content-Type when that is telling, else from the
content.

========== ============================= ==========================================================
format     detected by                   read as
========== ============================= ==========================================================
text       ``.txt .text .md``; anything  whole file is ``text`` (offsets match the file); a
           not sniffed as another format headline-like first line is also the ``title``
HTML       ``.html .htm .xhtml``;        trafilatura main text, title, date, site name; no
           ``text/html``; ``<html``/      main text -> the page's visible text, flagged
           ``<!doctype html``/``<body``   ``visible_text`` (E115 notice); neither -> E105
JSON       ``.json``; content starts     one object or a list of objects with ``text`` (required),
           with ``[`` or a multi-line    ``title``, ``published``, ``url``, ``source``, ``id``
           ``{``                         (-> ``external_id``), ``origin``, ``language``
JSON Lines ``.jsonl .ndjson``; first     one such object per line; a bad line is its own error
           line is a whole ``{...}``     (``file:LINE``) and the other lines go on
RSS/Atom   ``.xml .rss .atom``;          feedparser; each entry's link is fetched and extracted
           ``application/rss+xml`` etc;  (entry title and date win); no link or a failed fetch
           root ``<rss``/``<feed``/      falls back to the entry's content when substantial,
           ``<rdf:RDF``; other XML       else an error for that entry
folder     a directory                   every non-hidden file of an article type below it
                                         (.txt .text, HTML, JSON, JSONL, feeds), recursively,
                                         sorted; other files are skipped, each named (E113)
URL        ``http://`` / ``https://``    httpx (one total deadline for connect, headers and
                                         body; streamed size cap; our user agent), then read
                                         as HTML, feed, JSON or text by content
stdin      ``-``                         one document of at most ``max_bytes``, format sniffed
========== ============================= ==========================================================

Every article's ``language`` is detected (:func:`detect_language`);
non-English articles are kept with their code ("de", "fr", "und") and
extraction skips them.

Bad input never stops a batch: the readers *yield* an :class:`InputError`
(or :class:`FetchError`) naming the item and the reason, and go on: E101
empty, E102 binary (or a NUL character in a record's text), E103 not UTF-8
(or an unpaired surrogate), E104 too big, E105 malformed HTML, E106 malformed
JSON, E107 malformed feed, E108 record without text, E109 unsupported, E110
missing path, E111 bad field, E112 a device, FIFO or socket (never opened:
that could block or never end), E116 a stream over the size limit (the rest
is not read), E121-E124 fetch failures.

No input can hang a reader or exhaust memory: paths are ``stat``-ed before
they are opened and read with a cap, JSON Lines are read line by line with
each line capped (an over-long line is read past, not held), stdin is read up
to ``max_bytes``, and every fetch has a total deadline.

What is read but not taken as given is a :class:`~parley.ingest.notices.Notice`
(E113 skipped file, E114 dropped field, E115 fallback), passed to the
``notice`` callback of the readers and counted and named by
:class:`IngestReport`; see :mod:`parley.ingest.notices` for the policy.

:func:`ingest_into` stores the articles, once each, marking near-duplicates
(MinHash over word 5-grams, :mod:`parley.ingest.dedup`).
"""
from __future__ import annotations

from .dates import parse_date
from .dedup import NearDuplicateIndex, minhash_signature
from .language import detect_language
from .notices import Notice
from .pipeline import IngestReport, ingest_into
from .sources import iter_articles, read_bytes, read_path, read_stdin, read_url, sniff_format

__all__ = [
    "IngestReport",
    "NearDuplicateIndex",
    "Notice",
    "detect_language",
    "ingest_into",
    "iter_articles",
    "minhash_signature",
    "parse_date",
    "read_bytes",
    "read_path",
    "read_stdin",
    "read_url",
    "sniff_format",
]
