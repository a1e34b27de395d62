"""The conversation service called directly: plain Python around a real SQLite store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.areas import AreaDirectory
from bot.messages import Incoming, Reply
from bot.residents.conversation import ConversationService
from bot.residents.core import ResidentCore
from bot.settings import PROJECT_ROOT, Settings
from bot.surveys import load_surveys
from storage.repositories import Store
from tests.helpers import resident_behind


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[ConversationService]:
    store = Store(tmp_path / "svc.sqlite3")
    await store.open()
    defaults = Settings.defaults("123456:TEST")
    yield ConversationService(
        ResidentCore(
            store,
            load_surveys(PROJECT_ROOT / "surveys"),
            AreaDirectory.bundled(),
            area_name=defaults.area_name,
            default_locale=defaults.default_locale,
            retention_days=defaults.retention_days,
        )
    )
    await store.close()


def button(reply: Reply, label: str) -> str:
    for message in reply.messages:
        for row in message.buttons:
            for b in row:
                if label in b.label:
                    return b.data.encode()
    raise LookupError(label)


async def test_a_redelivered_update_is_answered_once_and_changes_nothing(
    service: ConversationService,
) -> None:
    chat = 7001
    update_ids = iter(range(1, 1000))

    def who() -> Incoming:
        return Incoming(chat, "en", next(update_ids))

    reply = await service.commands.start(who())
    reply = await service.tap(who(), button(reply, "I agree"))
    reply = await service.tap(who(), button(reply, "English"))
    reply = await service.tap(who(), button(reply, "I don't live"))
    reply = await service.tap(who(), button(reply, "65 or over"))
    reply = await service.tap(who(), button(reply, "Done"))
    reply = await service.tap(who(), button(reply, "Start the survey"))
    burglary = button(reply, "Burglary")

    tick = Incoming(chat, "en", next(update_ids))
    ticked = await service.tap(tick, burglary)
    assert "✅ Burglary" in ticked.messages[0].buttons[3][0].label
    again = await service.tap(tick, burglary)  # the same update, redelivered after a crash
    assert again.messages == () and again.toast is None

    async with service.store.unit() as uow:
        resident = await resident_behind(uow, chat)
        state = await uow.conversations.get(resident.respondent_id)
    assert state is not None and state.data["picked"] == ["burglary"]


async def test_stale_and_forged_taps_leave_the_state_alone(service: ConversationService) -> None:
    chat = 7002
    reply = await service.commands.start(Incoming(chat, "en"))
    reply = await service.tap(Incoming(chat, "en"), button(reply, "I agree"))
    english = button(reply, "English")
    reply = await service.tap(Incoming(chat, "en"), english)
    assert "postcode" in reply.messages[0].text

    stale = await service.tap(Incoming(chat, "en"), english)
    assert stale.toast is not None and "earlier message" in stale.toast
    assert "postcode" in stale.messages[0].text  # the current question, shown again

    for forged in ("", "x" * 65, "o:area:outside", "o:area:nope:", "zz:area:outside:", "é:a:b:c"):
        answer = await service.tap(Incoming(chat, "en"), forged)
        assert answer.toast, forged
    async with service.store.unit() as uow:
        resident = await resident_behind(uow, chat)
        state = await uow.conversations.get(resident.respondent_id)
    assert state is not None and state.step == "area"
