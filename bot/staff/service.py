"""Admins: creating and managing events, broadcasting notices, managing other admins.

Every staff action checks, on every update (commands, text and button taps alike), that the
sender is an admin: configured in ``NV_ADMIN_IDS`` or added by another admin. Staff flows use
the same mechanism as residents' flows: a :class:`FlowState` row (``staff_conversations``)
read and written in one transaction per update, and buttons ``a:<step>:<action>:<arg>``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo

from bot.areas import AreaDirectory
from bot.broadcasting.engine import BroadcastEngine
from bot.digests.disclosure import Period
from bot.digests.service import DigestService
from bot.flows import ButtonInput, Flow, FlowRunner, Ran, TextInput
from bot.flows.broadcast import BroadcastFlow
from bot.flows.edit_event import EditEventFlow
from bot.flows.new_event import NewEventFlow
from bot.flows.officer_action import OfficerActionFlow
from bot.flows.officer_wards import OfficerWardsFlow
from bot.flows.runner import Outcome
from bot.flows.slots import StaffSlot
from bot.flows.staff_common import STAFF_PREFIX, StaffContext, UnitReads
from bot.i18n import _, format_datetime, pgettext, resolve_locale, use_locale
from bot.messages import Button, CallbackData, Incoming, Outgoing, StaffReply
from bot.staff.effects import StaffEffects
from bot.staff.officers import OfficerRegistry
from storage.models import BroadcastStats, Event, FlowState
from storage.officers import Officer
from storage.repositories import Store, UnitOfWork

__all__ = ["ScheduledDigest", "StaffReply", "StaffService", "progress_text"]

logger = logging.getLogger("neighbourhood_voice.staff")


@dataclass(frozen=True, slots=True)
class ScheduledDigest:
    """One officer's scheduled digest, ready to send."""

    officer_id: int
    locale: str
    period: Period
    messages: tuple[Outgoing, ...]


def progress_text(broadcast_id: int, stats: BroadcastStats, started: datetime, done: bool) -> str:
    elapsed = max(1.0, (datetime.now(UTC) - started).total_seconds())
    finished = stats.sent + stats.blocked + stats.failed + stats.skipped
    rate = finished / elapsed
    figures = _(
        "Sent: {sent}\nBlocked: {blocked}\nFailed: {failed}\nSkipped (weekly limit): {skipped}\n"
        "Waiting for morning (quiet hours): {held}\nRemaining: {remaining}"
    ).format(
        sent=stats.sent,
        blocked=stats.blocked,
        failed=stats.failed,
        skipped=stats.skipped,
        held=stats.held,
        remaining=stats.remaining,
    )
    if done:
        return _("Broadcast #{id} finished.\n\n{figures}").format(id=broadcast_id, figures=figures)
    left = int(stats.remaining / rate) if rate > 0 else 0
    return _(
        "Broadcast #{id} is going out.\n\n{figures}\n\nRate: {rate} messages a second; "
        "about {seconds} seconds left."
    ).format(id=broadcast_id, figures=figures, rate=f"{rate:.1f}", seconds=left)


class StaffService:
    """Officers' and admins' commands, flows and digests (to be split by feature)."""

    def __init__(
        self,
        store: Store,
        areas: AreaDirectory,
        engine: BroadcastEngine,
        *,
        config_admins: frozenset[int],
        timezone: tzinfo,
        default_locale: str = "en",
        on_event_changed: Callable[[Event], Awaitable[None]] | None = None,
        officers: OfficerRegistry | None = None,
        digests: DigestService | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.officers = officers
        self.digests = digests
        self.store = store
        self.areas = areas
        self.engine = engine
        self.config_admins = config_admins
        self.timezone = timezone
        self.default_locale = default_locale
        self._now = now
        self.effects = StaffEffects(areas, engine, on_event_changed)
        self.officer_wards = OfficerWardsFlow()
        self.officer_action = OfficerActionFlow(officers.priorities() if officers else {})
        self.new_event_flow = NewEventFlow()
        self.broadcast_flow = BroadcastFlow()
        self.edit_event_flow = EditEventFlow()
        self.runner: FlowRunner[StaffContext] = FlowRunner(
            (
                self.officer_wards,
                self.officer_action,
                self.new_event_flow,
                self.broadcast_flow,
                self.edit_event_flow,
            ),
            self.effects,
        )
        # Officers' own flows; every other staff flow is an admin's.
        self._officer_flows = frozenset({self.officer_wards.stored, self.officer_action.stored})

    # -- helpers -------------------------------------------------------------------------
    def _locale(self, who: Incoming) -> str:
        return resolve_locale(None, who.telegram_locale, self.default_locale)

    async def _is_admin(self, uow: UnitOfWork, user_id: int) -> bool:
        return user_id in self.config_admins or user_id in await uow.staff.admin_ids()

    def _refused(self, locale: str, *, tap: bool = False) -> StaffReply:
        text = _("Sorry, only admins can do that.")
        if tap:
            return StaffReply(locale, toast=text, toast_alert=True)
        return StaffReply(locale, (Outgoing(text),))

    def _when(self, moment: datetime) -> str:
        return format_datetime(moment, self.timezone)

    def _ctx(
        self, uow: UnitOfWork, user_id: int, locale: str, officer: Officer | None = None
    ) -> StaffContext:
        now = self._now()
        return StaffContext(
            user_id=user_id,
            locale=officer.locale if officer else locale,
            areas=self.areas,
            timezone=self.timezone,
            now=now,
            reads=UnitReads(uow, now),
            officer=officer,
        )

    def _gate(
        self, uow: UnitOfWork, who: Incoming, locale: str
    ) -> Callable[[Flow[StaffContext], FlowState], Awaitable[StaffContext | None]]:
        """The flow's context for this sender, or None when they may not use that flow: an
        officer's own flows need an active officer, every other staff flow an admin."""

        async def context(flow: Flow[StaffContext], _state: FlowState) -> StaffContext | None:
            if flow.stored in self._officer_flows:
                officer = await self._officer(uow, who.chat_id)
                return self._ctx(uow, who.chat_id, locale, officer) if officer else None
            if not await self._is_admin(uow, who.chat_id):
                return None
            return self._ctx(uow, who.chat_id, locale)

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

    # -- entry points --------------------------------------------------------------------
    @staticmethod
    async def _claim(uow: UnitOfWork, who: Incoming) -> bool:
        """False for an update handled before a crash (Telegram redelivers what the process
        had not confirmed); the claim commits or rolls back with the unit of work."""
        if who.update_id is None:
            return True
        return await uow.updates.claim(who.update_id)

    async def _begin(
        self, who: Incoming, flow: Flow[StaffContext], state: FlowState
    ) -> StaffReply:
        locale = self._locale(who)
        async with self.store.unit() as uow:
            with use_locale(locale):
                if not await self._is_admin(uow, who.chat_id):
                    return self._refused(locale)
                if not await self._claim(uow, who):
                    return StaffReply(locale)
                await uow.staff.put_flow(who.chat_id, state)
                screen = flow.screen(self._ctx(uow, who.chat_id, locale), state)
                return StaffReply(locale, (Outgoing.of(screen),))

    async def new_event(self, who: Incoming) -> StaffReply:
        return await self._begin(who, self.new_event_flow, self.new_event_flow.start())

    async def broadcast(self, who: Incoming) -> StaffReply:
        return await self._begin(who, self.broadcast_flow, self.broadcast_flow.start())

    async def text(self, who: Incoming, text: str) -> StaffReply | None:
        """Typed input for a staff flow; None when the sender has none in progress."""
        async with self.store.unit() as uow:
            return await self.text_in(uow, who, text)

    async def text_in(self, uow: UnitOfWork, who: Incoming, text: str) -> StaffReply | None:
        """:meth:`text` in a unit already open (see :mod:`bot.routing`); one read when the
        sender has no staff flow, and nothing claimed or written."""
        locale = self._locale(who)
        with use_locale(locale):
            ran = await self.runner.run(
                uow,
                StaffSlot(uow, who.chat_id),
                self._gate(uow, who, locale),
                TextInput(text),
                claim=lambda: self._claim(uow, who),
            )
            if ran.outcome is Outcome.NO_FLOW:
                return None
            if ran.outcome is Outcome.REFUSED:  # no longer staff: the flow goes too
                await uow.staff.clear_flow(who.chat_id)
                return self._refused(locale)
            if ran.outcome is Outcome.DUPLICATE:
                return StaffReply(ran.locale)  # handled before a crash: say nothing twice
            return self._reply(ran)

    async def tap(self, who: Incoming, data: CallbackData) -> StaffReply:
        """A button of a staff flow ("a"), of the event manager ("m") or of the officer list
        ("r")."""
        locale = self._locale(who)
        async with self.store.unit() as uow:
            with use_locale(locale):
                if data.flow == STAFF_PREFIX:
                    return await self._flow_tap(uow, who, locale, data)
                if not await self._is_admin(uow, who.chat_id):
                    return self._refused(locale, tap=True)
                # Claimed only once the sender is known to be staff: a resident's forged tap
                # must not leave their Telegram id here.
                if not await self._claim(uow, who):
                    return StaffReply(locale)
                if data.flow == "r" and self.officers is not None and data.step.isdigit():
                    revoked = await self.officers.revoke(uow, who.chat_id, int(data.step))
                    return StaffReply(locale, (revoked,))
                if data.flow == "m":
                    return await self._manage_tap(uow, who.chat_id, locale, data)
                return StaffReply(locale, toast=_("Sorry, I didn't understand that button."))

    async def _flow_tap(
        self, uow: UnitOfWork, who: Incoming, locale: str, data: CallbackData
    ) -> StaffReply:
        ran = await self.runner.run(
            uow,
            StaffSlot(uow, who.chat_id),
            self._gate(uow, who, locale),
            ButtonInput(data.action, data.arg),
            tapped=data,
            # Claimed only once the sender is known to be staff: a resident's forged tap
            # must not leave their Telegram id here.
            claim=lambda: self._claim(uow, who),
        )
        if ran.outcome is Outcome.REFUSED:
            return self._refused(locale, tap=True)
        if ran.outcome is Outcome.NO_FLOW:
            if not await self._is_admin(uow, who.chat_id):
                return self._refused(locale, tap=True)
            if not await self._claim(uow, who):
                return StaffReply(locale)
            return self._stale(locale)
        if ran.outcome is Outcome.DUPLICATE:
            return StaffReply(ran.locale)
        if ran.outcome is Outcome.STALE:
            return self._stale(ran.locale)
        return self._reply(ran)

    async def _officer(self, uow: UnitOfWork, user_id: int) -> Officer | None:
        officer = await uow.officers.get(user_id)
        return officer if officer is not None and officer.active else None

    async def _start_officer_flow(
        self, uow: UnitOfWork, officer: Officer, flow: Flow[StaffContext], state: FlowState
    ) -> Outgoing:
        await uow.staff.put_flow(officer.user_id, state)
        return Outgoing.of(
            flow.screen(self._ctx(uow, officer.user_id, officer.locale, officer), state)
        )

    async def officer_command(self, who: Incoming, command: str, argument: str) -> StaffReply:
        """/officer CODE for anyone; /mywards and /action for officers; /invite, /officers and
        /audit for admins."""
        assert self.officers is not None
        locale = self._locale(who)
        async with self.store.unit() as uow:
            officer = await self._officer(uow, who.chat_id)
            admin = await self._is_admin(uow, who.chat_id)
            known = officer is not None or admin
            if known and not await self._claim(uow, who):
                return StaffReply(locale)  # handled before a crash: an invite is made once
            with use_locale(locale):
                if command == "officer":
                    joined = await self.officers.redeem(uow, who, argument.strip(), locale)
                    if joined is None:
                        text = _("That code is not valid: it may be mistyped, used or expired.")
                        return StaffReply(locale, (Outgoing(text),))
                    if not known:
                        # Redeemed: a redelivery must not be told the used code is not valid.
                        await self._claim(uow, who)
                    wards = self.officer_wards
                    screen = await self._start_officer_flow(
                        uow, joined, wards, wards.start(joined.wards)
                    )
                    welcome = Outgoing(_("Welcome. You are now registered as an officer."))
                    return StaffReply(locale, (welcome, screen))
                if command in ("mywards", "action"):
                    if officer is None:
                        return StaffReply(
                            locale, (Outgoing(_("Sorry, only officers can do that.")),)
                        )
                    with use_locale(officer.locale):
                        if command == "mywards":
                            flow: Flow[StaffContext] = self.officer_wards
                            state = self.officer_wards.start(officer.wards)
                        elif not officer.wards:
                            text = _("Choose your wards first with /mywards.")
                            return StaffReply(officer.locale, (Outgoing(text),))
                        else:
                            flow, state = self.officer_action, self.officer_action.start()
                        message = await self._start_officer_flow(uow, officer, flow, state)
                    return StaffReply(officer.locale, (message,))
                if not admin:
                    return self._refused(locale)
                if command == "invite":
                    return StaffReply(locale, (await self.officers.invite(uow, who.chat_id),))
                if command == "officers":
                    return StaffReply(locale, await self.officers.list_officers(uow))
                return StaffReply(locale, (await self.officers.audit_log(uow),))

    async def _officer_and_locale(
        self, uow: UnitOfWork, who: Incoming
    ) -> tuple[Officer | None, str]:
        """The officer, if the user is one, and the language to answer in: theirs, else the
        one Telegram reports."""
        officer = await self._officer(uow, who.chat_id)
        return officer, officer.locale if officer else self._locale(who)

    async def _digest_scopes(self, uow: UnitOfWork, user_id: int) -> tuple[tuple[str, ...], bool]:
        """The wards a user may see, and whether the borough too (admins only)."""
        if await self._is_admin(uow, user_id):
            return tuple(w.id for w in self.areas.wards), True
        officer = await self._officer(uow, user_id)
        return (officer.wards if officer else ()), False

    async def digest_menu(self, who: Incoming) -> StaffReply:
        """/digest: choose a ward (or all one's wards), then a period."""
        assert self.digests is not None
        async with self.store.unit() as uow:
            officer, locale = await self._officer_and_locale(uow, who)
            with use_locale(locale):
                wards, borough = await self._digest_scopes(uow, who.chat_id)
                if not wards:
                    return StaffReply(
                        locale, (Outgoing(_("Sorry, only officers and admins can do that.")),)
                    )
                if officer is not None:
                    wards = officer.wards
                rows = self.digests.scope_buttons(wards, borough=borough)
                return StaffReply(locale, (Outgoing(_("Which digest would you like?"), rows),))

    async def digest_tap(self, who: Incoming, data: CallbackData) -> StaffReply:
        """A scope or period button; checked against the user's wards on every tap."""
        assert self.digests is not None
        async with self.store.unit() as uow:
            officer, locale = await self._officer_and_locale(uow, who)
            with use_locale(locale):
                allowed, borough = await self._digest_scopes(uow, who.chat_id)
                mine = officer.wards if officer else allowed
                if data.step == "borough" and borough:
                    wards: tuple[str, ...] = tuple(w.id for w in self.areas.wards)
                elif data.step == "mine" and mine:
                    wards = tuple(mine)
                elif data.step in allowed:
                    wards = (data.step,)
                else:
                    return StaffReply(
                        locale,
                        toast=_("Sorry, that digest is not yours to see."),
                        toast_alert=True,
                    )
                if data.action == "scope":
                    return StaffReply(
                        locale,
                        (
                            Outgoing(
                                _("Which period?"),
                                self.digests.period_buttons(data.step),
                                edit=True,
                            ),
                        ),
                    )
                period = (
                    self.digests.period_from_button(data.arg) if data.action == "show" else None
                )
                if period is None:
                    return StaffReply(
                        locale,
                        toast=_("That button has expired. Send /digest again."),
                        toast_alert=True,
                    )
                digests = await self.digests.gather(
                    uow, who.chat_id, wards, period, scope=data.step
                )
        with use_locale(locale):
            return StaffReply(locale, await self.digests.render(digests, period))

    async def export(self, who: Incoming) -> StaffReply:
        """/export: the last period's suppressed aggregates for every ward, as CSV (admins)."""
        assert self.digests is not None
        locale = self._locale(who)
        async with self.store.unit() as uow:
            with use_locale(locale):
                if not await self._is_admin(uow, who.chat_id):
                    return self._refused(locale)
                period = self.digests.recent_periods(1)[0]
                document = await self.digests.export_csv(uow, who.chat_id, period)
                caption = _(
                    "Anonymised figures for {period}, every ward. Small counts are suppressed "
                    "and the rest rounded; there are no individual answers or comments."
                ).format(period=self.digests.period_text(period))
                return StaffReply(locale, (Outgoing(caption, document=document),))

    async def scheduled_digests(self) -> list[ScheduledDigest]:
        """For the scheduled job: the digest now due to each officer who has not had it.

        The job runs daily and at start, so a digest that fell due while the bot was down
        still goes; :meth:`scheduled_digest_sent` records each one sent, so it goes once
        (twice at most for the one officer being sent to if the process dies mid-send).
        Officers who joined after it fell due wait for the next one.
        """
        assert self.digests is not None
        due = self.digests.due_period()
        if due is None:
            return []
        period, due_at = due
        async with self.store.unit() as uow:
            officers = await uow.officers.due_scheduled_digest(
                period.start.isoformat(), due_at.astimezone(UTC).isoformat(timespec="seconds")
            )
        scheduled = []
        for officer in officers:
            if not officer.wards:
                continue
            with use_locale(officer.locale):
                # A unit of work each, so residents' updates wait for one officer's figures at
                # most, not for every officer's.
                async with self.store.unit() as uow:
                    digests = await self.digests.gather(
                        uow, officer.user_id, officer.wards, period, scope="mine"
                    )
                messages = await self.digests.render(digests, period)
            scheduled.append(ScheduledDigest(officer.user_id, officer.locale, period, messages))
        return scheduled

    async def scheduled_digest_sent(self, digest: ScheduledDigest) -> None:
        async with self.store.unit() as uow:
            await uow.officers.scheduled_digest_delivered(
                digest.officer_id, digest.period.start.isoformat()
            )

    async def cancel(self, who: Incoming) -> StaffReply | None:
        """Drop a staff flow in progress; None when there is none (the resident /cancel runs)."""
        async with self.store.unit() as uow:
            return await self.cancel_in(uow, who)

    async def cancel_in(self, uow: UnitOfWork, who: Incoming) -> StaffReply | None:
        """:meth:`cancel` in a unit already open."""
        if await uow.staff.flow(who.chat_id) is None:
            return None
        await uow.staff.clear_flow(who.chat_id)
        locale = self._locale(who)
        with use_locale(locale):
            return StaffReply(locale, (Outgoing(_("Cancelled. Nothing was saved.")),))

    async def manage_events(self, who: Incoming) -> StaffReply:
        locale = self._locale(who)
        async with self.store.unit() as uow:
            with use_locale(locale):
                if not await self._is_admin(uow, who.chat_id):
                    return self._refused(locale)
                events = await uow.events.all_upcoming(self._now())
                if not events:
                    return StaffReply(
                        locale,
                        (Outgoing(_("There are no upcoming events. Create one with /newevent.")),),
                    )
                messages = []
                for event in events[:20]:
                    assert event.id is not None
                    counts = await uow.events.rsvp_counts(event.id)
                    text = _(
                        "#{id} {title}\n{when}\nGoing: {going}, maybe: {maybe}, not going: "
                        "{not_going}"
                    ).format(
                        id=event.id,
                        title=event.title,
                        when=self._when(event.starts_at),
                        going=counts["going"],
                        maybe=counts["maybe"],
                        not_going=counts["not_going"],
                    )
                    key = str(event.id)
                    rows = (
                        (
                            Button(pgettext("button", "Change"), CallbackData("m", key, "edit")),
                            Button(
                                pgettext("button", "Cancel event"),
                                CallbackData("m", key, "cancel"),
                            ),
                        ),
                    )
                    messages.append(Outgoing(text, rows))
                return StaffReply(locale, tuple(messages))

    async def _manage_tap(
        self, uow: UnitOfWork, user_id: int, locale: str, data: CallbackData
    ) -> StaffReply:
        event = await uow.events.get(int(data.step)) if data.step.isdigit() else None
        if event is None or event.status != "published":
            return StaffReply(locale, toast=_("That event is not available."), toast_alert=True)
        key = str(event.id)
        if data.action == "cancel":
            rows = (
                (
                    Button(
                        pgettext("button", "Yes, cancel it"), CallbackData("m", key, "cancel_yes")
                    ),
                    Button(pgettext("button", "No"), CallbackData("m", key, "keep")),
                ),
            )
            text = _("Cancel “{title}”? Everyone who said they are coming will be told.").format(
                title=event.title
            )
            return StaffReply(locale, (Outgoing(text, rows, edit=True),))
        if data.action == "keep":
            return StaffReply(locale, (Outgoing(_("Nothing was changed."), edit=True),))
        ctx = self._ctx(uow, user_id, locale)
        if data.action == "cancel_yes":
            cancelled = replace(event, status="cancelled")
            await uow.events.save(cancelled)
            told = await self.effects.notify_attendees(uow, ctx, cancelled, "cancelled")
            assert told.final is not None
            return StaffReply(
                locale,
                (Outgoing.of(told.final, edit=True), *told.extra),
                broadcast_id=told.broadcast_id,
            )
        if data.action == "edit":
            state = self.edit_event_flow.start(event)
            await uow.staff.put_flow(user_id, state)
            return StaffReply(locale, (Outgoing.of(self.edit_event_flow.screen(ctx, state)),))
        return StaffReply(locale, toast=_("Sorry, I didn't understand that button."))

    async def list_broadcasts(self, who: Incoming) -> StaffReply:
        locale = self._locale(who)
        async with self.store.unit() as uow:
            with use_locale(locale):
                if not await self._is_admin(uow, who.chat_id):
                    return self._refused(locale)
                recent = await uow.broadcasts.recent(10)
                if not recent:
                    return StaffReply(locale, (Outgoing(_("No broadcasts yet.")),))
                lines = []
                now = self._now().isoformat(timespec="seconds")
                for b in recent:
                    assert b.id is not None
                    stats = await uow.broadcasts.stats(b.id, now)
                    lines.append(
                        _(
                            "#{id} {kind} · {when}: sent {sent}, blocked {blocked}, failed "
                            "{failed}, skipped {skipped}, remaining {remaining}"
                        ).format(
                            id=b.id,
                            kind=b.kind,
                            when=self._when(datetime.fromisoformat(b.created_at)),
                            sent=stats.sent,
                            blocked=stats.blocked,
                            failed=stats.failed,
                            skipped=stats.skipped,
                            remaining=stats.remaining,
                        )
                    )
                return StaffReply(locale, (Outgoing("\n".join(lines)),))

    async def admins(self, who: Incoming, command: str, argument: str) -> StaffReply:
        """/admins lists; /addadmin ID and /removeadmin ID change the list."""
        locale = self._locale(who)
        async with self.store.unit() as uow:
            with use_locale(locale):
                if not await self._is_admin(uow, who.chat_id):
                    return self._refused(locale)
                if command in ("addadmin", "removeadmin"):
                    if not argument.strip().isdigit():
                        return StaffReply(
                            locale,
                            (
                                Outgoing(
                                    _(
                                        "Please give a Telegram user id, like /{command} 12345."
                                    ).format(command=command)
                                ),
                            ),
                        )
                    target = int(argument.strip())
                    if command == "addadmin":
                        await uow.staff.add_admin(target, who.chat_id)
                        done = _("{id} is now an admin.").format(id=target)
                    elif target in self.config_admins:
                        done = _(
                            "{id} is an admin by configuration (NV_ADMIN_IDS) and cannot be "
                            "removed here."
                        ).format(id=target)
                    elif await uow.staff.remove_admin(target):
                        done = _("{id} is no longer an admin.").format(id=target)
                    else:
                        done = _("{id} was not an admin.").format(id=target)
                    return StaffReply(locale, (Outgoing(done),))
                added = sorted(await uow.staff.admin_ids())
                text = _(
                    "Admins by configuration: {configured}\nAdded by admins: {added}\n\n"
                    "Add one with /addadmin ID, remove with /removeadmin ID."
                ).format(
                    configured=", ".join(map(str, sorted(self.config_admins))) or "–",
                    added=", ".join(map(str, added)) or "–",
                )
                return StaffReply(locale, (Outgoing(text),))

    async def attach_report(
        self, broadcast_id: int, chat_id: int, message_id: int, locale: str
    ) -> None:
        """Progress is edited into this message, in ``locale``, the language of the reply."""
        async with self.store.unit() as uow:
            await uow.broadcasts.set_report(broadcast_id, chat_id, message_id, locale)
        self.engine.wake()
