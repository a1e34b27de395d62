"""Events as residents see them: cards in their language, calendar files, admin input parsing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo

from icalendar import Alarm, Calendar
from icalendar import Event as CalendarEvent

from bot.i18n import _, current_locale, format_period, ngettext, pgettext
from bot.messages import Button, ButtonFamily, Screen
from storage.models import Event

__all__ = [
    "EVENT_BUTTONS",
    "event_buttons",
    "event_card",
    "event_text",
    "ics_file",
    "parse_local_datetime",
    "places_text",
    "when_text",
]

_DATETIME_FORMATS = ("%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%dT%H:%M")

# An event card's buttons: e:<event id>:<rsvp|ics>:<answer>
EVENT_BUTTONS = ButtonFamily("e")


def parse_local_datetime(text: str, timezone: tzinfo) -> datetime | None:
    """An admin's "2026-12-01 18:30" (local time) as an aware UTC datetime, or None."""
    cleaned = re.sub(r"\s+", " ", text.strip())[:40]
    for fmt in _DATETIME_FORMATS:
        try:
            naive = datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
        return naive.replace(tzinfo=timezone).astimezone(UTC)
    return None


def when_text(event: Event, timezone: tzinfo) -> str:
    """Start and end as one interval in the reader's locale ("Tue, 1 Dec 2026, 18:30–20:00")."""
    return format_period(event.starts_at, event.ends_at, timezone)


def _localised(event: Event) -> tuple[str, str, bool]:
    version = event.translations.get(current_locale())
    if current_locale() == "en" or not version:
        return event.title, event.description, current_locale() == "en"
    return (
        version.get("title") or event.title,
        version.get("description") or event.description,
        True,
    )


def places_text(capacity: int, going: int | None) -> str:
    """An event's places: how many, or how many are left when the RSVPs are at hand."""
    if going is None:
        return ngettext("Places: {capacity}.", "Places: {capacity}.", capacity).format(
            capacity=capacity
        )
    left = max(0, capacity - going)
    if left == 0:
        return _("Places: all {capacity} are taken.").format(capacity=capacity)
    return ngettext(
        "Places: {left} of {capacity} left.", "Places: {left} of {capacity} left.", left
    ).format(left=left, capacity=capacity)


def event_text(event: Event, timezone: tzinfo, *, going: int | None = None) -> str:
    """The card; ``going`` (how many said Going) turns its places line into places left."""
    title, description, own_language = _localised(event)
    card = _("📅 {title}\n\n{description}\n\nWhen: {when}\nWhere: {place}, {address}").format(
        title=title,
        description=description,
        when=when_text(event, timezone),
        place=event.place_name,
        address=event.place_address,
    )
    if event.capacity is not None:
        card = f"{card}\n{places_text(event.capacity, going)}"
    if own_language:
        return card
    return _("The organisers wrote this event in English:\n\n{card}").format(card=card)


def rsvp_label(status: str) -> str:
    """A resident's answer to an event, as its button says it."""
    labels = {
        "going": pgettext("rsvp", "Going"),
        "maybe": pgettext("rsvp", "Maybe"),
        "not_going": pgettext("rsvp", "Not going"),
    }
    return labels.get(status, status)


def event_buttons(event: Event) -> tuple[tuple[Button, ...], ...]:
    assert event.id is not None
    key = str(event.id)
    return (
        (
            Button(pgettext("rsvp", "Going"), EVENT_BUTTONS(key, "rsvp", "going")),
            Button(pgettext("rsvp", "Maybe"), EVENT_BUTTONS(key, "rsvp", "maybe")),
            Button(pgettext("rsvp", "Not going"), EVENT_BUTTONS(key, "rsvp", "not_going")),
        ),
        (Button(pgettext("button", "Add to calendar"), EVENT_BUTTONS(key, "ics")),),
    )


def event_card(event: Event, timezone: tzinfo, *, going: int | None = None) -> Screen:
    return Screen(event_text(event, timezone, going=going), event_buttons(event))


def ics_file(event: Event, *, domain: str = "neighbourhood-voice.local") -> bytes:
    """A calendar file with the event in UTC; calendars show it in the reader's own zone."""
    title, description, _own = _localised(event)
    calendar = Calendar()
    calendar.add("prodid", "-//Neighbourhood Voice//Events//EN")
    calendar.add("version", "2.0")
    entry = CalendarEvent()
    entry.add("uid", f"event-{event.id}@{domain}")
    entry.add("dtstamp", datetime.now(UTC))
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", title)
    entry.add("description", description)
    entry.add("location", f"{event.place_name}, {event.place_address}")
    entry.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
    if event.status != "cancelled":
        # RFC 5545 3.6.6: a DISPLAY alarm needs its own DESCRIPTION and a TRIGGER; an hour
        # before, like the bot's own last reminder.
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", title)
        alarm.add("trigger", -timedelta(hours=1))
        entry.add_component(alarm)
    calendar.add_component(entry)
    return bytes(calendar.to_ical())


def reminder_times(event: Event) -> dict[str, datetime]:
    """When the two reminders are due."""
    return {
        "reminder_24h": event.starts_at - timedelta(hours=24),
        "reminder_1h": event.starts_at - timedelta(hours=1),
    }
