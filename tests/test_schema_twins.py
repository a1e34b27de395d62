"""The SQLite migrations and their PostgreSQL twins build the same schema.

Each migration in ``storage/migrations`` has a twin of the same number and name in
``storage/migrations/postgresql`` (see ``storage/postgres.py`` for why twins rather than one
source rendered twice). This test builds both schemas and compares what the repositories rely
on: tables, columns with their kind of type, nullability and default, primary keys, unique
keys, foreign keys with their ON DELETE, and named indexes with their columns. CHECK
constraints are left out (one, ``flood_pause.id = 1``, written alike in both files).

Two differences are by design and checked as such: every integer is BIGINT on PostgreSQL
(SQLite's INTEGER is 64-bit; PostgreSQL's is 32), and the tables whose rows the shared SQL
orders by ``rowid`` carry it as an explicit identity column on PostgreSQL, where SQLite has it
implicitly.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import asyncpg

from storage.database import Database, bundled_migrations
from storage.postgres import MIGRATIONS_PACKAGE

Schema = dict[str, set[tuple[object, ...]]]
EXPLICIT_ROWID = {"respondents", "responses", "answers"}
TYPE_KINDS = {
    "integer": "integer",
    "bigint": "integer",
    "text": "text",
    "real": "real",
    "double precision": "real",
}


def _default(value: str | None) -> str | None:
    """A column default without PostgreSQL's casts (``'{}'::text`` is ``'{}'``)."""
    return None if value is None else re.sub(r"::[a-z ]+$", "", value)


def sqlite_schema(path: Path) -> Schema:
    schema: Schema = {"columns": set(), "keys": set(), "unique": set(), "foreign": set()}
    schema["indexes"] = set()
    with sqlite3.connect(path) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            info = list(conn.execute(f"PRAGMA table_info({table})"))
            for _cid, name, kind, notnull, default, pk in info:
                # A primary key is never null on PostgreSQL; SQLite only enforces it for
                # INTEGER PRIMARY KEY, and the bot never writes a null key.
                not_null = bool(notnull or pk)
                schema["columns"].add((table, name, TYPE_KINDS[kind.lower()], not_null, default))
            # table_info's last field is the column's place in the primary key, 0 if none.
            key = tuple(c[1] for c in sorted((c for c in info if c[5]), key=lambda c: c[5]))
            if key:
                schema["keys"].add((table, key))
            for _seq, index, unique, origin, _partial in conn.execute(
                f"PRAGMA index_list({table})"
            ):
                columns = tuple(row[2] for row in conn.execute(f"PRAGMA index_info({index})"))
                if origin == "u":
                    schema["unique"].add((table, columns))
                elif origin == "c":
                    schema["indexes"].add((index, table, columns, bool(unique)))
            for _id, _seq, parent, column, to, _upd, on_delete, _m in conn.execute(
                f"PRAGMA foreign_key_list({table})"
            ):
                schema["foreign"].add((table, column, parent, to, on_delete))
    return schema


async def postgres_schema(url: str) -> Schema:
    schema: Schema = {"columns": set(), "keys": set(), "unique": set(), "foreign": set()}
    schema["indexes"] = set()
    conn = await asyncpg.connect(url)
    try:
        for row in await conn.fetch(
            "SELECT table_name, column_name, data_type, is_nullable, column_default "
            "FROM information_schema.columns WHERE table_schema = 'public'"
        ):
            schema["columns"].add(
                (
                    row["table_name"],
                    row["column_name"],
                    TYPE_KINDS[row["data_type"]],
                    row["is_nullable"] == "NO",
                    _default(row["column_default"]),
                )
            )
        constraints = await conn.fetch(
            "SELECT CAST(c.contype AS text) AS contype, t.relname AS tbl, c.conname, "
            "ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i) "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) "
            "AS cols, f.relname AS parent, "
            "ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i) "
            "JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) "
            "AS parent_cols, CAST(c.confdeltype AS text) AS confdeltype FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid LEFT JOIN pg_class f ON f.oid = c.confrelid "
            "JOIN pg_namespace s ON s.oid = t.relnamespace WHERE s.nspname = 'public'"
        )
        actions = {"c": "CASCADE", "a": "NO ACTION", "n": "SET NULL", "r": "RESTRICT"}
        owned = set()
        for row in constraints:
            owned.add(row["conname"])
            if row["contype"] == "p":
                schema["keys"].add((row["tbl"], tuple(row["cols"])))
            elif row["contype"] == "u":
                schema["unique"].add((row["tbl"], tuple(row["cols"])))
            elif row["contype"] == "f":
                (column,), (to,) = row["cols"], row["parent_cols"]
                on_delete = actions[row["confdeltype"]]
                schema["foreign"].add((row["tbl"], column, row["parent"], to, on_delete))
        for row in await conn.fetch(
            "SELECT i.relname AS name, t.relname AS tbl, x.indisunique, "
            "ARRAY(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY k(n, i) "
            "JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n ORDER BY k.i) "
            "AS cols FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace s ON s.oid = t.relnamespace "
            "WHERE s.nspname = 'public'"
        ):
            if row["name"] not in owned:  # constraints' own indexes are compared above
                schema["indexes"].add(
                    (row["name"], row["tbl"], tuple(row["cols"]), row["indisunique"])
                )
    finally:
        await conn.close()
    return schema


def test_every_migration_has_a_postgresql_twin_of_the_same_number_and_name() -> None:
    sqlite = [(m.version, m.name) for m in bundled_migrations()]
    postgresql = [(m.version, m.name) for m in bundled_migrations(MIGRATIONS_PACKAGE)]
    assert postgresql == sqlite
    assert len(sqlite) >= 13


async def test_both_migration_sets_build_the_same_schema(
    tmp_path: Path, postgres_url: str
) -> None:
    database = await Database.open(tmp_path / "schema.sqlite3")
    await database.close()
    sqlite = sqlite_schema(tmp_path / "schema.sqlite3")
    postgresql = await postgres_schema(postgres_url)

    rowids = {c for c in postgresql["columns"] if c[1] == "rowid"}
    assert rowids == {(table, "rowid", "integer", True, None) for table in EXPLICIT_ROWID}
    postgresql["columns"] -= rowids
    assert {c[0] for c in sqlite["columns"]} == {c[0] for c in postgresql["columns"]}
    for part in ("columns", "keys", "unique", "foreign", "indexes"):
        assert sorted(sqlite[part], key=repr) == sorted(postgresql[part], key=repr), part
    assert len(sqlite["indexes"]) >= 10 and len(sqlite["foreign"]) >= 10
