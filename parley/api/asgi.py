"""An importable ASGI app for ``uvicorn parley.api.asgi:app`` (and ``parley serve --workers N``):
the database is ``PARLEY_SERVE_DB``, else the ``db`` setting (``PARLEY_DB``)."""
from __future__ import annotations

import os

from .app import create_app

app = create_app(os.environ.get("PARLEY_SERVE_DB") or None)
