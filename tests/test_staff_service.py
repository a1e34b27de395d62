"""Staff flows, called directly: what a redelivered update (after a crash) may and may not do."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.app import build_application, prepare
from bot.conversation import Incoming
from bot.flows import CallbackData
from bot.settings import Settings
from bot.staff import StaffService
from storage.repositories import Store

ADMIN = 900
RESIDENT = 5005


def _service(tmp_path: Path) -> tuple[StaffService, Store]:
    settings = Settings(
        bot_token="1:T",
        database_path=tmp_path / "nv.sqlite3",
        api_base_url="http://127.0.0.1:9/bot",
        admin_ids=frozenset({ADMIN}),
    )
    application = build_application(prepare(settings))
    return application.bot_data["staff"], application.bot_data["store"]


async def test_a_redelivered_staff_text_is_not_taken_as_the_next_answer(tmp_path: Path) -> None:
    staff, store = _service(tmp_path)
    await store.open()
    try:
        await staff.new_event(Incoming(ADMIN, "en", 1))
        title = Incoming(ADMIN, "en", 2)
        asked = await staff.text(title, "Community and Police Conversation")
        assert asked is not None and "Describe the event" in asked.messages[0].text
        again = await staff.text(title, "Community and Police Conversation")  # redelivered
        assert again is not None and again.messages == ()
        async with store.unit() as uow:
            state = await uow.staff.flow(ADMIN)
        assert state is not None
        assert (state.step, state.data["title"]) == (
            "description",
            "Community and Police Conversation",
        )
        stale = await staff.new_event(Incoming(ADMIN, "en", 1))  # an older update: nothing
        assert stale.messages == ()
        async with store.unit() as uow:
            assert await uow.staff.flow(ADMIN) == state
    finally:
        await store.close()


async def test_a_residents_forged_staff_tap_leaves_no_trace_of_them(tmp_path: Path) -> None:
    staff, store = _service(tmp_path)
    await store.open()
    try:
        refused = await staff.tap(Incoming(RESIDENT, "en", 7), CallbackData("a", "title", "x"))
        assert refused.toast and "only admins" in refused.toast
    finally:
        await store.close()
    with sqlite3.connect(tmp_path / "nv.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM staff_updates").fetchone() == (0,)
