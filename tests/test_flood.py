"""The flood gate called directly, on a fake clock: the budget, the priority of replies, and
the pause that no call may cut short."""

from __future__ import annotations

import asyncio

import pytest

from bot.broadcasting.engine import PaceLimiter
from bot.broadcasting.flood import FloodGate, Priority


class FakeTime:
    """A clock that moves only when someone sleeps; ``sleeps`` records how long each slept."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def wall(self) -> float:
        return 1_700_000_000.0 + self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def gate(t: FakeTime, bulk_rate: float = 25.0) -> FloodGate:
    return FloodGate(bulk_rate, clock=t.clock, wall=t.wall, sleep=t.sleep)


async def test_replies_never_wait_for_the_budget() -> None:
    t = FakeTime()
    g = gate(t)
    for _ in range(100):
        await g.acquire(Priority.REPLY)
    assert t.sleeps == []


async def test_bulk_takes_what_replies_leave_within_each_second() -> None:
    t = FakeTime()
    g = gate(t, bulk_rate=25)
    for _ in range(10):
        await g.acquire(Priority.REPLY)
    for _ in range(15):
        await g.acquire(Priority.BULK)
    assert t.sleeps == []
    await g.acquire(Priority.BULK)  # the window holds 25 calls: wait for the oldest to age
    assert t.sleeps == [pytest.approx(1.0)]
    await g.acquire(Priority.REPLY)  # a reply still goes at once
    assert len(t.sleeps) == 1


async def test_no_call_goes_inside_a_pause_even_one_that_was_already_waiting() -> None:
    t = FakeTime()
    g = gate(t, bulk_rate=1)
    await g.acquire(Priority.BULK)
    started = t.now

    async def lengthen() -> None:
        await g.pause(6.0)  # a 429 arrives while the bulk call below waits for its slot

    await asyncio.gather(g.acquire(Priority.BULK), lengthen())
    assert t.now >= started + 6.0
    before_reply = t.now
    await g.pause(2.0)
    await g.acquire(Priority.REPLY)  # replies wait out a pause too
    assert t.now == pytest.approx(before_reply + 2.0)


async def test_a_pause_is_handed_on_only_when_it_ends_later() -> None:
    t = FakeTime()
    recorded: list[float] = []

    async def record(until: float) -> None:
        recorded.append(until)

    g = FloodGate(25, clock=t.clock, wall=t.wall, sleep=t.sleep, on_pause=record)
    await g.pause(6.0)
    await g.pause(2.0)  # inside the first: nothing new to record
    assert recorded == [t.wall() + 6.0]
    assert g.pauses == 2
    assert g.paused_for == pytest.approx(6.0)


async def test_a_pause_recorded_before_a_restart_holds_the_new_gate() -> None:
    t = FakeTime()
    g = gate(t)
    g.resume(t.wall() + 5.7)
    await g.acquire(Priority.REPLY)
    assert t.sleeps == [pytest.approx(5.7)]
    g.resume(t.wall() - 1.0)  # a pause already over holds nothing
    await g.acquire(Priority.REPLY)
    assert len(t.sleeps) == 1


async def test_the_broadcast_pace_asks_again_when_a_pause_began_during_its_wait() -> None:
    """The engine's limiter handed out a slot, slept outside its lock and sent: a 429 that
    arrived meanwhile was not seen. Now the slot is checked against the pause on waking."""
    t = FakeTime()
    limiter = PaceLimiter(1.0, 0.0, clock=t.clock, sleep=t.sleep)
    await limiter.acquire(1)
    start = t.now

    async def refused() -> None:
        limiter.pause(6.0)  # while the second caller sleeps towards its slot

    await asyncio.gather(limiter.acquire(2), refused())
    assert t.now >= start + 6.0
