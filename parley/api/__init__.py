"""``parley serve``: the versioned JSON API under ``/api/v1`` and the dashboard, one FastAPI app.

    from parley.api import create_app
    app = create_app("parley.db")          # uvicorn.run(app, host="127.0.0.1", port=8000)

See ``docs/api.md``.
"""
from .app import create_app

__all__ = ["create_app"]
