"""A throw-away PostgreSQL server for the test session, started by the tests themselves.

One cluster per session (``initdb`` about half a second, start a tenth), reached only through
a unix socket in a temporary folder (``listen_addresses=''``: nothing listens on the network,
and parallel sessions never collide on a port). The schema is migrated once into a template
database; each test gets a fresh database copied from it (``CREATE DATABASE … TEMPLATE``,
a few hundredths of a second), dropped afterwards.

``initdb`` refuses to run as root, and CI runs as root: then the server runs as the
``postgres`` user (``runuser -u postgres --``), in a folder that user owns. Without the server
binaries on PATH the PostgreSQL tests are skipped with the reason, except when ``CI`` is set:
there a missing server is a failure, not a silent gap (``.ci/run`` installs it).
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest

from storage.postgres import PgDatabase

__all__ = [
    "PgServer",
    "drop_database",
    "fresh_database",
    "in_thread",
    "missing_reason",
    "running_server",
    "skip_or_fail",
]

TEMPLATE = "nv_template"
T = TypeVar("T")


@dataclass(frozen=True)
class PgServer:
    """A running cluster: where its socket is, and how to name a database on it."""

    socket_dir: Path

    def url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={self.socket_dir}"


def missing_reason() -> str | None:
    """Why no server can be started here, or None when the binaries are on PATH."""
    missing = [name for name in ("initdb", "pg_ctl") if shutil.which(name) is None]
    if missing:
        return (
            f"PostgreSQL server binaries not on PATH ({', '.join(missing)}): install "
            "postgresql (the server) to run the PostgreSQL tests"
        )
    return None


def _as_server_user(argv: list[str]) -> list[str]:
    """The command as the ``postgres`` user when we are root (initdb refuses root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


@contextmanager
def running_server() -> Iterator[PgServer]:
    """Start a cluster in a temporary folder, migrate the template, stop and remove it after."""
    folder = Path(tempfile.mkdtemp(prefix="nv-pg-"))
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            raise RuntimeError(
                "initdb refuses root and there is no postgres user to run it as "
                "(.ci/run makes one)"
            ) from None
        os.chown(folder, user.pw_uid, user.pw_gid)
    data, log = folder / "data", folder / "server.log"

    def run(*argv: str) -> None:
        done = subprocess.run(
            _as_server_user(list(argv)), capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{argv[0]} failed: {done.stderr.strip()} {tail}")

    try:
        run("initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--locale=C", "--no-sync")  # fmt: skip
        # Nothing on the network, the socket beside the data; fsync off: a test server's
        # durability is not under test (the bot's commits are, against SQLite's file).
        options = f"-c listen_addresses='' -k {folder} -c fsync=off -c full_page_writes=off"
        run("pg_ctl", "-D", str(data), "-l", str(log), "-o", options, "-w", "start")
        server = PgServer(folder)
        in_thread(_make_template(server))
        yield server
    finally:
        if (data / "postmaster.pid").exists():
            run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def in_thread(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end on an event loop of its own, in a thread: fixtures that
    set up the server may be asked for from inside a test's running loop."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, work).result()


async def _make_template(server: PgServer) -> None:
    """The template every test's database is copied from: the PostgreSQL migrations, once."""
    conn = await asyncpg.connect(server.url("postgres"))
    try:
        await conn.execute(f"CREATE DATABASE {TEMPLATE}")
    finally:
        await conn.close()
    database = await PgDatabase.open(server.url(TEMPLATE))
    await database.close()


async def fresh_database(server: PgServer, name: str) -> str:
    """A new database copied from the migrated template; its URL."""
    conn = await asyncpg.connect(server.url("postgres"))
    try:
        await conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    finally:
        await conn.close()
    return server.url(name)


async def drop_database(server: PgServer, name: str) -> None:
    conn = await asyncpg.connect(server.url("postgres"))
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await conn.close()


def skip_or_fail(reason: str) -> None:
    """Skip a PostgreSQL test with the reason; under CI (``CI`` set) fail instead."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the PostgreSQL tests: {reason}", pytrace=False)
    pytest.skip(reason)
