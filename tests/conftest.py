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


def _throwaway_postgres():
    """Start a private PostgreSQL server (initdb + pg_ctl on PATH) on a Unix socket; yield its base URL."""
    import os
    import pwd
    import shutil
    import subprocess
    import tempfile

    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if not (initdb and pg_ctl):
        yield None
        return
    prefix: list[str] = []
    root = tempfile.mkdtemp(prefix="parley-pg-")
    if os.geteuid() == 0:  # initdb refuses to run as root: use the postgres account when there is one
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(root, ignore_errors=True)
            yield None
            return
        os.chown(root, pw.pw_uid, pw.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data = os.path.join(root, "data")
    try:
        subprocess.run([*prefix, initdb, "-D", data, "-A", "trust", "-U", "parley"], check=True,
                       capture_output=True, timeout=120)
        subprocess.run([*prefix, pg_ctl, "-D", data, "-w", "-l", os.path.join(root, "log"),
                        "-o", f"-k {root} -c listen_addresses='' -c fsync=off", "start"],
                       check=True, capture_output=True, timeout=120)
    except (subprocess.SubprocessError, OSError):
        shutil.rmtree(root, ignore_errors=True)
        yield None
        return
    try:
        yield f"postgresql+psycopg://parley@/postgres?host={root}"
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", data, "-m", "immediate", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def _pg_server():
    import os

    if os.environ.get("PARLEY_TEST_PG_URL"):
        yield os.environ["PARLEY_TEST_PG_URL"]
        return
    yield from _throwaway_postgres()


@pytest.fixture
def pg_url(_pg_server):
    """URL of a fresh, empty PostgreSQL database (dropped afterwards): on the server named by
    $PARLEY_TEST_PG_URL, else on a throwaway local server; skips when neither is available."""
    import os
    import uuid

    import sqlalchemy as sa

    if not _pg_server:
        if os.environ.get("PARLEY_REQUIRE_PG"):  # CI sets this: a missing server is a failure there
            pytest.fail("PARLEY_REQUIRE_PG is set but no PostgreSQL server could be started")
        pytest.skip("no PostgreSQL: set PARLEY_TEST_PG_URL or put initdb/pg_ctl on PATH")
    base = sa.engine.make_url(_pg_server)
    name = f"parley_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def parley_nlp(nlp):
    """The configured spaCy model plus Parley's extraction components (built once)."""
    import spacy

    from parley.config import settings
    from parley.extract.rules.pipeline import add_components

    return add_components(spacy.load(settings().spacy_model))


@pytest.fixture(scope="session")
def extractor(parley_nlp):
    """The rule-based extractor over the shared pipeline."""
    from parley.extract.rules import RulesExtractor

    return RulesExtractor(nlp=parley_nlp)


@pytest.fixture
def llm_stub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A local OpenAI-compatible stub server (tests/llm_stub.py) on a free port, with the llm
    settings pointing at it: fast retries, a short timeout, an answer cache under tmp_path."""
    from llm_stub import StubLLM

    from parley.config import settings

    stub = StubLLM().start()
    env = {"PARLEY_LLM_URL": stub.url, "PARLEY_LLM_MODEL": "stub-model", "PARLEY_LLM_API_KEY": "sk-test-key",
           "PARLEY_LLM_CACHE": str(tmp_path / "llm-cache.sqlite"), "PARLEY_LLM_BACKOFF": "0.01",
           "PARLEY_LLM_RETRIES": "2", "PARLEY_LLM_TIMEOUT": "5", "PARLEY_LLM_CONCURRENCY": "4"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    settings.cache_clear()
    try:
        yield stub
    finally:
        stub.stop()
        monkeypatch.undo()
        settings.cache_clear()


CORPUS_ARTICLES = 200


@pytest.fixture(scope="session")
def corpus_db(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite ledger of the first 200 articles of ../shared/data/corpus/articles.jsonl, ingested and
    extracted by the configured extractor (built once per session; the text stays out of the repo)."""
    from itertools import islice

    from parley.extract import get_extractor
    from parley.ingest.pipeline import ingest_into
    from parley.store import open_store
    from parley.store.runner import extract_into

    src = shared_dir / "data" / "corpus" / "articles.jsonl"
    if not src.exists():
        pytest.skip("../shared/data/corpus is absent")
    root = tmp_path_factory.mktemp("corpus")
    part = root / "first200.jsonl"
    with src.open(encoding="utf-8") as fh:
        part.write_text("".join(islice(fh, CORPUS_ARTICLES)), encoding="utf-8")
    db = root / "corpus200.db"
    with open_store(str(db)) as store:
        ingest_into(store, [str(part)])
        extract_into(store, get_extractor())
    return str(db)


class _LiveServer:
    """A real uvicorn server on a free local port, in a thread of the test process."""

    def __init__(self) -> None:
        self._servers: list = []

    def start(self, app) -> str:
        import socket
        import threading
        import time

        import uvicorn

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                               lifespan="on"))
        th = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        th.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline or not th.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        self._servers.append((server, th, sock))
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        for server, th, sock in self._servers:
            server.should_exit = True
            th.join(15)
            sock.close()
        self._servers.clear()


@pytest.fixture
def live_server():
    """``live_server.start(app) -> base URL``: apps served for the test, stopped after it."""
    srv = _LiveServer()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def ledger_url(request, tmp_path):
    """A database (SQLite file, or PostgreSQL when the test is parametrised with "pg") holding the
    invented ledger of tests/ledger_data.py, its kept tables built."""
    import ledger_data

    from parley.analyze import kept
    from parley.store import open_store

    backend = getattr(request, "param", "sqlite")
    url = str(tmp_path / "api.db") if backend == "sqlite" else request.getfixturevalue("pg_url")
    with open_store(url) as s:
        ledger_data.build(s)
        kept.refresh(s)
    return url
@pytest.fixture(scope="session")
def dask_cluster():
    """A real Dask LocalCluster of 2 worker processes (one thread each, under nannies that restart a
    killed worker), shared by the scale-out tests; the tests' helper modules import on its workers."""
    from parley.scale import start_cluster

    cluster = start_cluster(workers=2)
    try:
        cluster.client.wait_for_workers(2, timeout=60)
        yield cluster
    finally:
        cluster.close()
