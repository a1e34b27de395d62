"""/survey and /cancel: entering the survey and leaving any flow with nothing half-written."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from bot.residents.commands import ResidentCommands
from bot.routing import Router
from handlers.replies import RESIDENT_MESSAGES, deliver, incoming

__all__ = ["build"]


def build(
    commands: ResidentCommands, router: Router
) -> list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]]:
    async def survey(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Start the survey, or show where the resident already is."""
        reply = await commands.begin_survey(incoming(update))
        await deliver(update, context, reply)

    async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Drop the flow in progress (a staff flow first); a half-finished sign-up is erased
        entirely."""
        await deliver(update, context, await router.cancel(incoming(update)))

    return [
        CommandHandler("survey", survey, filters=RESIDENT_MESSAGES),
        CommandHandler("cancel", cancel, filters=RESIDENT_MESSAGES),
    ]
