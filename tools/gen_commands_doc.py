"""Write docs/commands.md from the click command tree, so the docs cannot drift from --help.

Usage: python tools/gen_commands_doc.py [--check]
(--check exits 1 when docs/commands.md is out of date; a test runs it.)
"""
from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import click

from parley.cli import main as cli_main

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "commands.md"

HEADER = """# Commands

Generated from `parley --help` by `python tools/gen_commands_doc.py`; a test
fails when this file is out of date. Every command takes `-h/--help`.

"""


def _walk(cmd: click.Command, path: list[str]):
    yield path, cmd
    if isinstance(cmd, click.Group):
        for name in sorted(cmd.commands):
            yield from _walk(cmd.commands[name], path + [name])


def _help(cmd: click.Command, path: list[str]) -> str:
    ctx = click.Context(cmd, info_name=" ".join(path), terminal_width=100, max_content_width=100)
    return cmd.get_help(ctx)


def _settings_section() -> str:
    with (ROOT / "parley" / "defaults.toml").open("rb") as fh:
        values = tomllib.load(fh)
    lines = ["## Settings", "",
             "Defaults live in `parley/defaults.toml`. A settings file overrides them: the TOML file named by",
             "`PARLEY_SETTINGS`, else `parley.toml` in the current directory when there is one, with any of the",
             "keys below (`llm_url = \"http://127.0.0.1:11434/v1\"`); an unknown key or a wrong type is E601.",
             "An environment variable overrides both, and a command-line option (`--db`, `--extractor`,",
             "`--taxonomy`) overrides all. Keep an `llm_api_key` in a file only you can read (`chmod 600`).", "",
             "| setting | environment variable | default |", "|---|---|---|"]
    for key, value in values.items():
        lines.append(f"| `{key}` | `PARLEY_{key.upper()}` | `{value!r}` |")
    return "\n".join(lines) + "\n"


def render() -> str:
    parts = [HEADER]
    for path, cmd in _walk(cli_main, ["parley"]):
        if getattr(cmd, "hidden", False):
            continue
        parts.append(f"## `{' '.join(path)}`\n\n```text\n{_help(cmd, path).rstrip()}\n```\n\n")
    parts.append(_settings_section())
    return "".join(parts)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print("docs/commands.md is out of date: run python tools/gen_commands_doc.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
