"""/start and /language: the way in, and changing language at any time.

Consent, language, area and age band are buttons and text handled by the generic flow handlers
in :mod:`handlers.residents.conversation`; this module only holds the commands that enter them.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from bot.residents.commands import ResidentCommands
from handlers.replies import RESIDENT_MESSAGES, deliver, incoming

__all__ = ["build"]


def build(
    commands: ResidentCommands,
) -> list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]]:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Welcome, safety information and the privacy notice with a consent button."""
        payload = context.args[0] if context.args else None
        reply = await commands.start(incoming(update), payload)
        await deliver(update, context, reply)

    async def language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Offer every supported language; the choice applies from the next message."""
        reply = await commands.language_menu(incoming(update))
        await deliver(update, context, reply)

    return [
        CommandHandler("start", start, filters=RESIDENT_MESSAGES),
        CommandHandler("language", language, filters=RESIDENT_MESSAGES),
    ]
