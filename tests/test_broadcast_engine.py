"""The broadcast engine against the emulator over real HTTP (PTB's Bot as the port).

Nothing skipped, duplicates only within the stated in-flight bound after a crash, and the Bot
API's 429/403/5xx/dropped-connection answers handled as Telegram documents them.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from telegram import Bot

from bot.broadcasting.engine import BroadcastEngine, BroadcastPolicy, next_allowed
from bot.broadcasting.notices import render_broadcast
from bot.devtools.emulator import BotApiEmulator
from handlers.delivery import TelegramDelivery
from storage.models import Broadcast
from storage.repositories import Store
from tests.helpers import seed_safety_residents

# No quiet hours (start == end) and quick retries, so tests run on the real clock.
FAST = BroadcastPolicy(
    rate=200,
    per_chat_interval=0.0,
    in_flight=4,
    backoff_base=0.05,
    quiet_start=time(0),
    quiet_end=time(0),
)
NOTICE = Broadcast(
    kind="notice",
    topic="safety",
    texts={"en": "Road closed on Mare Street"},
    wards=None,
    created_by=1,
)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = Store(tmp_path / "b.sqlite3")
    await store.open()
    yield store
    await store.close()


@pytest.fixture
async def bot(emulator: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(emulator.token, base_url=emulator.base_url) as bot:
        yield bot


async def seed(
    store: Store, emulator: BotApiEmulator, count: int, first: int = 10_000
) -> list[int]:
    """Residents who opted in to safety notices, in Dalston, all reachable; their chats."""
    await seed_safety_residents(store, emulator, count, first)
    return list(range(first, first + count))


def engine_for(store: Store, bot: Bot, policy: BroadcastPolicy = FAST) -> BroadcastEngine:
    return BroadcastEngine(
        store,
        TelegramDelivery(bot),
        lambda r, b, e: render_broadcast(r, b, e, UTC),
        policy,
    )


def received(emulator: BotApiEmulator, chats: list[int]) -> Counter[int]:
    return Counter({chat: len(emulator.users[chat].messages) for chat in chats})


async def drain(store: Store, broadcast_id: int, within: float = 20.0) -> None:
    async def done() -> bool:
        async with store.unit() as uow:
            b = await uow.broadcasts.get(broadcast_id)
        return b is not None and b.status == "done"

    deadline = asyncio.get_running_loop().time() + within
    while not await done():
        assert asyncio.get_running_loop().time() < deadline, "broadcast did not finish"
        await asyncio.sleep(0.05)


async def test_every_recipient_gets_exactly_one_message_despite_429s(
    store: Store, emulator: BotApiEmulator, bot: Bot
) -> None:
    chats = await seed(store, emulator, 40)
    emulator.inject_fault("sendMessage", kind="429", times=3, retry_after=1)
    engine = engine_for(store, bot)
    await engine.start()
    try:
        broadcast_id = await engine.enqueue(NOTICE)
        await drain(store, broadcast_id)
    finally:
        await engine.stop()
    assert received(emulator, chats) == Counter({chat: 1 for chat in chats})
    assert engine.rate_limited == 3
    assert "Road closed on Mare Street" in (emulator.users[chats[0]].messages[0].text or "")


async def test_blocked_residents_are_marked_unreachable_and_skipped_later(
    store: Store, emulator: BotApiEmulator, bot: Bot
) -> None:
    chats = await seed(store, emulator, 5)
    emulator.block(chats[0])
    engine = engine_for(store, bot)
    await engine.start()
    try:
        first = await engine.enqueue(NOTICE)
        await drain(store, first)
        async with store.unit() as uow:
            stats = await uow.broadcasts.stats(first, datetime.now(UTC).isoformat())
            blocked = await uow.residents.by_chat(chats[0])
        assert (stats.sent, stats.blocked) == (4, 1)
        assert blocked is not None and blocked.unreachable
        second = await engine.enqueue(NOTICE)
        await drain(store, second)
        async with store.unit() as uow:
            assert (await uow.broadcasts.stats(second, datetime.now(UTC).isoformat())).total == 4
    finally:
        await engine.stop()


async def test_network_errors_and_5xx_are_retried_then_fail_after_the_bound(
    store: Store, emulator: BotApiEmulator, bot: Bot
) -> None:
    chats = await seed(store, emulator, 3)
    emulator.inject_fault("sendMessage", chat_id=chats[0], kind="502", times=2)
    emulator.inject_fault("sendMessage", chat_id=chats[1], kind="drop", times=1)
    emulator.inject_fault("sendMessage", chat_id=chats[2], kind="500", times=None)
    engine = engine_for(store, bot, replace(FAST, max_attempts=3))
    await engine.start()
    try:
        broadcast_id = await engine.enqueue(NOTICE)
        await drain(store, broadcast_id)
    finally:
        await engine.stop()
    assert received(emulator, chats) == Counter({chats[0]: 1, chats[1]: 1, chats[2]: 0})
    async with store.unit() as uow:
        stats = await uow.broadcasts.stats(broadcast_id, datetime.now(UTC).isoformat())
    assert (stats.sent, stats.failed) == (2, 1)
    assert emulator.count("sendMessage") >= 2 + 1 + 3


async def test_a_crash_mid_broadcast_resumes_without_gaps_and_within_the_duplicate_bound(
    store: Store, emulator: BotApiEmulator, bot: Bot
) -> None:
    chats = await seed(store, emulator, 120)
    slow = replace(FAST, rate=60)
    engine = engine_for(store, bot, slow)
    await engine.start()
    broadcast_id = await engine.enqueue(NOTICE)
    await emulator.wait_until(lambda: emulator.count("sendMessage") >= 40, timeout=10)
    # A crash: workers die wherever they are, rows they hold stay 'sending'.
    await engine.stop()
    async with store.unit() as uow:
        stats = await uow.broadcasts.stats(broadcast_id, datetime.now(UTC).isoformat())
    assert stats.remaining > 0

    restarted = engine_for(store, bot, slow)
    await restarted.start()
    try:
        await drain(store, broadcast_id)
    finally:
        await restarted.stop()
    counts = received(emulator, chats)
    assert all(counts[chat] >= 1 for chat in chats), "a recipient was skipped"
    duplicates = sum(n - 1 for n in counts.values())
    assert duplicates <= slow.in_flight


async def test_quiet_hours_hold_ordinary_notices_but_not_urgent_ones(
    store: Store, emulator: BotApiEmulator, bot: Bot
) -> None:
    chats = await seed(store, emulator, 3)
    night = BroadcastPolicy(rate=200, per_chat_interval=0, quiet_start=time(21), quiet_end=time(8))
    engine = BroadcastEngine(
        store,
        TelegramDelivery(bot),
        lambda r, b, e: render_broadcast(r, b, e, UTC),
        night,
        now=lambda: datetime(2026, 11, 25, 23, 30, tzinfo=UTC),
    )
    await engine.start()
    try:
        held = await engine.enqueue(NOTICE)
        urgent = await engine.enqueue(replace(NOTICE, urgent=True))
        await drain(store, urgent)
        async with store.unit() as uow:
            stats = await uow.broadcasts.stats(held, "2026-11-25T23:30:00")
    finally:
        await engine.stop()
    assert stats.held == 3 and stats.sent == 0
    assert received(emulator, chats) == Counter({chat: 1 for chat in chats})
    assert "Urgent" in (emulator.users[chats[0]].messages[0].text or "")


def test_next_allowed_moves_night_to_morning_in_local_time() -> None:
    from zoneinfo import ZoneInfo

    london = BroadcastPolicy(timezone=ZoneInfo("Europe/London"))
    evening = datetime(2026, 7, 1, 20, 30, tzinfo=UTC)  # 21:30 BST
    assert next_allowed(evening, london) == datetime(2026, 7, 2, 7, 0, tzinfo=UTC)
    early = datetime(2026, 12, 1, 7, 59, tzinfo=UTC)  # 07:59 GMT
    assert next_allowed(early, london) == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    day = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert next_allowed(day, london) == day


async def test_weekly_cap_skips_residents_who_had_enough(
    store: Store, emulator: BotApiEmulator, bot: Bot
) -> None:
    chats = await seed(store, emulator, 2)
    capped = replace(FAST, weekly_cap=1)
    engine = BroadcastEngine(
        store,
        TelegramDelivery(bot),
        lambda r, b, e: render_broadcast(r, b, e, UTC),
        capped,
    )
    await engine.start()
    try:
        await drain(store, await engine.enqueue(NOTICE))
        second = await engine.enqueue(NOTICE)
        await drain(store, second)
        urgent = await engine.enqueue(replace(NOTICE, urgent=True))
        await drain(store, urgent)
        async with store.unit() as uow:
            stats = await uow.broadcasts.stats(second, datetime.now(UTC).isoformat())
    finally:
        await engine.stop()
    assert stats.skipped == 2
    assert received(emulator, chats) == Counter({chat: 2 for chat in chats})  # first + urgent


async def test_the_global_pace_holds_against_an_emulator_that_enforces_limits(
    store: Store, tmp_path: Path
) -> None:
    async with BotApiEmulator(global_rate=30, per_chat_rate=1) as limited:
        chats = await seed(store, limited, 60, first=50_000)
        async with Bot(limited.token, base_url=limited.base_url) as bot:
            engine = engine_for(store, bot, replace(FAST, rate=25, per_chat_interval=1.0))
            await engine.start()
            try:
                started = asyncio.get_running_loop().time()
                await drain(store, await engine.enqueue(NOTICE))
                elapsed = asyncio.get_running_loop().time() - started
            finally:
                await engine.stop()
        assert limited.count_429 == 0
        assert received(limited, chats) == Counter({chat: 1 for chat in chats})
        assert elapsed >= 59 / 25 - 0.1  # never faster than the configured pace
