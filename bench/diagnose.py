"""Diagnosis for the notes: how long units of work wait for, and hold, the database lock.

The bot shares one SQLite connection behind one ``asyncio.Lock`` (``storage.database``); every
unit of work holds it from ``BEGIN IMMEDIATE`` to ``COMMIT``. When figures fall short, the time
spent holding it per update or per message says whether the database is the bottleneck.

:func:`install` wraps ``Database.transaction`` and aiosqlite's call queue *in the current process
only*; the product code is unchanged. The wrappers cost a few microseconds per call.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiosqlite

from storage.database import Database

__all__ = ["LockTimes", "install"]


@dataclass
class LockTimes:
    waits: list[float] = field(default_factory=list)
    holds: list[float] = field(default_factory=list)
    sqlite_calls: int = 0

    def summary(self) -> dict[str, Any]:
        def pct(values: list[float], q: float) -> float:
            ordered = sorted(values)
            return round(1000 * ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))], 3)

        return {
            "transactions": len(self.holds),
            "sqlite_calls": self.sqlite_calls,
            "sqlite_calls_per_transaction": round(self.sqlite_calls / max(1, len(self.holds)), 1),
            "hold_ms": {str(q): pct(self.holds, q) for q in (50, 90, 99)} if self.holds else {},
            "wait_ms": {str(q): pct(self.waits, q) for q in (50, 90, 99)} if self.waits else {},
            "hold_total_s": round(sum(self.holds), 3),
        }


def install() -> LockTimes:
    """Start timing every transaction in this process; returns the live record."""
    times = LockTimes()
    original = Database.transaction
    original_execute = aiosqlite.Connection._execute

    async def counting_execute(self: aiosqlite.Connection, fn: Any, *args: Any) -> Any:
        times.sqlite_calls += 1
        return await original_execute(self, fn, *args)

    @asynccontextmanager
    async def timed(self: Database) -> AsyncIterator[aiosqlite.Connection]:
        asked = time.perf_counter()
        async with original(self) as conn:
            got = time.perf_counter()
            times.waits.append(got - asked)
            try:
                yield conn
            finally:
                times.holds.append(time.perf_counter() - got)

    Database.transaction = timed  # type: ignore[method-assign]  # patched to time every transaction
    aiosqlite.Connection._execute = counting_execute  # type: ignore[method-assign]  # patched to count SQLite calls
    return times
