"""/privacy, /mydata and /forget: what is kept, a copy of it, and erasing it."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from bot.residents.commands import ResidentCommands
from handlers.replies import RESIDENT_MESSAGES, deliver, incoming

__all__ = ["build"]


def build(
    commands: ResidentCommands,
) -> list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]]:
    async def privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The privacy notice, then the question the resident was on."""
        reply = await commands.privacy(incoming(update))
        await deliver(update, context, reply)

    async def my_data(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Everything stored, as a message and as a JSON file."""
        reply = await commands.my_data(incoming(update))
        await deliver(update, context, reply)

    async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Ask for confirmation; the tap itself is handled with the other buttons."""
        reply = await commands.forget(incoming(update))
        await deliver(update, context, reply)

    return [
        CommandHandler("privacy", privacy, filters=RESIDENT_MESSAGES),
        CommandHandler("mydata", my_data, filters=RESIDENT_MESSAGES),
        CommandHandler("forget", forget, filters=RESIDENT_MESSAGES),
    ]
