"""Staff members' own command menus (per-chat scopes), through the real Application and the
emulator: set at start, on joining and on becoming an admin, deleted on revoking and removal,
and never in the way of the staff action or the start when Telegram refuses one."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.devtools.emulator import BotApiEmulator
from bot.i18n import supported_locales, use_locale
from bot.residents.menu import resident_menu
from bot.settings import Settings
from storage.models import Officer
from tests.conftest import BotRunner
from tests.helpers import ADMIN, OFFICER, become_officer, invite_code, onboard, stored, with_staff

# Every language but the default (English), each with its own list where an admin has them.
LANGUAGES = tuple(code for code in supported_locales() if code != "en")
RESIDENTS = [c.command for c in resident_menu()]
OFFICERS = ["digest", "mywards", "action"]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_staff(settings)


def names(menu: list[dict[str, Any]] | None) -> list[str]:
    assert menu is not None
    return [c["command"] for c in menu]


def descriptions(menu: list[dict[str, Any]] | None) -> list[str]:
    assert menu is not None
    return [c["description"] for c in menu]


def own_lists(emulator: BotApiEmulator, chat_id: int) -> dict[str, list[str]]:
    """The chat's own lists by language code ("" for the one without)."""
    found: dict[str, list[str]] = {}
    for code in ("", *LANGUAGES):
        menu = emulator.chat_commands(chat_id, code)
        if menu is not None:
            found[code] = names(menu)
    return found


def residents_in(locale: str) -> list[str]:
    with use_locale(locale):
        return [c.description for c in resident_menu()]


async def test_at_start_each_staff_chat_gets_its_own_menu_and_a_residents_chat_none(
    bot_runner: BotRunner, emulator: BotApiEmulator, settings: Settings
) -> None:
    emulator.user(ADMIN, first_name="Admin")
    resident = emulator.user(8601, first_name="R")
    # Telegram says English, but the officer joined in Turkish: the bot answers in Turkish.
    officer = emulator.user(8602, first_name="T", language_code="en")
    async with bot_runner():
        await onboard(resident)
    async with stored(settings) as uow:
        await uow.officers.save(Officer(officer.id, ("dalston",), "tr"), invited_by=ADMIN)
    emulator.commands_by_scope.clear()  # so only this start can have set them

    async with bot_runner():
        assert own_lists(emulator, officer.id).keys() == {""}  # no language shadows it
        seen = emulator.menu_for(officer.id)
        assert names(seen) == [*OFFICERS, *RESIDENTS]
        assert descriptions(seen)[len(OFFICERS) :] == residents_in("tr")
        assert residents_in("tr") != residents_in("en")

        admin_lists = own_lists(emulator, ADMIN)
        assert admin_lists.keys() == {"", *LANGUAGES}
        admin_names = admin_lists[""]
        assert "newevent" in admin_names and "invite" in admin_names
        assert "mywards" not in admin_names and admin_names[-len(RESIDENTS) :] == RESIDENTS
        for code in ("fr", "ar", "en"):  # English: the list without a language code
            seen = emulator.menu_for(ADMIN, code)
            assert descriptions(seen)[-len(RESIDENTS) :] == residents_in(code), code

        assert own_lists(emulator, resident.id) == {}
        assert emulator.menu_for(resident.id) == emulator.commands
        assert names(emulator.commands) == RESIDENTS
        await resident.command("/help")
        assert "999" in ((await resident.next_reply()).text or "")


async def test_joining_as_an_officer_sets_their_menu_and_revoking_deletes_it(
    bot_runner: BotRunner, emulator: BotApiEmulator
) -> None:
    admin = emulator.user(ADMIN, first_name="Admin")
    officer = emulator.user(OFFICER, first_name="O")
    async with bot_runner():
        assert own_lists(emulator, OFFICER) == {}
        await become_officer(admin, officer, "Dalston")
        await emulator.wait_until(lambda: emulator.chat_commands(OFFICER) is not None)
        assert own_lists(emulator, OFFICER) == {"": [*OFFICERS, *RESIDENTS]}
        assert (
            descriptions(emulator.menu_for(OFFICER))[0] == "The anonymised summary for your wards"
        )

        await admin.command("/officers")
        await admin.next_reply()
        await admin.tap_button("Revoke")
        assert "no longer has access" in ((await admin.next_reply()).text or "")
        await emulator.wait_until(lambda: emulator.chat_commands(OFFICER) is None)
        assert own_lists(emulator, OFFICER) == {}
        assert emulator.menu_for(OFFICER) == emulator.commands  # the residents' menu again


async def test_an_added_admin_gets_a_menu_per_language_until_they_join_or_are_removed(
    bot_runner: BotRunner, emulator: BotApiEmulator
) -> None:
    admin = emulator.user(ADMIN, first_name="Admin")
    helper = emulator.user(8701, first_name="H", language_code="fr")
    async with bot_runner():
        await admin.command("/addadmin", str(helper.id))
        assert "now an admin" in ((await admin.next_reply()).text or "")
        await emulator.wait_until(
            lambda: len(own_lists(emulator, helper.id)) == 1 + len(LANGUAGES)
        )
        seen = emulator.menu_for(helper.id)  # their Telegram language, French
        assert seen == emulator.chat_commands(helper.id, "fr")
        assert "newevent" in names(seen) and "mywards" not in names(seen)
        assert descriptions(seen)[-len(RESIDENTS) :] == residents_in("fr")

        await admin.command("/removeadmin", str(helper.id))
        assert "no longer an admin" in ((await admin.next_reply()).text or "")
        await emulator.wait_until(lambda: own_lists(emulator, helper.id) == {})
        assert emulator.menu_for(helper.id) == emulator.menu_for(8702, "fr")  # a resident's

        # An admin who joins as an officer is answered in the language they joined in: one
        # list, both roles' commands, and the per-language lists gone.
        await admin.command("/addadmin", str(helper.id))
        await admin.next_reply()
        await emulator.wait_until(
            lambda: len(own_lists(emulator, helper.id)) == 1 + len(LANGUAGES)
        )
        await helper.command("/officer", await invite_code(admin))
        await helper.next_reply()
        await emulator.wait_until(lambda: own_lists(emulator, helper.id).keys() == {""})
        both = own_lists(emulator, helper.id)[""]
        assert both[: len(OFFICERS)] == OFFICERS and "newevent" in both
        assert both.count("digest") == 1

        await admin.command("/removeadmin", str(helper.id))
        await admin.next_reply()
        await emulator.wait_until(
            lambda: own_lists(emulator, helper.id) == {"": [*OFFICERS, *RESIDENTS]}
        )

        # An admin by configuration stays one: nothing changes.
        calls = emulator.count("setMyCommands") + emulator.count("deleteMyCommands")
        await helper.command("/addadmin", str(helper.id))  # helper is no admin now: refused
        await helper.next_reply()
        await admin.command("/removeadmin", str(ADMIN))
        assert "cannot be removed" in ((await admin.next_reply()).text or "")
        await emulator.wait_idle()
        assert emulator.count("setMyCommands") + emulator.count("deleteMyCommands") == calls


async def test_a_menu_telegram_refuses_stops_neither_the_others_nor_the_staff_action(
    bot_runner: BotRunner,
    emulator: BotApiEmulator,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    admin = emulator.user(ADMIN, first_name="Admin")
    blocked = emulator.user(8801, first_name="B")
    paused = emulator.user(8802, first_name="P")
    async with bot_runner():
        # The officer blocked the bot before their menu was set (a 403 for every call).
        emulator.inject_fault("setMyCommands", chat_id=blocked.id, kind="403", times=None)
        await become_officer(admin, blocked, "Dalston")
        # A 429 is waited out, then the menu is set.
        emulator.inject_fault("setMyCommands", chat_id=paused.id, kind="429", retry_after=1)
        await become_officer(admin, paused, "Dalston")
        await emulator.wait_until(lambda: emulator.chat_commands(paused.id) is not None, 10)
        assert emulator.chat_commands(blocked.id) is None
        async with stored(settings) as uow:
            assert {o.user_id for o in await uow.officers.active()} == {blocked.id, paused.id}

        # An id that never wrote to the bot: "chat not found", once, and the admin is added.
        await admin.command("/addadmin", "8809")
        assert "now an admin" in ((await admin.next_reply()).text or "")
        await emulator.wait_until(lambda: any(c.chat_id == 8809 for c in emulator.calls))
        await admin.command("/help")
        await admin.expect(2)
        assert [(c.method, c.status) for c in emulator.calls if c.chat_id == 8809] == [
            ("setMyCommands", 400)
        ]
        async with stored(settings) as uow:
            assert 8809 in await uow.staff.admin_ids()

    # At start the refused chat is skipped; the chats after it still get their menus.
    emulator.commands_by_scope.clear()
    async with bot_runner():
        assert emulator.chat_commands(blocked.id) is None
        assert emulator.chat_commands(paused.id) is not None
        assert emulator.chat_commands(ADMIN) is not None
        resident = emulator.user(8803, first_name="R")
        await resident.command("/start")
        assert "999" in ((await resident.next_reply()).text or "")
    assert "staff command menus: 2 set, 2 refused, 0 not tried" in caplog.text
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith(("telegram", "httpx"))]
    assert any("command menu was not changed" in message for message in ours)
    for chat in (blocked.id, paused.id, 8809):
        assert not [message for message in ours if str(chat) in message], chat
