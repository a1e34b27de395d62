"""Figure 2: durable writes, confirmed survey responses stored per second.

Ours: residents already at the survey's summary tap "Confirm and send" concurrently (as many at
once as the bot handles updates, ``NV_MAX_CONCURRENT_UPDATES``); each tap goes through the
production ``ConversationService.tap``, the same call the Telegram handler makes: load the
resident, claim the update, read the flow state, store the response and its answers, clear the
state, commit with ``synchronous=FULL``. Telegram is left out (figure 1 has it).

Baseline: plain ``sqlite3`` ``executemany`` of the very same response and answer rows into a
fresh database with the same schema and the same pragmas (WAL, ``synchronous=FULL``), in one
transaction. A second reference, one plain ``sqlite3`` transaction per response, shows what a
durable commit per response costs on this disk without any of our code; a third, plain
``sqlite3`` committing the responses in groups as large as our concurrency, is the most that
group commit (several residents' units sharing one transaction and one ``fsync``) could give.
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.common import TOKEN, Result
from bench.seeding import seed_residents
from bot.app import build_application, prepare, services
from bot.messages import Incoming
from bot.residents.conversation import ConversationService
from bot.settings import Settings
from storage.database import Database
from storage.repositories import Store

__all__ = ["run"]

CONFIRM = "s:sum:confirm:"  # the summary's step token is the first three letters of its name
FIRST_CHAT_ID = 10_000_000


async def _ours(folder: Path, count: int) -> tuple[float, Path]:
    settings = Settings.defaults(
        bot_token=TOKEN,
        database_path=folder / "ours.sqlite3",
        api_base_url="http://127.0.0.1:9/bot",
    )
    application = build_application(prepare(settings))
    store: Store = services(application).store
    service: ConversationService = services(application).conversation
    await store.open()
    try:
        chat_ids = await seed_residents(store, count, first_chat_id=FIRST_CHAT_ID, step="summary")
        queue: asyncio.Queue[int] = asyncio.Queue()
        for chat_id in chat_ids:
            queue.put_nowait(chat_id)
        thanked = 0

        async def worker() -> None:
            nonlocal thanked
            while not queue.empty():
                chat_id = queue.get_nowait()
                # Update ids are the bot's, unique across chats, as Telegram's are.
                who = Incoming(chat_id, "en", update_id=chat_id)
                reply = await service.tap(who, CONFIRM)
                thanked += bool(reply.messages)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(settings.max_concurrent_updates)))
        seconds = time.perf_counter() - started
        row = await store.database.fetchone("SELECT COUNT(*) FROM responses")
        stored = int(row[0]) if row else 0
        if stored != count or thanked != count:
            raise RuntimeError(f"{count} confirmed, {thanked} thanked, {stored} stored")
    finally:
        await store.close()
    return count / seconds, settings.database_path


def _rows(path: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with sqlite3.connect(path) as conn:
        responses = conn.execute(
            "SELECT id, respondent_id, survey_id, survey_version, ward_id, locale, submitted_at "
            "FROM responses ORDER BY rowid"
        ).fetchall()
        answers = conn.execute(
            "SELECT response_id, question_id, choice_id, value, text, text_language "
            "FROM answers ORDER BY rowid"
        ).fetchall()
    return responses, answers


async def _empty_database(path: Path) -> None:
    database = await Database.open(path)
    await database.close()


def _plain(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    return conn


_INSERT_RESPONSE = (
    "INSERT INTO responses (id, respondent_id, survey_id, survey_version, ward_id, locale, "
    "submitted_at) VALUES (?,?,?,?,?,?,?)"
)
_INSERT_ANSWER = (
    "INSERT INTO answers (response_id, question_id, choice_id, value, text, text_language) "
    "VALUES (?,?,?,?,?,?)"
)


def _executemany(
    path: Path, responses: list[tuple[object, ...]], answers: list[tuple[object, ...]]
) -> float:
    conn = _plain(path)
    try:
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(_INSERT_RESPONSE, responses)
        conn.executemany(_INSERT_ANSWER, answers)
        conn.execute("COMMIT")
        return len(responses) / (time.perf_counter() - started)
    finally:
        conn.close()


def _commit_each(
    path: Path, responses: list[tuple[object, ...]], answers: list[tuple[object, ...]]
) -> float:
    by_response: dict[object, list[tuple[object, ...]]] = {}
    for answer in answers:
        by_response.setdefault(answer[0], []).append(answer)
    conn = _plain(path)
    try:
        started = time.perf_counter()
        for response in responses:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(_INSERT_RESPONSE, response)
            conn.executemany(_INSERT_ANSWER, by_response.get(response[0], []))
            conn.execute("COMMIT")
        return len(responses) / (time.perf_counter() - started)
    finally:
        conn.close()


def _commit_groups(
    path: Path, responses: list[tuple[object, ...]], answers: list[tuple[object, ...]], size: int
) -> float:
    """Plain ``sqlite3``, ``size`` responses per durable transaction, one savepoint each (as
    group commit would need, so that one failing unit rolls back alone)."""
    by_response: dict[object, list[tuple[object, ...]]] = {}
    for answer in answers:
        by_response.setdefault(answer[0], []).append(answer)
    conn = _plain(path)
    try:
        started = time.perf_counter()
        for first in range(0, len(responses), size):
            conn.execute("BEGIN IMMEDIATE")
            for response in responses[first : first + size]:
                conn.execute("SAVEPOINT unit")
                conn.execute(_INSERT_RESPONSE, response)
                conn.executemany(_INSERT_ANSWER, by_response.get(response[0], []))
                conn.execute("RELEASE unit")
            conn.execute("COMMIT")
        return len(responses) / (time.perf_counter() - started)
    finally:
        conn.close()


async def _run(count: int) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="nv-bench-writes-") as tmp:
        folder = Path(tmp)
        ours, ours_path = await _ours(folder, count)
        responses, answers = _rows(ours_path)
        await _empty_database(folder / "plain.sqlite3")
        await _empty_database(folder / "each.sqlite3")
        await _empty_database(folder / "groups.sqlite3")
        plain = _executemany(folder / "plain.sqlite3", responses, answers)
        each = _commit_each(folder / "each.sqlite3", responses, answers)
        size = Settings.defaults(bot_token=TOKEN).max_concurrent_updates
        groups = _commit_groups(folder / "groups.sqlite3", responses, answers, size)
    return [
        Result(
            "Durable writes",
            "responses/s",
            ours,
            plain,
            better="higher",
            precision=0,
            extra={
                "responses": count,
                "answers": len(answers),
                "concurrency": Settings.defaults(bot_token=TOKEN).max_concurrent_updates,
                "plain_commit_per_response_per_s": round(each, 1),
                "ours_over_commit_per_response": round(ours / each, 3),
                "plain_group_commit_per_s": round(groups, 1),
                "group_size": size,
            },
        )
    ]


def run(quick: bool) -> list[Result]:
    return asyncio.run(_run(300 if quick else 3000))
