"""Figure 4: one ward's digest over ~1,000,000 stored answers (``bench/digest_data.py``).

Ours: ``DigestService.ward_digest`` exactly as the bot builds it (from ``build_application``),
for the busiest ward and the latest closed week, inside one unit of work as ``/digest`` runs it:
the period check, the raw counts, comments and RSVPs for this week *and* the week before (the
digest compares them), disclosure control, storing the published figures. Before every run the
stored figures are deleted, so each run computes rather than reusing a published snapshot. The
median of up to five further runs is reported (fewer if they are slow); the first (cold) run is
kept in the notes.

Baseline: one hand-written SQL aggregate over the same data (the ward's answers in the same two
weeks, grouped by week, question, choice and value), run with plain ``sqlite3``.
"""

from __future__ import annotations

import asyncio
import sqlite3
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench.common import TOKEN, Result
from bench.digest_data import generate
from bot.app import build_application, prepare, services
from bot.digests.disclosure import Period
from bot.digests.service import DigestService
from bot.i18n import use_locale
from bot.settings import Settings
from storage.repositories import Store

__all__ = ["run"]

RUNS = 5
BUDGET = 30.0  # seconds of repetitions at most (beyond the first two runs) per measurement

HAND_WRITTEN = (
    "SELECT r.submitted_at >= ? AS this_week, a.question_id, a.choice_id, a.value, COUNT(*) "
    "FROM responses r JOIN answers a ON a.response_id = r.id "
    "WHERE r.ward_id = ? AND r.survey_id = ? AND r.submitted_at >= ? AND r.submitted_at < ? "
    "GROUP BY 1, 2, 3, 4"
)


def _busiest_ward(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        counts = Counter(dict(conn.execute("SELECT ward_id, COUNT(*) FROM responses GROUP BY 1")))
    return counts.most_common(1)[0][0]


def _hand_written(path: Path, ward: str, bounds: tuple[str, str, str]) -> tuple[float, int]:
    start, middle, end = bounds
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        times = []
        rows = 0
        for _ in range(RUNS + 1):
            started = time.perf_counter()
            result = conn.execute(
                HAND_WRITTEN, (middle, ward, "local-priorities", start, end)
            ).fetchall()
            times.append(time.perf_counter() - started)
            rows = sum(int(r[4]) for r in result)
    finally:
        conn.close()
    return statistics.median(times[1:]), rows


async def _repeat(
    forget: Callable[[], Awaitable[None]], action: Callable[[], Awaitable[None]], budget: float
) -> tuple[float, list[float]]:
    """(first run, later runs): up to RUNS more, fewer once ``budget`` seconds are spent."""
    times: list[float] = []
    spent = time.perf_counter()
    while len(times) < RUNS + 1 and (len(times) < 2 or time.perf_counter() - spent < budget):
        await forget()
        started = time.perf_counter()
        await action()
        times.append(time.perf_counter() - started)
    return times[0], times[1:]


async def _queries(
    store: Store, service: DigestService, ward: str, period: Period
) -> dict[str, float]:
    """For the notes: each read of a digest of ``period`` and the period before, on its own."""
    previous = service.previous_of(period)
    start = previous.utc_bounds(service.timezone)[0].isoformat(timespec="seconds")
    middle, end = (m.isoformat(timespec="seconds") for m in period.utc_bounds(service.timezone))
    bounds = (start, middle, end)
    survey = service.survey
    text = next(q.id for q in survey.questions if q.kind == "text")
    multi = next(q.id for q in survey.questions if q.kind == "multi")
    spent: dict[str, float] = {}
    async with store.unit() as uow:
        for name, query in (
            ("counts", lambda: uow.digests.counts((ward,), bounds, survey.id)),
            ("comments", lambda: uow.digests.comments((ward,), bounds, survey.id, text, multi)),
            ("rsvps", lambda: uow.digests.rsvps((ward,), bounds)),
            ("event names", uow.events.names),
            ("published periods", lambda: uow.digests.published_periods(ward)),
        ):
            times = []
            for _ in range(RUNS + 1):
                started = time.perf_counter()
                await query()
                times.append(time.perf_counter() - started)
            spent[name] = round(1000 * statistics.median(times[1:]), 3)
    return spent


async def _ours(path: Path, ward: str) -> dict[str, object]:
    settings = Settings.defaults(
        bot_token=TOKEN, database_path=path, api_base_url="http://127.0.0.1:9/bot"
    )
    application = build_application(prepare(settings))
    store: Store = services(application).store
    service = services(application).digests
    period = service.recent_periods(1)[0]
    previous = service.previous_of(period)
    seen: dict[str, object] = {}

    async def forget(only_this_week: bool = False) -> None:
        """Delete published figures, so the next digest computes them again."""
        sql = "DELETE FROM published_digests"
        params: tuple[str, ...] = ()
        if only_this_week:
            sql += " WHERE period_start = ?"
            params = (period.start.isoformat(),)
        async with store.database.transaction() as conn:
            await conn.execute(sql, params)

    async def forget_this_week() -> None:
        await forget(only_this_week=True)

    async def keep() -> None:
        """Forget nothing: the figures stored by the run before are reused."""

    async def digest() -> None:
        async with store.unit() as uow:
            made = await service.ward_digest(uow, ward, period)
        assert made is not None
        seen.update(responses=made.raw_total, withheld=made.withheld)

    async def deliver() -> None:
        with use_locale("en"):
            async with store.unit() as uow:
                digests = await service.gather(uow, 1, [ward], period, scope=ward)
            messages = await service.render(digests, period)
        assert messages

    await store.open()
    try:
        cold, warm = await _repeat(forget, digest, BUDGET)
        # Steady state: last week's figures were published by last week's digest, so only
        # this week is computed.
        await forget()
        async with store.unit() as uow:
            await service.ward_digest(uow, ward, previous)
        _first, steady = await _repeat(forget_this_week, digest, BUDGET / 2)
        # Both weeks published (the weekly job has run, or an officer asks again): reused.
        _first, reused = await _repeat(keep, digest, BUDGET / 2)
        delivered_first, delivered = await _repeat(forget, deliver, BUDGET / 2)
        breakdown = await _queries(store, service, ward, period)
    finally:
        await store.close()
    utc = [m.isoformat(timespec="seconds") for m in previous.utc_bounds(settings.timezone)]
    this = [m.isoformat(timespec="seconds") for m in period.utc_bounds(settings.timezone)]
    return {
        "cold": cold,
        "median": statistics.median(warm),
        "runs": len(warm),
        "steady_median": statistics.median(steady),
        "reused_median": statistics.median(reused),
        "delivered_median": statistics.median(delivered),
        "delivered_first": delivered_first,
        "responses_this_week": seen["responses"],
        "withheld": seen["withheld"],
        "bounds": (utc[0], this[0], this[1]),
        "queries_ms": breakdown,
        "period": f"{period.start.isoformat()} to {period.last_day.isoformat()}",
    }


def _ms(seconds: object, digits: int) -> float:
    """One of the times ``_ours`` measured (seconds), in milliseconds for the notes."""
    assert isinstance(seconds, float)
    return round(1000 * seconds, digits)


def run(quick: bool) -> list[Result]:
    target_answers = 50_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory(prefix="nv-bench-digest-") as tmp:
        path = Path(tmp) / "digest.sqlite3"
        made = generate(path, answers=target_answers)
        ward = _busiest_ward(path)
        ours = asyncio.run(_ours(path, ward))
        bounds = ours["bounds"]
        assert isinstance(bounds, tuple)
        sql_seconds, sql_rows = _hand_written(path, ward, bounds)
        sql_one_week, _rows = _hand_written(path, ward, (bounds[1], bounds[1], bounds[2]))
    ours_seconds = ours["median"]
    assert isinstance(ours_seconds, float)
    extra = {
        "answers": made.answers,
        "responses": made.responses,
        "residents": made.respondents,
        "wards": len(made.wards),
        "generation_seconds": round(made.seconds, 1),
        "ward": ward,
        "period": ours["period"],
        "responses_this_week": ours["responses_this_week"],
        "withheld_for_small_counts": ours["withheld"],
        "answers_in_two_weeks": sql_rows,
        "runs": ours["runs"],
        "ours_cold_ms": _ms(ours["cold"], 1),
        "reads_ms": ours["queries_ms"],
        "steady_ms": _ms(ours["steady_median"], 2),
        "reused_ms": _ms(ours["reused_median"], 2),
        "sql_one_week_ms": round(1000 * sql_one_week, 3),
        "delivered_ms": _ms(ours["delivered_median"], 1),
        "delivered_first_ms": _ms(ours["delivered_first"], 1),
    }
    return [
        Result(
            "Digest, one ward",
            "ms",
            1000 * ours_seconds,
            1000 * sql_seconds,
            better="lower",
            value_target=1000.0,
            ratio_target=1.5,
            target_text="< 1000 ms and ratio ≤ 1.5",
            precision=2,
            extra=extra,
        )
    ]
