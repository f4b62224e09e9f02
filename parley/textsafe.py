"""Article text made safe to show on a terminal: no control characters, no escape sequences.

Article titles and texts are third-party data. Printed as they are, an ESC
sequence in a title can set the terminal's window title (OSC 0), rewrite what
is on screen (CSI cursor moves, ``\\r``), or, on some terminals, paste text
back as if typed. :func:`strip_controls` removes, from text that is about to
be shown:

* 7-bit escape sequences: CSI (``ESC [ ... final``), OSC (``ESC ] ... BEL|ST``),
  DCS/SOS/PM/APC strings and two-character escapes, whole;
* their 8-bit forms (C1 ``CSI`` U+009B, ``OSC`` U+009D, ...), whole;
* every other C0/C1 control character and DEL, except newline and tab
  (``keep_newlines=False`` turns newlines and tabs into spaces too);
* the bidirectional embedding, override and isolate controls (U+202A-U+202E,
  U+2066-U+2069), which can make displayed text read differently from what it is.

Printable text, including every non-Latin script, passes unchanged. Used by the
CLI for every article-derived string it prints (``parley.cli._util.safe``) and
by the Markdown report.
"""
from __future__ import annotations

import re

_ESC_SEQ = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"                 # CSI ... final byte
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC ... BEL or ST
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?"  # DCS, SOS, PM, APC ... ST
    r"|\x1b[ -/]*[0-~]?"                         # other escapes (ESC c, ESC ( B, ...) or a lone ESC
    r"|\x9b[0-?]*[ -/]*[@-~]"                   # 8-bit CSI
    r"|\x9d[^\x07\x9c]*(?:\x07|\x9c)?"          # 8-bit OSC
    r"|[\x90\x98\x9e\x9f][^\x9c]*\x9c?",        # 8-bit DCS, SOS, PM, APC
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NEWLINES = re.compile(r"[\n\t]")


def strip_controls(text: str, keep_newlines: bool = True) -> str:
    """``text`` without escape sequences and control characters (newlines and tabs kept unless
    ``keep_newlines`` is False, then they become spaces)."""
    if not text:
        return text
    out = _CONTROL.sub("", _ESC_SEQ.sub("", text))
    return out if keep_newlines else _NEWLINES.sub(" ", out)


__all__ = ["strip_controls"]
