"""One budget for every message the bot sends, and one pause after Telegram's 429.

Telegram documents its limits loosely: "If you're sending bulk notifications to multiple users,
the API will not allow more than 30 messages per second or so" (Bots FAQ), and a refused call
carries ``retry_after``, "the number of seconds left to wait before the request can be
repeated" (Bot API, ResponseParameters). The gate turns that into two rules:

* **Pause.** After a 429 no call waits less than its ``retry_after``: every caller, whatever
  it sends, waits at the gate until the pause is over, and checks again after waking, since a
  later 429 may have lengthened it. Requests already on the wire when the 429 arrived are the
  only ones that reach Telegram inside the pause. The pause's end is handed to ``on_pause``
  (the database, in production), so a restarted bot waits out the rest of it.
* **Budget.** Every call is counted in a sliding one-second window. A reply to a person goes at
  once: it never waits for the budget. Bulk sends (broadcasts, their progress edits, scheduled
  digests) go only while the window holds fewer than ``bulk_rate`` calls of any kind, so they
  take what replies leave and the total stays near Telegram's 30 a second.

Plain Python, no Telegram types: ``handlers.ratelimit`` plugs it into python-telegram-bot.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from enum import StrEnum

__all__ = ["TELEGRAM_RATE", "FloodGate", "Priority"]

TELEGRAM_RATE = 30.0  # messages a second, "or so" (Bots FAQ)
_WINDOW = 1.0


class Priority(StrEnum):
    REPLY = "reply"  # an answer to someone who just wrote or tapped
    BULK = "bulk"  # what no one is waiting for this second


PauseHook = Callable[[float], Awaitable[None]]


class FloodGate:
    """Shared by every Bot API call of one process (see the module docstring)."""

    def __init__(
        self,
        bulk_rate: float = 25.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        on_pause: PauseHook | None = None,
    ) -> None:
        if not 0 < bulk_rate <= TELEGRAM_RATE:
            raise ValueError(f"bulk_rate must be above 0 and at most {TELEGRAM_RATE}")
        self.bulk_rate = bulk_rate
        self.on_pause = on_pause
        self._capacity = max(1, int(bulk_rate))
        self._clock = clock
        self._wall = wall
        self._sleep = sleep
        self._stamps: deque[float] = deque()
        self._paused_until = 0.0  # on self._clock
        self.pauses = 0  # 429s seen, for logs and benchmarks

    @property
    def paused_for(self) -> float:
        """Seconds of the current pause still to run (0 when there is none)."""
        return max(0.0, self._paused_until - self._clock())

    async def acquire(self, priority: Priority = Priority.REPLY) -> None:
        """Return when a call of this priority may go to Telegram, and count it."""
        while True:
            now = self._clock()
            if now < self._paused_until:
                await self._sleep(self._paused_until - now)
                continue  # the pause may have grown while we slept
            while self._stamps and self._stamps[0] <= now - _WINDOW:
                self._stamps.popleft()
            if priority is Priority.REPLY or len(self._stamps) < self._capacity:
                self._stamps.append(now)
                return
            # A slot frees when enough of the window's calls are a second old.
            frees_at = self._stamps[len(self._stamps) - self._capacity] + _WINDOW
            await self._sleep(max(frees_at - now, 0.001))

    async def pause(self, seconds: float) -> None:
        """Telegram said wait ``seconds``: hold every call, and record the end if it moved."""
        self.pauses += 1
        until = self._clock() + seconds
        if until <= self._paused_until:
            return
        self._paused_until = until
        if self.on_pause is not None:
            await self.on_pause(self._wall() + seconds)

    def resume(self, until_epoch: float) -> None:
        """A pause recorded before a restart (wall-clock seconds): hold calls until it ends."""
        left = until_epoch - self._wall()
        if left > 0:
            self._paused_until = max(self._paused_until, self._clock() + left)
