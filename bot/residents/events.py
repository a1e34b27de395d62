"""Events and notices for residents: /events, RSVPs, calendar files and /notices.

Button data: ``e:<event id>:rsvp:<going|maybe|not_going>``, ``e:<event id>:ics:``,
``v::page:<n>`` for paging the list, and ``n::toggle:<topic>`` / ``n::done:`` for notices.
None of these belong to a flow, so they work from any message and leave any flow alone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from bot.events import EVENT_BUTTONS, event_buttons, event_card, ics_file
from bot.flows.notice_choices import NOTICE_BUTTONS, notices_saved, notices_screen
from bot.i18n import _, pgettext
from bot.messages import Button, ButtonFamily, CallbackData, Document, Incoming, Outgoing, Reply
from bot.residents.session import answered_once, resident_session
from bot.residents.wording import not_signed_up_text
from storage.events import RSVP_STATUSES
from storage.models import TOPICS, Event, Resident
from storage.repositories import Store, UnitOfWork

__all__ = ["PAGE_BUTTONS", "EventsService", "with_choice"]

PAGE_SIZE = 3

# /events' page buttons: v::page:<page>
PAGE_BUTTONS = ButtonFamily("v")


def with_choice(event: Event, status: str | None) -> tuple[tuple[Button, ...], ...]:
    """The RSVP buttons with the resident's current answer ticked."""
    rows = event_buttons(event)
    if status is None:
        return rows
    first = tuple(
        Button(_("✅ {choice}").format(choice=b.label), b.data) if b.data.arg == status else b
        for b in rows[0]
    )
    return (first, *rows[1:])


class EventsService:
    def __init__(self, store: Store, *, timezone: tzinfo, default_locale: str) -> None:
        self.store = store
        self.timezone = timezone
        self.default_locale = default_locale

    async def card(self, uow: UnitOfWork, resident: Resident, event_id: int) -> Outgoing | None:
        """An event's card for this resident, or None when it is gone or over."""
        event = await uow.events.get(event_id)
        if event is None or event.status != "published" or event.ends_at <= datetime.now(UTC):
            return None
        status = await uow.events.rsvp(event_id, resident.respondent_id)
        return Outgoing(await self._text(uow, event), with_choice(event, status))

    async def _text(self, uow: UnitOfWork, event: Event) -> str:
        """The card's text; an event with a capacity shows how many places are left."""
        going = None
        if event.capacity is not None and event.id is not None:
            going = (await uow.events.rsvp_counts(event.id))["going"]
        return event_card(event, self.timezone, going=going).text

    @answered_once
    async def list_events(self, who: Incoming, page: int = 0) -> Reply:
        async with resident_session(self.store, who, self.default_locale) as (
            uow,
            resident,
            locale,
        ):
            if resident is None:
                return Reply(locale, (Outgoing(not_signed_up_text()),))
            return Reply(locale, await self._page(uow, resident, page))

    async def _page(self, uow: UnitOfWork, resident: Resident, page: int) -> tuple[Outgoing, ...]:
        now = datetime.now(UTC)
        events = await uow.events.upcoming(
            now, resident.ward_id, limit=PAGE_SIZE + 1, offset=page * PAGE_SIZE
        )
        if not events and page == 0:
            return (
                Outgoing(
                    _(
                        "There are no upcoming events in your area at the moment. Switch on "
                        "event notices with /notices and I will tell you about new ones."
                    )
                ),
            )
        if not events:
            return (Outgoing(_("There are no more events.")),)
        messages = []
        for event in events[:PAGE_SIZE]:
            assert event.id is not None
            status = await uow.events.rsvp(event.id, resident.respondent_id)
            messages.append(Outgoing(await self._text(uow, event), with_choice(event, status)))
        navigation: list[Button] = []
        if page > 0:
            navigation.append(
                Button(pgettext("button", "Previous"), PAGE_BUTTONS("", "page", str(page - 1)))
            )
        if len(events) > PAGE_SIZE:
            navigation.append(
                Button(pgettext("button", "More events"), PAGE_BUTTONS("", "page", str(page + 1)))
            )
        if navigation:
            messages.append(
                Outgoing(_("Page {number}").format(number=page + 1), (tuple(navigation),))
            )
        return tuple(messages)

    @answered_once
    async def notices_menu(self, who: Incoming) -> Reply:
        async with resident_session(self.store, who, self.default_locale) as (
            _uow,
            resident,
            locale,
        ):
            if resident is None:
                return Reply(locale, (Outgoing(not_signed_up_text()),))
            return Reply(locale, (Outgoing.of(notices_screen(resident)),))

    @answered_once
    async def tap(self, who: Incoming, data: CallbackData) -> Reply:
        async with resident_session(self.store, who, self.default_locale) as (
            uow,
            resident,
            locale,
        ):
            if resident is None:
                return Reply(
                    locale,
                    (Outgoing(not_signed_up_text()),),
                    toast=_("That button has expired."),
                )
            if data.flow == PAGE_BUTTONS.prefix and data.action == "page" and data.arg.isdigit():
                return Reply(locale, await self._page(uow, resident, int(data.arg)))
            if data.flow == NOTICE_BUTTONS.prefix:
                return await self._notices(uow, resident, locale, data)
            if data.flow == EVENT_BUTTONS.prefix and data.step.isdigit():
                return await self._event_action(uow, resident, locale, int(data.step), data)
            return Reply(locale, toast=_("Sorry, I didn't understand that button."))

    async def _notices(
        self, uow: UnitOfWork, resident: Resident, locale: str, data: CallbackData
    ) -> Reply:
        if data.action == "toggle" and data.arg in TOPICS:
            updated = resident.with_topic(data.arg, not resident.wants(data.arg))
            await uow.residents.save(updated)
            return Reply(locale, (Outgoing.of(notices_screen(updated), edit=True),))
        if data.action == "done":
            return Reply(locale, (Outgoing(notices_saved(resident), edit=True),))
        return Reply(locale, toast=_("Sorry, I didn't understand that button."))

    async def _event_action(
        self,
        uow: UnitOfWork,
        resident: Resident,
        locale: str,
        event_id: int,
        data: CallbackData,
    ) -> Reply:
        event = await uow.events.get(event_id)
        if event is None:
            return Reply(locale, toast=_("Sorry, I didn't understand that button."))
        if event.status != "published":
            return Reply(locale, toast=_("This event has been cancelled."), toast_alert=True)
        if event.ends_at <= datetime.now(UTC):
            return Reply(locale, toast=_("This event is over."), toast_alert=True)
        if data.action == "ics":
            document = Document(f"event-{event_id}.ics", ics_file(event))
            caption = _("Open this file to add the event to your calendar.")
            return Reply(locale, (Outgoing(caption, document=document),))
        if data.action != "rsvp" or data.arg not in RSVP_STATUSES:
            return Reply(locale, toast=_("Sorry, I didn't understand that button."))
        current = await uow.events.rsvp(event_id, resident.respondent_id)
        if data.arg == "going" and current != "going" and event.capacity is not None:
            counts = await uow.events.rsvp_counts(event_id)
            if counts["going"] >= event.capacity:
                return Reply(locale, toast=_("Sorry, this event is full."), toast_alert=True)
        await uow.events.set_rsvp(event_id, resident.respondent_id, data.arg)
        # bot.broadcasting.reminders reminds those going, and only them, 24 h and 1 h before.
        until = event.starts_at - datetime.now(UTC)
        if data.arg == "going" and until > timedelta(hours=24):
            toast = _(
                "Thank you, see you there. I will remind you a day before and an hour before "
                "it starts."
            )
        elif data.arg == "going" and until > timedelta(hours=1):
            toast = _("Thank you, see you there. I will remind you an hour before it starts.")
        elif data.arg == "going":
            toast = _("Thank you, see you there.")
        elif data.arg == "maybe":
            toast = _("Thank you, your answer is saved. Reminders go to those who tap Going.")
        else:
            toast = _("Thank you, your answer is saved.")
        text = await self._text(uow, event)
        return Reply(
            locale, (Outgoing(text, with_choice(event, data.arg), edit=True),), toast=toast
        )
