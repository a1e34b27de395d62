"""Flood control as Telegram documents it, end to end: the production application against an
emulator that counts every method against one limit and keeps refusing inside a pause.

What is checked comes from the emulator's own timestamps: no call reached it while a 429's
``retry_after`` ran (but those already on their way), none was refused for the budget, and a
bot killed inside a pause and started again waited out the rest of it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import BotApplication, services
from bot.broadcasting.engine import BroadcastEngine
from bot.devtools.emulator import BotApiEmulator, CallRecord
from bot.settings import PROJECT_ROOT, Settings
from storage.models import Broadcast
from storage.repositories import Store
from tests.helpers import (
    ADMIN,
    SURVEY_CHOICES,
    begin_survey,
    onboard,
    seed_safety_residents,
    with_staff,
)

NOTICE = Broadcast(
    kind="notice",
    topic="safety",
    texts={"en": "Water main burst on Mare Street: the road is closed."},
    wards=None,
    created_by=ADMIN,
    urgent=True,
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(with_staff(settings), broadcast_rate=25)


def busiest_second(calls: list[CallRecord]) -> int:
    """The most calls (any method but getUpdates) that arrived within one second."""
    stamps = sorted(c.arrived for c in calls if c.method.lower() != "getupdates")
    most, start = 0, 0
    for end, stamp in enumerate(stamps):
        while stamps[start] <= stamp - 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


def received(emulator: BotApiEmulator, chats: range) -> Counter[int]:
    return Counter({chat: len(emulator.users[chat].messages) for chat in chats})


async def test_one_budget_and_one_pause_for_broadcasts_edits_and_replies(
    bot: BotApplication, emulator: BotApiEmulator
) -> None:
    emulator.set_limits(global_rate=30, all_methods=True, hold_pauses=True)
    store: Store = services(bot).store
    engine: BroadcastEngine = services(bot).engine
    chats = range(60_000, 60_080)
    emulator.user(ADMIN, first_name="Admin")
    ada = emulator.user(1201, first_name="Ada")
    await onboard(ada)
    await begin_survey(ada)

    await seed_safety_residents(store, emulator, len(chats), chats.start)
    report = await bot.bot.send_message(ADMIN, "Starting…")
    broadcast = replace(
        NOTICE, report_chat_id=ADMIN, report_message_id=report.message_id, report_locale="en"
    )
    async with store.unit() as uow:
        recipients = await uow.broadcasts.audience("safety", None)
        broadcast_id = await engine.create(uow, broadcast, recipients)
    engine.wake()
    await emulator.wait_until(lambda: emulator.count("sendMessage") >= 30, timeout=10)
    emulator.inject_fault("sendMessage", chat_id=chats.stop - 1, kind="429", retry_after=2)
    # A resident answering at a person's pace while the broadcast goes and the pause holds.
    for label in (*SURVEY_CHOICES, "Done"):
        await ada.tap_button(label)
        await ada.next_reply(timeout=10)
        await asyncio.sleep(0.4)

    async def done() -> bool:
        async with store.unit() as uow:
            b = await uow.broadcasts.get(broadcast_id)
        return b is not None and b.status == "done"

    for _ in range(400):
        if await done():
            break
        await asyncio.sleep(0.05)
    assert await done()
    assert received(emulator, chats) == Counter({chat: 1 for chat in chats})
    assert emulator.calls_inside_pauses() == []
    assert emulator.count_429 == 1, emulator.errors[-3:]  # the injected one: the budget held
    assert busiest_second(emulator.calls) <= 30
    edits = [c for c in emulator.calls if c.method == "editMessageText" and c.chat_id == ADMIN]
    assert edits, "the admin's progress message was never edited"


async def test_a_bot_killed_inside_a_pause_waits_out_the_rest_after_a_restart(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    database = tmp_path / "paused.sqlite3"
    chats = range(70_000, 70_060)
    store = Store(database)
    await store.open()
    try:
        ids = await seed_safety_residents(store, emulator, len(chats), chats.start)
        async with store.unit() as uow:
            await uow.broadcasts.create(NOTICE, ids, datetime.now(UTC).isoformat())
    finally:
        await store.close()
    emulator.set_limits(global_rate=30, all_methods=True, hold_pauses=True)
    env = {
        **os.environ,
        "NV_BOT_TOKEN": emulator.token,
        "NV_API_BASE_URL": emulator.base_url,
        "NV_DATABASE": str(database),
        "NV_LOG_LEVEL": "WARNING",
        "NV_BROADCAST_RATE": "25",
    }

    async def start() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable, str(PROJECT_ROOT / "bot.py"), env=env, cwd=PROJECT_ROOT
        )

    first = await start()
    try:
        await emulator.wait_until(lambda: emulator.count("sendMessage") >= 20, timeout=20)
        emulator.inject_fault("sendMessage", kind="429", retry_after=6)
        await emulator.wait_until(lambda: emulator.count_429 >= 1, timeout=10)
        await asyncio.sleep(0.3)
        os.kill(first.pid, signal.SIGKILL)
        assert await first.wait() == -signal.SIGKILL
    finally:
        if first.returncode is None:
            first.kill()
            await first.wait()
    (refused,) = [c for c in emulator.calls if c.status == 429]

    second = await start()
    try:
        await emulator.wait_until(
            lambda: all(emulator.users[chat].messages for chat in chats), timeout=40
        )
    finally:
        second.kill()
        await second.wait()
    assert emulator.calls_inside_pauses() == []
    after_restart = [
        c
        for c in emulator.calls
        if c.arrived > refused.answered + 0.3 and c.method.lower() != "getupdates"
    ]
    assert after_restart and min(c.arrived for c in after_restart) >= refused.answered + 6
    counts = received(emulator, chats)
    assert sum(n - 1 for n in counts.values()) <= 4  # the in-flight bound of one crash
