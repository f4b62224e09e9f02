"""The schema a database really has, read back with SQLAlchemy's inspector, for comparing databases
with each other and with ``parley/store/tables.py`` (SQLite and PostgreSQL alike)."""
from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from parley.store import tables as t


def schema_of(engine: sa.Engine, ordered: bool = True) -> dict[str, dict[str, Any]]:
    """Every table of ``tables.py`` as the database has it: columns (name, type affinity, nullable,
    server default; in table order unless ``ordered`` is false), primary key, foreign keys, indexes,
    unique and check constraints."""
    insp = sa.inspect(engine)
    out: dict[str, dict[str, Any]] = {}
    for name in t.metadata.tables:
        cols = [(c["name"], c["type"]._type_affinity.__name__, bool(c["nullable"]), c.get("default"))
                for c in insp.get_columns(name)]
        out[name] = {
            "columns": cols if ordered else sorted(cols),
            "pk": insp.get_pk_constraint(name)["constrained_columns"],
            "fks": sorted((tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]),
                           (f.get("options") or {}).get("ondelete")) for f in insp.get_foreign_keys(name)),
            "indexes": sorted((ix["name"], tuple(ix["column_names"]), bool(ix["unique"]))
                              for ix in insp.get_indexes(name)
                              if not ix.get("duplicates_constraint")),      # PostgreSQL: a UNIQUE's own index
            "uniques": sorted((u["name"], tuple(u["column_names"])) for u in insp.get_unique_constraints(name)),
            "checks": sorted((c["name"], " ".join(str(c["sqltext"]).split()))
                             for c in insp.get_check_constraints(name)),
        }
    return out


def auxiliary_tables(engine: sa.Engine) -> set[str]:
    """Tables the dialect keeps beside the described ones: SQLite's FTS5 tables and their shadow
    tables (``articles_fts``, ``articles_fts_data`` ...), created from ``store/dialect.py``'s DDL."""
    from parley.store import dialect

    if engine.dialect.name != "sqlite":
        return set()
    virtual = {m.group(1) for stmt in dialect._SQLITE_FTS
               for m in [re.match(r"CREATE VIRTUAL TABLE (\w+)", stmt)] if m}
    names = set(sa.inspect(engine).get_table_names())
    return {n for n in names for v in virtual if n == v or n.startswith(v + "_")}


def auxiliary_indexes(engine: sa.Engine) -> set[str]:
    """Indexes the dialect adds beside the described ones: PostgreSQL's full-text and trigram GIN
    indexes (expression indexes, created by ``store/dialect.py``)."""
    import inspect as _inspect

    from parley.store import dialect

    if engine.dialect.name != "postgresql":
        return set()
    return set(re.findall(r"CREATE INDEX (\w+) ON \w+ USING gin", _inspect.getsource(dialect)))


def declared_schema(ordered: bool = True) -> dict[str, dict[str, Any]]:
    """What ``tables.py`` declares, in the shape of :func:`schema_of` but for column types and
    defaults: primary key, foreign keys, indexes, unique and (by name) check constraints."""
    out: dict[str, dict[str, Any]] = {}
    for table in t.metadata.sorted_tables:
        out[table.name] = {
            "pk": [c.name for c in table.primary_key.columns],
            "fks": sorted((tuple(c.name for c in fk.columns), fk.referred_table.name,
                           tuple(e.column.name for e in fk.elements), fk.ondelete)
                          for fk in table.foreign_key_constraints),
            "indexes": sorted((ix.name, tuple(c.name for c in ix.columns), bool(ix.unique)) for ix in table.indexes),
            "uniques": sorted((u.name, tuple(c.name for c in u.columns)) for u in table.constraints
                              if isinstance(u, sa.UniqueConstraint) and not isinstance(u, sa.PrimaryKeyConstraint)),
            "checks": sorted(c.name for c in table.constraints if isinstance(c, sa.CheckConstraint)),
        }
    return out


def assert_matches_tables(engine: sa.Engine, ordered: bool = True) -> None:
    """The database holds exactly the schema ``tables.py`` describes: the same tables (beside the
    dialect's full-text tables), the same columns (in the same order unless ``ordered`` is false)
    with the same type affinity and nullability, the same primary keys, foreign keys (with their
    ON DELETE), indexes (name, columns, uniqueness), unique constraints and check constraints."""
    found = schema_of(engine, ordered=ordered)
    present = set(sa.inspect(engine).get_table_names()) - auxiliary_tables(engine)
    assert present == set(t.metadata.tables), (
        f"tables not in tables.py: {sorted(present - set(t.metadata.tables))}; "
        f"in tables.py, not in the database: {sorted(set(t.metadata.tables) - present)}")
    want_all = declared_schema()
    aux = auxiliary_indexes(engine)
    for table in t.metadata.sorted_tables:
        want_keys = want_all[table.name]
        have = dict(found[table.name])
        have["indexes"] = [ix for ix in have["indexes"] if ix[0] not in aux]
        for key in ("pk", "fks", "indexes", "uniques"):
            assert have[key] == want_keys[key], (table.name, key, have[key], want_keys[key])
        assert [c[0] for c in have["checks"]] == want_keys["checks"], (table.name, have["checks"])
        have = found[table.name]
        names = [c[0] for c in have["columns"]]
        want = [c.name for c in table.columns]
        assert (names if ordered else sorted(names)) == (want if ordered else sorted(want)), table.name
        declared = {c.name: (c.type._type_affinity.__name__, bool(c.nullable)) for c in table.columns}
        assert {c[0]: (c[1], c[2]) for c in have["columns"]} == declared, table.name
        assert have["pk"] == [c.name for c in table.primary_key.columns], table.name
        unique_sets = {cols for _, cols, unique in have["indexes"] if unique} | {cols for _, cols in have["uniques"]}
        for c in table.columns:
            if c.unique:
                assert (c.name,) in unique_sets, f"{table.name}.{c.name} is not unique in the database"
        for con in table.constraints:
            if isinstance(con, sa.UniqueConstraint) and con.columns:
                assert tuple(c.name for c in con.columns) in unique_sets, f"{table.name}: {con.name}"
