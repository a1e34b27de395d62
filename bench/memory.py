"""Figure 6: resident set size of the bot with 10,000 residents part-way through the survey.

10,000 signed-up residents, each at the survey's second question with the first answered, are
written straight through the repositories. The production bot (its own process, as in figure 1)
starts on that database; its idle RSS is the baseline. Then a sample of them come back: each
sends ``/survey`` (the bot reads their place from the database and shows the question again)
and answers it with a tap. RSS is read from /proc after a small warm-up group and after the whole
sample, so one-off start-up costs (first use of a locale, caches) are told apart from anything
that grows with the number of residents. Conversation state lives in the database, so RSS
should stay near the idle figure.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from bench.common import TOKEN, Result
from bench.harness import Steps, bot_process
from bench.seeding import LOCALES, seed_residents
from bot.devtools.emulator import BotApiEmulator, EmulatedUser
from storage.repositories import Store

__all__ = ["run"]

FIRST_CHAT_ID = 30_000_000
STEP = "safety_after_dark"  # question 2: the priorities are answered
CONCURRENCY = 200
SETTLE_SECONDS = 2.0


async def _come_back(users: list[EmulatedUser]) -> list[float]:
    """Each resident: /survey (shown where they were), then answers the question."""
    gate = asyncio.Semaphore(CONCURRENCY)
    latencies: list[float] = []

    async def one(user: EmulatedUser) -> None:
        async with gate:
            steps = Steps(user, latencies)
            await steps.command("/survey")
            await steps.tap("scale", "3")

    await asyncio.gather(*(one(user) for user in users))
    return latencies


async def _run(residents: int, sample: int, warm: int) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="nv-bench-memory-") as tmp:
        path = Path(tmp) / "nv.sqlite3"
        store = Store(path)
        await store.open()
        seeded = time.perf_counter()
        chat_ids = await seed_residents(store, residents, first_chat_id=FIRST_CHAT_ID, step=STEP)
        seeded = time.perf_counter() - seeded
        await store.close()
        async with (
            BotApiEmulator(token=TOKEN, record_requests=False) as emulator,
            bot_process("bare", emulator) as bare,
        ):
            await asyncio.sleep(SETTLE_SECONDS)
            bare_idle = bare.rss_mib()
        async with (
            BotApiEmulator(token=TOKEN, record_requests=False) as emulator,
            bot_process("ours", emulator, db=path) as bot,
        ):
            await asyncio.sleep(SETTLE_SECONDS)
            idle = bot.rss_mib()
            users = [
                emulator.user(chat_id, first_name="R", language_code=LOCALES[n % len(LOCALES)])
                for n, chat_id in enumerate(chat_ids[:sample])
            ]
            await _come_back(users[:warm])
            await asyncio.sleep(SETTLE_SECONDS)
            after_warm = bot.rss_mib()
            middle = (warm + sample) // 2
            started = time.perf_counter()
            latencies = await _come_back(users[warm:middle])
            await asyncio.sleep(SETTLE_SECONDS)
            after_half = bot.rss_mib()
            latencies += await _come_back(users[middle:])
            seconds = time.perf_counter() - started - SETTLE_SECONDS
            await asyncio.sleep(SETTLE_SECONDS)
            after = bot.rss_mib()
            peak = bot.peak_rss_mib()
    per_resident_kib = 1024 * (after - after_warm) / max(1, sample - warm)
    first_half_kib = 1024 * (after_half - after_warm) / max(1, middle - warm)
    second_half_kib = 1024 * (after - after_half) / max(1, sample - middle)
    extra = {
        "residents_mid_survey": residents,
        "sample_returning": sample,
        "warm_up_group": warm,
        "updates_after_warm_up": len(latencies),
        "updates_per_s_after_warm_up": round(len(latencies) / seconds, 1),
        "seconds_seeding": round(seeded, 2),
        "idle_mib": round(idle, 1),
        "after_warm_up_mib": round(after_warm, 1),
        "middle": middle,
        "after_half_mib": round(after_half, 1),
        "growth_first_half_kib": round(first_half_kib, 2),
        "growth_second_half_kib": round(second_half_kib, 2),
        "after_sample_mib": round(after, 1),
        "peak_mib": round(peak, 1),
        "growth_per_returning_resident_kib": round(per_resident_kib, 2),
        "bare_ptb_idle_mib": round(bare_idle, 1),
    }
    return [
        Result(
            "Memory, bot RSS, residents mid-survey",
            "MiB",
            after,
            idle,
            better="lower",
            extra=extra,
        )
    ]


def run(quick: bool) -> list[Result]:
    if quick:
        return asyncio.run(_run(residents=500, sample=100, warm=20))
    return asyncio.run(_run(residents=10_000, sample=2_000, warm=200))
