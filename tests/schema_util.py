"""The schema a database really has, read back with SQLAlchemy's inspector, for comparing databases
with each other and with ``parley/store/tables.py`` (SQLite and PostgreSQL alike)."""
from __future__ import annotations

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
                              for ix in insp.get_indexes(name)),
            "uniques": sorted((u["name"], tuple(u["column_names"])) for u in insp.get_unique_constraints(name)),
            "checks": sorted((c["name"], " ".join(str(c["sqltext"]).split()))
                             for c in insp.get_check_constraints(name)),
        }
    return out


def assert_matches_tables(engine: sa.Engine, ordered: bool = True) -> None:
    """The database's tables are those ``tables.py`` describes: the same columns (in the same order
    unless ``ordered`` is false) with the same type affinity and nullability, the same primary keys,
    and a unique index or constraint for every column declared unique."""
    found = schema_of(engine, ordered=ordered)
    for table in t.metadata.sorted_tables:
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
