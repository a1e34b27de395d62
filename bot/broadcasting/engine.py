"""The broadcast engine: an outbox drained at Telegram's pace, surviving crashes.

How it keeps its promises:

* **Nothing skipped.** Every recipient is an outbox row, all written in one transaction before
  the first send; a row leaves ``pending`` only for a final status.
* **Duplicates bounded.** ``in_flight`` workers each claim one row immediately before sending it.
  A crash can leave at most ``in_flight`` rows in ``sending``; they are sent again at start.
  So no resident gets a notice twice, except at most ``in_flight`` (default 4) residents per
  crash.
* **Telegram's limits.** A global pace of ``rate`` messages a second (default 25, under
  Telegram's ~30) and at least ``per_chat_interval`` seconds between messages to one chat. A 429
  pauses *every* send for ``retry_after`` seconds, then the same message is retried. A 403 marks
  the resident unreachable (nothing more is sent until they write again). Network errors and
  5xx are retried with exponential backoff, ``max_attempts`` times in all, then the row fails.
* **Residents' peace.** Quiet hours (21:00–08:00 local) hold non-urgent broadcasts until
  morning; a weekly cap skips residents who already had ``weekly_cap`` non-urgent notices in
  seven days. Urgent safety notices are exempt from both; so are messages a resident asked
  for (reminders of and changes to events they said they would attend).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time as _time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Protocol

from bot.broadcasting.progress import Progress
from bot.errors import NeighbourhoodVoiceError
from bot.messages import Outgoing
from storage.models import Broadcast, Event, OutboxItem, Resident
from storage.repositories import Store, UnitOfWork

__all__ = [
    "SOLICITED_KINDS",
    "Blocked",
    "BroadcastEngine",
    "BroadcastPolicy",
    "DeliveryError",
    "DeliveryPort",
    "PaceLimiter",
    "RateLimited",
    "Rejected",
    "Reporter",
    "Transient",
    "next_allowed",
]

logger = logging.getLogger("neighbourhood_voice.broadcasts")

SOLICITED_KINDS = frozenset({"reminder_24h", "reminder_1h", "event_change"})


class DeliveryError(NeighbourhoodVoiceError):
    """Why a message could not be delivered, in Telegram-neutral terms.

    Hierarchy::

        DeliveryError
        ├── RateLimited   429: wait retry_after seconds, then send again
        ├── Blocked       403: the resident blocked the bot or the account is gone
        ├── Rejected      400: Telegram will never accept this message (e.g. chat not found)
        └── Transient     network error or 5xx: try again later
    """


class RateLimited(DeliveryError):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class Blocked(DeliveryError):
    pass


class Rejected(DeliveryError):
    pass


class Transient(DeliveryError):
    pass


class DeliveryPort(Protocol):
    """Sends one rendered message; implemented over PTB in ``handlers.delivery``."""

    async def send(self, chat_id: int, message: Outgoing) -> None: ...


Renderer = Callable[[Resident, Broadcast, Event | None], Outgoing]


@dataclass(frozen=True, slots=True)
class BroadcastPolicy:
    rate: float = 25.0
    per_chat_interval: float = 1.0
    in_flight: int = 4
    max_attempts: int = 5
    backoff_base: float = 2.0  # seconds before the first retry; doubled each time
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    weekly_cap: int = 3
    timezone: tzinfo = field(default=UTC)


def next_allowed(moment: datetime, policy: BroadcastPolicy) -> datetime:
    """The first moment at or after ``moment`` outside quiet hours (in UTC)."""
    local = moment.astimezone(policy.timezone)
    start, end = policy.quiet_start, policy.quiet_end
    now = local.time()
    quiet = (start <= now or now < end) if start > end else (start <= now < end)
    if not quiet:
        return moment
    day = local.date() if now < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=policy.timezone).astimezone(UTC)


class PaceLimiter:
    """Hands out send slots: a global pace, a per-chat spacing, and a shared pause on 429."""

    def __init__(
        self,
        rate: float,
        per_chat_interval: float,
        clock: Callable[[], float] = _time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._interval = 1.0 / rate
        self._per_chat = per_chat_interval
        self._clock = clock
        self._sleep = sleep
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._chat_next: dict[int, float] = {}
        self._lock = asyncio.Lock()

    async def acquire(self, chat_id: int) -> None:
        """Wait for this chat's next slot. A pause that began while waiting sends the caller
        back for a slot after it: a slot handed out before a 429 is no permission after it."""
        while True:
            async with self._lock:
                now = self._clock()
                slot = max(
                    now, self._next_slot, self._paused_until, self._chat_next.get(chat_id, 0)
                )
                self._next_slot = slot + self._interval
                self._chat_next[chat_id] = slot + self._per_chat
                if len(self._chat_next) > 10_000:  # forget chats whose spacing has passed
                    self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}
            delay = slot - self._clock()
            if delay > 0:
                await self._sleep(delay)
            if self._clock() >= self._paused_until:
                return

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._clock() + seconds)
        self._next_slot = max(self._next_slot, self._paused_until)


Reporter = Callable[[Progress], Awaitable[None]]


class BroadcastEngine:
    """Owns the workers that drain the outbox; one per process."""

    def __init__(
        self,
        store: Store,
        port: DeliveryPort,
        render: Renderer,
        policy: BroadcastPolicy,
        *,
        reporter: Reporter | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.port = port
        self.render = render
        self.policy = policy
        self.reporter = reporter
        self._now = now
        self.limiter = PaceLimiter(policy.rate, policy.per_chat_interval)
        self._wake = asyncio.Event()
        self._workers: list[asyncio.Task[None]] = []
        self._last_report: dict[int, float] = {}
        # What this process saw of each broadcast: when it began sending, rows finished since.
        self._began: dict[int, float] = {}
        self._finished: dict[int, int] = {}
        self.rate_limited = 0  # 429s received, for reports and benchmarks

    # -- queueing ------------------------------------------------------------------------
    def exempt(self, broadcast: Broadcast) -> bool:
        return broadcast.urgent or broadcast.kind in SOLICITED_KINDS

    async def enqueue(self, broadcast: Broadcast, recipients: list[str] | None = None) -> int:
        """Write the broadcast and every recipient's row in one transaction, then wake up."""
        async with self.store.unit() as uow:
            if recipients is None:
                recipients = await uow.broadcasts.audience(broadcast.topic, broadcast.wards)
            broadcast_id = await self.create(uow, broadcast, recipients)
        self._wake.set()
        return broadcast_id

    async def create(self, uow: UnitOfWork, broadcast: Broadcast, recipients: list[str]) -> int:
        """Inside the caller's transaction (e.g. with the event it announces); wake after."""
        now = self._now()
        not_before = now if self.exempt(broadcast) else next_allowed(now, self.policy)
        return await uow.broadcasts.create(
            broadcast, recipients, not_before.isoformat(timespec="seconds")
        )

    # -- running -------------------------------------------------------------------------
    async def start(self) -> None:
        """Resend what was in flight at the last stop, then drain in the background."""
        async with self.store.unit() as uow:
            resent = await uow.broadcasts.reset_in_flight()
        if resent:
            logger.warning("resuming broadcasts: %d message(s) were in flight at the stop", resent)
        self._workers = [
            asyncio.create_task(self._work(), name=f"broadcast-worker-{n}")
            for n in range(self.policy.in_flight)
        ]

    async def stop(self) -> None:
        for task in self._workers:
            task.cancel()
        for task in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._workers = []

    def wake(self) -> None:
        self._wake.set()

    async def _idle(self) -> None:
        async with self.store.unit() as uow:
            due = await uow.broadcasts.next_due()
        wait = 30.0
        if due is not None:
            wait = min(
                wait, max(0.05, (datetime.fromisoformat(due) - self._now()).total_seconds())
            )
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=wait)

    async def _work(self) -> None:
        while True:
            try:
                async with self.store.unit() as uow:
                    item = await uow.broadcasts.claim(self._now().isoformat(timespec="seconds"))
                if item is None:
                    await self._idle()
                    continue
                await self._deliver(item)
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug must not stop every later broadcast
                logger.exception("broadcast worker error")
                await asyncio.sleep(1.0)

    async def _deliver(self, item: OutboxItem) -> None:
        self._began.setdefault(item.broadcast_id, _time.monotonic())
        async with self.store.unit() as uow:
            broadcast = await uow.broadcasts.get(item.broadcast_id)
            resident = await uow.residents.by_chat(item.chat_id)
            event = None
            if broadcast is not None and broadcast.event_id is not None:
                event = await uow.events.get(broadcast.event_id)
            if broadcast is None or resident is None:
                await uow.broadcasts.finish(item.id, "skipped", "gone")
                return
            capped = False
            if not self.exempt(broadcast):
                now = self._now()
                allowed = next_allowed(now, self.policy)
                if allowed > now:  # quiet hours began while the broadcast was going out
                    await uow.broadcasts.retry_later(
                        item.id, allowed.isoformat(timespec="seconds"), "quiet hours", uncount=True
                    )
                    return
                since = (now - timedelta(days=7)).isoformat(timespec="seconds")
                capped = await uow.broadcasts.sent_since(resident.respondent_id, since) >= (
                    self.policy.weekly_cap
                )
                if capped:
                    await uow.broadcasts.finish(item.id, "skipped", "weekly cap")
        if capped:
            await self._progress(broadcast)
            return
        await self._send_with_retries(
            item, resident, broadcast, self.render(resident, broadcast, event)
        )

    async def _send_with_retries(
        self, item: OutboxItem, resident: Resident, broadcast: Broadcast, message: Outgoing
    ) -> None:
        while True:
            await self.limiter.acquire(item.chat_id)
            try:
                await self.port.send(item.chat_id, message)
            except RateLimited as error:
                self.rate_limited += 1
                self.limiter.pause(error.retry_after)
                continue  # the same message, after the pause
            except Blocked:
                async with self.store.unit() as uow:
                    await uow.broadcasts.finish(item.id, "blocked", "403")
                    await uow.broadcasts.mark_unreachable(resident.respondent_id)
            except Rejected as error:
                async with self.store.unit() as uow:
                    await uow.broadcasts.finish(item.id, "failed", str(error)[:200])
            except Transient as error:
                async with self.store.unit() as uow:
                    if item.attempts >= self.policy.max_attempts:
                        await uow.broadcasts.finish(item.id, "failed", str(error)[:200])
                    else:
                        delay = self.policy.backoff_base * 2 ** (item.attempts - 1)
                        retry_at = self._now() + timedelta(seconds=delay)
                        await uow.broadcasts.retry_later(
                            item.id, retry_at.isoformat(timespec="seconds"), str(error)[:200]
                        )
                        return
            else:
                async with self.store.unit() as uow:
                    await uow.broadcasts.finish(item.id, "sent")
            await self._progress(broadcast)
            return

    async def _progress(self, broadcast: Broadcast) -> None:
        """Close a drained broadcast and tell its admin how it goes, at most every 2 s.

        The statistics group the whole outbox, so they are only computed when a report is due:
        per message that would cost O(recipients), O(recipients²) per broadcast.
        """
        assert broadcast.id is not None
        now = _time.monotonic()
        self._finished[broadcast.id] = self._finished.get(broadcast.id, 0) + 1
        due = now - self._last_report.get(broadcast.id, 0.0) >= 2.0
        observed = self._finished.get(broadcast.id, 0)
        seconds = now - self._began.get(broadcast.id, now)
        async with self.store.unit() as uow:
            done = await uow.broadcasts.complete_if_drained(broadcast.id)
            if done:
                for seen in (self._began, self._finished, self._last_report):
                    seen.pop(broadcast.id, None)
            if self.reporter is None or not (done or due):
                return
            stats = await uow.broadcasts.stats(
                broadcast.id, self._now().isoformat(timespec="seconds")
            )
        if not done:
            self._last_report[broadcast.id] = now
        progress = Progress(
            broadcast.id, stats, done, self.policy.rate, observed=observed, seconds=seconds
        )
        try:
            await self.reporter(progress)
        except Exception:  # a failed progress edit must not stop the sending
            logger.exception("broadcast %s: progress report failed", broadcast.id)
