"""Parley's store: articles, extraction runs, positions and actor links in one database.

SQLite by default, PostgreSQL by URL, one SQLAlchemy Core code path
(see ``docs/schema.md`` for the tables)::

    from parley.store import open_store
    with open_store("parley.db") as store:
        store.add_article(article)
        for p in store.positions(actor="zelensky"):
            ...
"""
from .base import DEFAULT_TAXONOMY, ActorLink, AddResult, SearchHit, Store, taxonomy_name
from .migrations import LATEST as SCHEMA_VERSION
from .sql import SqlStore, open_store, resolve_url_exists

__all__ = ["ActorLink", "AddResult", "DEFAULT_TAXONOMY", "SCHEMA_VERSION", "SearchHit", "SqlStore", "Store",
           "open_store", "resolve_url_exists", "taxonomy_name"]
