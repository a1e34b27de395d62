"""Storage: migrations upgrade an older database, and a unit of work is all or nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.database import Database, Migration, bundled_migrations
from storage.models import AnswerRecord, FlowState
from storage.repositories import Store


async def test_an_older_database_upgrades_itself(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    first = bundled_migrations()[:1]
    database = await Database.open(path, migrations=first)
    await database.close()
    extra = Migration(len(bundled_migrations()) + 1, "probe", "CREATE TABLE probe (x INTEGER);")

    database = await Database.open(path, migrations=[*bundled_migrations(), extra])
    try:
        assert await database.schema_version() == extra.version
        rows = await database.fetchall(
            "SELECT version, name FROM schema_migrations ORDER BY version"
        )
        assert [tuple(r) for r in rows][-1] == (extra.version, "probe")
    finally:
        await database.close()
    # Opening again applies nothing twice.
    database = await Database.open(path, migrations=[*bundled_migrations(), extra])
    assert await database.migrate([*bundled_migrations(), extra]) == []
    await database.close()


async def test_upgrading_counts_digests_the_old_weekly_job_sent_as_delivered(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    database = await Database.open(path, migrations=bundled_migrations()[:8])
    async with database.transaction() as conn:
        for actor, scope in ((901, "mine"), (902, "dalston")):  # the job's, and one on demand
            await conn.execute(
                "INSERT INTO audit_log (actor_id, action, detail, at) VALUES (?, 'digest', ?, ?)",
                (actor, f'{{"scope": "{scope}", "start": "2026-11-16"}}', "2026-11-23T09:00:01"),
            )
    await database.close()

    database = await Database.open(path)
    try:
        rows = await database.fetchall(
            "SELECT officer_id, period_start FROM scheduled_digest_deliveries"
        )
        assert [tuple(r) for r in rows] == [(901, "2026-11-16")]
    finally:
        await database.close()


async def pragma(database: Database, name: str) -> object:
    """The value of one connection setting (every PRAGMA read answers with a row)."""
    row = await database.fetchone(f"PRAGMA {name}")
    assert row is not None, name
    return row[0]


async def test_wal_foreign_keys_and_durable_commits(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "p.sqlite3")
    try:
        assert await pragma(database, "journal_mode") == "wal"
        assert await pragma(database, "foreign_keys") == 1
        assert await pragma(database, "synchronous") == 2  # FULL
        assert await pragma(database, "secure_delete") == 1
    finally:
        await database.close()


async def test_a_failed_unit_of_work_leaves_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "u.sqlite3")
    await store.open()
    try:
        with pytest.raises(RuntimeError):
            async with store.unit() as uow:
                resident = await uow.residents.create(77, "en")
                await uow.conversations.put(resident.respondent_id, FlowState("survey", "q", {}))
                raise RuntimeError("crash between writes")
        async with store.unit() as uow:
            assert await uow.residents.by_chat(77) is None
            assert await uow.residents.count() == 0
    finally:
        await store.close()


@pytest.mark.sqlite_only  # reads the SQLite schema itself
async def test_responses_are_keyed_by_a_random_respondent_id(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.sqlite3")
    await store.open()
    try:
        async with store.unit() as uow:
            resident = await uow.residents.create(555001, "en")
            await uow.responses.add(
                resident.respondent_id,
                survey_id="s",
                survey_version=1,
                ward_id="dalston",
                locale="en",
                answers=[AnswerRecord("q", choice_id="a"), AnswerRecord("t", text="hi")],
            )
        async with store.unit() as uow:
            (record,) = await uow.responses.for_respondent(resident.respondent_id)
            assert [a.question_id for a in record.answers] == ["q", "t"]
            assert await uow.residents.chat_of(resident.respondent_id) == 555001
    finally:
        await store.close()
    assert len(resident.respondent_id) == 32
    with sqlite3.connect(tmp_path / "r.sqlite3") as conn:
        tables_with_chat = [
            name
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if any(col[1] == "chat_id" for col in conn.execute(f"PRAGMA table_info({name})"))
        ]
    assert tables_with_chat == ["chat_links"]


async def test_periods_counted_together_match_each_counted_alone(tmp_path: Path) -> None:
    """A digest counts a week and the week before in one pass; no row may change sides."""
    a, b, c = "2026-11-02T00:00:00+00:00", "2026-11-09T00:00:00+00:00", "2026-11-16T00:00:00+00:00"
    submitted = {
        "2026-11-01T23:59:59+00:00": "x",  # before the first period
        a: "p0-first",
        "2026-11-08T23:59:59+00:00": "p0-last",
        b: "p1-first",  # on the boundary: the later period
        "2026-11-15T23:59:59+00:00": "p1-last",
        c: "y",  # the end is not included
    }
    store = Store(tmp_path / "d.sqlite3")
    await store.open()
    try:
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
                moments.append((at, response))
        async with store.database.transaction() as conn:
            await conn.executemany("UPDATE responses SET submitted_at = ? WHERE id = ?", moments)
        async with store.unit() as uow:
            together = await uow.digests.counts(("dalston",), (a, b, c), "s")
            alone = [
                (await uow.digests.counts(("dalston",), span, "s"))[0] for span in ((a, b), (b, c))
            ]
            comments = await uow.digests.comments(("dalston",), (a, b, c), "s", "t", "p")
            newest = await uow.digests.comments(("dalston",), (a, b, c), "s", "t", "p", limit=1)
            rsvps = await uow.digests.rsvps(("dalston",), (a, b, c))
    finally:
        await store.close()
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


async def test_a_resident_who_answers_many_times_is_counted_once(tmp_path: Path) -> None:
    """One resident, one voice: eleven responses in a period count as their latest one, in
    every figure and in the excerpts, and in one ward only after a move."""
    store = Store(tmp_path / "voices.sqlite3")
    await store.open()
    try:
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
    finally:
        await store.close()
    assert (dalston.responses, dict(dalston.languages)) == (1, {"tr": 1})
    assert dict(dalston.choices["priorities"]) == {"drugs": 1}
    assert (downs.responses, dict(downs.choices["priorities"])) == (1, {"asb": 1})
    assert borough.responses == 2
    assert [c.text for c in said] == ["comment number 10"]
