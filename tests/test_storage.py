"""Storage: migrations upgrade an older database, and a unit of work is all or nothing."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from storage.database import Database, Migration, bundled_migrations
from storage.models import AnswerRecord, FlowState
from storage.postgres import recorded_pause
from storage.repositories import Store


async def test_an_older_database_upgrades_itself(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    first = bundled_migrations()[:1]
    database = await Database.open(path, migrations=first)
    await database.close()
    extra = Migration(len(bundled_migrations()) + 1, "probe", "CREATE TABLE probe (x INTEGER);")

    database = await Database.open(path, migrations=[*bundled_migrations(), extra])
    try:
        assert await database.schema_version() == extra.version
        rows = await database.fetchall(
            "SELECT version, name FROM schema_migrations ORDER BY version"
        )
        assert [tuple(r) for r in rows][-1] == (extra.version, "probe")
    finally:
        await database.close()
    # Opening again applies nothing twice.
    database = await Database.open(path, migrations=[*bundled_migrations(), extra])
    assert await database.migrate([*bundled_migrations(), extra]) == []
    await database.close()


async def test_upgrading_counts_digests_the_old_weekly_job_sent_as_delivered(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    database = await Database.open(path, migrations=bundled_migrations()[:8])
    async with database.transaction() as conn:
        for actor, scope in ((901, "mine"), (902, "dalston")):  # the job's, and one on demand
            await conn.execute(
                "INSERT INTO audit_log (actor_id, action, detail, at) VALUES (?, 'digest', ?, ?)",
                (actor, f'{{"scope": "{scope}", "start": "2026-11-16"}}', "2026-11-23T09:00:01"),
            )
    await database.close()

    database = await Database.open(path)
    try:
        rows = await database.fetchall(
            "SELECT officer_id, period_start FROM scheduled_digest_deliveries"
        )
        assert [tuple(r) for r in rows] == [(901, "2026-11-16")]
    finally:
        await database.close()


async def pragma(database: Database, name: str) -> object:
    """The value of one connection setting (every PRAGMA read answers with a row)."""
    row = await database.fetchone(f"PRAGMA {name}")
    assert row is not None, name
    return row[0]


async def test_wal_foreign_keys_and_durable_commits(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "p.sqlite3")
    try:
        assert await pragma(database, "journal_mode") == "wal"
        assert await pragma(database, "foreign_keys") == 1
        assert await pragma(database, "synchronous") == 2  # FULL
        assert await pragma(database, "secure_delete") == 1
    finally:
        await database.close()


async def test_a_failed_unit_of_work_leaves_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "u.sqlite3")
    await store.open()
    try:
        with pytest.raises(RuntimeError):
            async with store.unit() as uow:
                resident = await uow.residents.create(77, "en")
                await uow.conversations.put(resident.respondent_id, FlowState("survey", "q", {}))
                raise RuntimeError("crash between writes")
        async with store.unit() as uow:
            assert await uow.residents.by_chat(77) is None
            assert await uow.residents.count() == 0
    finally:
        await store.close()


@pytest.mark.sqlite_only  # reads the SQLite schema itself
async def test_responses_are_keyed_by_a_random_respondent_id(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.sqlite3")
    await store.open()
    try:
        async with store.unit() as uow:
            resident = await uow.residents.create(555001, "en")
            await uow.responses.add(
                resident.respondent_id,
                survey_id="s",
                survey_version=1,
                ward_id="dalston",
                locale="en",
                answers=[AnswerRecord("q", choice_id="a"), AnswerRecord("t", text="hi")],
            )
        async with store.unit() as uow:
            (record,) = await uow.responses.for_respondent(resident.respondent_id)
            assert [a.question_id for a in record.answers] == ["q", "t"]
            assert await uow.residents.chat_of(resident.respondent_id) == 555001
    finally:
        await store.close()
    assert len(resident.respondent_id) == 32
    with sqlite3.connect(tmp_path / "r.sqlite3") as conn:
        tables_with_chat = [
            name
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if any(col[1] == "chat_id" for col in conn.execute(f"PRAGMA table_info({name})"))
        ]
    assert tables_with_chat == ["chat_links"]


# A second process opening the database, as a bot started twice would.
OPEN_IN_ANOTHER_PROCESS = """
import asyncio, sys
from storage.repositories import Store
from storage.database import DatabaseInUse

async def main() -> int:
    store = Store(sys.argv[1])
    try:
        await store.open()
    except DatabaseInUse as error:
        print(error)
        return 3
    await store.close()
    return 0

sys.exit(asyncio.run(main()))
"""


def open_elsewhere(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", OPEN_IN_ANOTHER_PROCESS, str(path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.sqlite_only  # the lock beside the SQLite file
async def test_a_second_process_is_refused_the_sqlite_file_while_one_has_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "one.sqlite3"
    store = Store(path)
    await store.open()
    try:
        again = Store(path)  # the same process may open it again (tests read beside the bot)
        await again.open()
        await again.close()
        refused = await asyncio.to_thread(open_elsewhere, path)
        assert refused.returncode == 3, refused.stderr
        assert "in use by another process" in refused.stdout
        assert refused.stdout.strip().count("\n") == 0
        # Closing the second store did not drop the first one's lock.
        still = await asyncio.to_thread(open_elsewhere, path)
        assert still.returncode == 3
    finally:
        await store.close()
    assert (await asyncio.to_thread(open_elsewhere, path)).returncode == 0, "closed: free again"


@pytest.mark.sqlite_only
async def test_the_bot_started_twice_on_one_file_says_so_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "twice.sqlite3"
    store = Store(path)
    await store.open()
    try:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("NV_")}
        env = {**clean, "NV_BOT_TOKEN": "123456:ABC-def_ghi", "NV_DATABASE": str(path)}
        # The discard port: were the lock not checked first, the bot would say Telegram
        # did not answer instead.
        env["NV_API_BASE_URL"] = "http://127.0.0.1:9/bot"
        result = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, str(PROJECT_ROOT / "bot.py")],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        await store.close()
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "cannot start" in result.stderr and "in use by another process" in result.stderr
    assert "Traceback" not in result.stderr


async def test_a_flood_pause_recorded_on_postgresql_is_read_before_start(
    postgres_url: str,
) -> None:
    assert recorded_pause(postgres_url) is None
    store = Store(postgres_url)
    await store.open()
    try:
        async with store.unit() as uow:
            await uow.flood.extend(1_765_000_000.5)
    finally:
        await store.close()
    assert recorded_pause(postgres_url) == 1_765_000_000.5
    assert recorded_pause(postgres_url.replace("/nv_test", "/no_such_database")) is None
