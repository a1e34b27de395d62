"""The admins' event manager (/events): counts of who is coming, Change and Cancel.

Change starts the edit-event flow (:mod:`bot.flows.edit_event`); cancelling tells everyone who
said they are coming or might come.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, tzinfo

from bot.i18n import _, format_datetime, pgettext, use_locale
from bot.messages import Button, ButtonFamily, CallbackData, Incoming, Outgoing, StaffReply
from bot.staff.access import StaffAccess
from bot.staff.effects import StaffEffects
from bot.staff.flows import StaffFlows
from storage.repositories import Store, UnitOfWork

__all__ = ["MANAGER_BUTTONS", "EventDesk"]

# The event manager's buttons: m:<event id>:<edit|cancel|cancel_yes|keep>:
MANAGER_BUTTONS = ButtonFamily("m")


class EventDesk:
    def __init__(
        self,
        store: Store,
        access: StaffAccess,
        flows: StaffFlows,
        effects: StaffEffects,
        *,
        timezone: tzinfo,
        now: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.access = access
        self.flows = flows
        self.effects = effects
        self.timezone = timezone
        self._now = now

    def _when(self, moment: datetime) -> str:
        return format_datetime(moment, self.timezone)

    async def manage(self, who: Incoming) -> StaffReply:
        locale = self.access.locale(who)
        async with self.store.unit() as uow:
            with use_locale(locale):
                if not await self.access.is_admin(uow, who.chat_id):
                    return self.access.refused(locale)
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
                            Button(pgettext("button", "Change"), MANAGER_BUTTONS(key, "edit")),
                            Button(
                                pgettext("button", "Cancel event"),
                                MANAGER_BUTTONS(key, "cancel"),
                            ),
                        ),
                    )
                    messages.append(Outgoing(text, rows))
                return StaffReply(locale, tuple(messages))

    async def tap_in(
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
                        pgettext("button", "Yes, cancel it"), MANAGER_BUTTONS(key, "cancel_yes")
                    ),
                    Button(pgettext("button", "No"), MANAGER_BUTTONS(key, "keep")),
                ),
            )
            text = _("Cancel “{title}”? Everyone who said they are coming will be told.").format(
                title=event.title
            )
            return StaffReply(locale, (Outgoing(text, rows, edit=True),))
        if data.action == "keep":
            return StaffReply(locale, (Outgoing(_("Nothing was changed."), edit=True),))
        ctx = self.flows.context(uow, user_id, locale)
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
            flow = self.flows.edit_event
            return StaffReply(locale, (await self.flows.put(uow, ctx, flow, flow.start(event)),))
        return StaffReply(locale, toast=_("Sorry, I didn't understand that button."))
