"""What a broadcast says to one resident, in their language, rendered at send time."""

from __future__ import annotations

from datetime import tzinfo

from bot.events import event_buttons, event_text
from bot.i18n import _, use_locale
from bot.messages import Outgoing
from storage.models import Broadcast, Event, Resident

__all__ = ["render_broadcast"]


def _footer() -> str:
    return _("You get these because you asked for notices. Change this with /notices.")


def _notice_text(broadcast: Broadcast, locale: str) -> str:
    own = broadcast.texts.get(locale)
    english = broadcast.texts.get("en", "")
    if broadcast.urgent:
        if own:
            return _("⚠️ Urgent safety notice from your local team\n\n{text}").format(text=own)
        return _(
            "⚠️ Urgent safety notice from your local team (written in English)\n\n{text}"
        ).format(text=english)
    if broadcast.kind == "update":
        if own:
            return _("You said, we did: an update from your local team\n\n{text}").format(text=own)
        return _(
            "You said, we did: an update from your local team (written in English)\n\n{text}"
        ).format(text=english)
    if own:
        return _("📣 Notice from your local team\n\n{text}").format(text=own)
    return _("📣 Notice from your local team (written in English)\n\n{text}").format(text=english)


def _event_heading(broadcast: Broadcast) -> str:
    if broadcast.kind == "reminder_24h":
        return _("⏰ Reminder: this event is tomorrow.")
    if broadcast.kind == "reminder_1h":
        return _("⏰ Reminder: this event starts in about an hour.")
    if broadcast.kind == "event_change":
        if broadcast.texts.get("change") == "cancelled":
            return _("❌ This event has been cancelled. We are sorry for any inconvenience.")
        return _("✏️ This event has changed. Here are the new details.")
    return _("🆕 A new event near you.")


def render_broadcast(
    resident: Resident, broadcast: Broadcast, event: Event | None, timezone: tzinfo
) -> Outgoing:
    """The message for one recipient, in their language, with RSVP buttons for events."""
    with use_locale(resident.locale):
        if event is None:
            return Outgoing(
                _("{notice}\n\n{footer}").format(
                    notice=_notice_text(broadcast, resident.locale), footer=_footer()
                ),
                locale=resident.locale,
            )
        text = _("{heading}\n\n{event}").format(
            heading=_event_heading(broadcast), event=event_text(event, timezone)
        )
        if broadcast.kind in ("event",):
            text = _("{notice}\n\n{footer}").format(notice=text, footer=_footer())
        buttons = () if event.status == "cancelled" else event_buttons(event)
        return Outgoing(text, buttons, locale=resident.locale)
