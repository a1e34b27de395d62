"""The SQLite database: one connection, WAL, foreign keys, numbered migrations.

One writer connection is shared by every task; an asyncio lock turns each unit of work into one
serialised transaction, which is what SQLite wants from a single process anyway. Commits use
``synchronous=FULL`` so a committed transaction is on disk before the caller goes on to tell the
resident "thank you". ``secure_delete`` overwrites erased rows so an erased resident leaves no
trace in the file.

One process only: :meth:`Database.open` takes an exclusive ``flock`` on a lock file beside the
database (``<file>.lock``) for as long as the database is open, and a second process is
refused with :class:`DatabaseInUse`. Two processes on one file would each keep their own
per-chat order, broadcast claims and pacing; several processes need PostgreSQL
(``storage.postgres``). The same process may open the file again (tests read beside the bot):
the lock is counted, not taken twice. The kernel drops the lock when the process dies, so a
SIGKILLed bot never leaves a stale lock behind.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

__all__ = [
    "Database",
    "DatabaseInUse",
    "Migration",
    "StoreUnavailable",
    "bundled_migrations",
    "lock_path",
    "probe_lock",
    "utc_now",
]

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


def utc_now() -> str:
    """Timestamps are stored as ISO 8601 UTC text so they sort and compare as strings."""
    return stamp(datetime.now(UTC))


def stamp(moment: datetime) -> str:
    """A moment as stored: ISO 8601 in UTC, to the second (see :func:`utc_now`)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class Migration:
    """One numbered SQL script."""

    def __init__(self, version: int, name: str, sql: str) -> None:
        self.version = version
        self.name = name
        self.sql = sql


def bundled_migrations(package: str = "storage.migrations") -> list[Migration]:
    """The migrations shipped in ``storage/migrations`` (SQLite), or in another package of
    them (``storage.migrations.postgresql``, their PostgreSQL twins), in order."""
    found: list[Migration] = []
    for entry in resources.files(package).iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return found


class StoreUnavailable(RuntimeError):
    """The database cannot be used at all; the message is one line for the operator."""


class DatabaseInUse(StoreUnavailable):
    """Another process has this SQLite file open."""


def lock_path(path: Path) -> Path:
    """The lock file beside a database file, held while a process has the database open."""
    return path.with_name(path.name + ".lock")


# This process's locks, by lock file: the open descriptor and how many opens share it.
_held: dict[Path, tuple[int, int]] = {}


def _take_lock(path: Path) -> Path:
    """Take (or share, within this process) the exclusive lock on ``path``'s lock file."""
    lock = lock_path(path).resolve()
    fd, count = _held.get(lock, (-1, 0))
    if count == 0:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            os.close(fd)
            if error.errno in (errno.EWOULDBLOCK, errno.EACCES):
                raise DatabaseInUse(
                    f"{path} is in use by another process (lock {lock}); one process per "
                    "SQLite file: stop the other one, or use PostgreSQL for several"
                ) from None
            raise
    _held[lock] = (fd, count + 1)
    return lock


def _release_lock(lock: Path) -> None:
    fd, count = _held.pop(lock)
    if count > 1:
        _held[lock] = (fd, count - 1)
    else:
        os.close(fd)  # closing the last descriptor releases the flock


def probe_lock(path: Path) -> None:
    """Raise :class:`DatabaseInUse` now if another process holds the file (a check before
    start, for one line instead of a failure inside start-up); takes no lock for long."""
    if str(path) != ":memory:":
        _release_lock(_take_lock(path))


class Database:
    """The shared connection and its lock; repositories run inside :meth:`transaction`."""

    def __init__(
        self, connection: aiosqlite.Connection, path: Path, lock: Path | None = None
    ) -> None:
        self._connection = connection
        self._lock = asyncio.Lock()
        self._file_lock = lock
        self.path = path

    @classmethod
    async def open(
        cls, path: Path | str, migrations: Iterable[Migration] | None = None
    ) -> Database:
        """Open (creating if needed) and upgrade the database to the newest schema."""
        db_path = Path(path)
        lock = None
        if str(db_path) != ":memory:":
            db_path.parent.mkdir(parents=True, exist_ok=True)
            lock = _take_lock(db_path)
        try:
            # sqlite3 begins the transaction itself, in the same call as a unit's first write
            # (see ``transaction``).
            connection = await aiosqlite.connect(db_path, isolation_level="IMMEDIATE")
        except BaseException:
            if lock is not None:
                _release_lock(lock)
            raise
        connection.row_factory = sqlite3.Row
        database = cls(connection, db_path, lock)
        try:
            for pragma in (
                "PRAGMA journal_mode=WAL",
                "PRAGMA synchronous=FULL",
                "PRAGMA foreign_keys=ON",
                "PRAGMA secure_delete=ON",
                "PRAGMA busy_timeout=5000",
            ):
                await connection.execute(pragma)
            await database.migrate(bundled_migrations() if migrations is None else migrations)
        except BaseException:
            await database.close()
            raise
        return database

    async def close(self) -> None:
        async with self._lock:
            await self._connection.close()
            if self._file_lock is not None:
                _release_lock(self._file_lock)
                self._file_lock = None

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
            rows = await self._connection.execute_fetchall(sql, tuple(params))
            return next(iter(rows), None)

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        async with self._lock:
            return list(await self._connection.execute_fetchall(sql, tuple(params)))

    async def checkpoint(self) -> None:
        """Fold the WAL into the main file and truncate it, so erased pages leave the WAL too."""
        async with self._lock:
            await self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
