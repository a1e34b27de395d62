"""The real bot on PostgreSQL: the product's own path through the store, not only the
repositories (the contract tests cover those on both backends). A resident signs up,
answers the survey, is told about an event broadcast to their ward, and erases everything;
the bot restarts on the same database in between."""

from __future__ import annotations

import pytest

from bot.devtools.emulator import BotApiEmulator
from bot.settings import Settings
from tests.conftest import BotRunner
from tests.helpers import (
    ADMIN,
    answer_survey,
    begin_survey,
    create_event,
    finished_report,
    onboard,
    resident_behind,
    stored,
    with_staff,
)


@pytest.fixture
def settings(postgres_url: str, emulator: BotApiEmulator) -> Settings:
    """Production settings on a fresh PostgreSQL database instead of a SQLite file."""
    return with_staff(
        Settings.defaults(
            bot_token=emulator.token, database_url=postgres_url, api_base_url=emulator.base_url
        )
    )


async def test_a_resident_answers_hears_of_an_event_and_erases_everything_on_postgresql(
    bot_runner: BotRunner, emulator: BotApiEmulator, settings: Settings
) -> None:
    assert isinstance(settings.database, str) and settings.database.startswith("postgresql://")
    ada = emulator.user(5101, first_name="Ada", language_code="en")
    async with bot_runner():
        await onboard(ada, ward_label="Dalston", topics=("Community events",))
        await begin_survey(ada)
        await answer_survey(ada, comment="More lighting on the estate")
    async with stored(settings) as uow:
        resident = await resident_behind(uow, ada.id)
        (response,) = await uow.responses.for_respondent(resident.respondent_id)
        assert response.answers[-1].text == "More lighting on the estate"

    async with bot_runner():  # a restart: everything was on the server, nothing in memory
        admin = emulator.user(ADMIN, first_name="Admin")
        await create_event(admin)
        card = await ada.next_reply(timeout=10)
        assert "Community and Police Conversation" in (card.text or "")
        assert "Sent: 1" in await finished_report(emulator, admin)

        await ada.command("/forget")
        await ada.next_reply()
        await ada.tap_button("Yes, erase everything")
        done = await ada.next_reply()
        assert "erased" in (done.text or "")
    async with stored(settings) as uow:
        assert await uow.residents.by_chat(ada.id) is None
        assert await uow.responses.count() == 0
