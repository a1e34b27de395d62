"""Steps shared by the end-to-end tests, so each test file need not import another's:
a resident's taps and messages, an admin's and an officer's, and answers seeded straight
into the store."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from telegram.ext import Job

from bot.app import BotApplication
from bot.devtools.emulator import BotApiEmulator, EmulatedUser, SentMessage
from bot.digests.disclosure import BlockLength, DisclosurePolicy, latest_closed_block
from bot.settings import Settings
from storage.models import AnswerRecord, Resident
from storage.repositories import Store, UnitOfWork

ADMIN, OFFICER = 900, 901
LONDON = ZoneInfo("Europe/London")


def with_staff(settings: Settings) -> Settings:
    """The suite's settings with ADMIN as an admin and no quiet hours (notices go at once)."""
    return replace(
        settings,
        admin_ids=frozenset({ADMIN}),
        quiet_hours=(datetime.min.time(), datetime.min.time()),
    )


SURVEY_CHOICES = ("Burglary", "Road safety")


@asynccontextmanager
async def webhook_receiver(
    handler: Callable[[web.Request], Awaitable[web.Response]],
) -> AsyncIterator[str]:
    """A local HTTP server that POSTs to ``/hook`` go to ``handler``; yields its URL, for the
    emulator's webhook deliveries."""
    app = web.Application()
    app.router.add_post("/hook", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    finally:
        await runner.cleanup()


async def seed_safety_residents(
    store: Store, emulator: BotApiEmulator, count: int, first: int
) -> list[str]:
    """Onboarded residents in Dalston who asked for safety notices, each a user of the
    emulator; their respondent ids."""
    ids = []
    async with store.unit() as uow:
        for chat in range(first, first + count):
            emulator.user(chat, first_name="R")
            resident = await uow.residents.create(chat, "en")
            await uow.residents.save(
                replace(resident, ward_id="dalston", notify_safety=True, onboarded_at="2026-01-01")
            )
            ids.append(resident.respondent_id)
    return ids


def job(bot: BotApplication, name: str) -> Job[Any]:
    """One of the jobs the application registered at start."""
    assert bot.job_queue is not None
    (found,) = (j for j in bot.job_queue.jobs() if j.name == name)
    return found


async def start_and_consent(user: EmulatedUser) -> SentMessage:
    """/start, agree; returns the language question."""
    await user.command("/start")
    welcome = await user.next_reply()
    assert "999" in (welcome.text or "")
    await user.tap_button("I agree")
    language = await user.next_reply()
    assert "language" in (language.text or "")
    return language


async def onboard(
    user: EmulatedUser, ward_label: str = "Hackney Central", topics: tuple[str, ...] = ()
) -> None:
    """Consent, English, a ward from the list, age 25 to 34, notice topics (by label)."""
    await start_and_consent(user)
    await user.tap_button("English")
    area = await user.next_reply()
    assert "postcode" in (area.text or "")
    await user.tap_button("Choose from the list")
    await user.next_reply()
    await user.tap_button(ward_label)
    age = await user.next_reply()
    assert "How old" in (age.text or "")
    await user.tap_button("25 to 34")
    notices = await user.next_reply()
    assert "Which messages" in (notices.text or "")
    for topic in topics:
        await user.tap_button(topic)
        await user.next_reply()
    await user.tap_button("Done")
    home = await user.next_reply()
    assert "all set" in (home.text or "")
    assert home.buttons


async def begin_survey(user: EmulatedUser) -> SentMessage:
    await user.tap_button("Start the survey")
    first = await user.next_reply()
    assert "Question 1 of 6" in (first.text or "")
    return first


async def answer_until_comment(user: EmulatedUser) -> SentMessage:
    """From question 1 to the free-text question, with fixed answers."""
    for label in SURVEY_CHOICES:
        await user.tap_button(label)
        await user.next_reply()
    await user.tap_button("Done")
    await user.next_reply()
    await user.tap_button("2")  # safety after dark
    await user.next_reply()
    for label in ("Agree", "Disagree", "Don't know"):
        await user.tap_button(label)
        await user.next_reply()
    comment = user.last
    assert "Question 6 of 6" in (comment.text or "")
    return comment


async def answer_survey(user: EmulatedUser, comment: str = "More lighting on the estate") -> None:
    """Question 1 to the summary, then Confirm; returns after the thank-you."""
    await answer_until_comment(user)
    await user.send(comment)
    summary = await user.next_reply()
    assert "check your answers" in (summary.text or "")
    await user.tap_button("Confirm and send")
    thanks = await user.next_reply()
    assert "Thank you" in (thanks.text or "")


async def rsvp(user: EmulatedUser, answer: str) -> None:
    """/events, then answer the first event shown ("Going", "Maybe" or "Not going")."""
    await user.command("/events")
    await user.next_reply()
    await user.tap_button(answer)
    await user.next_reply()


# -- staff ---------------------------------------------------------------------------------------


async def say(user: EmulatedUser, text: str) -> str:
    await user.send(text)
    return (await user.next_reply()).text or ""


def local(delta: timedelta) -> str:
    """A time from now as an admin types it: London wall-clock time."""
    return (datetime.now(LONDON) + delta).strftime("%Y-%m-%d %H:%M")


async def create_event(admin: EmulatedUser, *, ward: str | None = "Dalston") -> None:
    """The whole /newevent conversation, with a Turkish translation, three days ahead."""
    await admin.command("/newevent")
    assert "title" in ((await admin.next_reply()).text or "")
    await say(admin, "Community and Police Conversation")
    await say(admin, "Meet your local officers and tell them what matters.")
    await admin.tap_button("Türkçe")
    await admin.next_reply()
    await say(admin, "Toplum ve Polis Sohbeti")
    await say(admin, "Yerel polislerle tanışın.")
    await admin.tap_button("Continue")
    await admin.next_reply()
    await say(admin, local(timedelta(days=3)))
    await say(admin, local(timedelta(days=3, hours=2)))
    await say(admin, "St John's Church Hall")
    await say(admin, "Mare Street, London E8")
    if ward:
        await admin.tap_button(ward)
        await admin.next_reply()
        await admin.tap_button("Done")
    else:
        await admin.tap_button("Whole borough")
    await admin.next_reply()
    await admin.tap_button("No limit")
    preview = await admin.next_reply()
    assert "This is how residents will see it" in (preview.text or "")
    assert "Community and Police Conversation" in (preview.text or "")
    await admin.tap_button("Publish")
    published = await admin.next_reply()
    assert "Published" in (published.text or "")
    if "to 0 residents" not in (published.text or ""):  # to no one: no progress message
        await admin.next_reply()


async def finished_report(emulator: BotApiEmulator, admin: EmulatedUser) -> str:
    """The admin's progress message once it has become the final summary."""
    await emulator.wait_until(lambda: "finished" in (admin.messages[-1].text or ""), timeout=10)
    return admin.messages[-1].text or ""


async def invite_code(admin: EmulatedUser) -> str:
    await admin.command("/invite")
    invite = await admin.next_reply()
    return (invite.text or "").split("Invite code: ")[1].split()[0]


async def become_officer(admin: EmulatedUser, officer: EmulatedUser, ward: str) -> None:
    code = await invite_code(admin)
    await officer.command("/officer", code)
    welcome = await officer.next_reply()  # with the ward question
    assert "registered as an officer" in (welcome.text or "")
    assert welcome.buttons
    await officer.tap_button(ward)
    await officer.next_reply()
    await officer.tap_button("Done")
    saved = await officer.next_reply()
    assert ward in (saved.text or "")


async def dalston_officers(
    store: Store,
    emulator: BotApiEmulator,
    settings: Settings,
    *officer_ids: int,
    responses: int,
    first_chat: int,
) -> list[EmulatedUser]:
    """What a Dalston digest needs: last week's answers, and officers (OFFICER by default)."""
    await seed_ward(store, "dalston", responses, first_chat=first_chat)
    await backdate(settings)
    admin = emulator.user(ADMIN, first_name="Admin")
    officers = [emulator.user(user_id, first_name="O") for user_id in officer_ids or (OFFICER,)]
    for officer in officers:
        await become_officer(admin, officer, "Dalston")
    return officers


async def request_digest(officer: EmulatedUser, scope_label: str) -> list[str]:
    """/digest for the newest period; the texts up to the chart (or the "no digest" note)."""
    await officer.command("/digest")
    await officer.next_reply()
    await officer.tap_button(scope_label)
    periods = await officer.next_reply()
    await officer.tap(periods.buttons[0][0][1] or "")
    texts = []
    while True:
        message = await officer.next_reply(timeout=10)
        texts.append(message.text or message.raw.get("caption") or "")
        if message.photo is not None or "no digest" in texts[-1]:
            return texts


# -- answers stored directly, for digests that need more residents than a test can onboard -----


def last_week_noon(settings: Settings) -> str:
    policy = DisclosurePolicy(block=BlockLength.WEEK)
    block = latest_closed_block(datetime.now(UTC), settings.timezone, policy)
    moment = datetime.combine(block.start + timedelta(days=2), datetime.min.time()).replace(
        hour=12, tzinfo=settings.timezone
    )
    return moment.astimezone(UTC).isoformat(timespec="seconds")


async def seed_ward(store: Store, ward: str, count: int, first_chat: int) -> None:
    """Residents who answered, as the survey would store them (priorities mostly burglary)."""
    rng = random.Random(first_chat)
    async with store.unit() as uow:
        for n in range(count):
            resident = await uow.residents.create(first_chat + n, "en")
            resident = replace(resident, ward_id=ward, onboarded_at="2026-01-01")
            await uow.residents.save(resident)
            answers = [
                AnswerRecord("priorities", choice_id="burglary"),
                AnswerRecord("priorities", choice_id=rng.choice(["asb", "drugs"])),
                AnswerRecord("safety_after_dark", value=rng.randint(1, 5)),
                *(
                    AnswerRecord(q, choice_id=rng.choice(["agree", "disagree"]))
                    for q in ("trust_police", "trust_fair", "trust_listen")
                ),
            ]
            await uow.responses.add(
                resident.respondent_id,
                survey_id="local-priorities",
                survey_version=1,
                ward_id=ward,
                locale="en",
                answers=answers,
            )


@asynccontextmanager
async def stored(database: Settings | Path) -> AsyncIterator[UnitOfWork]:
    """One unit of work on the bot's database, opened beside the bot (or after it stopped).

    Tests read and arrange stored data through the repositories, never by SQL, so what they
    check holds for every storage backend; only byte-level checks of the SQLite file itself
    (marked ``sqlite_only``) open it directly.
    """
    store = Store(database.database if isinstance(database, Settings) else database)
    await store.open()
    try:
        async with store.unit() as uow:
            yield uow
    finally:
        await store.close()


async def resident_behind(uow: UnitOfWork, chat_id: int) -> Resident:
    """The resident a chat belongs to, which the test expects to have signed up."""
    resident = await uow.residents.by_chat(chat_id)
    assert resident is not None, chat_id
    return resident


async def officers_since_last_week(settings: Settings) -> None:
    """Date every officer's joining to last week, so this week's scheduled digest is theirs."""
    async with stored(settings) as uow:
        await uow.officers.backdate_joining(datetime.fromisoformat(last_week_noon(settings)))


async def backdate(settings: Settings) -> None:
    """Move every stored response into last week, the newest period a digest may cover."""
    async with stored(settings) as uow:
        await uow.responses.backdate_all(datetime.fromisoformat(last_week_noon(settings)))
