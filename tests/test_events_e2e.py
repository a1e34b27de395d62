"""Admins create, announce, change and cancel events; residents find them, answer and get
reminded, each in their own language. All through the real Application and the emulator."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import BotApplication, services
from bot.devtools.emulator import BotApiEmulator
from bot.i18n import pgettext, use_locale
from bot.settings import Settings
from tests.helpers import (
    ADMIN,
    answer_survey,
    begin_survey,
    create_event,
    finished_report,
    onboard,
    resident_behind,
    rsvp,
    stored,
    with_staff,
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_staff(settings)


async def test_an_admin_event_reaches_opted_in_residents_of_its_ward_in_their_language(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    english = emulator.user(7001, first_name="E", language_code="en")
    await onboard(english, ward_label="Dalston", topics=("Community events",))
    turkish = emulator.user(7002, first_name="T", language_code="tr")
    await turkish.command("/start")
    await turkish.next_reply()
    await turkish.tap("c::yes:")
    await turkish.next_reply()
    for data in ("o:language:lang:tr", "o:area:list:", "o:ward_list:ward:dalston"):
        await turkish.tap(data)
        await turkish.next_reply()
    await turkish.tap("o:age:age:45_54")
    await turkish.next_reply()
    await turkish.tap("o:notices:toggle:events")
    await turkish.next_reply()
    await turkish.tap("o:notices:done:")
    await turkish.next_reply()
    elsewhere = emulator.user(7003, first_name="X")
    await onboard(elsewhere, ward_label="Hackney Wick", topics=("Community events",))
    not_opted = emulator.user(7004, first_name="N")
    await onboard(not_opted, ward_label="Dalston")

    admin = emulator.user(ADMIN, first_name="Admin")
    await create_event(admin)

    announcement = await english.next_reply(timeout=10)
    assert "Community and Police Conversation" in (announcement.text or "")
    assert [label for label, _ in announcement.buttons[0]] == ["Going", "Maybe", "Not going"]
    assert (announcement.text or "").count("📅") == 1  # the heading has its own mark
    turkish_card = await turkish.next_reply(timeout=10)
    assert "Toplum ve Polis Sohbeti" in (turkish_card.text or "")
    for card in (announcement, turkish_card):  # hours and minutes, never seconds
        assert re.search(r"\d{2}:\d{2}", card.text or "")
        assert not re.search(r"\d:\d{2}:\d{2}", card.text or ""), card.text
    await emulator.wait_idle()
    assert not elsewhere.unread and not not_opted.unread

    # The admin's progress message ends as a summary.
    assert "Sent: 2" in await finished_report(emulator, admin)


async def test_residents_list_answer_and_download_events(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    admin = emulator.user(ADMIN, first_name="Admin")
    await create_event(admin, ward=None)
    ada = emulator.user(7101, first_name="Ada")
    await onboard(ada, ward_label="Victoria")
    await ada.command("/events")
    card = await ada.next_reply()
    assert "St John's Church Hall" in (card.text or "")
    # A London service writes dates as London does; the day is named once when it is one day.
    when = re.search(r"When: (.*)", card.text or "")
    assert when is not None and "PM" not in when[1] and "AM" not in when[1]
    assert re.fullmatch(r"\w{3}, \d{1,2} \w{3} \d{4}, \d{2}:\d{2}(–\d{2}:\d{2}| – .*)", when[1])
    await ada.tap_button("Going")
    answered = await ada.next_reply()
    assert "✅ Going" in [label for label, _ in answered.buttons[0]]
    assert "see you there" in ada.callback_answers[-1]["text"]
    await ada.tap_button("Add to calendar")
    ics = await ada.next_reply()
    assert ics.document is not None and b"BEGIN:VEVENT" in ics.document
    assert b"SUMMARY:Community and Police Conversation" in ics.document
    assert b"BEGIN:VALARM" in ics.document and b"TRIGGER:-PT1H" in ics.document
    async with stored(settings) as uow:
        resident = await resident_behind(uow, ada.id)
        assert await uow.events.rsvp(1, resident.respondent_id) == "going"
        counts = await uow.events.rsvp_counts(1)
    assert counts["going"] == sum(counts.values()) == 1


async def test_cancelling_an_event_tells_those_who_were_coming(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    admin = emulator.user(ADMIN, first_name="Admin")
    await create_event(admin, ward=None)
    coming = emulator.user(7201, first_name="C")
    await onboard(coming, ward_label="Dalston")
    not_coming = emulator.user(7202, first_name="D")
    await onboard(not_coming, ward_label="Dalston")
    await rsvp(coming, "Going")
    await rsvp(not_coming, "Not going")

    await admin.command("/manageevents")
    listing = await admin.next_reply()
    assert "Going: 1" in (listing.text or "")
    await admin.tap_button("Cancel event")
    await admin.next_reply()
    await admin.tap_button("Yes, cancel it")
    await admin.expect(2)
    notice = await coming.next_reply(timeout=10)
    assert "cancelled" in (notice.text or "")
    await emulator.wait_idle()
    assert not not_coming.unread
    await coming.command("/events")
    assert "no upcoming events" in ((await coming.next_reply()).text or "")


async def test_only_admins_can_use_admin_commands_and_buttons(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    mallory = emulator.user(7301, first_name="M")
    await onboard(mallory)
    for command in ("/newevent", "/broadcast", "/broadcasts", "/manageevents", "/addadmin 7301"):
        await mallory.command(*command.split())
        assert "only admins" in ((await mallory.next_reply()).text or ""), command
    mallory.callback_answers.clear()
    for forged in ("a:title:noop:", "m:1:cancel_yes:", "a:broadcast_preview:send:"):
        await mallory.tap(forged)
        await emulator.wait_until(lambda: len(mallory.callback_answers) > 0)
        await emulator.wait_idle()
        assert "only admins" in (mallory.callback_answers[-1].get("text") or ""), forged
        mallory.callback_answers.clear()
    async with stored(settings) as uow:
        assert await uow.staff.admin_ids() == set()


async def test_admins_add_and_remove_admins(bot: BotApplication, emulator: BotApiEmulator) -> None:
    admin = emulator.user(ADMIN, first_name="Admin")
    helper = emulator.user(7401, first_name="H")
    await helper.command("/broadcasts")
    assert "only admins" in ((await helper.next_reply()).text or "")
    await admin.command("/addadmin", "7401")
    assert "now an admin" in ((await admin.next_reply()).text or "")
    await helper.command("/broadcasts")
    assert "No broadcasts yet" in ((await helper.next_reply()).text or "")
    await helper.command("/removeadmin", str(ADMIN))
    assert "cannot be removed" in ((await helper.next_reply()).text or "")
    await admin.command("/removeadmin", "7401")
    assert "no longer an admin" in ((await admin.next_reply()).text or "")
    await helper.command("/broadcasts")
    assert "only admins" in ((await helper.next_reply()).text or "")


async def test_a_poster_deep_link_opens_the_event_and_records_the_referral(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    admin = emulator.user(ADMIN, first_name="Admin")
    await create_event(admin, ward=None)
    newcomer = emulator.user(7501, first_name="New")
    await newcomer.command("/start", "event_1")
    await newcomer.next_reply()
    await newcomer.tap_button("I agree")
    await newcomer.next_reply()
    await newcomer.tap_button("English")
    await newcomer.next_reply()
    await newcomer.tap_button("I don't live in Hackney")
    await newcomer.next_reply()
    await newcomer.tap_button("65 or over")
    await newcomer.next_reply()
    await newcomer.tap_button("Done")
    _done_and_home, card = await newcomer.expect(2)
    assert "St John's Church Hall" in (card.text or "")
    async with stored(settings) as uow:
        resident = await uow.residents.by_chat(newcomer.id)
    assert resident is not None and resident.referred_by_event == 1

    await newcomer.command("/start", "event_1")
    again = await newcomer.next_reply()  # welcome back, 999 and 101, then the event
    assert "999" in (again.text or "") and "St John's Church Hall" in (again.text or "")


async def test_reminders_go_to_residents_who_are_going(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    """A reminder due a moment ago (as after a restart) goes out once, to those going."""
    from bot.broadcasting.reminders import Reminders

    admin = emulator.user(ADMIN, first_name="Admin")
    await create_event(admin, ward=None)
    going = emulator.user(7601, first_name="G")
    await onboard(going)
    await rsvp(going, "Going")
    reminders: Reminders = services(bot).reminders
    store = services(bot).store
    async with store.unit() as uow:
        event = await uow.events.get(1)
    assert event is not None
    soon = replace(event, starts_at=datetime.now(UTC) + timedelta(minutes=50))
    await reminders.schedule_for(soon)  # the 1-hour reminder is 10 minutes overdue
    reminder = await going.next_reply(timeout=10)
    assert "starts in about an hour" in (reminder.text or "")
    await reminders.schedule_for(soon)  # again, as after a second restart: not sent twice
    await emulator.wait_idle()
    assert not going.unread


async def test_mydata_holds_rsvps_notices_and_labels_in_the_residents_language(
    bot: BotApplication, emulator: BotApiEmulator
) -> None:
    """Everything stored, codes beside labels, the note and labels in the resident's language."""
    ada = emulator.user(7601, first_name="Ada")
    await onboard(ada, ward_label="Dalston", topics=("Community events",))
    await begin_survey(ada)
    await answer_survey(ada)
    admin = emulator.user(ADMIN, first_name="Admin")
    await create_event(admin)
    announcement = await ada.next_reply(timeout=10)
    assert "Community and Police Conversation" in (announcement.text or "")
    await rsvp(ada, "Going")

    await ada.command("/mydata")
    summary, document = await ada.expect(2)
    text = summary.text or ""
    assert "Notices you get: Community events" in text
    assert "Events you answered: 1" in text and "Notices sent to you: 1" in text
    assert document.document is not None
    english = json.loads(document.document)
    assert english["notices"] == [{"topic": "events", "label": "Community events"}]
    ((answer,),) = [english["events"]]
    assert (answer["event"], answer["answer"], answer["answer_label"]) == (1, "going", "Going")
    assert answer["title"] == "Community and Police Conversation"
    assert [n["status"] for n in english["notices_sent"]] == ["sent"]
    assert english["profile"]["age_band_label"] == "25 to 34"
    first = english["responses"][0]["answers"][0]
    assert first["question"] == "priorities" and first["question_text"] and first["choice_label"]

    await ada.tap("x:lang:set:tr")
    await ada.next_reply()
    await ada.command("/mydata")
    _summary, document = await ada.expect(2)
    assert document.document is not None
    turkish = json.loads(document.document)
    with use_locale("tr"):
        assert turkish["events"][0]["answer_label"] == pgettext("rsvp", "Going") != "Going"
        assert turkish["notices"][0]["label"] == pgettext("topic", "Community events")
    assert turkish["note"] != english["note"]
    assert turkish["profile"]["language_label"] == "Türkçe"


async def test_an_event_announced_to_no_one_leaves_no_progress_message(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    """A progress message for no recipients would say "Starting…" for ever."""
    admin = emulator.user(ADMIN, first_name="Admin")
    await create_event(admin)  # Dalston, where nobody has asked for event notices
    published = admin.last
    assert "to 0 residents" in (published.text or "")
    # Replies to one chat go out in order: anything sent after Publish comes before this one.
    await admin.command("/broadcasts")
    listing = await admin.next_reply()
    assert "#1" in (listing.text or "")
    assert not any("Starting" in (m.text or "") for m in admin.messages)
