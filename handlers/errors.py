"""The error handler: log without personal data, then tell the resident to try again."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.i18n import _, use_locale
from bot.residents.conversation import ConversationService

__all__ = ["build"]

logger = logging.getLogger("neighbourhood_voice.errors")

ErrorCallback = Callable[[object, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def build(service: ConversationService) -> ErrorCallback:
    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the failure by update id only (never text, names or chat ids)."""
        error = context.error
        update_id = update.update_id if isinstance(update, Update) else None
        if isinstance(error, Forbidden):
            logger.info("update %s: the resident has blocked the bot", update_id)
            return
        logger.error("update %s failed", update_id, exc_info=error)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer()
        code = update.effective_user.language_code if update.effective_user else None
        with use_locale(service.locale_for_error(code)):
            text = _("Sorry, something went wrong on my side. Please try again.")
        try:
            await context.bot.send_message(update.effective_chat.id, text)
        except TelegramError:
            logger.warning("update %s: could not tell the resident about the error", update_id)

    return on_error
