"""Where articles come from: paths, folders, URLs and stdin, and how a format is chosen.

See the package docstring (:mod:`parley.ingest`) for the detection rules.
"""
from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import BinaryIO, TextIO

import httpx

from ..config import Settings
from ..config import settings as current_settings
from ..errors import InputError
from ..model import Article
from .feeds import looks_like_feed, read_feed
from .fetch import Fetched, fetch, make_client
from .html import article_from_html
from .notices import Notice, NoticeSink, emit
from .records import read_json, read_jsonl, read_jsonl_stream
from .text import article_from_text, check_strings, decode_bytes

log = logging.getLogger(__name__)

Item = Article | InputError

TEXT_EXTS = frozenset({".txt", ".text", ".md"})
HTML_EXTS = frozenset({".html", ".htm", ".xhtml"})
JSON_EXTS = frozenset({".json"})
JSONL_EXTS = frozenset({".jsonl", ".ndjson"})
FEED_EXTS = frozenset({".xml", ".rss", ".atom"})
_HEAD = 8192                 # bytes read first, to choose the format
_READ_CHUNK = 1 << 20        # bytes per read() of a capped read
#: what a folder gives: article types only (a file named explicitly is read whatever its extension)
FOLDER_EXTS = frozenset({".txt", ".text"}) | HTML_EXTS | JSON_EXTS | JSONL_EXTS | FEED_EXTS


_FOLDER_DOCS = ("readme", "license", "licence", "changelog", "sources", "contributing", "copying")


def _is_folder_doc(name: str) -> bool:
    """README.md, LICENSE, SOURCES.md...: files that describe a folder of articles, not articles.

    Only skipped when walking a folder; naming such a file explicitly still ingests it."""
    stem = name.lower().split(".", 1)[0]
    return stem in _FOLDER_DOCS


def _not_article_type(name: str) -> str | None:
    """Why a file met while walking a folder is not taken (None: it is an article type)."""
    ext = Path(name).suffix.lower()
    if ext in FOLDER_EXTS:
        return None
    if not ext:
        return "no file extension"
    if ext == ".md":
        return "a Markdown (.md) note"
    return f"{ext} files are not articles"


def sniff_format(data: bytes) -> str:
    """Format of a document from its content: "feed", "html", "json", "jsonl" or "text"."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    lower = head[:512].lower()
    if looks_like_feed(head):
        return "feed"
    if lower.startswith((b"<!doctype html", b"<html")) or b"<html" in lower or b"<body" in lower:
        return "html"
    if head.startswith(b"<?xml"):
        return "feed"            # XML that is not HTML: read as a feed (E107 when it is none)
    if head.startswith(b"["):
        return "json"
    if head.startswith(b"{"):
        # One object per line -> JSON Lines; one (possibly pretty-printed) object -> JSON.
        first_line = head.split(b"\n", 1)[0].strip()
        return "jsonl" if first_line.endswith(b"}") and len(first_line) > 1 else "json"
    return "text"


def format_for_path(path: Path, data: bytes) -> str:
    """Format of a file: by extension when known, else by content."""
    ext = path.suffix.lower()
    if ext in HTML_EXTS:
        return "html"
    if ext in JSONL_EXTS:
        return "jsonl"
    if ext in JSON_EXTS:
        return "json"
    if ext in FEED_EXTS:
        return "feed"
    if ext in TEXT_EXTS:
        return "text"
    return sniff_format(data)


def format_for_response(page: Fetched) -> str:
    """Format of a fetched document: by content type when it is telling, else by content."""
    ctype = page.content_type
    if ctype in ("application/rss+xml", "application/atom+xml", "application/rdf+xml"):
        return "feed"
    if ctype in ("text/html", "application/xhtml+xml"):
        return "feed" if looks_like_feed(page.content) else "html"
    if ctype in ("application/x-ndjson", "application/jsonl", "application/x-jsonlines"):
        return "jsonl"
    return sniff_format(page.content)


def _special_kind(mode: int) -> str | None:
    """What a non-regular file is ("a character device", "a FIFO"...), or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    for test, name in ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "a special file"


def read_capped(fh: BinaryIO, limit: int, *, already: bytes = b"") -> tuple[bytes, bool]:
    """Read ``fh`` to its end but never more than ``limit`` + 1 bytes in all (``already`` counts).

    Returns (data, over): ``over`` is True when there was more than ``limit``
    bytes; the data is then cut and the rest is left unread."""
    parts = [already]
    size = len(already)
    while size <= limit:
        chunk = fh.read(min(_READ_CHUNK, limit + 1 - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts), size > limit


def check_article(article: Article, item: str) -> Article | InputError:
    """The article, or an error when one of its strings cannot be stored in a database
    (PostgreSQL refuses NUL characters; nothing encodes unpaired surrogates)."""
    try:
        check_strings(article.origin or item, text=article.text, title=article.title, url=article.url,
                      source=article.source, origin=article.origin, external_id=article.external_id,
                      language=article.language)
    except InputError as err:
        return err
    return article


class _Reader:
    """Reads sources in order with one lazily created HTTP client."""

    def __init__(self, settings: Settings, client: httpx.Client | None, stack: ExitStack,
                 notice: NoticeSink | None = None) -> None:
        self.settings = settings
        self._client = client
        self._stack = stack
        self.notice = notice

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = self._stack.enter_context(make_client(self.settings))
        return self._client

    def document(self, data: bytes, fmt: str, *, item: str, url: str | None = None) -> Iterator[Item]:
        """Read one document's bytes in the given format."""
        if fmt == "feed":
            if len(data) > self.settings.max_bytes:
                yield InputError("E104", item=item, size=len(data), limit=self.settings.max_bytes)
            elif not data.strip():
                yield InputError("E101", item=item)
            else:
                yield from read_feed(data, item=item, client=self.client, settings=self.settings, base_url=url,
                                     notice=self.notice)
            return
        try:
            text = decode_bytes(data, item, self.settings)
        except InputError as err:
            # HTML may declare a legacy charset: trafilatura decodes the bytes itself.
            if not (fmt == "html" and err.code == "E103"):
                yield err
                return
        try:
            if fmt == "html":
                yield article_from_html(data, item=item, url=url, origin=item, notice=self.notice)
            elif fmt == "json":
                yield from read_json(text, item=item, notice=self.notice)
            elif fmt == "jsonl":
                yield from read_jsonl(text, item=item, notice=self.notice)
            else:
                yield article_from_text(text, origin=item, url=url)
        except InputError as err:
            yield err

    def path(self, path: Path, item: str) -> Iterator[Item]:
        try:
            st = path.stat()              # follows symlinks: a link to /dev/zero is a device
        except FileNotFoundError:
            yield InputError("E110", item=item)
            return
        except OSError as exc:
            yield InputError("E109", item=item, detail=f"cannot read: {exc.strerror or exc}")
            return
        if stat.S_ISDIR(st.st_mode):
            yield from self.folder(path)
            return
        special = _special_kind(st.st_mode)
        if special is not None:
            # Never opened: opening a FIFO blocks until a writer comes, reading a device never ends.
            yield InputError("E112", item=item, detail=f"it is {special}")
            return
        limit = self.settings.max_bytes
        try:
            with path.open("rb") as fh:
                head = fh.read(_HEAD)
                fmt = format_for_path(path, head)
                if fmt == "jsonl":
                    # A JSON Lines file is a collection: stream it; the size limit is per record.
                    if b"\x00" in head:
                        yield InputError("E102", item=item, detail=f"NUL byte at offset {head.index(0)}")
                        return
                    fh.seek(0)
                    yield from read_jsonl_stream(fh, item=item, max_bytes=limit, notice=self.notice)
                    return
                if st.st_size > limit:
                    yield InputError("E104", item=item, size=st.st_size, limit=limit)
                    return
                data, over = read_capped(fh, limit, already=head)    # the file may grow while read
                if over:
                    yield InputError("E116", item=item, limit=limit)
                    return
        except OSError as exc:
            yield InputError("E109", item=item, detail=f"cannot read: {exc.strerror or exc}")
            return
        yield from self.document(data, fmt, item=item)

    def folder(self, root: Path) -> Iterator[Item]:
        """Every non-hidden file of an article type under ``root``, recursively, in sorted path order.

        Other files are skipped with an E113 notice naming each (documentation
        files such as README.md only at INFO level)."""
        found: list[Path] = []
        skipped: list[tuple[Path, str]] = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in filenames:
                if name.startswith("."):
                    continue
                if _is_folder_doc(name):
                    log.info("%s: skipped (a folder's documentation, not an article)", Path(dirpath, name))
                    continue
                why = _not_article_type(name)
                if why:
                    skipped.append((Path(dirpath, name), why))
                    continue
                found.append(Path(dirpath, name))
        if not found and not skipped:
            log.warning("%s: folder holds no files", root)
        for path, why in sorted(skipped, key=lambda pw: pw[0].relative_to(root).parts):
            emit(Notice("skipped", str(path), why), self.notice)
        for path in sorted(found, key=lambda p: p.relative_to(root).parts):
            yield from self.path(path, str(path))

    def url(self, url: str) -> Iterator[Item]:
        try:
            page = fetch(url, self.client, self.settings)
        except InputError as err:
            yield err
            return
        yield from self.document(page.content, format_for_response(page), item=url, url=page.url)

    def stdin(self, stream: TextIO) -> Iterator[Item]:
        """One document from ``stream``, read up to ``max_bytes`` (E104 beyond: the rest is not read)."""
        limit = self.settings.max_bytes
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            data, over = read_capped(buffer, limit)
        else:
            text = stream.read(limit + 1)
            data = text.encode("utf-8", "surrogateescape")
            over = len(text) > limit or len(data) > limit
        if over:
            yield InputError("E116", item="stdin", limit=limit)
            return
        yield from self.document(data, sniff_format(data), item="stdin")

    def source(self, source: str, stdin: TextIO | None) -> Iterator[Item]:
        for item in self._source(source, stdin):
            yield check_article(item, source) if isinstance(item, Article) else item

    def _source(self, source: str, stdin: TextIO | None) -> Iterator[Item]:
        if source == "-":
            import sys

            yield from self.stdin(stdin if stdin is not None else sys.stdin)
        elif source.startswith(("http://", "https://")):
            yield from self.url(source)
        elif "://" in source:
            yield InputError("E109", item=source, detail="only http:// and https:// URLs are fetched")
        else:
            yield from self.path(Path(source), source)


def _checked(items: Iterable[Item], item: str) -> Iterator[Item]:
    for x in items:
        yield check_article(x, item) if isinstance(x, Article) else x


def iter_articles(sources: Iterable[str], *, settings: Settings | None = None,
                  stdin: TextIO | None = None, client: httpx.Client | None = None,
                  notice: NoticeSink | None = None) -> Iterator[Item]:
    """Read every source in order, yielding an Article per article and an InputError per failed item.

    Never raises for bad input: the error object is yielded and the batch
    goes on. ``"-"`` reads ``stdin`` (default ``sys.stdin``); ``http(s)://``
    sources are fetched (one shared client; pass ``client`` to reuse yours).
    What is read but not taken as given (a skipped file, a dropped field, a
    fallback) is passed to ``notice`` as a :class:`~parley.ingest.notices.Notice`
    (logged at WARNING without one).
    """
    cfg = settings or current_settings()
    with ExitStack() as stack:
        reader = _Reader(cfg, client, stack, notice)
        for source in sources:
            yield from reader.source(str(source), stdin)


def read_path(path: str | os.PathLike[str], *, settings: Settings | None = None,
              client: httpx.Client | None = None, notice: NoticeSink | None = None) -> Iterator[Item]:
    """Read one file or folder (recursively); see :func:`iter_articles`."""
    cfg = settings or current_settings()
    with ExitStack() as stack:
        yield from _checked(_Reader(cfg, client, stack, notice).path(Path(path), str(path)), str(path))


def read_url(url: str, client: httpx.Client | None = None, *, settings: Settings | None = None,
             notice: NoticeSink | None = None) -> Iterator[Item]:
    """Fetch one URL and read it as a page, feed, JSON or text by its content."""
    cfg = settings or current_settings()
    with ExitStack() as stack:
        yield from _checked(_Reader(cfg, client, stack, notice).url(url), url)


def read_stdin(stream: TextIO, *, settings: Settings | None = None,
               client: httpx.Client | None = None, notice: NoticeSink | None = None) -> Iterator[Item]:
    """Read one document from a text stream (at most ``max_bytes``), its format sniffed from the content."""
    cfg = settings or current_settings()
    with ExitStack() as stack:
        yield from _checked(_Reader(cfg, client, stack, notice).stdin(stream), "stdin")


def read_bytes(data: bytes, *, item: str, fmt: str | None = None, settings: Settings | None = None,
               client: httpx.Client | None = None, notice: NoticeSink | None = None) -> Iterator[Item]:
    """Read one in-memory document; ``fmt`` ("text", "html", "json", "jsonl", "feed") or sniffed."""
    cfg = settings or current_settings()
    with ExitStack() as stack:
        yield from _checked(_Reader(cfg, client, stack, notice).document(data, fmt or sniff_format(data), item=item),
                            item)


__all__ = ["FOLDER_EXTS", "check_article", "iter_articles", "read_bytes", "read_capped", "read_path",
           "read_stdin", "read_url", "sniff_format", "format_for_path"]
