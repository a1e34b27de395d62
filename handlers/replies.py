"""Turning a service :class:`~bot.residents.conversation.Reply` into Bot API calls.

Shared by every feature module: the only place that builds keyboards and decides between
editing the tapped message and sending a new one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import ContextTypes, filters

from bot.i18n import directional
from bot.messages import (
    Button,
    CallbackData,
    Incoming,
    Outgoing,
    Reply,
    StaffReply,
    fewest_messages,
)
from handlers.ratelimit import bulk, seconds

__all__ = [
    "ATTEMPTS",
    "RESIDENT_MESSAGES",
    "deliver",
    "deliver_staff",
    "incoming",
    "keyboard",
    "our_tap",
    "patiently",
    "seconds",
    "send_new",
    "text_of",
]

# New messages in private chats; edited messages and groups go to the catch-all instead.
RESIDENT_MESSAGES = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE

logger = logging.getLogger(__name__)

ATTEMPTS = 4  # for one Bot API call: room for a 429 and a couple of network failures
T = TypeVar("T")


async def patiently(
    call: Callable[[], Awaitable[T]],
    *,
    attempts: int = ATTEMPTS,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> T:
    """A Bot API call, made again as the Bot API documents when it fails for now.

    A 429 waits the ``retry_after`` Telegram gives; a network error (a timeout, a 5xx, a
    dropped connection) waits a moment, longer each time. A 400 or 403 will never succeed and
    is raised at once, as is the last failure. A call that timed out may have got through, so
    a repeated ``sendMessage`` can, rarely, show a screen twice: better than not at all.
    """
    for attempt in range(attempts - 1):
        try:
            return await call()
        except RetryAfter as error:
            await sleep(seconds(error.retry_after))
        except BadRequest:  # a subclass of NetworkError that no retry will mend
            raise
        except NetworkError as error:
            logger.warning("Bot API call failed (%s); trying again", error.message)
            await sleep(0.5 * 2**attempt)
    return await call()


def our_tap(update: Update) -> CallbackData | None:
    """The tap's data if it is one of our buttons' shapes; ``None`` for anything else.

    Telegram leaves ``data`` out of a game's tap and a client can send any string, so this is
    what handlers check instead of asserting.
    """
    query = update.callback_query
    return CallbackData.decode(query.data) if query is not None else None


def text_of(update: Update) -> str | None:
    """The text of a new message, or ``None`` when the update carries none."""
    message = update.message
    return message.text if message is not None else None


def keyboard(rows: tuple[tuple[Button, ...], ...], locale: str) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(directional(b.label, locale), callback_data=b.data.encode())
                for b in row
            ]
            for row in rows
        ]
    )


def incoming(update: Update) -> Incoming:
    """The plain facts the service needs about an update's sender.

    Handlers are registered for private chats, whose id is the user's; a tap on an inline-mode
    message has no chat and is known by its user.
    """
    chat = update.effective_chat
    user = update.effective_user
    if chat is not None:
        chat_id = chat.id
    elif user is not None:
        chat_id = user.id
    else:  # channel posts and the like, which no handler is registered for
        raise ValueError(f"update {update.update_id} has neither a chat nor a user")
    return Incoming(
        chat_id=chat_id,
        telegram_locale=user.language_code if user else None,
        update_id=update.update_id,
    )


async def send_new(
    bot: Bot, chat_id: int, out: Outgoing, locale: str, *, unasked: bool = False
) -> Message:
    """A new message (a picture, a file, or text with its keyboard), sent :func:`patiently`.

    ``unasked``: no one is waiting for it this second (a scheduled digest), so it takes what
    the replies leave of the budget (:mod:`bot.broadcasting.flood`).
    """
    text = directional(out.text, locale)
    extra = bulk(bot) if unasked else {}
    document = out.document
    if document is not None:
        upload = InputFile(document.content, filename=document.filename)
        if out.photo:
            return await patiently(
                lambda: bot.send_photo(chat_id, photo=upload, caption=text, **extra)
            )
        return await patiently(
            lambda: bot.send_document(chat_id, document=upload, caption=text, **extra)
        )
    markup = keyboard(out.buttons, locale)
    return await patiently(lambda: bot.send_message(chat_id, text, reply_markup=markup, **extra))


async def _send(
    update: Update, context: ContextTypes.DEFAULT_TYPE, out: Outgoing, reply_locale: str
) -> Message | None:
    chat = update.effective_chat
    if chat is None:
        return None
    locale = out.locale or reply_locale
    query = update.callback_query
    if out.edit and out.document is None and query is not None and query.message is not None:
        text, markup = directional(out.text, locale), keyboard(out.buttons, locale)
        try:
            edited = await patiently(lambda: query.edit_message_text(text, reply_markup=markup))
            return edited if isinstance(edited, Message) else None
        except BadRequest as error:
            if "not modified" in error.message.lower():
                return None
            # The message is too old or gone; fall through and send the screen anew.
            logger.info("could not edit message, sending a new one (%s)", error.message)
    return await send_new(context.bot, chat.id, out, locale)


async def _answer(query: CallbackQuery, reply: Reply) -> None:
    """Stop the tap's spinner; a query that can no longer be answered is no failure.

    Telegram takes one answer per query, within a short time. A tap redelivered after a
    restart (answered before the crash) or answered very late has nothing left to answer, and
    its reply must still go out.
    """
    try:
        await patiently(lambda: query.answer(text=reply.toast, show_alert=reply.toast_alert))
    except BadRequest as error:
        if "query is too old" not in error.message.lower():
            raise
        logger.info("a tap could not be answered any more (%s)", error.message)


async def deliver(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply
) -> list[Message]:
    """Answer a tap first (Telegram shows a spinner until then), then send in order."""
    if update.callback_query is not None:
        await _answer(update.callback_query, reply)
    sent = []
    for out in fewest_messages(reply.messages):
        message = await _send(update, context, out, reply.locale)
        if message is not None:
            sent.append(message)
    return sent


AttachReport = Callable[[int, int, int, str], Awaitable[None]]


async def deliver_staff(
    update: Update, context: ContextTypes.DEFAULT_TYPE, attach: AttachReport, reply: StaffReply
) -> None:
    """Send, and register the last message as a new broadcast's progress report
    (``attach(broadcast_id, chat_id, message_id, locale)``)."""
    sent = await deliver(update, context, reply)
    if reply.broadcast_id is not None and sent:
        last = sent[-1]
        await attach(reply.broadcast_id, last.chat_id, last.message_id, reply.locale)
