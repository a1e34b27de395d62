"""/mydata and /forget: a resident sees everything held; erasure leaves no trace in the file."""

from __future__ import annotations

import json

import pytest

from bot.app import BotApplication
from bot.devtools.emulator import BotApiEmulator
from bot.settings import Settings
from tests.helpers import answer_survey, begin_survey, onboard, stored

SECRET_COMMENT = "Zanzibar-quartz-7731 keeps happening near the bins"


async def test_mydata_shows_everything_without_telegram_identity(
    bot: BotApplication, emulator: BotApiEmulator
) -> None:
    ada = emulator.user(4001, first_name="Adaline", username="adaline_x")
    await onboard(ada)
    await begin_survey(ada)
    await answer_survey(ada, comment=SECRET_COMMENT)
    await ada.command("/mydata")
    summary, document = await ada.expect(2)
    assert "Hackney Central" in (summary.text or "")
    assert "Survey responses sent: 1" in (summary.text or "")
    assert document.document is not None
    export = json.loads(document.document)
    assert export["profile"]["ward_id"] == "hackney-central"
    assert export["responses"][0]["answers"][-1]["text"] == SECRET_COMMENT
    raw = document.document.decode()
    for identity in ("4001", "Adaline", "adaline_x"):
        assert identity not in raw


@pytest.mark.sqlite_only
async def test_forget_erases_every_trace_from_the_database_file(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    chat_id = 987654321
    ada = emulator.user(chat_id, first_name="Ada")
    await onboard(ada)
    await begin_survey(ada)
    await answer_survey(ada, comment=SECRET_COMMENT)
    other = emulator.user(4003, first_name="Other")
    await onboard(other)

    await ada.command("/forget")
    confirm = await ada.next_reply()
    assert "cannot be undone" in (confirm.text or "")
    await ada.tap_button("Yes, erase everything")
    done = await ada.next_reply()
    assert "erased" in (done.text or "")

    async with stored(settings) as uow:
        assert await uow.residents.by_chat(chat_id) is None
        assert await uow.responses.count() == 0
        assert await uow.residents.count() == 1  # the other resident is untouched
    files = [settings.database_path, settings.database_path.with_name("nv.sqlite3-wal")]
    blob = b"".join(p.read_bytes() for p in files if p.exists())
    assert SECRET_COMMENT.encode() not in blob
    assert str(chat_id).encode() not in blob
    assert chat_id.to_bytes(4, "big") not in blob  # SQLite stores integers big-endian

    await ada.command("/mydata")
    nothing = await ada.next_reply()
    assert "don't hold anything" in (nothing.text or "")


async def test_forget_can_be_declined(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    ada = emulator.user(4004, first_name="Ada")
    await onboard(ada)
    await ada.command("/forget")
    await ada.next_reply()
    await ada.tap_button("No, keep it")
    kept = await ada.next_reply()
    assert "Nothing was erased" in (kept.text or "")
    async with stored(settings) as uow:
        assert await uow.residents.by_chat(ada.id) is not None
        assert await uow.residents.count() == 1
