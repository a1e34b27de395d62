"""Onboarding through the real Application.

Consent comes first, postcodes are forgotten, and children are not kept.
"""

from __future__ import annotations

import sqlite3

import pytest

from bot.app import BotApplication
from bot.devtools.emulator import BotApiEmulator, EmulatedUser
from bot.settings import Settings
from storage.models import Resident
from tests.helpers import start_and_consent, stored


async def residents(settings: Settings) -> int:
    async with stored(settings) as uow:
        return await uow.residents.count()


async def resident_of(settings: Settings, user: EmulatedUser) -> Resident | None:
    async with stored(settings) as uow:
        return await uow.residents.by_chat(user.id)


async def test_start_tells_about_999_and_stores_nothing_before_consent(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    ada = emulator.user(3001, first_name="Ada", language_code="en")
    await ada.command("/start")
    # One message: the welcome, the emergency numbers, the privacy notice and its buttons.
    privacy = await ada.next_reply()
    assert privacy.text is not None
    welcome, emergency, *_notice = privacy.text.split("\n\n")
    assert "Neighbourhood Voice" in welcome
    assert "999" in emergency and "101" in emergency
    assert "anonymous summaries" in privacy.text
    assert [label for row in privacy.buttons for label, _ in row] == ["I agree", "No, thanks"]
    assert await residents(settings) == 0

    await ada.tap_button("No, thanks")
    declined = await ada.next_reply()
    assert "Nothing has been stored" in (declined.text or "")
    assert await residents(settings) == 0
    assert await resident_of(settings, ada) is None


async def test_under_13_ends_politely_with_no_row_at_all(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    kid = emulator.user(3002, first_name="Kid")
    await start_and_consent(kid)
    assert await residents(settings) == 1
    await kid.tap_button("English")
    await kid.next_reply()
    await kid.tap_button("Choose from the list")
    await kid.next_reply()
    await kid.tap_button("Dalston")
    await kid.next_reply()
    await kid.tap_button("Under 13")
    goodbye = await kid.next_reply()
    assert "13 and over" in (goodbye.text or "") and "Childline" in (goodbye.text or "")
    assert await residents(settings) == 0
    assert await resident_of(settings, kid) is None
    async with stored(settings) as uow:
        assert await uow.responses.count() == 0


@pytest.mark.sqlite_only
async def test_postcode_is_validated_mapped_to_a_ward_and_not_kept(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    ada = emulator.user(3003, first_name="Ada")
    await start_and_consent(ada)
    await ada.tap_button("English")
    await ada.next_reply()

    await ada.send("not a postcode")
    repeated = await ada.next_reply()  # the refusal, then the question again
    assert repeated.text is not None
    refusal = repeated.text.split("\n\n")[0]
    assert "doesn't look like a UK postcode" in refusal
    assert "Type your postcode" in repeated.text and repeated.buttons

    await ada.send("SW1A 1AA")  # a valid postcode, outside the borough
    outside = await ada.next_reply()
    assert "not in Hackney" in (outside.text or "")

    await ada.send("e81dy")  # case and spacing forgiven
    reply = await ada.next_reply()
    if "more than one ward" in (reply.text or ""):
        await ada.tap(reply.buttons[0][0][1] or "")
        reply = await ada.next_reply()
    assert "How old" in (reply.text or "")

    resident = await resident_of(settings, ada)
    assert resident is not None and resident.ward_id is not None
    with sqlite3.connect(settings.database_path) as conn:  # every table, as SQL text
        dump = "\n".join(conn.iterdump())
    assert "E8 1DY" not in dump.upper() and "E81DY" not in dump.upper()
    assert settings.database_path.read_bytes().upper().find(b"E81DY") == -1


async def test_a_single_ward_postcode_is_confirmed_not_assumed(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    """Ward boundaries cut through postcode areas: even one match is the resident's to confirm."""
    ada = emulator.user(3005, first_name="Ada")
    await start_and_consent(ada)
    await ada.tap_button("English")
    await ada.next_reply()
    await ada.send("E2 9AA")  # one ward in the bundled table
    confirm = await ada.next_reply()
    assert "Your postcode is in Haggerston" in (confirm.text or "")
    assert confirm.labels == ["Haggerston", "None of these"]
    resident = await resident_of(settings, ada)
    assert resident is not None and resident.ward_id is None
    await ada.tap_button("None of these")
    assert "Choose your ward" in ((await ada.next_reply()).text or "")
    await ada.tap_button("Back")
    await ada.next_reply()
    await ada.send("E2 9AA")
    await ada.next_reply()
    await ada.tap_button("Haggerston")
    assert "How old" in ((await ada.next_reply()).text or "")
    resident = await resident_of(settings, ada)
    assert resident is not None and resident.ward_id == "haggerston"


async def test_resident_can_live_outside_the_area(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    ada = emulator.user(3004, first_name="Ada")
    await start_and_consent(ada)
    await ada.tap_button("English")
    await ada.next_reply()
    await ada.tap_button("I don't live in Hackney")
    age = await ada.next_reply()
    assert "How old" in (age.text or "")
    resident = await resident_of(settings, ada)
    assert resident is not None and (resident.ward_id, resident.outside_area) == (None, True)


async def test_an_emergency_before_sign_up_gets_999_and_nothing_about_signing_up(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    ada = emulator.user(3010, first_name="Ada")
    await ada.command("/start")
    await ada.next_reply()
    await ada.send("Help, a man is stabbing someone outside my house right now, he has a knife")
    urgent = await ada.next_reply()
    assert "999" in (urgent.text or "")
    await ada.command("/privacy")  # answered in order: anything else for the text came first
    assert "anonymous summaries" in ((await ada.next_reply()).text or "")
    assert not ada.unread
    await ada.send("hello there")  # no emergency: told how to begin
    assert "/start" in ((await ada.next_reply()).text or "")
    assert await residents(settings) == 0
