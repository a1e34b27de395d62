"""Telegram's command menus as plain data: every language's lists within the Bot API's limits,
only commands the bot answers, and what each change of role sets and deletes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from telegram.ext import CommandHandler

from bot.app import build_application, prepare, services
from bot.i18n import supported_locales, use_locale
from bot.messages import MenuCommand
from bot.residents.menu import resident_menu
from bot.settings import Settings
from bot.staff.access import StaffAccess
from bot.staff.menus import StaffMenus, StaffRole

# Bot API, BotCommand: "Text of the command; 1-32 characters. Can contain only lowercase
# English letters, digits and underscores." "Description of the command; 1-256 characters."
# setMyCommands: "At most 100 commands can be specified."
COMMAND = re.compile(r"[a-z0-9_]{1,32}")
MAX_DESCRIPTION, MAX_COMMANDS = 256, 100

ROLES = {
    "officer": StaffRole(officer_locale="en"),
    "admin": StaffRole(admin=True),
    "admin and officer": StaffRole(admin=True, officer_locale="en"),
}


def _menus(default_locale: str = "en") -> StaffMenus:
    return StaffMenus(StaffAccess(frozenset({900}), default_locale), resident_menu)


def _assert_valid(menu: tuple[MenuCommand, ...], where: str) -> None:
    assert 1 <= len(menu) <= MAX_COMMANDS, where
    names = [c.command for c in menu]
    assert len(set(names)) == len(names), (where, names)
    for c in menu:
        assert COMMAND.fullmatch(c.command), (where, c.command)
        assert 1 <= len(c.description) <= MAX_DESCRIPTION, (where, c.command, c.description)
        assert c.description == c.description.strip(), (where, c.command)


@pytest.mark.parametrize("locale", supported_locales())
def test_every_languages_lists_are_within_the_bot_apis_limits(locale: str) -> None:
    with use_locale(locale):
        _assert_valid(resident_menu(), f"residents, {locale}")
    menus = _menus()
    for name, role in ROLES.items():
        role = StaffRole(role.admin, locale if role.officer_locale else None)
        for code, menu in menus.lists(role).items():
            _assert_valid(menu, f"{name}, {locale}, list {code}")


def test_staff_menus_name_only_commands_the_bot_answers(tmp_path: Path) -> None:
    settings = Settings.defaults(
        bot_token="1:T", database_path=tmp_path / "nv.sqlite3", api_base_url="http://x/bot"
    )
    application = build_application(prepare(settings))
    answered = {
        command
        for group in application.handlers.values()
        for handler in group
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }
    menus = services(application).staff.menus
    for role in ROLES.values():
        listed = {c.command for menu in menus.lists(role).values() for c in menu}
        assert listed <= answered, listed - answered


def test_each_role_gets_its_own_commands_then_the_residents() -> None:
    menus = _menus()
    residents = [c.command for c in resident_menu()]
    officer = [c.command for c in menus.menu(ROLES["officer"], "en")]
    admin = [c.command for c in menus.menu(ROLES["admin"], "en")]
    both = [c.command for c in menus.menu(ROLES["admin and officer"], "en")]
    assert officer == ["digest", "mywards", "action", *residents]
    assert admin[-len(residents) :] == residents and "newevent" in admin and "mywards" not in admin
    assert both[:3] == ["digest", "mywards", "action"] and both.count("digest") == 1
    assert set(both) == set(officer) | set(admin)
    assert menus.menu(StaffRole(), "en") == ()


def test_an_officers_chat_has_one_list_in_their_language_an_admins_one_per_language() -> None:
    menus = _menus()
    officer = menus.lists(StaffRole(officer_locale="tr"))
    assert list(officer) == [None]  # the chat's list for every Telegram language
    with use_locale("tr"):
        turkish_residents = resident_menu()
    assert officer[None][-len(turkish_residents) :] == turkish_residents

    admin = menus.lists(StaffRole(admin=True))
    assert admin.keys() == {None} | set(supported_locales()) - {"en"}
    with use_locale("fr"):
        french_residents = resident_menu()
    assert admin["fr"][-len(french_residents) :] == french_residents
    assert menus.lists(StaffRole()) == {}

    # Another default language: its list goes without a language code, English gets its own.
    turkish_default = _menus("tr").lists(StaffRole(admin=True))
    assert "tr" not in turkish_default and "en" in turkish_default


def test_a_change_of_role_sets_the_new_lists_and_deletes_the_old_ones_it_no_longer_has() -> None:
    menus = _menus()
    languages = tuple(code for code in supported_locales() if code != "en")
    admin, officer = StaffRole(admin=True), StaffRole(officer_locale="en")
    both = StaffRole(admin=True, officer_locale="en")

    (joined,) = menus.change(901, StaffRole(), officer)
    assert (joined.chat_id, [code for code, _ in joined.lists], joined.delete) == (901, [None], ())
    (revoked,) = menus.change(901, officer, StaffRole())
    assert (revoked.lists, revoked.delete) == ((), (None,))
    (added,) = menus.change(902, StaffRole(), admin)
    assert [code for code, _ in added.lists] == [None, *languages] and added.delete == ()
    (removed,) = menus.change(902, admin, StaffRole())
    assert removed.lists == () and removed.delete == (None, *languages)
    # An admin who joins as an officer is answered in their stored language from then on.
    (admin_joins,) = menus.change(902, admin, both)
    assert [code for code, _ in admin_joins.lists] == [None]
    assert admin_joins.delete == languages
    (officer_left_admin,) = menus.change(902, both, admin)
    assert [code for code, _ in officer_left_admin.lists] == [None, *languages]
    assert menus.change(902, admin, admin) == ()
