"""Coverage-guided fuzzing of Parley's ingest parsers with atheris (libFuzzer).

    python tests/fuzz_ingest.py -runs=100000          # or -max_total_time=600; any libFuzzer flag

Each input's first byte picks the format (text, HTML, JSON, JSON Lines, feed, sniffed), the rest
is the document. Anything but an Article or an InputError per item, or any exception, is a
crash (libFuzzer saves the input that caused it). Feeds' entry links are answered 404 by a mock
transport: nothing leaves the machine. ``tests/test_fuzz.py`` runs it for a few thousand inputs
when atheris is installed.
"""
from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["parley"]):
    import httpx

    from parley.errors import InputError
    from parley.ingest import read_bytes
    from parley.ingest.sources import check_article
    from parley.model import Article

FORMATS = ("text", "html", "json", "jsonl", "feed", None)
CLIENT = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(404)))


def one_input(data: bytes) -> None:
    if not data:
        return
    fmt = FORMATS[data[0] % len(FORMATS)]
    for item in read_bytes(data[1:], item="fuzz", fmt=fmt, client=CLIENT):
        if isinstance(item, Article):
            if check_article(item, "fuzz") is not item or not item.text.strip():
                raise AssertionError(f"unstorable or empty article from {fmt}")
        elif not isinstance(item, InputError):
            raise AssertionError(f"{fmt} reader yielded {type(item).__name__}")


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
