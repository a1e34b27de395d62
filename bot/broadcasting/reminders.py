"""Event reminders, 24 hours and 1 hour before, to residents who said they are going.

Jobs live in PTB's JobQueue, which forgets them on restart, so they are rebuilt from the
database at start. A reminder is a broadcast of its own (kind ``reminder_24h``/``reminder_1h``)
created at most once per event, so a restart around the due time neither loses nor doubles it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram.ext import ContextTypes, JobQueue

from bot.broadcasting.engine import BroadcastEngine
from bot.events import reminder_times
from storage.models import Broadcast, Event
from storage.repositories import Store

__all__ = ["CATCH_UP", "Reminders"]

logger = logging.getLogger("neighbourhood_voice.reminders")

# A reminder whose time passed while the bot was down is still sent if it is this recent.
CATCH_UP = timedelta(minutes=30)


class Reminders:
    def __init__(self, store: Store, engine: BroadcastEngine) -> None:
        self.store = store
        self.engine = engine
        self.job_queue: JobQueue[Any] | None = None

    async def rebuild(self) -> None:
        async with self.store.unit() as uow:
            upcoming = await uow.events.all_upcoming(datetime.now(UTC))
        for event in upcoming:
            await self.schedule_for(event)

    async def schedule_for(self, event: Event) -> None:
        """(Re)schedule an event's reminders; a cancelled event gets none."""
        if self.job_queue is None:
            return
        now = datetime.now(UTC)
        for kind, due in reminder_times(event).items():
            name = f"reminder:{event.id}:{kind}"
            for job in self.job_queue.get_jobs_by_name(name):
                job.schedule_removal()
            if event.status != "published" or event.starts_at <= now:
                continue
            if due > now:
                self.job_queue.run_once(self._due, when=due, name=name, data=(event.id, kind))
            elif now - due <= CATCH_UP:
                await self.send(int(event.id or 0), kind)

    async def _due(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert context.job is not None
        match context.job.data:  # (event id, kind), as scheduled by schedule_for
            case (int(event_id), str(kind)):
                await self.send(event_id, kind)

    async def send(self, event_id: int, kind: str) -> None:
        async with self.store.unit() as uow:
            event = await uow.events.get(event_id)
            if event is None or event.status != "published":
                return
            if await uow.broadcasts.exists_for_event(event_id, kind):
                return
            recipients = await uow.events.attendees(event_id, ("going",))
            broadcast = Broadcast(
                kind=kind,
                topic="events",
                texts={},
                wards=event.wards,
                created_by=0,
                event_id=event_id,
            )
            await self.engine.create(uow, broadcast, recipients)
        self.engine.wake()
        logger.info("event %s: %s queued for %d resident(s)", event_id, kind, len(recipients))
