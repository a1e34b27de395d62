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

    async def test_periods_counted_together_match_each_counted_alone(self, store: Store) -> None:
        """A digest counts a week and the week before in one pass; no row may change sides."""
        a, b, c = (
            "2026-11-02T00:00:00+00:00",
            "2026-11-09T00:00:00+00:00",
            "2026-11-16T00:00:00+00:00",
        )
        submitted = {
            "2026-11-01T23:59:59+00:00": "x",  # before the first period
            a: "p0-first",
            "2026-11-08T23:59:59+00:00": "p0-last",
            b: "p1-first",  # on the boundary: the later period
            "2026-11-15T23:59:59+00:00": "p1-last",
            c: "y",  # the end is not included
        }
        moments = []
        async with store.unit() as uow:
            for n, (at, words) in enumerate(submitted.items()):
                resident = await uow.residents.create(700 + n, "en")
                response = await uow.responses.add(
                    resident.respondent_id,
                    survey_id="s",
                    survey_version=1,
                    ward_id="dalston",
                    locale="en" if n % 2 else "tr",
                    answers=[
                        AnswerRecord("p", choice_id="asb" if n < 3 else "drugs"),
                        # A choice's follow-up words ("Something else": what?) are a row of
                        # their own: counted nowhere, and the choice named once beside a quote.
                        *([AnswerRecord("p", choice_id="asb", text="by the swings")] * (n < 3)),
                        AnswerRecord("safe", value=n),
                        AnswerRecord("t", text=words),
                    ],
                )
                moments.append((response, datetime.fromisoformat(at)))
            await uow.responses.backdate(moments)
        async with store.unit() as uow:
            together = await uow.digests.counts(("dalston",), (a, b, c), "s")
            alone = [
                (await uow.digests.counts(("dalston",), span, "s"))[0] for span in ((a, b), (b, c))
            ]
            comments = await uow.digests.comments(("dalston",), (a, b, c), "s", "t", "p")
            newest = await uow.digests.comments(("dalston",), (a, b, c), "s", "t", "p", limit=1)
            rsvps = await uow.digests.rsvps(("dalston",), (a, b, c))
        assert together == alone
        assert [r.responses for r in together] == [2, 2]
        assert together[0].choices == {"p": {"asb": 2}}
        assert together[1].values == {"safe": {3: 1, 4: 1}}
        assert [[m.text for m in period] for period in comments] == [
            ["p0-last", "p0-first"],
            ["p1-last", "p1-first"],
        ]
        assert [[m.text for m in period] for period in newest] == [["p0-last"], ["p1-last"]]
        assert comments[0][0].priorities == ("asb",)
        assert all(len(set(m.priorities)) == len(m.priorities) for p in comments for m in p)
        assert "by the swings" not in [m.text for period in comments for m in period]
        assert rsvps == [{}, {}]

    async def test_a_resident_who_answers_many_times_is_counted_once(self, store: Store) -> None:
        """One resident, one voice: eleven responses in a period count as their latest one, in
        every figure and in the excerpts, and in one ward only after a move."""
        async with store.unit() as uow:
            keen = await uow.residents.create(1, "en")
            for n in range(11):
                await uow.responses.add(
                    keen.respondent_id,
                    survey_id="local-priorities",
                    survey_version=1,
                    ward_id="dalston" if n < 10 else "hackney-downs",
                    locale="en",
                    answers=[
                        AnswerRecord("priorities", choice_id="drugs" if n < 10 else "asb"),
                        AnswerRecord("anything_else", text=f"comment number {n}"),
                    ],
                )
            other = await uow.residents.create(2, "tr")
            await uow.responses.add(
                other.respondent_id,
                survey_id="local-priorities",
                survey_version=1,
                ward_id="dalston",
                locale="tr",
                answers=[AnswerRecord("priorities", choice_id="drugs")],
            )
        bounds = ["2000-01-01T00:00:00+00:00", "2100-01-01T00:00:00+00:00"]
        async with store.unit() as uow:
            (dalston,) = await uow.digests.counts(["dalston"], bounds, "local-priorities")
            (downs,) = await uow.digests.counts(["hackney-downs"], bounds, "local-priorities")
            (borough,) = await uow.digests.counts(None, bounds, "local-priorities")
            (said,) = await uow.digests.comments(
                None, bounds, "local-priorities", "anything_else", "priorities"
            )
        assert (dalston.responses, dict(dalston.languages)) == (1, {"tr": 1})
        assert dict(dalston.choices["priorities"]) == {"drugs": 1}
        assert (downs.responses, dict(downs.choices["priorities"])) == (1, {"asb": 1})
        assert borough.responses == 2
        assert [c.text for c in said] == ["comment number 10"]

    async def test_rsvps_are_counted_for_the_wards_an_event_is_for(self, store: Store) -> None:
        bounds = ("2026-12-01T00:00:00+00:00", "2026-12-10T00:00:00+00:00")
        async with store.unit() as uow:
            resident = await uow.residents.create(140, "en")
            local = await uow.events.add(MEETING)
            everyone = await uow.events.add(replace(MEETING, wards=None))
            await uow.events.set_rsvp(local, resident.respondent_id, "going")
            await uow.events.set_rsvp(everyone, resident.respondent_id, "maybe")
            assert await uow.digests.rsvps(("dalston",), bounds) == [{"going": 1, "maybe": 1}]
            assert await uow.digests.rsvps(("clissold",), bounds) == [{"maybe": 1}]
            assert await uow.digests.rsvps(None, bounds) == [{"going": 1, "maybe": 1}]

    async def test_upcoming_events_are_a_wards_own_and_the_boroughs(self, store: Store) -> None:
        async with store.unit() as uow:
            local = await uow.events.add(MEETING)
            later = replace(MEETING, starts_at=MEETING.starts_at + timedelta(days=1))
            everyone = await uow.events.add(
                replace(
                    later,
                    wards=None,
                    title="Borough forum",
                    translations={"tr": {"title": "Forum"}},
                )
            )
            assert [e.id for e in await uow.events.upcoming(NOW, "dalston", limit=5)] == [
                local,
                everyone,
            ]
            assert [
                e.id for e in await uow.events.upcoming(NOW, "dalston", limit=1, offset=1)
            ] == [everyone]
            assert [e.id for e in await uow.events.upcoming(NOW, "clissold", limit=5)] == [
                everyone
            ]
            assert [e.id for e in await uow.events.upcoming(NOW, None, limit=5)] == [everyone]
            assert sorted(await uow.events.names()) == sorted(
                ["Meet your officers", "Library", "Borough forum", "Library", "Forum"]
            )
            stored = await uow.events.get(local)
            assert stored is not None
            await uow.events.save(replace(stored, status="cancelled", capacity=20))
        async with store.unit() as uow:
            cancelled = await uow.events.get(local)
            assert cancelled is not None and (cancelled.status, cancelled.capacity) == (
                "cancelled",
                20,
            )
            assert [e.id for e in await uow.events.upcoming(NOW, "dalston", limit=5)] == [everyone]

    async def test_a_broadcasts_bookkeeping_and_a_retry_later(self, store: Store) -> None:
        now = "2026-12-03T12:00:00+00:00"
        async with store.unit() as uow:
            resident = await uow.residents.create(150, "en")
            rid = resident.respondent_id
            event_id = await uow.events.add(MEETING)
            assert await uow.broadcasts.next_due() is None
            about = Broadcast("event", "events", {"en": "Come along."}, None, 1, event_id=event_id)
            first = await uow.broadcasts.create(about, [rid], "2026-12-03T11:00:00+00:00")
            second = await uow.broadcasts.create(about, [], now)  # nobody: done at once
            assert await uow.broadcasts.exists_for_event(event_id, "event")
            assert not await uow.broadcasts.exists_for_event(event_id, "event_change")
            assert [b.id for b in await uow.broadcasts.recent(limit=1)] == [second]
            assert await uow.broadcasts.active() == [first]
            assert await uow.broadcasts.next_due() == "2026-12-03T11:00:00+00:00"
            await uow.broadcasts.set_report(first, 77, 9001, "tr")
            reported = await uow.broadcasts.get(first)
            assert reported is not None
            assert (reported.report_chat_id, reported.report_message_id) == (77, 9001)
            assert reported.report_locale == "tr" and reported.texts == {"en": "Come along."}
            item = await uow.broadcasts.claim(now)
            assert item is not None and (item.chat_id, item.attempts) == (150, 1)
            await uow.broadcasts.retry_later(
                item.id, "2026-12-03T13:00:00+00:00", "429", uncount=True
            )
            assert await uow.broadcasts.claim(now) is None  # held until one o'clock
            stats = await uow.broadcasts.stats(first, now)
            assert (stats.held, stats.pending, stats.remaining) == (1, 0, 1)
            again = await uow.broadcasts.claim("2026-12-03T13:00:00+00:00")
            assert again is not None and (again.id, again.attempts) == (item.id, 1)
            await uow.broadcasts.finish(again.id, "blocked", "403")
            await uow.broadcasts.mark_unreachable(rid)
            wanting = await uow.residents.by_chat(150)
            assert wanting is not None and wanting.unreachable
            await uow.residents.save(replace(wanting.with_topic("events", True), onboarded_at=now))
            assert await uow.broadcasts.audience("events", None) == []

    async def test_a_published_digest_is_kept_once_and_loses_an_erased_residents_words(
        self, store: Store
    ) -> None:
        async with store.unit() as uow:
            resident = await uow.residents.create(160, "en")
            said = await add_response(uow, resident.respondent_id)
            first: dict[str, object] = {
                "counts": {"asb": 10},
                "comments": [{"response": said, "text": "lights"}],
            }
            await uow.digests.store_snapshot("dalston", "2026-11-23", "2026-11-30", first)
            await uow.digests.store_snapshot("dalston", "2026-11-23", "2026-11-30", {"other": 1})
            assert await uow.digests.snapshot("dalston", "2026-11-23", "2026-11-30") == first
            assert await uow.digests.snapshot("dalston", "2026-11-30", "2026-12-07") is None
            assert await uow.digests.published_periods("dalston") == [("2026-11-23", "2026-11-30")]
            assert await uow.digests.published_periods("clissold") == []
        async with store.unit() as uow:
            await uow.residents.erase(resident.respondent_id)
        async with store.unit() as uow:
            kept = await uow.digests.snapshot("dalston", "2026-11-23", "2026-11-30")
            assert kept == {"counts": {"asb": 10}, "comments": []}

    async def test_scheduled_digests_go_once_to_officers_who_were_officers_then(
        self, store: Store
    ) -> None:
        async with store.unit() as uow:
            await uow.officers.save(Officer(600, ("dalston",), "en"), invited_by=1)
            await uow.officers.save(Officer(601, ("clissold", "dalston"), "tr"), invited_by=1)
            await uow.officers.backdate_joining(datetime(2026, 11, 1, tzinfo=UTC))
            due = "2026-11-30T09:00:00+00:00"
            assert [
                o.user_id for o in await uow.officers.due_scheduled_digest("2026-11-23", due)
            ] == [
                600,
                601,
            ]
            await uow.officers.scheduled_digest_delivered(600, "2026-11-23")
            await uow.officers.scheduled_digest_delivered(600, "2026-11-23")  # again: no error
            (left,) = await uow.officers.due_scheduled_digest("2026-11-23", due)
            assert (left.user_id, left.wards, left.locale) == (601, ("clissold", "dalston"), "tr")
            assert await uow.officers.due_scheduled_digest("2026-11-23", "2026-10-01") == []
            for scope, start in (
                ("dalston", "2026-11-16"),
                ("dalston", "2026-11-23"),
                ("mine", "x"),
            ):
                await uow.officers.audit(
                    600, "digest", {"scope": scope, "start": start, "end": "e"}
                )
            await uow.officers.audit(600, "invite", {"scope": "dalston", "start": "s", "end": "e"})
            assert sorted(await uow.officers.published_periods("dalston")) == [
                ("2026-11-16", "e"),
                ("2026-11-23", "e"),
            ]

    async def test_an_action_is_linked_to_the_broadcast_that_told_residents(
        self, store: Store
    ) -> None:
        async with store.unit() as uow:
            action = await uow.officers.add_action(500, "dalston", "asb", {"en": "Patrols"})
            notice = Broadcast("update", "updates", {"en": "We did it."}, None, created_by=500)
            broadcast_id = await uow.broadcasts.create(notice, [], "2026-01-01T00:00:00+00:00")
            await uow.officers.link_action(action, broadcast_id)
            assert action >= 1 and broadcast_id >= 1
            again = await uow.officers.add_action(500, "dalston", "drugs", {"en": "Visits"})
            assert again > action

    async def test_stored_comments_are_rewritten_and_a_chore_is_done_once(
        self, store: Store
    ) -> None:
        async with store.unit() as uow:
            resident = await uow.residents.create(170, "en")
            await uow.responses.add(
                resident.respondent_id,
                survey_id="s",
                survey_version=1,
                ward_id="dalston",
                locale="en",
                answers=[
                    AnswerRecord("t", text="call 07700 900123"),
                    AnswerRecord("u", text="fine"),
                    AnswerRecord("p", choice_id="asb"),
                ],
            )
            assert not await uow.responses.chore_done("scrub")
            assert (
                await uow.responses.rewrite_texts(lambda t: t.replace("07700 900123", "[phone]"))
                == 1
            )
            await uow.responses.mark_chore_done("scrub")
            await uow.responses.mark_chore_done("scrub")
            assert await uow.responses.chore_done("scrub")
            (record,) = await uow.responses.for_respondent(resident.respondent_id)
            assert [a.text for a in record.answers] == ["call [phone]", "fine", None]
