"""The ``parley`` command. Thin: each subcommand parses options and calls a library function.

Commands live in modules by concern (ledger, evaluation, analysis) and are
registered on the :func:`main` group here.
"""
from __future__ import annotations

import importlib
import logging

import click

from .. import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="parley")
@click.option("-v", "--verbose", count=True, help="More logging (-v info, -vv debug).")
def main(verbose: int) -> None:
    """Parley: a citable ledger of who is willing to do what, on which conditions.

    \b
    Example:
      parley run examples/demo/ && parley positions --actor Vardenia
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    from ..config import settings
    from ..errors import ConfigError
    from ._util import fail

    try:       # a broken settings file (PARLEY_SETTINGS, ./parley.toml) is reported before any work
        settings()
    except ConfigError as exc:
        fail(exc)


for _module in ("ledger", "evaluation", "analysis", "labelling", "training", "serve"):
    try:
        _mod = importlib.import_module(f"{__name__}.{_module}")
    except ModuleNotFoundError as exc:  # a concern not built yet
        if exc.name != f"{__name__}.{_module}":
            raise
        continue
    for _cmd in getattr(_mod, "COMMANDS", []):
        main.add_command(_cmd)
