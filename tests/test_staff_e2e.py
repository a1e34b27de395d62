"""Admin broadcasts, event changes, officers' "you said, we did" and the weekly digest job,
through the real Application and the emulator."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace
from datetime import datetime, time, timedelta

import pytest

from bot.app import BotApplication, services
from bot.broadcasting.progress import Progress
from bot.devtools.emulator import BotApiEmulator
from bot.i18n import directional, use_locale
from bot.settings import Settings
from bot.staff.broadcasts import progress_text
from handlers.delivery import progress_reporter
from storage.models import Broadcast, BroadcastStats
from storage.repositories import Store
from tests.helpers import (
    ADMIN,
    LONDON,
    OFFICER,
    backdate,
    become_officer,
    create_event,
    dalston_officers,
    finished_report,
    job,
    last_week_noon,
    local,
    officers_since_last_week,
    onboard,
    resident_behind,
    rsvp,
    say,
    seed_ward,
    stored,
    with_staff,
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Scheduled digests fall due on Monday at midnight, as the week closes, so that last
    # week's is due whatever day and hour the tests run.
    return replace(with_staff(settings), digest_day=0, digest_time=time(0, 0))


async def test_an_admin_broadcast_reaches_each_resident_in_their_language_with_a_report(
    bot: BotApplication, emulator: BotApiEmulator
) -> None:
    english = emulator.user(8001, first_name="E")
    await onboard(english, ward_label="Dalston", topics=("Safety notices",))
    blocked = emulator.user(8002, first_name="B")
    await onboard(blocked, ward_label="Dalston", topics=("Safety notices",))
    elsewhere = emulator.user(8003, first_name="X")
    await onboard(elsewhere, ward_label="Clissold", topics=("Safety notices",))
    emulator.block(blocked.id)

    admin = emulator.user(ADMIN, first_name="Admin")
    await admin.command("/broadcast")
    await admin.next_reply()
    await admin.tap_button("Safety notice")
    await admin.next_reply()
    await say(admin, "Mare Street is closed tonight for roadworks.")
    await admin.tap_button("Dalston")
    await admin.next_reply()
    await admin.tap_button("Done")
    preview = await admin.next_reply()
    assert "This will go to 2 residents of Dalston" in (preview.text or "")
    await admin.tap_button("Add a version in another language")
    await admin.next_reply()
    await admin.tap_button("Türkçe")
    await admin.next_reply()
    preview_text = await say(admin, "Mare Street bu gece yol çalışması nedeniyle kapalı.")
    assert "This will go to 2 residents of Dalston" in preview_text
    await admin.tap_button("Send")
    queued, _progress = await admin.expect(2)
    assert "queued for 2 residents" in (queued.text or "")

    notice = await english.next_reply(timeout=10)
    assert "Mare Street is closed tonight" in (notice.text or "")
    assert "/notices" in (notice.text or "")
    report = await finished_report(emulator, admin)
    assert "Sent: 1" in report and "Blocked: 1" in report
    await emulator.wait_idle()
    assert not elsewhere.unread

    await admin.command("/broadcasts")
    await emulator.wait_until(
        lambda: any("Sent 1, blocked 1" in (m.text or "") for m in admin.messages), timeout=5
    )


async def test_changing_an_event_tells_those_coming_and_keeps_their_answer(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    admin = emulator.user(ADMIN, first_name="Admin")
    await create_event(admin, ward=None)
    coming = emulator.user(8101, first_name="C")
    await onboard(coming)
    await rsvp(coming, "Maybe")

    await admin.command("/manageevents")
    await admin.next_reply()
    await admin.tap_button("Change")
    await admin.next_reply()
    await admin.tap_button("Place")
    await admin.next_reply()
    preview = await say(admin, "Hackney Town Hall")
    assert "Hackney Town Hall" in preview
    await admin.tap_button("Save and notify")
    await admin.expect(2)
    change = await coming.next_reply(timeout=10)
    assert "has changed" in (change.text or "") and "Hackney Town Hall" in (change.text or "")
    assert [label for label, _ in change.buttons[0]] == ["Going", "Maybe", "Not going"]
    async with stored(settings) as uow:
        event = await uow.events.get(1)
        resident = await resident_behind(uow, coming.id)
        assert event is not None and event.place_name == "Hackney Town Hall"
        assert await uow.events.rsvp(1, resident.respondent_id) == "maybe"


async def test_you_said_we_did_reaches_the_ward_and_the_next_digest_lists_it(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    wants = emulator.user(8201, first_name="W")
    await onboard(wants, ward_label="Dalston", topics=('"You said, we did" updates',))
    admin = emulator.user(ADMIN, first_name="Admin")
    officer = emulator.user(OFFICER, first_name="O")
    await become_officer(admin, officer, "Dalston")
    await officer.command("/action")
    await officer.next_reply()
    await officer.tap_button("Dalston")
    await officer.next_reply()
    await officer.tap_button("Burglary")
    await officer.next_reply()
    await say(officer, "Extra patrols near the park on Friday evenings.")
    await officer.tap_button("Continue")
    preview = await officer.next_reply()
    assert "Extra patrols" in (preview.text or "")
    await officer.tap_button("Send")
    await officer.expect(2)
    update = await wants.next_reply(timeout=10)
    assert "You said, we did" in (update.text or "") and "Extra patrols" in (update.text or "")

    # The action counts in the week it was posted: move it, with answers, into last week.
    store = services(bot).store
    await seed_ward(store, "dalston", 12, first_chat=760_000)
    await backdate(settings)
    async with stored(settings) as uow:  # the action was taken in the week it answers
        await uow.officers.backdate_actions(datetime.fromisoformat(last_week_noon(settings)))
    await officers_since_last_week(settings)
    staff = services(bot).staff
    deliveries = await staff.digests.scheduled()
    assert [d.officer_id for d in deliveries] == [OFFICER]
    text = "\n".join(m.text for m in deliveries[0].messages)
    assert "You said, we did:" in text and "Extra patrols near the park" in text


async def test_the_weekly_digest_job_reaches_every_officer_it_can(
    bot: BotApplication,
    emulator: BotApiEmulator,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One officer has blocked the bot; the next gets a 429 and then a network failure. The
    job waits out the 429, tries again after the failure, and still reaches the second."""
    store: Store = services(bot).store
    await dalston_officers(
        store, emulator, settings, OFFICER, OFFICER + 10, responses=12, first_chat=770_000
    )
    await officers_since_last_week(settings)
    async with store.unit() as uow:
        first, second = (officer.user_id for officer in await uow.officers.active())
    emulator.block(first)
    emulator.inject_fault("sendMessage", chat_id=second, kind="429", retry_after=1)
    emulator.inject_fault("sendPhoto", chat_id=second, kind="502")
    caplog.set_level(logging.INFO)

    daily = job(bot, "weekly-digests")
    await daily.run(bot)

    reached = emulator.user(second)
    texts = [m.text or "" for m in reached.mark_read()]
    assert any("Responses: 10" in text for text in texts)
    assert reached.messages[-1].photo is not None
    assert not [m for m in emulator.user(first).messages if m.photo is not None]
    assert "weekly digests: 1 sent, 1 not delivered" in caplog.text

    # The next run sends only what did not go: the officer who has since unblocked the bot.
    emulator.unblock(first)
    await daily.run(bot)
    assert not reached.mark_read()
    assert emulator.user(first).messages[-1].photo is not None


async def test_a_scheduled_digest_missed_while_the_bot_was_down_goes_at_start_once(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    (officer,) = await dalston_officers(
        services(bot).store, emulator, settings, responses=12, first_chat=780_000
    )
    await officers_since_last_week(settings)
    late_joiner = emulator.user(OFFICER + 20, first_name="L")
    await become_officer(emulator.user(ADMIN), late_joiner, "Dalston")  # after it fell due
    officer.mark_read()
    late_joiner.mark_read()

    await job(bot, "weekly-digests-catch-up").run(bot)  # soon after start: the digest is overdue
    digest = officer.mark_read()
    assert any("Responses: 10" in (m.text or "") for m in digest)
    assert digest[-1].photo is not None
    assert not late_joiner.mark_read()  # joined after it fell due: waits for the next one

    await job(bot, "weekly-digests").run(bot)  # the daily run, and a start after a restart
    await job(bot, "weekly-digests-catch-up").run(bot)
    assert not officer.mark_read()


async def test_the_daily_run_and_the_run_after_start_meeting_send_one_digest(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    (officer,) = await dalston_officers(
        services(bot).store, emulator, settings, responses=12, first_chat=790_000
    )
    await officers_since_last_week(settings)
    officer.mark_read()

    daily, after_start = job(bot, "weekly-digests"), job(bot, "weekly-digests-catch-up")
    await asyncio.gather(daily.run(bot), after_start.run(bot))
    charts = [m for m in officer.mark_read() if m.photo is not None]
    assert len(charts) == 1


async def test_the_weekly_digest_job_and_the_command_menu_are_set_at_start(
    bot: BotApplication, emulator: BotApiEmulator
) -> None:
    assert bot.job_queue is not None
    names = {job.name for job in bot.job_queue.jobs()}
    assert {"weekly-digests", "retention"} <= names
    commands = {c["command"] for c in emulator.commands}
    assert {"survey", "events", "notices", "language", "privacy", "mydata", "forget"} <= commands
    residents_menus = [
        r for r in emulator.requests if r.method == "setMyCommands" and "scope" not in r.params
    ]
    assert len(residents_menus) == 11  # one menu per language; staff chats have their own


async def test_help_adds_each_staff_members_own_commands(
    bot: BotApplication, emulator: BotApiEmulator
) -> None:
    """/help is the residents' help for everyone, then what the sender may do as staff."""
    admin = emulator.user(ADMIN, first_name="Admin")
    officer = emulator.user(OFFICER, first_name="O")
    await become_officer(admin, officer, "Dalston")
    officer.mark_read()
    resident = emulator.user(8301, first_name="R")
    await onboard(resident)

    await admin.command("/help")
    residents_help, admins_help = await admin.expect(2)
    assert "/survey" in (residents_help.text or "") and "999" in (residents_help.text or "")
    assert "/newevent" in (admins_help.text or "") and "/invite" in (admins_help.text or "")
    assert "/mywards" not in (admins_help.text or "")

    await officer.command("/help")
    _residents_help, officers_help = await officer.expect(2)
    assert "/mywards" in (officers_help.text or "") and "/action" in (officers_help.text or "")
    assert "/newevent" not in (officers_help.text or "")

    await resident.command("/help")
    await resident.next_reply()
    await emulator.wait_idle()
    assert not resident.unread


async def test_start_times_are_validated_and_shown_back_in_local_time(
    bot: BotApplication, emulator: BotApiEmulator
) -> None:
    admin = emulator.user(ADMIN, first_name="Admin")
    await admin.command("/newevent")
    await admin.next_reply()
    await say(admin, "Title")
    await say(admin, "Description")
    await admin.tap_button("Continue")
    asked = (await admin.next_reply()).text or ""
    # The examples are dates to come, not a date already past.
    examples = re.findall(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", asked)
    assert examples and all(e > local(timedelta(0)) for e in examples), asked
    assert "could not read" in await say(admin, "next tuesday evening")  # and asks again
    assert "already passed" in await say(admin, local(timedelta(days=-1)))
    start = (datetime.now(LONDON) + timedelta(days=2)).replace(hour=18, minute=30)
    await say(admin, f"{start:%Y-%m-%d %H:%M}")
    refusal = await say(admin, local(timedelta(days=1)))
    assert "must be after the start" in refusal  # and asks again
    assert "must be after the start" in await say(admin, "17:00")  # same day, before it
    assert "Where is it" in await say(admin, "20:00")  # the time alone: the start's day
    await admin.command("/cancel")
    assert "Nothing was saved" in ((await admin.next_reply()).text or "")


@pytest.mark.parametrize("code", ["tr", "ar"])
async def test_progress_reports_are_edited_in_the_language_of_whoever_started_them(
    bot: BotApplication, emulator: BotApiEmulator, code: str
) -> None:
    """The reporter runs outside any update; the broadcast remembers the starter's language."""
    store: Store = services(bot).store
    admin = emulator.user(ADMIN, first_name="Admin", language_code=code)
    await admin.command("/help")
    report_message, _staff_help = await admin.expect(2)  # stands in for a progress message
    async with store.unit() as uow:
        broadcast_id = await uow.broadcasts.create(
            Broadcast(
                kind="notice", topic="safety", texts={"en": "x"}, wards=None, created_by=ADMIN
            ),
            [],
            "2026-01-01T00:00:00+00:00",
        )
        await uow.broadcasts.set_report(broadcast_id, ADMIN, report_message.message_id, code)
        broadcast = await uow.broadcasts.get(broadcast_id)
    assert broadcast is not None
    reporter = progress_reporter(bot.bot, store, "en")
    progress = Progress(broadcast_id, BroadcastStats(total=3, sent=2, blocked=1), True, 25.0)
    await reporter(progress)
    with use_locale(code):
        theirs = directional(progress_text(progress, broadcast), code)
        first = theirs.splitlines()[0]
    with use_locale("en"):
        english = progress_text(progress, broadcast).splitlines()[0]
    assert first != english
    edited = next(m for m in admin.messages if m.message_id == report_message.message_id)
    assert edited.message_id == report_message.message_id
    assert (edited.text or "").startswith(first)
    if code == "ar":  # every line laid out right to left, as the residents' messages are
        assert all(line.startswith("\u200f") for line in (edited.text or "").splitlines())
