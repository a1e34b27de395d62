"""The SQLite database: one connection, WAL, foreign keys, numbered migrations.

One writer connection is shared by every task; an asyncio lock turns each unit of work into one
serialised transaction, which is what SQLite wants from a single process anyway. Commits use
``synchronous=FULL`` so a committed transaction is on disk before the caller goes on to tell the
resident "thank you". ``secure_delete`` overwrites erased rows so an erased resident leaves no
trace in the file.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

__all__ = ["Database", "Migration", "bundled_migrations", "fetch_one", "utc_now"]

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


def utc_now() -> str:
    """Timestamps are stored as ISO 8601 UTC text so they sort and compare as strings."""
    return stamp(datetime.now(UTC))


def stamp(moment: datetime) -> str:
    """A moment as stored: ISO 8601 in UTC, to the second (see :func:`utc_now`)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


async def fetch_one(
    conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()
) -> sqlite3.Row | None:
    """One row in one trip to the database thread.

    ``async with conn.execute(...) as cur: await cur.fetchone()`` takes three trips, each a
    wait for the event loop while the unit of work holds the database lock.
    """
    rows = await conn.execute_fetchall(sql, tuple(params))
    return next(iter(rows), None)


class Migration:
    """One numbered SQL script."""

    def __init__(self, version: int, name: str, sql: str) -> None:
        self.version = version
        self.name = name
        self.sql = sql


def bundled_migrations() -> list[Migration]:
    """The migrations shipped in ``storage/migrations``, in order."""
    found: list[Migration] = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return found


class Database:
    """The shared connection and its lock; repositories run inside :meth:`transaction`."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._connection = connection
        self._lock = asyncio.Lock()
        self.path = path

    @classmethod
    async def open(
        cls, path: Path | str, migrations: Iterable[Migration] | None = None
    ) -> Database:
        """Open (creating if needed) and upgrade the database to the newest schema."""
        db_path = Path(path)
        if str(db_path) != ":memory:":
            db_path.parent.mkdir(parents=True, exist_ok=True)
        # sqlite3 begins the transaction itself, in the same call as a unit's first write
        # (see ``transaction``).
        connection = await aiosqlite.connect(db_path, isolation_level="IMMEDIATE")
        connection.row_factory = sqlite3.Row
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=FULL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA secure_delete=ON",
            "PRAGMA busy_timeout=5000",
        ):
            await connection.execute(pragma)
        database = cls(connection, db_path)
        try:
            await database.migrate(bundled_migrations() if migrations is None else migrations)
        except BaseException:
            await connection.close()
            raise
        return database

    async def close(self) -> None:
        async with self._lock:
            await self._connection.close()

    async def migrate(self, migrations: Iterable[Migration]) -> list[int]:
        """Apply every migration not yet recorded, each in its own transaction."""
        applied: list[int] = []
        async with self._lock:
            conn = self._connection
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            async with conn.execute("SELECT version FROM schema_migrations") as cursor:
                done = {row[0] for row in await cursor.fetchall()}
            for migration in migrations:
                if migration.version in done:
                    continue
                # executescript cannot take parameters; the values are ours, not a resident's.
                await conn.executescript(
                    "BEGIN IMMEDIATE;\n"
                    + migration.sql
                    + "\n;INSERT INTO schema_migrations (version, name, applied_at) VALUES "
                    + f"({migration.version}, '{migration.name}', '{utc_now()}');\nCOMMIT;"
                )
                applied.append(migration.version)
        return applied

    async def schema_version(self) -> int:
        row = await self.fetchone("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        return int(row[0]) if row else 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One serialised unit of work, committed durably or rolled back as a whole.

        sqlite3 opens the transaction (``BEGIN IMMEDIATE``) in the same call as the unit's
        first write, and a unit that only reads never opens one: each trip to the database
        thread is a wait while this lock is held, and a busy event loop makes every wait long.
        Reads before the first write see the latest commit, which only units under this same
        lock can make: this process is the database's one writer.
        """
        async with self._lock:
            conn = self._connection
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    await conn.rollback()
                raise
            else:
                if conn.in_transaction:
                    await conn.commit()

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        async with self._lock:
            return await fetch_one(self._connection, sql, params)

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        async with self._lock:
            return list(await self._connection.execute_fetchall(sql, tuple(params)))

    async def checkpoint(self) -> None:
        """Fold the WAL into the main file and truncate it, so erased pages leave the WAL too."""
        async with self._lock:
            await self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
