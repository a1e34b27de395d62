"""The storage contract: what every backend's repositories must do, whatever the engine.

One class of tests, run against each backend the ``store`` fixture names: SQLite and
PostgreSQL, which must pass unchanged. The tests speak only through the
unit of work and its repositories, never SQL, so they state behaviour rather than schema:
a unit commits all or nothing, a resident's erasure takes everything of theirs, an update is
claimed once, a broadcast's rows are claimed once each, back-dating moves what it names.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.interfaces import UnitOfWorkInterface
from storage.models import AnswerRecord, Broadcast, Event, FlowState, Officer
from storage.repositories import Store

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """The same tests on each backend: a SQLite file, or a fresh PostgreSQL database
    (``postgres_url``, skipped without the server binaries except under CI)."""
    if request.param == "postgresql":
        opened = Store(request.getfixturevalue("postgres_url"))
    else:
        opened = Store(tmp_path / "contract.sqlite3")
    await opened.open()
    try:
        yield opened
    finally:
        await opened.close()


async def add_response(uow: UnitOfWorkInterface, respondent_id: str, ward: str = "dalston") -> str:
    return await uow.responses.add(
        respondent_id,
        survey_id="local-priorities",
        survey_version=1,
        ward_id=ward,
        locale="en",
        answers=(AnswerRecord("priorities", choice_id="asb"), AnswerRecord("safe_day", value=4)),
    )


MEETING = Event(
    title="Meet your officers",
    description="Tea and questions.",
    starts_at=NOW + timedelta(days=3),
    ends_at=NOW + timedelta(days=3, hours=2),
    place_name="Library",
    place_address="1 Mare Street",
    wards=("dalston",),
)


class TestStorageContract:
    async def test_a_unit_that_fails_leaves_nothing_behind(self, store: Store) -> None:
        with pytest.raises(RuntimeError):
            async with store.unit() as uow:
                await uow.residents.create(101, "en")
                raise RuntimeError("the update failed half-way")
        async with store.unit() as uow:
            assert await uow.residents.by_chat(101) is None
            assert await uow.residents.count() == 0

    async def test_a_resident_is_found_by_chat_and_saved_whole(self, store: Store) -> None:
        async with store.unit() as uow:
            created = await uow.residents.create(102, "tr", locale_chosen=True)
            assert created.locale == "tr" and created.locale_chosen
            changed = created.with_topic("safety", True)
            await uow.residents.save(changed)
        async with store.unit() as uow:
            found = await uow.residents.by_chat(102)
            assert found is not None and found.notify_safety and found.locale == "tr"
            assert await uow.residents.chat_of(found.respondent_id) == 102

    async def test_erasure_takes_the_resident_their_state_answers_and_rsvps(
        self, store: Store
    ) -> None:
        async with store.unit() as uow:
            resident = await uow.residents.create(103, "en")
            rid = resident.respondent_id
            await uow.conversations.put(rid, FlowState("survey", "q1", {"answers": {}}))
            await add_response(uow, rid)
            event_id = await uow.events.add(MEETING)
            await uow.events.set_rsvp(event_id, rid, "going")
        async with store.unit() as uow:
            await uow.residents.erase(rid)
        async with store.unit() as uow:
            assert await uow.residents.by_chat(103) is None
            assert await uow.conversations.get(rid) is None
            assert await uow.responses.for_respondent(rid) == []
            assert await uow.responses.last_submitted(rid) is None
            assert await uow.responses.count() == 0
            assert await uow.events.attendees(event_id, ("going", "maybe")) == []

    async def test_a_flow_state_round_trips_and_clears(self, store: Store) -> None:
        state = FlowState("onboarding", "area", {"candidates": ["dalston"]}, revision=3)
        async with store.unit() as uow:
            resident = await uow.residents.create(104, "en")
            await uow.conversations.put(resident.respondent_id, state)
        async with store.unit() as uow:
            assert await uow.conversations.get(resident.respondent_id) == state
            await uow.conversations.clear(resident.respondent_id)
        async with store.unit() as uow:
            assert await uow.conversations.get(resident.respondent_id) is None

    async def test_an_update_is_claimed_once_even_across_units(self, store: Store) -> None:
        async with store.unit() as uow:
            assert await uow.updates.claim(7001)
            assert not await uow.updates.claim(7001)
        async with store.unit() as uow:
            assert not await uow.updates.claim(7001)
            assert await uow.updates.claim(7002)

    async def test_the_ledger_lists_its_ids_and_forgets_the_old_ones(self, store: Store) -> None:
        async with store.unit() as uow:
            for update_id in (7012, 7010, 7011):
                assert await uow.updates.claim(update_id)
            assert await uow.updates.handled() == [7010, 7011, 7012]
            assert await uow.updates.backdate_all(datetime(2026, 1, 1, tzinfo=UTC)) == 3
            assert await uow.updates.claim(7013)
            assert await uow.updates.prune_before("2026-06-01T00:00:00+00:00") == 3
            assert await uow.updates.handled() == [7013]

    async def test_a_claim_in_a_failed_unit_does_not_count(self, store: Store) -> None:
        with pytest.raises(RuntimeError):
            async with store.unit() as uow:
                assert await uow.updates.claim(7003)
                raise RuntimeError("rolled back")
        async with store.unit() as uow:
            assert await uow.updates.claim(7003)

    async def test_responses_keep_their_answers_and_move_when_back_dated(
        self, store: Store
    ) -> None:
        async with store.unit() as uow:
            resident = await uow.residents.create(105, "en")
            first = await add_response(uow, resident.respondent_id)
            second = await add_response(uow, resident.respondent_id)
            await uow.responses.backdate([(first, NOW - timedelta(days=8))])
        async with store.unit() as uow:
            records = {
                r.response_id: r
                for r in await uow.responses.for_respondent(resident.respondent_id)
            }
            assert records[first].submitted_at == "2026-11-25T12:00:00+00:00"
            assert records[second].submitted_at > records[first].submitted_at
            assert {a.question_id for a in records[first].answers} == {"priorities", "safe_day"}
            assert await uow.responses.last_submitted(
                resident.respondent_id
            ) == datetime.fromisoformat(records[second].submitted_at)
            assert await uow.responses.purge_before("2026-12-01T00:00:00+00:00") == 1
            assert await uow.responses.backdate_all(NOW - timedelta(days=1)) == 1
            (left,) = await uow.responses.for_respondent(resident.respondent_id)
            assert left.response_id == second and left.submitted_at == "2026-12-02T12:00:00+00:00"

    async def test_sign_up_is_back_dated_by_respondent(self, store: Store) -> None:
        async with store.unit() as uow:
            resident = await uow.residents.create(106, "en")
            agreed, done = NOW - timedelta(days=9, minutes=1), NOW - timedelta(days=9)
            await uow.residents.backdate_sign_up([(resident.respondent_id, agreed, done)])
        async with store.unit() as uow:
            found = await uow.residents.by_chat(106)
            assert found is not None
            assert (found.consented_at, found.onboarded_at) == (
                "2026-11-24T11:59:00+00:00",
                "2026-11-24T12:00:00+00:00",
            )

    async def test_admins_added_by_admins_and_a_staff_flow(self, store: Store) -> None:
        async with store.unit() as uow:
            assert await uow.staff.add_admin(900, added_by=1)
            assert 900 in await uow.staff.admin_ids()
            await uow.staff.put_flow(900, FlowState("broadcast", "kind", {}))
        async with store.unit() as uow:
            assert await uow.staff.flow(900) == FlowState("broadcast", "kind", {})
            await uow.staff.clear_flow(900)
            assert await uow.staff.remove_admin(900)
            assert not await uow.staff.remove_admin(900)
            assert await uow.staff.flow(900) is None and 900 not in await uow.staff.admin_ids()

    async def test_events_rsvps_and_who_is_coming(self, store: Store) -> None:
        async with store.unit() as uow:
            coming = await uow.residents.create(107, "en")
            maybe = await uow.residents.create(108, "en")
            event_id = await uow.events.add(MEETING)
            await uow.events.set_rsvp(event_id, coming.respondent_id, "going")
            await uow.events.set_rsvp(event_id, maybe.respondent_id, "maybe")
            await uow.events.set_rsvp(event_id, maybe.respondent_id, "not_going")
        async with store.unit() as uow:
            stored = await uow.events.get(event_id)
            assert stored is not None and stored.title == "Meet your officers"
            assert await uow.events.rsvp(event_id, maybe.respondent_id) == "not_going"
            counts = await uow.events.rsvp_counts(event_id)
            assert (counts["going"], counts["maybe"], counts["not_going"]) == (1, 0, 1)
            assert await uow.events.attendees(event_id, ("going",)) == [coming.respondent_id]
            ((answered, status, _when),) = await uow.events.rsvps_of(maybe.respondent_id)
            assert (answered, status) == (event_id, "not_going")
            assert [e.id for e in await uow.events.all_upcoming(NOW)] == [event_id]
            assert await uow.events.all_upcoming(NOW + timedelta(days=4)) == []

    async def test_a_broadcast_row_is_claimed_once_and_counted(self, store: Store) -> None:
        async with store.unit() as uow:
            ids = []
            for chat in (110, 111, 112):
                resident = await uow.residents.create(chat, "en")
                signed_up = None if chat == 112 else "2026-12-01T10:00:00+00:00"
                wanting = replace(resident.with_topic("safety", True), onboarded_at=signed_up)
                await uow.residents.save(wanting)
                ids.append(resident.respondent_id)
            ids.pop()  # still signing up: never in an audience
            audience = await uow.broadcasts.audience("safety", None)
            assert sorted(audience) == sorted(ids)
            notice = Broadcast("notice", "safety", {"en": "Road closed."}, None, created_by=1)
            broadcast_id = await uow.broadcasts.create(
                notice, audience, "2026-01-01T00:00:00+00:00"
            )
        now = "2026-12-03T12:00:00+00:00"
        async with store.unit() as uow:
            first = await uow.broadcasts.claim(now)
            second = await uow.broadcasts.claim(now)
            assert first is not None and second is not None and first.id != second.id
            assert await uow.broadcasts.claim(now) is None
            await uow.broadcasts.finish(first.id, "sent")
            await uow.broadcasts.finish(second.id, "blocked")
            stats = await uow.broadcasts.stats(broadcast_id, now)
            assert (stats.total, stats.sent, stats.blocked, stats.remaining) == (2, 1, 1, 0)
            assert await uow.broadcasts.complete_if_drained(broadcast_id)
            deliveries = [await uow.broadcasts.deliveries_to(rid) for rid in ids]
            assert sorted(d[0][1] for d in deliveries) == ["blocked", "sent"]
            assert all(len(d) == 1 and d[0][0] == broadcast_id for d in deliveries)
            assert [d[0][2] is not None for d in deliveries if d[0][1] == "sent"] == [True]

    async def test_an_audience_is_counted_by_language_and_by_the_weekly_cap(
        self, store: Store
    ) -> None:
        people = {}
        async with store.unit() as uow:
            for chat, locale, ward, wants in (
                (120, "en", "dalston", True),
                (121, "tr", "dalston", True),
                (122, "tr", "clissold", True),
                (123, "en", "dalston", False),  # asked for no safety notices
            ):
                resident = await uow.residents.create(chat, locale)
                await uow.residents.save(
                    replace(
                        resident.with_topic("safety", wants),
                        ward_id=ward,
                        onboarded_at="2026-12-01T10:00:00+00:00",
                    )
                )
                people[chat] = resident.respondent_id
            assert await uow.broadcasts.audience_languages("safety", None) == {"en": 1, "tr": 2}
            assert await uow.broadcasts.audience_languages("safety", ("dalston",)) == {
                "en": 1,
                "tr": 1,
            }
            assert await uow.broadcasts.audience_languages("safety", ("homerton",)) == {}
            notice = Broadcast("notice", "safety", {"en": "Road closed."}, None, created_by=1)
            await uow.broadcasts.create(
                notice, [people[120], people[121]], "2026-01-01T00:00:00+00:00"
            )
            urgent = replace(notice, urgent=True)
            await uow.broadcasts.create(urgent, [people[122]], "2026-01-01T00:00:00+00:00")
        async with store.unit() as uow:
            for _ in range(3):
                item = await uow.broadcasts.claim("2026-12-03T12:00:00+00:00")
                assert item is not None
                await uow.broadcasts.finish(item.id, "sent")
        long_ago, later = "2000-01-01T00:00:00+00:00", "2100-01-01T00:00:00+00:00"
        async with store.unit() as uow:
            at_cap = uow.broadcasts.audience_at_cap
            assert await at_cap("safety", None, long_ago, 1) == 2  # the urgent one is not counted
            assert await at_cap("safety", ("dalston",), long_ago, 1) == 2
            assert await at_cap("safety", ("clissold",), long_ago, 1) == 0
            assert await at_cap("safety", None, long_ago, 2) == 0
            assert await at_cap("safety", None, later, 1) == 0
            for chat in (120, 121):
                assert await uow.broadcasts.sent_since(people[chat], long_ago) == 1

    async def test_a_restart_counts_on_each_broadcast_going_out_its_rows_in_flight(
        self, store: Store
    ) -> None:
        async with store.unit() as uow:
            ids = []
            for chat in (130, 131, 132):
                resident = await uow.residents.create(chat, "en")
                ids.append(resident.respondent_id)
            notice = Broadcast("notice", "safety", {"en": "Road closed."}, None, created_by=1)
            going = await uow.broadcasts.create(notice, ids, "2026-01-01T00:00:00+00:00")
            # Held for the morning: nothing of it had begun when the bot stopped.
            held = await uow.broadcasts.create(notice, ids, "2100-01-01T00:00:00+00:00")
        now = "2026-12-03T12:00:00+00:00"
        async with store.unit() as uow:
            first = await uow.broadcasts.claim(now)
            second = await uow.broadcasts.claim(now)
            assert first is not None and second is not None
            await uow.broadcasts.finish(first.id, "sent")
        async with store.unit() as uow:
            assert await uow.broadcasts.reset_in_flight() == 1
        async with store.unit() as uow:
            restarted, untouched = await uow.broadcasts.get(going), await uow.broadcasts.get(held)
            assert restarted is not None and (restarted.restarts, restarted.resent) == (1, 1)
            assert untouched is not None and (untouched.restarts, untouched.resent) == (0, 0)
            assert (await uow.broadcasts.stats(going, now)).sending == 0
            assert await uow.broadcasts.reset_in_flight() == 0  # a second restart, none in flight
            again = await uow.broadcasts.get(going)
            assert again is not None and (again.restarts, again.resent) == (2, 1)

    async def test_an_invite_works_once_and_an_officer_can_be_revoked(self, store: Store) -> None:
        async with store.unit() as uow:
            await uow.officers.create_invite("ABCDE-FGHJK", 1, "2026-12-04T00:00:00+00:00")
            assert await uow.officers.redeem("ABCDE-FGHJK", 500, "2026-12-03T00:00:00+00:00")
            assert not await uow.officers.redeem("ABCDE-FGHJK", 501, "2026-12-03T00:00:00+00:00")
            await uow.officers.save(Officer(500, ("dalston",), "en"), invited_by=1)
            await uow.officers.audit(1, "invite", {"expires": "tomorrow"})
        async with store.unit() as uow:
            officer = await uow.officers.get(500)
            assert officer is not None and officer.wards == ("dalston",) and officer.active
            assert [o.user_id for o in await uow.officers.active()] == [500]
            assert [e.action for e in await uow.officers.audit_entries()] == ["invite"]
            assert await uow.officers.revoke(500)
            assert await uow.officers.active() == []

    async def test_an_expired_invite_is_refused(self, store: Store) -> None:
        async with store.unit() as uow:
            await uow.officers.create_invite("LMNPQ-RSTUV", 1, "2026-12-01T00:00:00+00:00")
            await uow.officers.create_invite("WXYZA-BCDEF", 1, "2026-12-05T00:00:00+00:00")
            assert await uow.officers.open_invites("2026-11-30T00:00:00+00:00") == 2
            assert await uow.officers.open_invites("2026-12-03T00:00:00+00:00") == 1
            assert not await uow.officers.redeem("LMNPQ-RSTUV", 502, "2026-12-03T00:00:00+00:00")
            assert await uow.officers.redeem("WXYZA-BCDEF", 502, "2026-12-03T00:00:00+00:00")
            assert await uow.officers.open_invites("2026-12-03T00:00:00+00:00") == 0

    async def test_actions_are_found_in_the_period_they_are_dated_to(self, store: Store) -> None:
        async with store.unit() as uow:
            await uow.officers.add_action(500, "dalston", "burglary", {"en": "Patrols"})
            await uow.officers.backdate_actions(datetime(2026, 3, 4, 12, tzinfo=UTC))
            march = await uow.officers.actions(
                ("dalston",), "2026-03-01T00:00:00+00:00", "2026-03-08T00:00:00+00:00"
            )
            assert [(a.priority, a.texts) for a in march] == [("burglary", {"en": "Patrols"})]
            assert march[0].created_at.startswith("2026-03-04T12:00:00")
            assert not await uow.officers.actions(
                ("dalston",), "2026-03-08T00:00:00+00:00", "2026-03-15T00:00:00+00:00"
            )

    async def test_the_flood_pause_only_grows(self, store: Store) -> None:
        async with store.unit() as uow:
            assert await uow.flood.until() is None
            await uow.flood.extend(2_000.0)
            await uow.flood.extend(1_000.0)
        async with store.unit() as uow:
            assert await uow.flood.until() == 2_000.0
