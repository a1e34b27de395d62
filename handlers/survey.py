"""/survey and /cancel: entering the survey and leaving any flow with nothing half-written."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from bot.conversation import ConversationService
from bot.staff import StaffService
from handlers.replies import RESIDENT_MESSAGES, deliver, incoming

__all__ = ["build"]


def build(
    service: ConversationService, staff: StaffService
) -> list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]]:
    async def survey(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Start the survey, or show where the resident already is."""
        reply = await service.begin_survey(incoming(update))
        await deliver(update, context, reply)

    async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Drop the flow in progress; a half-finished sign-up is erased entirely."""
        staff_reply = await staff.cancel(incoming(update))
        if staff_reply is not None:
            await deliver(update, context, staff_reply)
            return
        await deliver(update, context, await service.cancel(incoming(update)))

    return [
        CommandHandler("survey", survey, filters=RESIDENT_MESSAGES),
        CommandHandler("cancel", cancel, filters=RESIDENT_MESSAGES),
    ]
