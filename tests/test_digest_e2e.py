"""Officers and digests end to end: invites, wards, a suppressed and scrubbed digest with a chart,
exports, the audit log, and a canary test that no personal detail gets out."""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.app import BotApplication, services
from bot.devtools.emulator import BotApiEmulator
from bot.logs import configure_logging
from bot.settings import Settings
from bot.staff.officers import new_invite_code
from storage.models import Event
from storage.repositories import Store
from tests.helpers import (
    ADMIN,
    OFFICER,
    answer_survey,
    answer_until_comment,
    backdate,
    become_officer,
    begin_survey,
    dalston_officers,
    invite_code,
    onboard,
    request_digest,
    seed_ward,
    stored,
    with_staff,
)

OTHER_OFFICER = 902
CANARIES = {
    "phone": "07700 900123",
    "email": "jo.bloggs@example.com",
    "postcode": "E8 1DY",
    "address": "12 Mare Street",
    "name": "Gemma Collins",
    "handle": "@gemmac",
    "url": "www.gemma-collins.co.uk",
    "vehicle": "AB12 CDE",
}
PLANTED = [
    f"My neighbour {CANARIES['name']} at {CANARIES['address']} deals drugs all day",
    f"Call me on {CANARIES['phone']} or email {CANARIES['email']} about the bins",
    f"The car {CANARIES['vehicle']} parks on the pavement near {CANARIES['postcode']}",
    f"See {CANARIES['url']} and ask {CANARIES['handle']} about the estate lights",
]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_staff(settings)


async def test_an_invited_officer_gets_a_suppressed_scrubbed_digest_with_a_chart(
    bot: BotApplication,
    emulator: BotApiEmulator,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    configure_logging("DEBUG")  # the most a deployment can log
    caplog.set_level(logging.DEBUG)
    store: Store = services(bot).store
    residents = []
    for n, comment in enumerate(PLANTED):
        resident = emulator.user(
            880_000 + n, first_name="Zebedee", last_name="Canary", username=f"zeb_canary{n}"
        )
        await onboard(resident, ward_label="Dalston")
        await begin_survey(resident)
        await answer_until_comment(resident)
        await resident.send(comment)
        await resident.next_reply()
        await resident.tap_button("Confirm and send")
        await resident.next_reply()
        residents.append(resident)
    await seed_ward(store, "dalston", 20, first_chat=700_000)
    await seed_ward(store, "hackney-wick", 4, first_chat=710_000)
    await backdate(settings)

    admin = emulator.user(ADMIN, first_name="Admin")
    officer = emulator.user(OFFICER, first_name="Olive", username="officer_olive")
    await become_officer(admin, officer, "Dalston")
    texts = await request_digest(officer, "Dalston")
    digest = "\n".join(texts)
    assert "Responses: 25" in digest  # 24 answers, rounded to 5
    assert "Burglary: 25" in digest
    assert "What residents wrote" in digest
    assert "[phone]" in digest or "[email]" in digest
    chart = officer.messages[-1].photo
    assert chart is not None and chart.startswith(b"\x89PNG")

    # The export for admins holds the same suppressed figures and no text.
    await admin.command("/export")
    export = await admin.next_reply()
    assert export.document is not None
    csv_text = export.document.decode()
    assert "dalston,Dalston" in csv_text and "hackney-wick" in csv_text
    assert "fewer than 10" in csv_text

    # Canary: nothing personal anywhere an officer, admin or log can see.
    async with stored(settings) as uow:
        people = [await uow.residents.by_chat(user.id) for user in residents]
        respondent_ids = [p.respondent_id for p in people if p is not None]
        audit = "\n".join(str(entry) for entry in await uow.officers.audit_entries(limit=1000))
    assert len(respondent_ids) == len(residents)
    seen = "\n".join(
        [digest, csv_text, audit, *(r.getMessage() for r in caplog.records)]
        + [str(r.exc_info) for r in caplog.records if r.exc_info]
    )
    secrets = [*CANARIES.values(), "Zebedee", "Canary", "zeb_canary", *respondent_ids]
    secrets += [str(user.id) for user in residents]
    for secret in secrets:
        assert secret not in seen, secret
    assert "digest" in audit and str(OFFICER) in audit


async def test_officers_cannot_reach_other_wards_even_with_forged_buttons(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    admin = emulator.user(ADMIN, first_name="Admin")
    officer = emulator.user(OTHER_OFFICER, first_name="O")
    await become_officer(admin, officer, "Hackney Wick")
    await officer.command("/digest")
    menu = await officer.next_reply()
    labels = [label for row in menu.buttons for label, _ in row]
    assert labels == ["Hackney Wick"]
    await emulator.wait_idle()
    officer.callback_answers.clear()
    for forged in ("d:dalston:scope:", "d:borough:show:20260105", "d:dalston:show:20260105"):
        await officer.tap(forged)
        await emulator.wait_until(lambda: bool(officer.callback_answers))
        answer = officer.callback_answers.pop()
        assert "not yours" in (answer.get("text") or ""), forged
    resident = emulator.user(720_001, first_name="R")
    await onboard(resident)
    await resident.command("/digest")
    assert "only officers and admins" in ((await resident.next_reply()).text or "")


async def test_invite_codes_are_single_use_and_expire(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    admin = emulator.user(ADMIN, first_name="Admin")
    code = await invite_code(admin)
    first = emulator.user(730_001, first_name="A")
    await first.command("/officer", code)
    assert "registered" in ((await first.next_reply()).text or "")
    second = emulator.user(730_002, first_name="B")
    await second.command("/officer", code)
    assert "not valid" in ((await second.next_reply()).text or "")

    stale = new_invite_code()  # made as /invite makes one, but its hours have passed
    async with stored(settings) as uow:
        await uow.officers.create_invite(stale, ADMIN, "2000-01-01T00:00:00+00:00")
    late = emulator.user(730_003, first_name="C")
    await late.command("/officer", stale)
    assert "not valid" in ((await late.next_reply()).text or "")

    await admin.command("/officers")
    listing = await admin.next_reply()
    assert "730001" in (listing.text or "")
    await admin.tap_button("Revoke")
    assert "no longer has access" in ((await admin.next_reply()).text or "")
    await first.command("/digest")
    assert "only officers and admins" in ((await first.next_reply()).text or "")
    await admin.command("/audit")
    audit = (await admin.next_reply()).text or ""
    assert "revoke_officer" in audit and "invite" in audit


@pytest.mark.sqlite_only
async def test_a_published_digest_forgets_an_erased_residents_words_but_keeps_its_figures(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    words = "Zanzibar quartz lantern keeps flickering by the canal"
    resident = emulator.user(740_001, first_name="R")
    await onboard(resident, ward_label="Dalston")
    await begin_survey(resident)
    await answer_survey(resident, words)
    await seed_ward(services(bot).store, "dalston", 14, first_chat=741_000)
    await backdate(settings)

    admin = emulator.user(ADMIN, first_name="Admin")
    officer = emulator.user(OFFICER, first_name="O")
    await become_officer(admin, officer, "Dalston")
    before = "\n".join(await request_digest(officer, "Dalston"))
    assert words in before and "Responses: 15" in before

    await resident.command("/forget")
    await resident.next_reply()
    await resident.tap_button("Yes, erase everything")
    await resident.next_reply()
    blob = b"".join(
        p.read_bytes()
        for p in (settings.database_path, settings.database_path.with_name("nv.sqlite3-wal"))
        if p.exists()
    )
    assert words.encode() not in blob

    after = "\n".join(await request_digest(officer, "Dalston"))
    assert "Responses: 15" in after  # the published figures stay as they were
    assert words not in after


async def test_event_titles_in_comments_survive_the_scrubber(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    """An event's title is no one's name: a comment about it keeps it, a resident's name goes."""
    store: Store = services(bot).store
    async with store.unit() as uow:
        await uow.events.add(
            Event(
                title="Grace and Harmony Gardening Day",
                description="Planting on the estate.",
                starts_at=datetime(2026, 5, 2, 10, tzinfo=UTC),
                ends_at=datetime(2026, 5, 2, 14, tzinfo=UTC),
                place_name="Kingsmead Community Hall",
                place_address="Kingsmead Way, London E9",
                translations={"tr": {"title": "Huzur Bahçe Günü"}},
            )
        )
    comment = "The Grace and Harmony Gardening Day was lovely, thank you Mehmet"
    resident = emulator.user(750_001, first_name="R")
    await onboard(resident, ward_label="Dalston")
    await begin_survey(resident)
    await answer_survey(resident, comment)
    await seed_ward(store, "dalston", 14, first_chat=751_000)
    await backdate(settings)
    admin = emulator.user(ADMIN, first_name="Admin")
    officer = emulator.user(OFFICER, first_name="O")
    await become_officer(admin, officer, "Dalston")
    digest = "\n".join(await request_digest(officer, "Dalston"))
    assert "The Grace and Harmony Gardening Day was lovely, thank you [name]" in digest
    async with store.unit() as uow:
        names = await uow.events.names()
    assert set(names) == {
        "Grace and Harmony Gardening Day",
        "Kingsmead Community Hall",
        "Huzur Bahçe Günü",
    }


async def test_residents_are_answered_while_a_digest_chart_is_drawn(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    """Drawing takes a tenth of a second or more: it must hold neither the database nor the
    event loop. The chart here waits until a resident has been answered meanwhile; were it
    drawn inside the unit of work or on the loop, that answer could never come."""
    (officer,) = await dalston_officers(
        services(bot).store, emulator, settings, responses=20, first_chat=700_000
    )
    service = services(bot).digests
    drawing, resident_answered = threading.Event(), threading.Event()
    draw = service.draw_chart

    def draw_after_a_resident_is_answered(*args: Any) -> bytes | None:
        drawing.set()
        assert resident_answered.wait(timeout=30), "no resident was answered while drawing"
        return draw(*args)

    service.draw_chart = draw_after_a_resident_is_answered
    digest = asyncio.create_task(request_digest(officer, "Dalston"))
    assert await asyncio.to_thread(drawing.wait, 30)
    resident = emulator.user(880_100, first_name="Ria")
    await resident.command("/start")
    welcome = await resident.next_reply(timeout=10)
    resident_answered.set()
    assert welcome.buttons  # the consent screen, while the chart was still being drawn
    texts = await digest
    assert "Responses: 20" in "\n".join(texts)
    chart = officer.messages[-1].photo
    assert chart is not None and chart.startswith(b"\x89PNG")
