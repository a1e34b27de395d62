"""The generic flow handlers: free text, button taps, /help, and everything else a resident sends.

Registered last, so feature commands win; whatever reaches the catch-all gets a clear answer
and the conversation stays where it was.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.messages import CallbackData, StaffReply
from bot.residents.conversation import ConversationService
from bot.routing import Router
from bot.staff.service import StaffService
from handlers.replies import RESIDENT_MESSAGES, deliver, deliver_staff, incoming, text_of

__all__ = ["build", "foreign_taps"]


def foreign_taps(
    service: ConversationService,
) -> BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]:
    """Taps whose data is not one of our buttons' shapes, answered before any feature sees them.

    Registered first. PTB's ``CallbackQueryHandler`` matches a query without ``data`` (a game's
    button) whatever its pattern, so without this the first feature handler would receive one.
    """

    def foreign_data(data: object) -> bool:
        return not isinstance(data, str) or CallbackData.decode(data) is None

    return CallbackQueryHandler(tapped(service), pattern=foreign_data)


Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def tapped(service: ConversationService) -> Callback:
    """A button tap; stale and forged data are recognised by the service."""

    async def tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        if update.effective_chat is None:  # a tap on an inline-mode message: nothing of ours
            await query.answer()
            return
        await deliver(update, context, await service.tap(incoming(update), query.data))

    return tap


def build(
    service: ConversationService, router: Router, staff: StaffService
) -> list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]]:
    async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """What the bot does, its commands, and 999/101."""
        reply = await service.commands.help(incoming(update))
        await deliver(update, context, reply)
        if reply.messages:  # answered, not a redelivery: staff also get their own commands
            extra = await staff.help(incoming(update))
            if extra is not None:
                await deliver(update, context, extra)

    async def text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Free text answers the current step (a postcode, a comment); anything that reads
        like an emergency is answered first, before the database is touched."""
        text = text_of(update) or ""
        urgent = service.urgent(incoming(update), text)
        if urgent is not None:
            await deliver(update, context, urgent)
        reply = await router.text(incoming(update), text, urgent=urgent is not None)
        if isinstance(reply, StaffReply):  # staff in the middle of creating something
            await deliver_staff(update, context, staff.broadcasts.attach_report, reply)
            return
        await deliver(update, context, reply)

    async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A command we do not have."""
        reply = await service.commands.unknown_command(incoming(update))
        await deliver(update, context, reply)

    async def unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice, edits and the rest: say so, stay where we were."""
        chat = update.effective_chat
        if chat is None or chat.type != "private":
            return
        edited = update.edited_message
        urgent = service.urgent(incoming(update), edited.text if edited else None)
        if urgent is not None:
            await deliver(update, context, urgent)
        reply = await service.commands.unsupported(
            incoming(update), edited=update.edited_message is not None
        )
        await deliver(update, context, reply)

    return [
        CommandHandler("help", help_command, filters=RESIDENT_MESSAGES),
        MessageHandler(RESIDENT_MESSAGES & filters.COMMAND, unknown_command),
        MessageHandler(RESIDENT_MESSAGES & filters.TEXT, text),
        CallbackQueryHandler(tapped(service)),
        TypeHandler(Update, unsupported),
    ]
