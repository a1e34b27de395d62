"""The broadcast engine's port to Telegram: PTB errors translated into delivery outcomes.

The translation follows the Bot API's documented meanings: 429 carries ``retry_after``; 403
means the user blocked the bot or deleted the account; 400 will never succeed; anything else
(network errors, timeouts, 5xx) may succeed later.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.broadcasting.engine import Blocked, RateLimited, Rejected, Reporter, Transient
from bot.broadcasting.progress import Progress
from bot.i18n import directional, use_locale
from bot.messages import Outgoing
from bot.staff.broadcasts import progress_text
from handlers.ratelimit import bulk, seconds
from handlers.replies import keyboard, send_new
from storage.repositories import Store

__all__ = ["TelegramDelivery", "progress_reporter", "send_scheduled"]

logger = logging.getLogger(__name__)


class TelegramDelivery:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: int, message: Outgoing) -> None:
        locale = message.locale or "en"
        try:
            await self.bot.send_message(
                chat_id,
                directional(message.text, locale),
                reply_markup=keyboard(message.buttons, locale),
                **bulk(self.bot),
            )
        except RetryAfter as error:
            raise RateLimited(seconds(error.retry_after)) from error
        except Forbidden as error:
            raise Blocked(error.message) from error
        except BadRequest as error:  # a subclass of NetworkError: check it first
            raise Rejected(error.message) from error
        except NetworkError as error:
            raise Transient(error.message) from error
        except TelegramError as error:
            raise Transient(error.message) from error


async def send_scheduled(
    bot: Bot,
    chat_id: int,
    messages: Sequence[Outgoing],
    locale: str,
) -> bool:
    """One recipient's scheduled messages (a digest); False if they could not all go.

    A job sends to many recipients in turn, so one recipient's failure must not stop the
    rest: each message is tried as :func:`~handlers.replies.patiently` tries a call, and what
    still fails (a 403 from an officer who blocked the bot, a 400, a network error that
    lasts) gives up on this recipient only.
    """
    for message in messages:
        try:
            await send_new(bot, chat_id, message, message.locale or locale, unasked=True)
        except TelegramError as error:
            logger.warning("scheduled message not delivered: %s", error.message)
            return False
    return True


def progress_reporter(bot: Bot, store: Store, default_locale: str) -> Reporter:
    """Edit the staff member's progress message as the broadcast goes, then the summary."""

    async def report(progress: Progress) -> None:
        async with store.unit() as uow:
            broadcast = await uow.broadcasts.get(progress.broadcast_id)
        if broadcast is None or broadcast.report_chat_id is None:
            return
        assert broadcast.report_message_id is not None
        locale = broadcast.report_locale or default_locale
        with use_locale(locale):
            text = directional(progress_text(progress, broadcast), locale)
        with contextlib.suppress(BadRequest):  # "message is not modified"
            await bot.edit_message_text(
                text,
                chat_id=broadcast.report_chat_id,
                message_id=broadcast.report_message_id,
                **bulk(bot),
            )

    return report
