"""Figure 3: one broadcast to 10,000 residents under Telegram-style flood limits.

The production ``BroadcastEngine`` with the production ``TelegramDelivery`` (a PTB ``Bot``)
sends a non-urgent safety notice to every resident, against the emulator enforcing a global
limit and a per-chat limit of one message a second, answering 429 with ``retry_after`` above
them. Residents are written straight through the repositories (``storage.repositories.Store``).

Telegram allows about 30 messages a second and the bot is configured for 25 (5/6 of it), so
10,000 recipients would take 400 s, most of the benchmark's 10-minute budget. Both the
emulator's global limit and the engine's configured rate are therefore scaled by the same factor
(default: limit 120/s, configured 100/s, the same 5/6); the figure is achieved over configured
rate, which the scaling keeps meaningful, and it is 4 times harder for the engine's own
per-message work than the production rate. ``--broadcast-rate 25 --broadcast-limit 30`` runs
the production figures instead.

Duplicates and losses are counted from what each emulated chat received; the outbox rows are
checked too.
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
import time
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

from telegram import Bot

from bench.common import TOKEN, Result
from bench.diagnose import install
from bench.seeding import seed_residents
from bot.broadcasting.engine import BroadcastEngine, BroadcastPolicy
from bot.broadcasting.notices import render_broadcast
from bot.devtools.emulator import BotApiEmulator
from bot.i18n import load_catalogs
from handlers.delivery import TelegramDelivery
from storage.models import Broadcast
from storage.repositories import Store

__all__ = ["run"]

FIRST_CHAT_ID = 20_000_000
TZ = ZoneInfo("Europe/London")
NOTICE = {
    "en": "The footbridge over the canal at Kingsland Road is closed for repairs until Friday. "
    "Please use the Whiston Road crossing instead.",
}


async def _run(recipients: int, rate: float, limit: float) -> list[Result]:
    load_catalogs()
    with tempfile.TemporaryDirectory(prefix="nv-bench-broadcast-") as tmp:
        store = Store(Path(tmp) / "nv.sqlite3")
        await store.open()
        seeded = time.perf_counter()
        chat_ids = await seed_residents(
            store, recipients, first_chat_id=FIRST_CHAT_ID, step=None, topic="safety"
        )
        seeded = time.perf_counter() - seeded
        lock = install()  # diagnosis: database lock time per message (see bench/diagnose.py)
        async with BotApiEmulator(
            token=TOKEN, global_rate=limit, per_chat_rate=1, record_requests=False
        ) as emulator:
            for chat_id in chat_ids:
                emulator.user(chat_id, first_name="R")
            policy = BroadcastPolicy(
                rate=rate,
                in_flight=4,  # NV_BROADCAST_IN_FLIGHT's default
                quiet_start=clock_time(0, 0),  # no quiet hours: the run must not depend on
                quiet_end=clock_time(0, 0),  # the time of day it happens at
                timezone=TZ,
            )
            async with Bot(TOKEN, base_url=emulator.base_url) as bot:
                engine = BroadcastEngine(
                    store,
                    TelegramDelivery(bot),
                    lambda resident, broadcast, event: render_broadcast(
                        resident, broadcast, event, TZ
                    ),
                    policy,
                )
                await engine.start()
                try:
                    timing = await _send(emulator, engine, recipients, rate)
                finally:
                    await engine.stop()
            received = [len(emulator.users[c].messages) for c in chat_ids]
            count_429 = emulator.count_429
        locked = lock.summary()
        stats_ms = await _stats_query_ms(store)
        await store.close()
        with sqlite3.connect(Path(tmp) / "nv.sqlite3") as conn:
            statuses = dict(conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status"))
    first, last, enqueue_seconds = timing
    achieved = (recipients - 1) / (last - first) if last > first else float("nan")
    duplicates = sum(max(0, n - 1) for n in received)
    losses = sum(1 for n in received if n == 0)
    extra = {
        "recipients": recipients,
        "configured_rate": rate,
        "emulator_global_limit": limit,
        "emulator_per_chat_limit": 1,
        "in_flight": 4,
        "seconds_sending": round(last - first, 2),
        "seconds_enqueue": round(enqueue_seconds, 3),
        "seconds_seeding": round(seeded, 2),
        "outbox": statuses,
        "engine_rate_limited": engine.rate_limited,
        "db_lock": locked,
        "db_lock_ms_per_message": round(1000 * locked["hold_total_s"] / recipients, 2),
        "stats_query_ms_over_whole_outbox": round(stats_ms, 2),
    }
    return [
        Result(
            "Broadcast rate, achieved/configured",
            "msg/s",
            achieved,
            rate,
            better="higher",
            ratio_target=0.95,
            target_text="ratio ≥ 0.95",
            extra=extra,
        ),
        Result("Broadcast 429s received", "count", count_429, None, better="lower", precision=0),
        Result(
            "Broadcast duplicates",
            "count",
            duplicates,
            None,
            better="lower",
            must_equal=0,
            target_text="= 0",
            precision=0,
        ),
        Result(
            "Broadcast losses",
            "count",
            losses,
            None,
            better="lower",
            must_equal=0,
            target_text="= 0",
            precision=0,
        ),
    ]


async def _stats_query_ms(store: Store) -> float:
    """One progress-statistics query over the finished broadcast's whole outbox."""
    async with store.unit() as uow:
        ids = await uow.broadcasts.active() or [
            b.id for b in await uow.broadcasts.recent(1) if b.id is not None
        ]
        started = time.perf_counter()
        for broadcast_id in ids[:1]:
            await uow.broadcasts.stats(broadcast_id, "9999-12-31T00:00:00+00:00")
        return 1000 * (time.perf_counter() - started)


async def _send(
    emulator: BotApiEmulator, engine: BroadcastEngine, recipients: int, rate: float
) -> tuple[float, float, float]:
    """Enqueue the broadcast; (first delivery, last delivery, enqueue seconds), monotonic."""

    def delivered() -> int:
        # Every sendMessage is a recipient's notice; errors (429s) are the ones not delivered.
        return emulator.count("sendMessage") - len(emulator.errors)

    broadcast = Broadcast(kind="notice", topic="safety", texts=NOTICE, wards=None, created_by=1)
    started = time.perf_counter()
    await engine.enqueue(broadcast)
    enqueue_seconds = time.perf_counter() - started
    deadline = started + 60 + 2 * recipients / rate
    first = last = 0.0
    while time.perf_counter() < deadline:
        done = delivered()
        now = time.perf_counter()
        if done and not first:
            first = now
        if done >= recipients:
            last = now
            break
        await asyncio.sleep(0.005)
    else:
        raise TimeoutError(f"only {delivered()} of {recipients} delivered in time")
    await asyncio.sleep(2.0)  # anything sent twice would arrive now
    return first, last, enqueue_seconds


def run(quick: bool, rate: float = 100.0, limit: float = 120.0) -> list[Result]:
    return asyncio.run(_run(300 if quick else 10_000, rate, limit))
