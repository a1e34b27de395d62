"""The staff flows as officers and admins meet them: started by a command, walked by the runner.

Each flow is in :mod:`bot.flows` (one module each); this builds their context for the sender
(an officer's own flows need an active officer, every other staff flow an admin) and turns
what the runner did into a reply.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, tzinfo

from bot.areas import AreaDirectory
from bot.flows import ButtonInput, Flow, FlowRunner, Ran, TextInput
from bot.flows.broadcast import BroadcastFlow
from bot.flows.edit_event import EditEventFlow
from bot.flows.new_event import NewEventFlow
from bot.flows.officer_action import OfficerActionFlow
from bot.flows.officer_wards import OfficerWardsFlow
from bot.flows.runner import Outcome
from bot.flows.slots import StaffSlot
from bot.flows.staff_common import StaffContext, UnitReads
from bot.i18n import _, use_locale
from bot.messages import CallbackData, Incoming, Outgoing, StaffReply
from bot.staff.access import StaffAccess
from bot.staff.effects import StaffEffects
from storage.models import FlowState, Officer
from storage.repositories import Store, UnitOfWork

__all__ = ["StaffFlows"]


class StaffFlows:
    def __init__(
        self,
        store: Store,
        access: StaffAccess,
        areas: AreaDirectory,
        effects: StaffEffects,
        *,
        timezone: tzinfo,
        priorities: Mapping[str, str],
        weekly_cap: int,
        now: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.weekly_cap = weekly_cap
        self.access = access
        self.areas = areas
        self.timezone = timezone
        self._now = now
        self.officer_wards = OfficerWardsFlow()
        self.officer_action = OfficerActionFlow(priorities)
        self.new_event = NewEventFlow()
        self.broadcast = BroadcastFlow()
        self.edit_event = EditEventFlow()
        self.runner: FlowRunner[StaffContext] = FlowRunner(
            (
                self.officer_wards,
                self.officer_action,
                self.new_event,
                self.broadcast,
                self.edit_event,
            ),
            effects,
        )
        # Officers' own flows; every other staff flow is an admin's.
        self._officer_flows = frozenset({self.officer_wards.stored, self.officer_action.stored})

    def context(
        self, uow: UnitOfWork, user_id: int, locale: str, officer: Officer | None = None
    ) -> StaffContext:
        now = self._now()
        return StaffContext(
            user_id=user_id,
            locale=officer.locale if officer else locale,
            areas=self.areas,
            timezone=self.timezone,
            now=now,
            reads=UnitReads(uow, now, self.weekly_cap),
            officer=officer,
        )

    def _gate(
        self, uow: UnitOfWork, who: Incoming, locale: str
    ) -> Callable[[Flow[StaffContext], FlowState], Awaitable[StaffContext | None]]:
        """The flow's context for this sender, or None when they may not use that flow."""

        async def context(flow: Flow[StaffContext], _state: FlowState) -> StaffContext | None:
            if flow.stored in self._officer_flows:
                officer = await self.access.officer(uow, who.chat_id)
                return self.context(uow, who.chat_id, locale, officer) if officer else None
            if not await self.access.is_admin(uow, who.chat_id):
                return None
            return self.context(uow, who.chat_id, locale)

        return context

    @staticmethod
    def _reply(ran: Ran[StaffContext]) -> StaffReply:
        return StaffReply(
            ran.locale,
            ran.messages,
            toast=ran.toast,
            toast_alert=ran.toast is not None,
            broadcast_id=ran.broadcast_id,
        )

    @staticmethod
    def _stale(locale: str) -> StaffReply:
        return StaffReply(
            locale, toast=_("That button belongs to an earlier message."), toast_alert=True
        )

    async def put(
        self,
        uow: UnitOfWork,
        ctx: StaffContext,
        flow: Flow[StaffContext],
        state: FlowState,
    ) -> Outgoing:
        """Start ``flow`` at ``state`` for the context's person; its first screen."""
        await uow.staff.put_flow(ctx.user_id, state)
        return Outgoing.of(flow.screen(ctx, state))

    async def _begin(
        self, who: Incoming, flow: Flow[StaffContext], state: FlowState
    ) -> StaffReply:
        locale = self.access.locale(who)
        async with self.store.unit() as uow:
            with use_locale(locale):
                if not await self.access.is_admin(uow, who.chat_id):
                    return self.access.refused(locale)
                if not await self.access.claim(uow, who):
                    return StaffReply(locale)
                ctx = self.context(uow, who.chat_id, locale)
                return StaffReply(locale, (await self.put(uow, ctx, flow, state),))

    async def start_new_event(self, who: Incoming) -> StaffReply:
        """/newevent"""
        return await self._begin(who, self.new_event, self.new_event.start())

    async def start_broadcast(self, who: Incoming) -> StaffReply:
        """/broadcast"""
        return await self._begin(who, self.broadcast, self.broadcast.start())

    async def text_in(self, uow: UnitOfWork, who: Incoming, text: str) -> StaffReply | None:
        """Typed input for a staff flow, in a unit already open (see :mod:`bot.routing`); None
        when the sender has none in progress (one read, nothing claimed or written)."""
        locale = self.access.locale(who)
        with use_locale(locale):
            ran = await self.runner.run(
                uow,
                StaffSlot(uow, who.chat_id),
                self._gate(uow, who, locale),
                TextInput(text),
                claim=lambda: self.access.claim(uow, who),
            )
            if ran.outcome is Outcome.NO_FLOW:
                return None
            if ran.outcome is Outcome.REFUSED:  # no longer staff: the flow goes too
                await uow.staff.clear_flow(who.chat_id)
                return self.access.refused(locale)
            if ran.outcome is Outcome.DUPLICATE:
                return StaffReply(ran.locale)  # handled before a crash: say nothing twice
            return self._reply(ran)

    async def tap_in(
        self, uow: UnitOfWork, who: Incoming, locale: str, data: CallbackData
    ) -> StaffReply:
        """A staff flow's button (prefix ``a``), in a unit already open."""
        ran = await self.runner.run(
            uow,
            StaffSlot(uow, who.chat_id),
            self._gate(uow, who, locale),
            ButtonInput(data.action, data.arg),
            tapped=data,
            # Claimed only once the sender is known to be staff: a resident's forged tap
            # must not leave their Telegram id here.
            claim=lambda: self.access.claim(uow, who),
        )
        if ran.outcome is Outcome.REFUSED:
            return self.access.refused(locale, tap=True)
        if ran.outcome is Outcome.NO_FLOW:
            if not await self.access.is_admin(uow, who.chat_id):
                return self.access.refused(locale, tap=True)
            if not await self.access.claim(uow, who):
                return StaffReply(locale)
            return self._stale(locale)
        if ran.outcome is Outcome.DUPLICATE:
            return StaffReply(ran.locale)
        if ran.outcome is Outcome.STALE:
            return self._stale(ran.locale)
        return self._reply(ran)

    async def cancel_in(self, uow: UnitOfWork, who: Incoming) -> StaffReply | None:
        """/cancel drops a staff flow in progress; None when there is none."""
        if await uow.staff.flow(who.chat_id) is None:
            return None
        await uow.staff.clear_flow(who.chat_id)
        locale = self.access.locale(who)
        with use_locale(locale):
            return StaffReply(locale, (Outgoing(_("Cancelled. Nothing was saved.")),))
