"""The admin's broadcast journey through the real Application and the emulator: one first
screen for every kind, a preview that names the wards, the languages and the weekly cap,
Cancel on every text prompt, an honest time left, a report that tells of a restart, and
/broadcasts that says what each broadcast was."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.app import BotApplication, services
from bot.devtools.emulator import BotApiEmulator
from bot.i18n import format_duration, use_locale
from bot.settings import Settings
from tests.conftest import BotRunner
from tests.helpers import ADMIN, create_event, finished_report, say, stored, with_staff

WEEKLY_CAP = 1


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(with_staff(settings), weekly_cap=WEEKLY_CAP)


async def seed(
    bot: BotApplication,
    emulator: BotApiEmulator,
    people: Iterable[tuple[int, str, str]],
    topics: tuple[str, ...] = ("safety",),
) -> None:
    """Signed-up residents (chat, language, ward) who asked for ``topics``."""
    async with services(bot).store.unit() as uow:
        for chat, locale, ward in people:
            emulator.user(chat, first_name="R", language_code=locale)
            resident = await uow.residents.create(chat, locale, locale_chosen=True)
            for topic in topics:
                resident = resident.with_topic(topic, True)
            await uow.residents.save(
                replace(resident, ward_id=ward, onboarded_at="2026-12-01T10:00:00+00:00")
            )


class Admin:
    """The admin, counting every step they take (a command, a tap, a message)."""

    def __init__(self, emulator: BotApiEmulator) -> None:
        self.emulator = emulator
        self.user, self.steps = emulator.user(ADMIN, first_name="Admin"), 0

    async def command(self, command: str) -> str:
        self.steps += 1
        await self.user.command(command)
        return (await self.user.next_reply()).text or ""

    async def tap(self, label: str) -> str:
        self.steps += 1
        await self.user.tap_button(label)
        return (await self.user.next_reply()).text or ""

    async def type(self, text: str) -> str:
        self.steps += 1
        return await say(self.user, text)

    async def send(self, *, finish: bool = True) -> str:
        """Send from the preview; unless told not to, wait for the final report and read past
        the progress edits, so the next reply read is the next screen. A broadcast that goes
        to no one says so, with no progress message."""
        self.steps += 1
        await self.user.tap_button("Send")
        queued = (await self.user.next_reply()).text or ""
        if "went to no one" in queued:
            return queued
        assert "is queued for" in queued, queued
        assert "Starting" in ((await self.user.next_reply()).text or "")
        if not finish:
            return ""
        report = await finished_report(self.emulator, self.user)
        self.user.mark_read()
        return report


FOUR_WARDS = ("Clissold", "Dalston", "De Beauvoir", "Hackney Central")


@pytest.mark.parametrize(
    ("label", "stored_as", "heading"),
    [
        ("Safety notice", ("notice", "safety", False), "📣 Notice from your local team"),
        ("Safety notice – urgent", ("notice", "safety", True), "⚠️ Urgent safety notice"),
        ('"You said, we did" update', ("update", "updates", False), "You said, we did"),
        ("Events notice", ("notice", "events", False), "📣 Notice from your local team"),
    ],
)
async def test_a_notice_to_four_wards_takes_nine_steps_whatever_its_kind(
    bot: BotApplication,
    emulator: BotApiEmulator,
    settings: Settings,
    label: str,
    stored_as: tuple[str, str, bool],
    heading: str,
) -> None:
    await seed(bot, emulator, [(9001, "en", "dalston")], ("safety", "updates", "events"))
    admin = Admin(emulator)
    first = await admin.command("/broadcast")
    assert "What would you like to send?" in first
    assert "Type the notice in English" in await admin.tap(label)
    assert "Which wards" in await admin.type("Mare Street is closed tonight.")
    for ward in FOUR_WARDS:
        await admin.tap(ward)
    preview = await admin.tap("Done")
    assert "of Clissold, Dalston, De Beauvoir and Hackney Central" in preview
    await admin.send()
    assert admin.steps == 9  # /broadcast, the kind, the text, four wards, Done, Send

    notice = await emulator.users[9001].next_reply(timeout=10)
    assert heading in (notice.text or "") and "Mare Street is closed tonight." in (
        notice.text or ""
    )
    async with stored(settings) as uow:
        (broadcast,) = await uow.broadcasts.recent(1)
    assert (broadcast.kind, broadcast.topic, broadcast.urgent) == stored_as
    assert broadcast.wards == ("clissold", "dalston", "de-beauvoir", "hackney-central")


async def test_announcing_an_event_again_picks_it_and_may_widen_its_wards(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    await seed(bot, emulator, [(9011, "en", "homerton")], ("events",))
    admin = Admin(emulator)
    await create_event(admin.user, ward="Dalston")  # Homerton's resident is not told
    await admin.command("/broadcast")
    assert "Which event?" in await admin.tap("Announce an event again")
    assert "Which wards" in await admin.tap("Community and Police")
    assert "✅ Dalston" in admin.user.last.labels  # the event's own wards, chosen already
    preview = await admin.tap("Whole borough")
    assert "This will go to 1 resident across the whole borough" in preview
    assert "Add a version" not in str(admin.user.last.labels)  # an event has its own versions
    await admin.send()
    announcement = await emulator.users[9011].next_reply(timeout=10)
    assert "Community and Police Conversation" in (announcement.text or "")


async def test_the_preview_names_wards_languages_and_those_the_weekly_cap_skips(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    dalston = [(9101, "en"), (9102, "en"), (9103, "en"), (9104, "tr"), (9105, "tr"), (9106, "pl")]
    clissold = [(9107, "en"), (9108, "en"), (9109, "ar")]
    await seed(
        bot,
        emulator,
        [(c, lang, "dalston") for c, lang in dalston]
        + [(c, lang, "clissold") for c, lang in clissold]
        + [(9110, "en", "homerton"), (9111, "en", "homerton")],
    )
    admin = Admin(emulator)
    # Clissold's three have this week's notice (the cap is one here).
    await admin.command("/broadcast")
    await admin.tap("Safety notice")
    await admin.type("Bins are collected on Tuesday this week.")
    await admin.tap("Clissold")
    first = await admin.tap("Done")
    assert "will not get it" not in first
    assert "Sent: 3" in await admin.send()

    await admin.command("/broadcast")
    await admin.tap("Safety notice")
    await admin.type("Mare Street is closed tonight for roadworks.")
    await admin.tap("Dalston")
    await admin.tap("Clissold")
    preview = await admin.tap("Done")
    assert "This will go to 9 residents of Clissold and Dalston, each in their own language:" in (
        preview
    )
    assert "• English: 5\n" in preview
    assert (
        "• English, as there is no version in their language: 4 "
        "(Türkçe: 2, العربية: 1 and Polski: 1)" in preview
    )
    assert "3 of 9 will not get it: they have already had this week's limit of notices." in (
        preview
    )

    await admin.tap("Add a version in another language")
    assert "The notice in Türkçe?" in await admin.tap("Türkçe")
    preview = await admin.type("Mare Street bu gece yol çalışması nedeniyle kapalı.")
    assert "• Türkçe: 2" in preview
    assert "no version in their language: 2 (العربية: 1 and Polski: 1)" in preview
    report = await admin.send()
    assert "Sent: 6" in report and "Skipped (weekly limit): 3" in report
    assert "restarted" not in report
    turkish = emulator.users[9104].messages[-1].text or ""
    assert "Mare Street bu gece" in turkish

    # Urgent: the cap does not apply, and the preview says why.
    await admin.command("/broadcast")
    await admin.tap("Safety notice – urgent")
    await admin.type("Gas leak on Mare Street: keep away.")
    preview = await admin.tap("Whole borough")
    assert "This will go to 11 residents across the whole borough" in preview
    assert "will not get it" not in preview and "It is urgent" in preview
    assert "Discarded" in await admin.tap("Discard")


async def test_every_text_prompt_has_cancel_and_nothing_is_kept(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    admin = Admin(emulator)
    await admin.command("/broadcast")
    await admin.tap("Events notice")
    assert admin.user.last.labels == ["Cancel"]
    assert "Nothing was saved" in await admin.tap("Cancel")
    async with stored(settings) as uow:
        assert await uow.staff.flow(ADMIN) is None

    await admin.command("/broadcast")
    await admin.tap("Safety notice")
    await admin.type("Road closed.")
    await admin.tap("Whole borough")
    await admin.tap("Add a version in another language")
    prompt = await admin.tap("Polski")
    assert "The notice in Polski?" in prompt and admin.user.last.labels == ["Cancel"]
    assert "Nothing was saved" in await admin.tap("Cancel")
    async with stored(settings) as uow:
        assert await uow.staff.flow(ADMIN) is None
        assert await uow.broadcasts.recent(1) == []
    assert "only admins" not in await admin.command("/broadcast")  # and a new one begins


async def test_the_first_progress_report_estimates_from_the_configured_pace(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    await seed(bot, emulator, [(20_000 + n, "en", "dalston") for n in range(150)])
    admin = Admin(emulator)
    await admin.command("/broadcast")
    await admin.tap("Safety notice")
    await admin.type("Road closed.")
    await admin.tap("Whole borough")
    await admin.send()
    report = admin.user.messages[-1]
    going = [e.text or "" for e in report.edits if "is going out" in (e.text or "")]
    assert going, "no progress report before the summary"
    first = going[0]
    remaining = int(re.findall(r"Remaining: (\d+)", first)[0])
    # The first report comes after a few messages: no rate measured yet, so none shown, and
    # the time left is what remains at the configured pace, in words.
    assert "Rate" not in first
    with use_locale("en"):
        expected = format_duration(timedelta(seconds=remaining / settings.broadcast_rate))
    assert f"About {expected} left." in first and "seconds" in expected


async def test_a_report_says_the_bot_restarted_and_how_many_may_have_it_twice(
    bot_runner: BotRunner, emulator: BotApiEmulator, settings: Settings
) -> None:
    chats = [30_000 + n for n in range(120)]
    admin = Admin(emulator)
    async with bot_runner() as bot:
        await seed(bot, emulator, [(chat, "en", "dalston") for chat in chats])
        await admin.command("/broadcast")
        await admin.tap("Safety notice")
        await admin.type("Road closed.")
        await admin.tap("Dalston")
        await admin.tap("Done")
        await admin.send(finish=False)
        await emulator.wait_until(
            lambda: sum(len(emulator.users[c].messages) for c in chats) >= 20, timeout=10
        )
    # Stopped mid-way, workers wherever they were: their rows stay in flight.
    got = sum(len(emulator.users[c].messages) for c in chats)
    assert got < len(chats)
    async with bot_runner():
        report = await finished_report(emulator, admin.user)
    counts = [len(emulator.users[c].messages) for c in chats]
    assert min(counts) == 1, "a resident was skipped"
    twice = sum(n - 1 for n in counts)
    assert "The bot restarted while this was going out and carried on;" in report
    found = re.search(r"up to (\d+) residents? may have got it twice\.", report)
    bound = int(found[1]) if found else 0
    assert found or "no one got it twice." in report
    assert twice <= bound <= settings.broadcast_in_flight


async def test_broadcasts_lists_what_each_said_and_to_which_wards(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    admin = Admin(emulator)
    await create_event(admin.user, ward="Dalston")
    await admin.command("/broadcast")
    await admin.tap("Safety notice")
    await admin.type(
        "Mare Street is closed tonight between Dalston Junction and the Narroway for works."
    )
    await admin.tap("Dalston")
    await admin.tap("Clissold")
    await admin.tap("Done")
    nobody = await admin.send()
    assert nobody == "Broadcast #2 went to no one: no resident there asked for these notices."
    await admin.command("/broadcast")
    await admin.tap("Announce an event again")
    await admin.tap("Community and Police")
    await admin.tap("Whole borough")
    await admin.send()

    listing = await admin.command("/broadcasts")
    newest, notice, published = listing.split("\n\n")[:3]
    assert newest.startswith("#3 Event announcement")
    assert newest.splitlines()[0].endswith("· the whole borough")
    assert "“Community and Police Conversation”" in newest
    assert notice.startswith("#2 Safety notice")
    assert notice.splitlines()[0].endswith("· Clissold and Dalston")
    assert "“Mare Street is closed tonight between Dalston Junction and…”" in notice
    assert "Sent 0, blocked 0" in notice  # no resident asked for safety notices
    assert published.startswith("#1 Event announcement")
    assert published.splitlines()[0].endswith("· Dalston")
