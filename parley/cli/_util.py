"""Helpers shared by CLI modules: the ``--db`` option, the error boundary, plain tables,
terminal-safe text (:func:`safe`) and output-file checks (:func:`check_output_option`)."""
from __future__ import annotations

import functools
import logging
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar

import click

from ..errors import ParleyError
from ..textsafe import strip_controls

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def safe(text: Any) -> str:
    """``text`` as it may be printed on a terminal: every article-derived string the CLI prints
    goes through here (no escape sequences, no control characters but newline and tab)."""
    return strip_controls("" if text is None else str(text))


def say(text: Any, **kw: Any) -> None:
    """``click.echo`` of text that holds article-derived strings, made terminal-safe first."""
    click.echo(safe(text), **kw)


def force_option(f: F) -> F:
    """``--force``: replace an existing output file."""
    return click.option("--force", is_flag=True, help="Replace the output file if it exists.")(f)


def sqlite_file(db: str | None) -> str | None:
    """The SQLite file ``--db`` designates (None for PostgreSQL or an in-memory database)."""
    from ..store.sql import resolve_url

    url = resolve_url(db)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return str(url.database)
    return None


def check_output_path(output: str | None, *, force: bool, db: str | None = None, use_db: bool = True,
                      inputs: Sequence[str] = ()) -> None:
    """Refuse ``output`` before any work when it is the database, an input, an existing file
    without --force or unwritable (OutputError E211-E214); ``None`` and ``-`` (stdout) pass."""
    from ..outfile import STDOUT, check_output

    if output is None or output == STDOUT:
        return
    check_output(output, force=force, database=sqlite_file(db) if use_db else None, inputs=inputs)


def db_option(f: F) -> F:
    """``--db PATH|URL`` (env ``PARLEY_DB``; default the ``db`` setting, ``parley.db``)."""
    return click.option(
        "--db", "db", envvar="PARLEY_DB", default=None, metavar="PATH|URL",
        help="Database: a SQLite file path, sqlite:///PATH or postgresql+psycopg://... "
             "[env PARLEY_DB; default: the 'db' setting, parley.db]",
    )(f)


def handle_errors(f: F) -> F:
    """The command boundary: a ``ParleyError`` becomes ``error: [CODE] message`` on stderr, exit 1."""
    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with _sigterm_interrupts():
                return f(*args, **kwargs)
        except ParleyError as exc:
            fail(exc)
        except KeyboardInterrupt:
            click.echo("interrupted: everything finished before the interruption is kept", err=True)
            raise click.exceptions.Exit(130) from None

    return wrapper  # type: ignore[return-value]


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """While active, SIGTERM (``kill``, ``timeout``) raises KeyboardInterrupt like Ctrl-C, so
    ``finally`` blocks run: the current transaction rolls back and the run is recorded as ended."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _raise(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt()

    previous = signal.signal(signal.SIGTERM, _raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


#: library argument names whose flag is not ``--`` + the name with dashes
FLAGS = {"url": "--db", "fmt": "--format", "out": "--output", "value": "the value"}


def flag_for(argument: str) -> str:
    """The CLI flag that sets the library argument ``argument`` (``since`` -> ``--since``)."""
    return FLAGS.get(argument, "--" + argument.replace("_", "-"))


def fail(exc: ParleyError, code: int = 1) -> None:
    """Print ``error: [CODE] message`` to stderr and exit with ``code``; the library's argument
    names in the message are shown as this CLI's flags."""
    exc = exc.with_flags(flag_for)
    click.echo(f"error: [{exc.code}] {safe(exc.message)}", err=True)
    raise click.exceptions.Exit(code)


def parse_date(value: str | None) -> date | None:
    """A ``YYYY-MM-DD`` option value (click ``BadParameter`` otherwise)."""
    if value in (None, ""):
        return None
    assert value is not None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2024-03-31") from None


def clip(value: Any, width: int) -> str:
    """``value`` as one terminal-safe line of at most ``width`` characters."""
    s = "" if value is None else " ".join(safe(value).split())
    return s if len(s) <= width else s[: max(width - 1, 0)] + "…"


def render_table(headers: Sequence[str], rows: Sequence[Sequence[Any]],
                 widths: Sequence[int] | None = None) -> str:
    """A plain aligned text table; cells are clipped to ``widths`` (max column widths) when given."""
    limit = list(widths) if widths else [10_000] * len(headers)
    cells = [[clip(c, w) for c, w in zip(row, limit)] for row in rows]
    size = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(size[i]) for i, h in enumerate(headers)).rstrip(),
             "  ".join("-" * size[i] for i in range(len(headers)))]
    lines += ["  ".join(c.ljust(size[i]) for i, c in enumerate(r)).rstrip() for r in cells]
    return "\n".join(lines)


__all__ = ["db_option", "handle_errors", "fail", "parse_date", "clip", "render_table", "safe", "say", "force_option",
           "check_output_path", "sqlite_file", "flag_for", "FLAGS"]
