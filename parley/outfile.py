"""Output files: refused when they would destroy something, written whole or not at all.

:func:`check_output` is called by every command that writes a file (``export
-o``, ``extract --jsonl -o``, ``report -o``, ``actors export``, ``timeline
--plot``) *before* it does its work. It refuses, with a coded
:class:`~parley.errors.OutputError`:

* E211: the database itself (or its ``-wal``/``-shm``/``-journal`` files),
  even with ``--force``;
* E212: one of the command's inputs, or a file inside an input folder;
* E213: any other existing file, unless ``force``;
* E214: a path that cannot be written (a directory, a missing or read-only
  directory).

Paths are compared after resolving symbolic links, and as the same file
(``os.path.samefile``) when both exist, so a link or a hard link to the
database is caught too.

:func:`atomic_write` / :func:`atomic_path` write to a hidden temporary file in
the target's directory and rename it over the target only when everything was
written and flushed to disk: an interrupted or failed write leaves the old file
(or none) and no partial one. Writing to an existing character device or FIFO
(``/dev/null``, ``/dev/stdout``, a named pipe) streams to it directly, since
such a target cannot be replaced.
"""
from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from .errors import Arg, OutputError

STDOUT = "-"


def _real(path: str | os.PathLike[str]) -> Path:
    return Path(os.path.realpath(os.path.expanduser(os.fspath(path))))


def _same(a: Path, b: Path) -> bool:
    if a == b:
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _is_stream(path: Path) -> bool:
    """An existing character device or FIFO: written to directly, never replaced."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def check_output(path: str | os.PathLike[str], *, force: bool = False, database: str | None = None,
                 inputs: Iterable[str] = ()) -> Path:
    """The real path ``path`` will be written at, or ``OutputError`` E211-E214 (see the module doc).

    ``database`` is the SQLite file of the command's ``--db`` (None for PostgreSQL or none);
    ``inputs`` are the command's input paths (URLs and ``-`` are ignored)."""
    shown = os.fspath(path)
    if _is_stream(Path(shown)):       # /dev/null, /dev/stdout, a named pipe: streamed, never replaced
        return Path(shown)
    target = _real(path)
    if database:
        db = _real(database)
        for suffix in ("", "-wal", "-shm", "-journal"):
            if _same(target, Path(str(db) + suffix)):
                raise OutputError("E211", item=shown, detail=str(db))
    for raw in inputs:
        if raw == STDOUT or "://" in raw:
            continue
        inp = _real(raw)
        if _same(target, inp):
            raise OutputError("E212", item=shown, detail=raw)
        if inp.is_dir() and inp in target.parents:
            raise OutputError("E212", item=shown, detail=f"it is inside the input folder {raw}")
    if target.is_dir():
        raise OutputError("E214", item=shown, detail="it is a directory")
    parent = target.parent
    if not parent.is_dir():
        raise OutputError("E214", item=shown, detail=f"directory {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError("E214", item=shown, detail=f"directory {parent} is not writable")
    if target.exists() and not force:
        raise OutputError("E213", item=shown, force_arg=Arg("force", "True"))
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[str]:
    """A temporary path to write; renamed over ``path`` when the block ends without error.

    OSError from creating, writing or renaming becomes ``OutputError`` E214 (the
    temporary file is removed). For a character device or FIFO ``path`` itself is yielded."""
    shown = os.fspath(path)
    if _is_stream(Path(shown)):
        yield shown
        return
    target = _real(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        os.close(fd)
    except OSError as exc:
        raise OutputError("E214", item=shown, detail=exc.strerror or str(exc)) from None
    try:
        yield tmp
        try:
            mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o666 & ~_umask()
            os.chmod(tmp, mode)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            raise OutputError("E214", item=shown, detail=exc.strerror or str(exc)) from None
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


@contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "w", *, encoding: str | None = "utf-8",
                 newline: str | None = None) -> Iterator[IO]:  # type: ignore[type-arg]
    """An open file (text ``"w"`` or binary ``"wb"``) whose content replaces ``path`` only when the
    block ends without error (see :func:`atomic_path`); OSError while writing is E214."""
    if mode not in ("w", "wb"):
        raise ValueError("mode must be 'w' or 'wb'")
    shown = os.fspath(path)
    with atomic_path(path) as tmp:
        try:
            if mode == "wb":
                fh: IO = open(tmp, "wb")  # type: ignore[type-arg]
            else:
                fh = open(tmp, "w", encoding=encoding, newline=newline)
            with fh:
                yield fh
        except OSError as exc:
            raise OutputError("E214", item=shown, detail=exc.strerror or str(exc)) from None


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """``data`` written atomically to ``path``."""
    with atomic_write(path, "wb") as fh:
        fh.write(data)


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """``text`` (UTF-8) written atomically to ``path``."""
    with atomic_write(path, "w") as fh:
        fh.write(text)


__all__ = ["STDOUT", "atomic_path", "atomic_write", "check_output", "write_bytes", "write_text"]
