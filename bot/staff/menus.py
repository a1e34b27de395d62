"""Telegram's command menu for officers and admins: their own commands, then the residents'.

Telegram shows each person the first command list that is set, in this order (Bot API,
BotCommandScope, "Determining list of commands", for the chat with the bot):
``BotCommandScopeChat`` + ``language_code``, ``BotCommandScopeChat``,
``BotCommandScopeAllPrivateChats`` + ``language_code``, ``BotCommandScopeAllPrivateChats``,
``BotCommandScopeDefault`` + ``language_code``, ``BotCommandScopeDefault``; ``language_code``
is the person's Telegram language. Residents get the default scope's lists (one per
language, set at start); a staff member's chat gets lists of its own, so for them the
residents' lists are never reached.

**Language.** The menu is in the language the bot answers the staff member in, the one
:meth:`~bot.staff.service.StaffService.help` uses:

- an officer (admin or not) is answered in the language stored when they joined, whatever
  Telegram says later, so their chat gets one list, with no ``language_code``: the chat's list
  for every language, and nothing narrower to shadow it;
- an admin who is not an officer is answered in the language Telegram reports with each
  update, which the bot does not store, so their chat gets what residents get: one list per
  language the bot speaks, with that ``language_code``, and the default language's list
  without one, for every other language. Telegram then picks the list by the same language
  code the bot would answer in.

Each change of role (an officer joins or is revoked, an admin is added or removed) sets the
lists of the new role and deletes those of the old one it no longer has. The lists are plain
data (:class:`~bot.messages.MenuChange`); the handlers make the Bot API calls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.i18n import pgettext, supported_locales, use_locale
from bot.messages import MenuChange, MenuCommand
from bot.staff.access import StaffAccess
from storage.repositories import UnitOfWork

__all__ = ["StaffMenus", "StaffRole", "admin_commands", "officer_commands"]

Menu = tuple[MenuCommand, ...]


@dataclass(frozen=True, slots=True)
class StaffRole:
    """What a chat is to the bot, as far as its menu goes."""

    admin: bool = False
    officer_locale: str | None = None  # an active officer's language; None: not an officer


def officer_commands() -> Menu:
    """An officer's commands, described in the current language."""
    return (
        MenuCommand("digest", pgettext("command", "The anonymised summary for your wards")),
        MenuCommand("mywards", pgettext("command", "Choose your wards")),
        MenuCommand(
            "action", pgettext("command", "Tell residents what was done about a priority")
        ),
    )


def admin_commands(*, with_digest: bool = True) -> Menu:
    """An admin's commands, described in the current language; ``with_digest=False`` leaves
    out /digest, for an admin who has it as an officer already."""
    digest = (
        (MenuCommand("digest", pgettext("command", "A ward's anonymised summary")),)
        if with_digest
        else ()
    )
    return (
        MenuCommand("newevent", pgettext("command", "Create a community event")),
        MenuCommand("manageevents", pgettext("command", "Change or cancel upcoming events")),
        MenuCommand("broadcast", pgettext("command", "Send a notice to chosen wards")),
        MenuCommand("broadcasts", pgettext("command", "Recent notices and how far they got")),
        MenuCommand("invite", pgettext("command", "An invite code for a new officer")),
        MenuCommand("officers", pgettext("command", "Officers, their wards, and revoking them")),
        MenuCommand("admins", pgettext("command", "Who the admins are")),
        MenuCommand("addadmin", pgettext("command", "Make someone an admin: /addadmin ID")),
        MenuCommand("removeadmin", pgettext("command", "Remove an admin: /removeadmin ID")),
        MenuCommand("audit", pgettext("command", "What staff have done recently")),
        *digest,
        MenuCommand("export", pgettext("command", "The anonymised figures as a CSV file")),
    )


class StaffMenus:
    """Which lists each staff chat has; the residents' own list comes from the caller (the
    personas do not import each other)."""

    def __init__(
        self, access: StaffAccess, resident_menu: Callable[[], Sequence[MenuCommand]]
    ) -> None:
        self.access = access
        self.resident_menu = resident_menu

    def menu(self, role: StaffRole, locale: str) -> Menu:
        """What the role may use, in ``locale``: staff commands first, then the residents'
        (every resident command works for staff too); empty for a resident."""
        if not role.admin and role.officer_locale is None:
            return ()
        with use_locale(locale):
            staff: Menu = ()
            if role.officer_locale is not None:
                staff += officer_commands()
            if role.admin:
                staff += admin_commands(with_digest=role.officer_locale is None)
            return staff + tuple(self.resident_menu())

    def lists(self, role: StaffRole) -> dict[str | None, Menu]:
        """The chat's lists by ``language_code`` (see the module docstring); none for a
        resident."""
        if role.officer_locale is not None:
            return {None: self.menu(role, role.officer_locale)}
        if not role.admin:
            return {}
        default = self.access.default_locale
        lists: dict[str | None, Menu] = {None: self.menu(role, default)}
        for code in supported_locales():
            if code != default:
                lists[code] = self.menu(role, code)
        return lists

    def change(self, chat_id: int, before: StaffRole, after: StaffRole) -> tuple[MenuChange, ...]:
        """What a change of role does to the chat's menu; nothing when the role is the same."""
        if before == after:
            return ()
        lists = self.lists(after)
        gone = tuple(code for code in self.lists(before) if code not in lists)
        return (MenuChange(chat_id, tuple(lists.items()), gone),)

    async def role(self, uow: UnitOfWork, chat_id: int) -> StaffRole:
        officer = await self.access.officer(uow, chat_id)
        return StaffRole(
            await self.access.is_admin(uow, chat_id), officer.locale if officer else None
        )

    async def everyone(self, uow: UnitOfWork) -> tuple[MenuChange, ...]:
        """Every current staff chat's lists, as the bot sets them at start: Telegram keeps
        menus across restarts, but their wording may have changed with a new version."""
        officers = {o.user_id: o.locale for o in await uow.officers.active()}
        admins = self.access.config_admins | set(await uow.staff.admin_ids())
        return tuple(
            MenuChange(
                chat, tuple(self.lists(StaffRole(chat in admins, officers.get(chat))).items())
            )
            for chat in sorted(officers.keys() | admins)
        )
