"""Fixtures: the project's Bot API emulator and the real application polling it over HTTP."""

from __future__ import annotations

import os

# PTB 22 warns on every RetryAfter unless durations are timedeltas; production sets the same
# (bot/app.py), and the suite turns warnings into errors.
os.environ.setdefault("PTB_TIMEDELTA", "true")

import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest

from bot.app import BotApplication, build_application, prepare, running
from bot.devtools.emulator import BotApiEmulator
from bot.settings import Settings
from tests.pg_server import (
    PgServer,
    drop_database,
    fresh_database,
    in_thread,
    missing_reason,
    running_server,
    skip_or_fail,
)


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emu:
        yield emu


@pytest.fixture
def settings(tmp_path: Path, emulator: BotApiEmulator) -> Settings:
    """Production settings except for the token, the base URL and a throw-away database."""
    return Settings.defaults(
        bot_token=emulator.token,
        database_path=tmp_path / "nv.sqlite3",
        api_base_url=emulator.base_url,
    )


BotRunner = Callable[[], AbstractAsyncContextManager[BotApplication]]


@pytest.fixture
def bot_runner(settings: Settings) -> BotRunner:
    """Start (and restart) the real application against the same database."""

    def run() -> AbstractAsyncContextManager[BotApplication]:
        application = build_application(prepare(settings))

        class _Running:
            async def __aenter__(self) -> BotApplication:
                # One resident at a time: a pause between polls would only slow the suite.
                self._cm = running(application, poll_timeout=1, poll_interval=0)
                await self._cm.__aenter__()
                return application

            async def __aexit__(self, *exc: object) -> None:
                await self._cm.__aexit__(None, None, None)

        return _Running()

    return run


@pytest.fixture
async def bot(bot_runner: BotRunner) -> AsyncIterator[BotApplication]:
    async with bot_runner() as application:
        yield application


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One PostgreSQL cluster for the whole session, started on first use (tests/pg_server.py)."""
    reason = missing_reason()
    if reason is not None:
        skip_or_fail(reason)
    with running_server() as server:
        yield server


@pytest.fixture
def postgres_url(pg_server: PgServer) -> Iterator[str]:
    """A fresh database for one test, copied from the migrated template; its URL."""
    name = f"nv_test_{next(_database_numbers)}"
    url = in_thread(fresh_database(pg_server, name))
    try:
        yield url
    finally:
        in_thread(drop_database(pg_server, name))


_database_numbers = itertools.count(1)
