"""A chat's own command menu (:class:`~bot.messages.MenuChange`) as Bot API calls.

Staff members' chats get lists of their own (:mod:`bot.staff.menus`): ``setMyCommands`` and
``deleteMyCommands`` with a ``BotCommandScopeChat``. A menu is a convenience, so a failure
never breaks what asked for it (a staff action, the start-up); each call is made
:func:`~handlers.replies.patiently`, as the Bot API's error contract says:

- a 429 waits its ``retry_after`` (the gate holds every other call meanwhile) and goes again;
  a network error or 5xx goes again after a moment;
- a 403 (the staff member blocked the bot) or a 400 (``chat not found``: they never wrote to
  the bot) will never succeed: that chat is left as it is;
- what still fails after the attempts is logged and left for the next start.

Calls are marked bulk: no one is waiting for them this second. Logs carry Telegram's error
only, never a chat id or the menu's text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from enum import Enum

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.messages import MenuChange, MenuCommand
from handlers.ratelimit import bulk
from handlers.replies import patiently

__all__ = ["MenuOutcome", "apply_menu", "apply_menus", "bot_commands"]

logger = logging.getLogger(__name__)


class MenuOutcome(Enum):
    DONE = "done"
    REFUSED = "refused"  # a 400 or 403: this chat cannot be given a menu now
    UNREACHABLE = "unreachable"  # Telegram did not answer, or kept asking for a pause


def bot_commands(menu: Iterable[MenuCommand]) -> list[BotCommand]:
    """A menu as the Bot API's BotCommand objects (every chat's, and the residents' default)."""
    return [BotCommand(c.command, c.description) for c in menu]


async def _set(bot: Bot, chat_id: int, language: str | None, menu: Iterable[MenuCommand]) -> None:
    commands = bot_commands(menu)
    scope = BotCommandScopeChat(chat_id)
    await patiently(
        lambda: bot.set_my_commands(commands, scope=scope, language_code=language, **bulk(bot))
    )


async def _delete(bot: Bot, chat_id: int, language: str | None) -> None:
    scope = BotCommandScopeChat(chat_id)
    await patiently(
        lambda: bot.delete_my_commands(scope=scope, language_code=language, **bulk(bot))
    )


async def apply_menu(bot: Bot, change: MenuChange) -> MenuOutcome:
    """Set, then delete, the chat's lists; stops at the first call Telegram will not take."""
    try:
        for language, menu in change.lists:
            await _set(bot, change.chat_id, language, menu)
        for language in change.delete:
            await _delete(bot, change.chat_id, language)
    except (Forbidden, BadRequest) as error:  # BadRequest first: it is a NetworkError too
        logger.warning("a staff member's command menu was not changed: %s", error.message)
        return MenuOutcome.REFUSED
    except TelegramError as error:
        logger.warning("a staff member's command menu was not changed, for now: %s", error.message)
        return MenuOutcome.UNREACHABLE
    return MenuOutcome.DONE


async def apply_menus(bot: Bot, changes: Iterable[MenuChange]) -> None:
    """Every chat's change in turn: one chat that refuses does not stop the others."""
    for change in changes:
        await apply_menu(bot, change)
