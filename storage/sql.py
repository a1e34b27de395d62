"""What the repositories need of a database connection, and the few SQL words that differ.

The repositories are written once, in hand-written SQL that both engines run. They speak to
a :class:`Connection`: the subset of aiosqlite's ``Connection`` they use (``execute`` for a
row count, ``execute_fetchall`` for rows, ``executemany``). On SQLite that is aiosqlite's own
connection, unwrapped, so the hot path has no extra layer, await or trip per statement; on
PostgreSQL it is :class:`storage.postgres.PgConnection`, which renders ``?`` placeholders as
``$1, $2…`` once per statement text.

Most of what differs between the engines is avoided rather than translated: both run
``INSERT … ON CONFLICT DO NOTHING`` and ``… RETURNING id`` (SQLite 3.35+), and PostgreSQL's
tables that the SQL orders by ``rowid`` have an explicit ``rowid`` identity column, the
insertion order SQLite gives every table implicitly. What cannot be written once is here, in
:class:`Dialect`: JSON array members and fields, a comma-joined aggregate, a truth value used
as a number, and SQLite's ``+column`` hint that keeps its planner off an index.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["POSTGRESQL", "SQLITE", "Changed", "Connection", "Dialect", "Row", "fetch_one"]


class Row(Protocol):
    """A result row, read by position or by column name (``sqlite3.Row``, asyncpg's
    ``Record``), and unpacked like a tuple."""

    def __getitem__(self, key: int | str, /) -> Any: ...
    def __iter__(self) -> Iterator[Any]: ...
    def __len__(self) -> int: ...


class Changed(Protocol):
    """What a write reports: how many rows it changed."""

    @property
    def rowcount(self) -> int: ...


class Connection(Protocol):
    """The statements a repository runs, inside the unit of work's one transaction."""

    def execute(self, sql: str, parameters: Iterable[Any] = ..., /) -> Awaitable[Changed]: ...
    def execute_fetchall(
        self, sql: str, parameters: Iterable[Any] = ..., /
    ) -> Awaitable[Iterable[Row]]: ...
    def executemany(
        self, sql: str, parameters: Iterable[Iterable[Any]], /
    ) -> Awaitable[Changed]: ...


@dataclass(frozen=True, slots=True)
class Dialect:
    """The SQL fragments each engine writes its own way; everything else is shared."""

    name: str

    @property
    def postgresql(self) -> bool:
        return self.name == "postgresql"

    def json_values(self, column: str) -> str:
        """A table of a JSON list's members as text, one column named ``value``."""
        if self.postgresql:
            return f"jsonb_array_elements_text(CAST({column} AS jsonb)) AS value"
        return f"json_each({column})"

    def json_field(self, column: str, key: str) -> str:
        """One top-level field of a JSON object, as text."""
        if self.postgresql:
            return f"(CAST({column} AS jsonb) ->> '{key}')"
        return f"json_extract({column}, '$.{key}')"

    def joined(self, expression: str) -> str:
        """An aggregate of the group's values joined with commas."""
        if self.postgresql:
            return f"string_agg({expression}, ',')"
        return f"group_concat({expression})"

    def number(self, truth: str) -> str:
        """A comparison as 0 or 1, to add up (PostgreSQL's booleans do not add)."""
        if self.postgresql:
            return f"CAST({truth} AS INTEGER)"
        return truth

    def unindexed(self, column: str) -> str:
        """A column SQLite's planner must not pick an index for (PostgreSQL plans by cost)."""
        if self.postgresql:
            return column
        return f"+{column}"


SQLITE = Dialect("sqlite")
POSTGRESQL = Dialect("postgresql")


async def fetch_one(conn: Connection, sql: str, params: Iterable[Any] = ()) -> Row | None:
    """One row in one trip to the database thread.

    ``async with conn.execute(...) as cur: await cur.fetchone()`` takes three trips, each a
    wait for the event loop while the unit of work holds the database lock.
    """
    rows = await conn.execute_fetchall(sql, tuple(params))
    return next(iter(rows), None)
