"""Shared pytest fixtures (fixtures live here only)."""
from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared, or skip when it is absent (third-party data is never copied into the repo)."""
    if not (SHARED / "seed" / "article.txt").exists():
        pytest.skip("../shared is absent")
    return SHARED


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Path of a fresh SQLite database file."""
    return tmp_path / "parley.db"


@pytest.fixture(scope="session")
def nlp():
    """The configured spaCy model, loaded once per test session."""
    import spacy

    from parley.config import settings

    return spacy.load(settings().spacy_model)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture
def http_root(tmp_path: Path):
    """A real local HTTP server serving files from a temp dir: yields (root_dir, base_url)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
