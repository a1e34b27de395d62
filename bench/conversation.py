"""Figure 1: many residents completing the whole sign-up and survey at once, through the emulator.

Ours is the production application; the baseline is a bare python-telegram-bot bot with a
three-step ConversationHandler and no storage (``bench/botproc.py``). Each runs in its own
process with the same concurrency, polling its own emulator in this process, and each resident
sends the same number of updates (18): one command, then taps (ours also two texts: a
postcode, which the area question asks for first, and a comment). The baseline resident goes
round its three-step conversation until it has sent as many updates as ours.

Latency is from queueing a resident's update at the emulator to the *whole* answer arriving
there (every message the bot sends or edits for that step), the way a resident waits for the
next question. Throughput is updates handled per second of wall time, all residents together.
"""

from __future__ import annotations

import asyncio
import json
import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import CONVERSATION_ROUNDS, TOKEN, Result, cpu_seconds, percentile
from bench.harness import Steps, bot_process
from bench.language import load_samples
from bot.devtools.emulator import BotApiEmulator, EmulatedUser
from bot.residents.safeguarding import Safeguarding

__all__ = ["OURS_UPDATES", "run"]

WARM_UP_RESIDENTS = 4
# The bare bot is the same code in every round, so the spread of its rates is the machine's.
# Beyond this share (fastest round over slowest, minus one) a run cannot judge a ratio target
# of 0.85: the rounds disagree by more than the target's margin.
NOISE_LIMIT = 0.15
FIRST_USER_ID = 5_000_000


async def ours_resident(steps: Steps, language: str, comment: str) -> None:
    """Sign-up and the whole survey by button ids, as tests/test_languages.py does."""
    await steps.command("/start")
    await steps.tap("yes")
    await steps.tap("lang", language)
    await steps.text("E8 1DY")  # the area question asks for a postcode first
    await steps.tap("ward", "dalston")  # one of the postcode's wards
    await steps.tap("age", "35_44")
    await steps.tap("toggle", "events")
    await steps.tap("done")
    await steps.tap("survey")
    await steps.tap("pick", "drugs")
    await steps.tap("pick", "asb")
    await steps.tap("done")
    await steps.tap("scale", "4")
    for choice in ("strongly_agree", "neither", "disagree"):
        await steps.tap("pick", choice)
    await steps.text(comment)
    await steps.tap("confirm")


OURS_UPDATES = 18  # the steps above


async def bare_resident(steps: Steps, language: str, comment: str) -> None:
    """The bare bot's three steps, round and round, for as many updates as ours sends."""
    sent = 0
    while sent < OURS_UPDATES:
        await steps.command("/start")
        sent += 1
        for step in range(1, 4):
            if sent == OURS_UPDATES:
                break
            await steps.tap_data(f"b:{step}:{'abc'[step - 1]}")
            sent += 1


Resident = Callable[[Steps, str, str], Awaitable[None]]


@dataclass
class Run:
    updates: int
    seconds: float
    latencies: list[float]
    bot_cpu: float
    driver_cpu: float
    loop_cpu: float  # the part of bot_cpu spent by the bot's event loop thread
    lock: dict[str, Any] | None = None
    api_calls: int = 0
    polls: int = 0

    @property
    def rate(self) -> float:
        return self.updates / self.seconds


def _residents(
    emulator: BotApiEmulator, first_id: int, count: int, samples: list[tuple[str, str]]
) -> list[tuple[EmulatedUser, str, str]]:
    # A comment that reads as an emergency gets a "call 999" message first: one more reply
    # than the fixed steps expect, so those comments are left out here.
    safeguarding = Safeguarding.load()
    by_language: dict[str, list[str]] = {}
    for language, text in samples:
        if not safeguarding.check(text):
            by_language.setdefault(language, []).append(text)
    languages = sorted(by_language)
    rng = random.Random(first_id)
    chosen = []
    for n in range(count):
        language = languages[n % len(languages)]
        user = emulator.user(first_id + n, first_name="R", language_code=language)
        chosen.append((user, language, rng.choice(by_language[language])))
    return chosen


async def _drive(
    kind: str, resident: Resident, residents: int, samples: list[tuple[str, str]]
) -> Run:
    with tempfile.TemporaryDirectory(prefix="nv-bench-conv-") as tmp:
        lock_stats = Path(tmp) / "lock.json" if kind == "ours" else None
        async with (
            BotApiEmulator(token=TOKEN, record_requests=False) as emulator,
            bot_process(kind, emulator, db=Path(tmp) / "nv.sqlite3", lock_stats=lock_stats) as bot,
        ):
            warm = _residents(emulator, FIRST_USER_ID, WARM_UP_RESIDENTS, samples)
            await asyncio.gather(*(resident(Steps(u), lang, c) for u, lang, c in warm))
            crowd = _residents(emulator, FIRST_USER_ID + 1000, residents, samples)
            all_steps = [Steps(user) for user, _lang, _c in crowd]
            bot_cpu, loop_cpu, driver_cpu = (
                bot.cpu_seconds(),
                bot.loop_cpu_seconds(),
                cpu_seconds(),
            )
            calls, polls = _api_calls(emulator), emulator.count("getUpdates")
            started = time.perf_counter()
            await asyncio.gather(
                *(
                    resident(steps, language, comment)
                    for steps, (_user, language, comment) in zip(all_steps, crowd, strict=True)
                )
            )
            seconds = time.perf_counter() - started
            bot_cpu, driver_cpu = bot.cpu_seconds() - bot_cpu, cpu_seconds() - driver_cpu
            loop_cpu = bot.loop_cpu_seconds() - loop_cpu
            calls = _api_calls(emulator) - calls
            polls = emulator.count("getUpdates") - polls
        lock = json.loads(lock_stats.read_text()) if lock_stats and lock_stats.exists() else None
    latencies = [lat for steps in all_steps for lat in steps.latencies]
    return Run(
        len(latencies), seconds, latencies, bot_cpu, driver_cpu, loop_cpu, lock, calls, polls
    )


_ANSWERING = (
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "answerCallbackQuery",
    "sendPhoto",
    "sendDocument",
    "deleteMessage",
    "sendChatAction",
)


_RESIDENTS: dict[str, Resident] = {"bare": bare_resident, "ours": ours_resident}


def _api_calls(emulator: BotApiEmulator) -> int:
    """Bot API calls that answer residents (polling not included)."""
    return sum(emulator.count(method) for method in _ANSWERING)


async def _run(residents: int, rounds: int) -> list[Result]:
    """``rounds`` pairs of rounds, bare and ours back to back; the median pair is reported.

    The machine's speed drifts over a run by ±10 % (other work on a shared machine; the first
    round was often the fastest), so comparing each bot's best round compares different
    moments. So
    each pair runs back to back, the order alternating (bare first, then ours first, …), and
    the pair whose ratio is the median of all pairs' ratios gives the figures.
    """
    samples = load_samples()
    bares: list[Run] = []
    ourses: list[Run] = []
    for round_number in range(rounds):
        kinds = ("bare", "ours") if round_number % 2 == 0 else ("ours", "bare")
        pair = {kind: await _drive(kind, _RESIDENTS[kind], residents, samples) for kind in kinds}
        bares.append(pair["bare"])
        ourses.append(pair["ours"])
    ratios = [o.rate / b.rate for o, b in zip(ourses, bares, strict=True)]
    middle = sorted(range(rounds), key=ratios.__getitem__)[rounds // 2]
    ours, bare = ourses[middle], bares[middle]
    sizes = {
        "residents": residents,
        "rounds": rounds,
        "ours_rates": [round(r.rate, 1) for r in ourses],
        "bare_rates": [round(r.rate, 1) for r in bares],
        "pair_ratios": [round(r, 3) for r in ratios],
        "reported_pair": middle + 1,
        "pair_ratio_range": [round(min(ratios), 3), round(max(ratios), 3)],
        "bare_spread": round(max(b.rate for b in bares) / min(b.rate for b in bares) - 1, 3),
        "noise_limit": NOISE_LIMIT,
        "updates_per_resident": OURS_UPDATES,
        "updates": ours.updates,
        "ours_seconds": round(ours.seconds, 2),
        "bare_seconds": round(bare.seconds, 2),
        "ours_bot_cpu_ms_per_update": round(1000 * ours.bot_cpu / ours.updates, 3),
        "bare_bot_cpu_ms_per_update": round(1000 * bare.bot_cpu / bare.updates, 3),
        "ours_loop_cpu_ms_per_update": round(1000 * ours.loop_cpu / ours.updates, 3),
        "bare_loop_cpu_ms_per_update": round(1000 * bare.loop_cpu / bare.updates, 3),
        "ours_bot_cores": round(ours.bot_cpu / ours.seconds, 2),
        "bare_bot_cores": round(bare.bot_cpu / bare.seconds, 2),
        "ours_driver_cpu_ms_per_update": round(1000 * ours.driver_cpu / ours.updates, 3),
        "bare_driver_cpu_ms_per_update": round(1000 * bare.driver_cpu / bare.updates, 3),
        "ours_api_calls_per_update": round(ours.api_calls / ours.updates, 2),
        "bare_api_calls_per_update": round(bare.api_calls / bare.updates, 2),
        "ours_updates_per_poll": round(ours.updates / max(1, ours.polls), 1),
        "bare_updates_per_poll": round(bare.updates / max(1, bare.polls), 1),
        "ours_db_lock": ours.lock,
    }
    results = [
        Result(
            "Conversation throughput",
            "updates/s",
            ours.rate,
            bare.rate,
            better="higher",
            ratio_target=0.85,
            target_text="ratio ≥ 0.85",
            extra=sizes,
        )
    ]
    for q, bound in ((50, 1.2), (99, 1.25)):
        results.append(
            Result(
                f"Conversation latency p{q}",
                "ms",
                1000 * percentile(ours.latencies, q),
                1000 * percentile(bare.latencies, q),
                better="lower",
                ratio_target=bound,
                target_text=f"ratio ≤ {bound}",
            )
        )
    return results


def run(quick: bool) -> list[Result]:
    if quick:
        return asyncio.run(_run(residents=20, rounds=1))
    return asyncio.run(_run(residents=200, rounds=CONVERSATION_ROUNDS))
