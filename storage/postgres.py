"""The PostgreSQL backend: the same repositories, on asyncpg, for more than one process.

:class:`PgConnection` gives the repositories the three calls they make of aiosqlite
(``execute``, ``execute_fetchall``, ``executemany``; see :mod:`storage.sql`) over one asyncpg
connection inside a transaction. The shared SQL keeps SQLite's ``?`` placeholders;
:func:`render` numbers them ``$1, $2…`` once per statement text and remembers the result, so
a statement costs one dictionary look-up here and then asyncpg's own prepared-statement cache.

:class:`PgDatabase` mirrors :class:`storage.database.Database`: numbered migrations (the
PostgreSQL twins in ``storage/migrations/postgresql``, applied under an advisory lock so two
processes starting together do not both apply one), and units of work that commit durably
(PostgreSQL's default ``synchronous_commit=on``) before the caller says "thank you".

Units of work are still serialised within a process, by an asyncio lock, as on SQLite: the
guarantees that today rest on one writer (each chat's updates in order, a broadcast row
claimed once, event capacity and the weekly cap) hold for one process on PostgreSQL exactly
as they do on SQLite. Several processes on one database need the per-chat database locks,
leased claims and row locks of issue 16's later parts; until then run one process.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from storage.database import Migration, StoreUnavailable, bundled_migrations, utc_now
from storage.sql import POSTGRESQL, Dialect

__all__ = [
    "MIGRATIONS_PACKAGE",
    "PgConnection",
    "PgDatabase",
    "is_postgresql_url",
    "recorded_pause",
    "redact",
    "render",
]

MIGRATIONS_PACKAGE = "storage.migrations.postgresql"
# pg_advisory_lock's key while migrations run: any fixed number no other lock uses.
_MIGRATION_LOCK = 0x4E560001
_rendered: dict[str, str] = {}


def is_postgresql_url(target: object) -> bool:
    """Whether a database setting names a PostgreSQL server rather than a SQLite file."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def redact(url: str) -> str:
    """The URL without its user and password, for messages and logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}"


def render(sql: str) -> str:
    """SQLite's ``?`` placeholders as PostgreSQL's ``$1, $2…``; quoted text is left alone."""
    found = _rendered.get(sql)
    if found is not None:
        return found
    out: list[str] = []
    number = 0
    quote: str | None = None
    for char in sql:
        if quote is not None:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "?":
            number += 1
            out.append(f"${number}")
            continue
        out.append(char)
    rendered = "".join(out)
    if len(_rendered) < 4096:  # texts built for IN lists of every length stay bounded
        _rendered[sql] = rendered
    return rendered


def recorded_pause(url: str) -> float | None:
    """The recorded flood pause's end, read before the bot's event loop starts (as
    :func:`storage.flood.recorded_pause` does for SQLite); ``None`` when there is none or
    the server cannot be asked yet (the store's open then reports that in one line)."""

    async def read() -> float | None:
        conn = await asyncpg.connect(url)
        try:
            found = await conn.fetchval("SELECT paused_until FROM flood_pause WHERE id = 1")
        finally:
            await conn.close()
        return None if found is None else float(found)

    # A thread of its own: a caller inside a running event loop cannot run another here.
    with ThreadPoolExecutor(1) as thread:
        try:
            return thread.submit(asyncio.run, read()).result()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return None


class Done:
    """The row count of a PostgreSQL command, read from its status ("UPDATE 3")."""

    __slots__ = ("rowcount",)

    def __init__(self, status: str | None) -> None:
        tail = (status or "").rpartition(" ")[2]
        self.rowcount = int(tail) if tail.isdigit() else -1


class PgConnection:
    """One asyncpg connection in a transaction, speaking what the repositories use."""

    __slots__ = ("_conn",)

    def __init__(self, conn: asyncpg.Connection | PoolConnectionProxy) -> None:
        self._conn = conn

    async def execute(self, sql: str, parameters: Iterable[Any] = ()) -> Done:
        return Done(await self._conn.execute(render(sql), *parameters))

    async def execute_fetchall(
        self, sql: str, parameters: Iterable[Any] = ()
    ) -> list[asyncpg.Record]:
        return await self._conn.fetch(render(sql), *parameters)

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> Done:
        """Every row in one pipelined command; asyncpg reports no count (``rowcount`` -1)."""
        rows: list[Sequence[Any]] = [tuple(p) for p in parameters]
        if rows:
            await self._conn.executemany(render(sql), rows)
        return Done(None)


class PgDatabase:
    """A pool of connections to one PostgreSQL database; repositories run inside
    :meth:`transaction`, one unit at a time in this process (see the module docstring)."""

    dialect: Dialect = POSTGRESQL

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self._pool = pool
        self._lock = asyncio.Lock()
        self.url = url

    @classmethod
    async def open(cls, url: str, migrations: Iterable[Migration] | None = None) -> PgDatabase:
        """Connect and upgrade the database to the newest schema.

        A server that cannot be reached or refuses us raises :class:`StoreUnavailable` with
        one line, naming the server without its password.
        """
        try:
            pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            raise StoreUnavailable(
                f"cannot connect to PostgreSQL at {redact(url)} ({error})"
            ) from None
        database = cls(pool, url)
        try:
            await database.migrate(
                bundled_migrations(MIGRATIONS_PACKAGE) if migrations is None else migrations
            )
        except BaseException:
            await pool.close()
            raise
        return database

    async def close(self) -> None:
        async with self._lock:
            await self._pool.close()

    async def migrate(self, migrations: Iterable[Migration]) -> list[int]:
        """Apply every migration not yet recorded, each in its own transaction, holding an
        advisory lock so that processes starting together apply each one once."""
        applied: list[int] = []
        async with self._lock, self._pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
            try:
                await conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
                    "name TEXT NOT NULL, applied_at TEXT NOT NULL)"
                )
                done = {
                    row[0] for row in await conn.fetch("SELECT version FROM schema_migrations")
                }
                for migration in migrations:
                    if migration.version in done:
                        continue
                    async with conn.transaction():
                        await conn.execute(migration.sql)  # several statements: no parameters
                        await conn.execute(
                            "INSERT INTO schema_migrations (version, name, applied_at) "
                            "VALUES ($1, $2, $3)",
                            migration.version,
                            migration.name,
                            utc_now(),
                        )
                    applied.append(migration.version)
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK)
        return applied

    async def schema_version(self) -> int:
        async with self._lock, self._pool.acquire() as conn:
            found = await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        return int(found)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PgConnection]:
        """One unit of work, committed (durably) or rolled back as a whole."""
        async with self._lock, self._pool.acquire() as conn, conn.transaction():
            yield PgConnection(conn)
