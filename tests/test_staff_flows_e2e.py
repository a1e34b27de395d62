"""The staff flows' edges, through the real Application and the emulator: invalid input keeps
the step, stale and forged taps are refused, /cancel drops a flow, residents are refused.

These are the net for rewriting the staff flows onto one runner (issue 14): they pin what an
admin or officer sees, not how the flows are built.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import BotApplication, services
from bot.devtools.emulator import BotApiEmulator, EmulatedUser
from bot.settings import Settings
from tests.helpers import (
    ADMIN,
    OFFICER,
    become_officer,
    invite_code,
    local,
    onboard,
    say,
    with_staff,
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_staff(settings)


async def _toast(emulator: BotApiEmulator, user: EmulatedUser) -> str:
    await emulator.wait_until(lambda: len(user.callback_answers) > 0, timeout=5)
    return str(user.callback_answers[-1].get("text") or "")


async def test_new_event_input_that_does_not_fit_keeps_the_step(
    bot: BotApplication, emulator: BotApiEmulator
) -> None:
    admin = emulator.user(ADMIN, first_name="Admin")
    await admin.command("/newevent")
    await admin.next_reply()
    await admin.send("x" * 121)
    why = await admin.next_reply()
    assert "120 characters or fewer" in (why.text or "")
    assert "title" in (why.text or "")
    await say(admin, "Community and Police Conversation")
    await say(admin, "Meet your local officers.")
    await admin.tap_button("Continue")
    await admin.next_reply()
    await admin.send("tomorrow-ish")
    why = await admin.next_reply()
    assert "could not read that time" in (why.text or "")
    assert "When does it start?" in (why.text or "")
    await admin.send(local(timedelta(days=-1)))
    why = await admin.next_reply()
    assert "already passed" in (why.text or "")
    await say(admin, local(timedelta(days=3)))
    await admin.send(local(timedelta(days=2)))
    why = await admin.next_reply()
    assert "must be after the start" in (why.text or "")
    await say(admin, local(timedelta(days=3, hours=2)))
    await say(admin, "Hall")
    await say(admin, "Mare Street")
    await admin.tap_button("Whole borough")
    await admin.next_reply()
    await admin.send("lots")
    why = await admin.next_reply()
    assert "number from 1 to 100000" in (why.text or "")
    preview = await say(admin, "40")
    assert "This is how residents will see it" in preview
    await admin.tap_button("Discard")
    assert "Discarded" in ((await admin.next_reply()).text or "")
    async with services(bot).store.unit() as uow:
        assert await uow.events.names() == []
        assert await uow.staff.flow(ADMIN) is None


async def test_a_staff_button_from_an_earlier_step_is_refused_and_the_flow_stays(
    bot: BotApplication, emulator: BotApiEmulator
) -> None:
    admin = emulator.user(ADMIN, first_name="Admin")
    await admin.command("/broadcast")
    kind = await admin.next_reply()
    await admin.tap_button("Safety notice – urgent")
    await admin.next_reply()
    notice_button = next(data for row in kind.buttons for label, data in row if "notice" in label)
    admin.callback_answers.clear()
    await admin.tap(notice_button, kind.message_id)
    assert "earlier message" in await _toast(emulator, admin)
    async with services(bot).store.unit() as uow:
        state = await uow.staff.flow(ADMIN)
    assert state is not None and state.step == "notice_text"
    await say(admin, "Gas leak on Mare Street: keep away.")
    await admin.tap_button("Whole borough")
    preview = await admin.next_reply()
    assert "This will go to 0 residents across the whole borough" in (preview.text or "")
    assert "It is urgent" in (preview.text or "")


async def test_cancel_drops_a_staff_flow_and_then_the_resident_cancel_answers(
    bot: BotApplication, emulator: BotApiEmulator
) -> None:
    admin = emulator.user(ADMIN, first_name="Admin")
    await admin.command("/newevent")
    await admin.next_reply()
    await say(admin, "A title")
    await admin.command("/cancel")
    assert "Nothing was saved" in ((await admin.next_reply()).text or "")
    async with services(bot).store.unit() as uow:
        assert await uow.staff.flow(ADMIN) is None


async def test_residents_are_refused_staff_commands_and_forged_staff_taps(
    bot: BotApplication, emulator: BotApiEmulator
) -> None:
    resident = emulator.user(8301, first_name="R")
    await onboard(resident)
    for command in ("/newevent", "/broadcast", "/manageevents", "/invite", "/admins"):
        await resident.command(command)
        assert "only admins" in ((await resident.next_reply()).text or ""), command
    for command in ("/mywards", "/action"):
        await resident.command(command)
        assert "only officers" in ((await resident.next_reply()).text or ""), command
    resident.callback_answers.clear()
    await resident.tap("a:title:noop:")
    assert "only admins" in await _toast(emulator, resident)


async def test_an_officer_toggles_wards_and_must_keep_one(
    bot: BotApplication, emulator: BotApiEmulator
) -> None:
    admin = emulator.user(ADMIN, first_name="Admin")
    officer = emulator.user(OFFICER, first_name="O")
    await become_officer(admin, officer, "Dalston")
    await officer.command("/mywards")
    screen = await officer.next_reply()
    assert any("✅ Dalston" in label for row in screen.buttons for label, _ in row)
    await officer.tap_button("Dalston")  # off again
    await officer.next_reply()
    officer.callback_answers.clear()
    await officer.tap_button("Done")
    assert "at least one ward" in await _toast(emulator, officer)
    await officer.tap_button("Clissold")
    await officer.next_reply()
    await officer.tap_button("Done")
    saved = await officer.next_reply()
    assert "Clissold" in (saved.text or "") and "Dalston" not in (saved.text or "")
    async with services(bot).store.unit() as uow:
        stored = await uow.officers.get(OFFICER)
    assert stored is not None and stored.wards == ("clissold",)


async def test_an_officer_action_is_kept_to_its_length_and_can_be_discarded(
    bot: BotApplication, emulator: BotApiEmulator
) -> None:
    admin = emulator.user(ADMIN, first_name="Admin")
    officer = emulator.user(OFFICER, first_name="O")
    await become_officer(admin, officer, "Dalston")
    await officer.command("/action")
    await officer.next_reply()
    await officer.send("Too early")
    why = await officer.next_reply()
    assert "use the buttons" in (why.text or "")
    await officer.tap_button("Dalston")
    await officer.next_reply()
    await officer.tap_button("Burglary")
    await officer.next_reply()
    await officer.send("x" * 1001)
    assert "1000 characters" in ((await officer.next_reply()).text or "")
    await say(officer, "Extra patrols on Friday evenings.")
    await officer.tap_button("Türkçe")
    assert "Türkçe" in ((await officer.next_reply()).text or "")
    await say(officer, "Cuma akşamları ek devriye.")
    await officer.tap_button("Continue")
    preview = await officer.next_reply()
    assert "Extra patrols" in (preview.text or "")
    await officer.tap_button("Discard")
    assert "Discarded" in ((await officer.next_reply()).text or "")
    async with services(bot).store.unit() as uow:
        assert await uow.staff.flow(OFFICER) is None


async def test_a_used_invite_code_is_refused(
    bot: BotApplication, emulator: BotApiEmulator
) -> None:
    admin = emulator.user(ADMIN, first_name="Admin")
    code = await invite_code(admin)
    first = emulator.user(OFFICER, first_name="O")
    await first.command("/officer", code)
    await first.next_reply()
    second = emulator.user(OFFICER + 1, first_name="P")
    await second.command("/officer", code)
    assert "not valid" in ((await second.next_reply()).text or "")
