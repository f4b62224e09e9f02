"""``parley serve``: the REST API and the dashboard over one database (FastAPI + uvicorn)."""
from __future__ import annotations

import ipaddress
import logging

import click

from ._util import db_option, handle_errors

log = logging.getLogger(__name__)


def _loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (another than loopback lets anyone who can reach it read the ledger).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Server processes (each keeps its own caches; extraction jobs run in the process asked).")
@db_option
@handle_errors
def serve_cmd(host: str, port: int, workers: int, db: str | None) -> None:
    """Serve the JSON API (/api/v1, OpenAPI at /openapi.json) and the dashboard (/) over the database.

    Read-only unless PARLEY_API_TOKEN (the api_token setting) is set: then writes
    (POST articles, extraction runs, actor merges and splits) need the header
    `Authorization: Bearer <token>`, and the dashboard's ingest form needs
    signing in with the token (forms carry CSRF tokens). Request bodies are
    limited to PARLEY_MAX_BYTES (plus form fields). Listens on 127.0.0.1 unless
    --host says otherwise. Stop it with Ctrl-C.

    \b
    Example:
      parley serve --db demo.db --port 8000        # then open http://127.0.0.1:8000/
    """
    import uvicorn

    from ..config import settings
    from ..store import open_store

    with open_store(db, must_exist=True) as store:       # E209 for a mistyped --db, before listening
        url = store.url
    if not _loopback(host):
        click.echo(f"warning: listening on {host}: anyone who can reach this address can read the ledger"
, err=True)
    writes = "writes need the API token" if settings().api_token else "read-only (set PARLEY_API_TOKEN to allow writes)"
    click.echo(f"serving {url} on http://{host}:{port}/ ({writes}); Ctrl-C stops", err=True)
    if workers > 1:
        import os

        os.environ["PARLEY_SERVE_DB"] = db or ""
        uvicorn.run("parley.api.asgi:app", host=host, port=port, workers=workers, log_level="warning",
                    server_header=False, proxy_headers=False, timeout_keep_alive=5)
        return
    from ..api import create_app

    uvicorn.run(create_app(db), host=host, port=port, log_level="warning", server_header=False,
                proxy_headers=False, timeout_keep_alive=5)


COMMANDS = [serve_cmd]
