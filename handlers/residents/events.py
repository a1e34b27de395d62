"""Residents and events: /events, /notices, and the event, paging and notice buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.events import EVENT_BUTTONS
from bot.flows.notice_choices import NOTICE_BUTTONS
from bot.messages import tap_pattern
from bot.residents.events import PAGE_BUTTONS, EventsService
from handlers.replies import RESIDENT_MESSAGES, deliver, incoming, our_tap

__all__ = ["build"]


def build(service: EventsService) -> list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]]:
    async def events(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Upcoming events in the resident's ward and borough-wide, a page at a time."""
        await deliver(update, context, await service.list_events(incoming(update)))

    async def notices(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Switch each kind of notice on or off."""
        await deliver(update, context, await service.notices_menu(incoming(update)))

    async def tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """RSVP, calendar file, next page, notice toggles."""
        data = our_tap(update)
        if (
            data is not None
        ):  # anything else was answered by handlers.residents.conversation.foreign_taps
            await deliver(update, context, await service.tap(incoming(update), data))

    return [
        CommandHandler("events", events, filters=RESIDENT_MESSAGES),
        CommandHandler("notices", notices, filters=RESIDENT_MESSAGES),
        CallbackQueryHandler(
            tap, pattern=tap_pattern(EVENT_BUTTONS, PAGE_BUTTONS, NOTICE_BUTTONS)
        ),
    ]
