"""Staff flows, called directly: what a redelivered update (after a crash) may and may not do."""

from __future__ import annotations

from pathlib import Path

from bot.app import build_application, prepare, services
from bot.messages import CallbackData, Incoming
from bot.settings import Settings
from bot.staff.service import StaffService
from storage.repositories import Store
from tests.helpers import stored

ADMIN = 900
RESIDENT = 5005
OFFICER = 901


def _service(tmp_path: Path) -> tuple[StaffService, Store]:
    settings = Settings.defaults(
        bot_token="1:T",
        database_path=tmp_path / "nv.sqlite3",
        api_base_url="http://127.0.0.1:9/bot",
        admin_ids=frozenset({ADMIN}),
    )
    application = build_application(prepare(settings))
    return services(application).staff, services(application).store


async def test_a_redelivered_staff_text_is_not_taken_as_the_next_answer(tmp_path: Path) -> None:
    staff, store = _service(tmp_path)
    await store.open()
    try:
        await staff.flows.start_new_event(Incoming(ADMIN, "en", 1))
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
        stale = await staff.flows.start_new_event(
            Incoming(ADMIN, "en", 1)
        )  # update 1 again: nothing
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
    async with stored(tmp_path / "nv.sqlite3") as uow:
        assert await uow.updates.handled() == []


async def test_a_redelivered_invite_or_registration_is_not_answered_again(
    tmp_path: Path,
) -> None:
    """One invite code per /invite, and the officer is not told their used code is invalid."""
    staff, store = _service(tmp_path)
    await store.open()
    try:
        invite = Incoming(ADMIN, "en", 10)
        made = await staff.officers.command(invite, "invite", "")
        code = made.messages[0].text.split("Invite code: ")[1].split()[0]
        assert (await staff.officers.command(invite, "invite", "")).messages == ()
        joining = Incoming(OFFICER, "en", 3)
        joined = await staff.officers.command(joining, "officer", code)
        assert "registered as an officer" in joined.messages[0].text
        assert (await staff.officers.command(joining, "officer", code)).messages == ()
        later = await staff.officers.command(Incoming(OFFICER, "en", 4), "officer", code)
        assert "not valid" in later.messages[0].text  # a new update with a used code
    finally:
        await store.close()
    async with stored(tmp_path / "nv.sqlite3") as uow:
        # The one code was used; a second made by the redelivered /invite would still be open.
        assert await uow.officers.open_invites("2000-01-01T00:00:00+00:00") == 0
