"""The staff flows' effects, applied in the update's unit of work.

A staff flow decides (plain Python, :mod:`bot.flows`); this writes what it decided: the
officer's wards, an action, an event, a broadcast. A broadcast is created in the same unit as
what caused it, so a crash leaves both or neither; the engine sends it after the commit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.areas import AreaDirectory
from bot.broadcasting.engine import BroadcastEngine
from bot.flows.base import (
    Applied,
    Flow,
    PostAction,
    Publish,
    SaveEdit,
    SaveWards,
    SendBroadcast,
    Transition,
)
from bot.flows.staff_common import StaffContext
from bot.i18n import _
from bot.messages import Outgoing, Screen
from storage.models import Broadcast, Event, Officer
from storage.repositories import UnitOfWork

__all__ = ["StaffEffects"]


class StaffEffects:
    def __init__(
        self,
        areas: AreaDirectory,
        engine: BroadcastEngine,
        on_event_changed: Callable[[Event], Awaitable[None]] | None = None,
    ) -> None:
        self.areas = areas
        self.engine = engine
        self.on_event_changed = on_event_changed

    async def __call__(
        self,
        uow: UnitOfWork,
        ctx: StaffContext,
        flow: Flow[StaffContext],
        transition: Transition,
    ) -> Applied[StaffContext]:
        effect = transition.effect
        if isinstance(effect, SaveWards):
            await uow.officers.save(Officer(ctx.user_id, effect.wards, ctx.locale), invited_by=0)
            return Applied(ctx)
        if isinstance(effect, PostAction):
            return await self._post(uow, ctx, effect)
        if isinstance(effect, Publish):
            return await self._publish(uow, ctx, effect.event)
        if isinstance(effect, SaveEdit):
            stored = await uow.events.get(effect.event.id or 0)
            if stored is None or stored.status != "published":
                return Applied(ctx, final=Screen(_("That event is not available.")))
            changed = replace(effect.event, created_by=stored.created_by, status=stored.status)
            await uow.events.save(changed)
            return await self.notify_attendees(uow, ctx, changed, "changed")
        if isinstance(effect, SendBroadcast):
            return await self._send(uow, ctx, effect.broadcast)
        return Applied(ctx)

    @staticmethod
    def _queue(
        ctx: StaffContext, text: str, broadcast_id: int, count: int
    ) -> Applied[StaffContext]:
        """The closing screen, then the message the progress is edited into; for no one, the
        closing screen alone (a progress message would say "Starting…" for ever)."""
        if count == 0:
            return Applied(ctx, final=Screen(text))
        return Applied(
            ctx,
            final=Screen(text),
            extra=(Outgoing(_("Starting…"), apart=True),),
            broadcast_id=broadcast_id,
        )

    async def _post(
        self, uow: UnitOfWork, ctx: StaffContext, action: PostAction
    ) -> Applied[StaffContext]:
        texts = dict(action.texts)
        action_id = await uow.officers.add_action(ctx.user_id, action.ward, action.priority, texts)
        broadcast = Broadcast(
            kind="update",
            topic="updates",
            texts=texts,
            wards=(action.ward,),
            created_by=ctx.user_id,
        )
        recipients = await uow.broadcasts.audience("updates", (action.ward,))
        broadcast_id = await self.engine.create(uow, broadcast, recipients)
        await uow.officers.link_action(action_id, broadcast_id)
        text = _(
            "Posted. {count} residents who asked for updates will get it; the next digest "
            "lists it."
        ).format(count=len(recipients))
        return self._queue(ctx, text, broadcast_id, len(recipients))

    async def _publish(
        self, uow: UnitOfWork, ctx: StaffContext, event: Event
    ) -> Applied[StaffContext]:
        event_id = await uow.events.add(event)
        event = replace(event, id=event_id)
        recipients = await uow.broadcasts.audience("events", event.wards)
        broadcast = Broadcast(
            kind="event",
            topic="events",
            texts={},
            wards=event.wards,
            created_by=ctx.user_id,
            event_id=event_id,
        )
        broadcast_id = await self.engine.create(uow, broadcast, recipients)
        if self.on_event_changed is not None:
            await self.on_event_changed(event)
        text = _(
            "Published: event #{id}. Residents can find it with /events. Announcing it to "
            "{count} residents who asked for event notices."
        ).format(id=event_id, count=len(recipients))
        return self._queue(ctx, text, broadcast_id, len(recipients))

    async def notify_attendees(
        self, uow: UnitOfWork, ctx: StaffContext, event: Event, change: str
    ) -> Applied[StaffContext]:
        """Tell everyone coming or maybe coming that ``event`` was changed or cancelled."""
        assert event.id is not None
        recipients = await uow.events.attendees(event.id, ("going", "maybe"))
        broadcast = Broadcast(
            kind="event_change",
            topic="events",
            texts={"change": change},
            wards=event.wards,
            created_by=ctx.user_id,
            event_id=event.id,
        )
        broadcast_id = await self.engine.create(uow, broadcast, recipients)
        if self.on_event_changed is not None:
            await self.on_event_changed(event)
        if change == "cancelled":
            text = _("Event #{id} is cancelled. Telling the {count} residents who were coming.")
        else:
            text = _("Event #{id} is changed. Telling the {count} residents who were coming.")
        text = text.format(id=event.id, count=len(recipients))
        return self._queue(ctx, text, broadcast_id, len(recipients))

    async def _send(
        self, uow: UnitOfWork, ctx: StaffContext, broadcast: Broadcast
    ) -> Applied[StaffContext]:
        recipients = await uow.broadcasts.audience(broadcast.topic, broadcast.wards)
        broadcast_id = await self.engine.create(uow, broadcast, recipients)
        if not recipients:  # done already: no progress message that would never move
            return Applied(
                ctx,
                final=Screen(
                    _(
                        "Broadcast #{id} went to no one: no resident there asked for these "
                        "notices."
                    ).format(id=broadcast_id)
                ),
            )
        text = _("Broadcast #{id} is queued for {count} residents.").format(
            id=broadcast_id, count=len(recipients)
        )
        return self._queue(ctx, text, broadcast_id, len(recipients))
