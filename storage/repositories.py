"""Repositories, one per aggregate, behind typed interfaces.

The interfaces (``Protocol`` classes) are what the rest of the bot depends on; these classes
implement them on one connection inside one transaction, so everything a single update changes
is committed together. Their names say SQLite, where they were first written; the same classes
and SQL run on PostgreSQL (``storage.sql`` says how, ``storage.postgres`` has the connection).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from storage.broadcasts import SqliteBroadcasts
from storage.database import Database, stamp, utc_now
from storage.digests import SqliteDigests, forget_excerpts
from storage.events import SqliteEvents
from storage.flood import SqliteFloodPause
from storage.interfaces import (
    BroadcastRepository,
    ConversationRepository,
    DigestRepository,
    EventRepository,
    FloodPauseRepository,
    OfficerRepository,
    ResidentRepository,
    ResponseRepository,
    StaffRepository,
    UpdateLedger,
)
from storage.models import AnswerRecord, FlowState, Resident, ResponseRecord
from storage.officers import SqliteOfficers
from storage.postgres import PgDatabase, is_postgresql_url
from storage.sql import POSTGRESQL, SQLITE, Connection, Dialect, fetch_one
from storage.staff import SqliteStaff
from storage.updates import SqliteUpdateLedger

__all__ = [
    "ConversationRepository",
    "ResidentRepository",
    "ResponseRepository",
    "Store",
    "UnitOfWork",
    "UpdateLedger",
    "new_id",
]


def new_id() -> str:
    """A random 128-bit identifier; it carries nothing about the person."""
    return secrets.token_hex(16)


# Conversation states read along with their resident, each handed out once by
# ``SqliteConversations.get`` and dropped by any write to that resident's state: one unit of
# work's repositories share it, so it never outlives the transaction that read it.
Prefetched = dict[str, FlowState | None]


class SqliteResidents:
    def __init__(self, conn: Connection, prefetched: Prefetched | None = None) -> None:
        self._conn = conn
        self._prefetched: Prefetched = {} if prefetched is None else prefetched

    async def by_chat(self, chat_id: int) -> Resident | None:
        # The conversation state comes in the same query: nearly every update reads both.
        row = await fetch_one(
            self._conn,
            "SELECT r.*, s.flow AS state_flow, s.step AS state_step, s.data AS state_data, "
            "s.revision AS state_revision FROM chat_links c "
            "JOIN respondents r ON r.id = c.respondent_id "
            "LEFT JOIN conversations s ON s.respondent_id = r.id WHERE c.chat_id = ?",
            (chat_id,),
        )
        if row is None:
            return None
        self._prefetched[row["id"]] = (
            None
            if row["state_flow"] is None
            else FlowState(
                row["state_flow"],
                row["state_step"],
                json.loads(row["state_data"]),
                row["state_revision"],
            )
        )
        return Resident(
            respondent_id=row["id"],
            locale=row["locale"],
            locale_chosen=bool(row["locale_chosen"]),
            ward_id=row["ward_id"],
            outside_area=bool(row["outside_area"]),
            age_band=row["age_band"],
            consented_at=row["consented_at"],
            onboarded_at=row["onboarded_at"],
            notify_events=bool(row["notify_events"]),
            notify_safety=bool(row["notify_safety"]),
            notify_updates=bool(row["notify_updates"]),
            unreachable=bool(row["unreachable"]),
            referred_by_event=row["referred_by_event"],
        )

    async def create(self, chat_id: int, locale: str, *, locale_chosen: bool = False) -> Resident:
        resident = Resident(
            respondent_id=new_id(),
            locale=locale,
            locale_chosen=locale_chosen,
            consented_at=utc_now(),
        )
        await self._conn.execute(
            "INSERT INTO respondents (id, locale, locale_chosen, consented_at) VALUES (?,?,?,?)",
            (resident.respondent_id, locale, int(locale_chosen), resident.consented_at),
        )
        await self._conn.execute(
            "INSERT INTO chat_links (chat_id, respondent_id) VALUES (?, ?)",
            (chat_id, resident.respondent_id),
        )
        return resident

    async def save(self, resident: Resident) -> None:
        await self._conn.execute(
            "UPDATE respondents SET locale=?, locale_chosen=?, ward_id=?, outside_area=?, "
            "age_band=?, onboarded_at=?, notify_events=?, notify_safety=?, notify_updates=?, "
            "unreachable=?, referred_by_event=? WHERE id=?",
            (
                resident.locale,
                int(resident.locale_chosen),
                resident.ward_id,
                int(resident.outside_area),
                resident.age_band,
                resident.onboarded_at,
                int(resident.notify_events),
                int(resident.notify_safety),
                int(resident.notify_updates),
                int(resident.unreachable),
                resident.referred_by_event,
                resident.respondent_id,
            ),
        )

    async def chat_of(self, respondent_id: str) -> int | None:
        row = await fetch_one(
            self._conn, "SELECT chat_id FROM chat_links WHERE respondent_id = ?", (respondent_id,)
        )
        return int(row[0]) if row else None

    async def erase(self, respondent_id: str) -> None:
        self._prefetched.pop(respondent_id, None)
        # Published digests keep their counts, but not this resident's words.
        rows = await self._conn.execute_fetchall(
            "SELECT id FROM responses WHERE respondent_id = ?", (respondent_id,)
        )
        response_ids = [str(row[0]) for row in rows]
        await forget_excerpts(self._conn, response_ids)
        # ON DELETE CASCADE removes the chat link, the conversation, responses and answers.
        await self._conn.execute("DELETE FROM respondents WHERE id = ?", (respondent_id,))

    async def count(self) -> int:
        row = await fetch_one(self._conn, "SELECT COUNT(*) FROM respondents")
        return int(row[0]) if row else 0

    async def backdate_sign_up(self, moments: Iterable[tuple[str, datetime, datetime]]) -> None:
        await self._conn.executemany(
            "UPDATE respondents SET consented_at = ?, onboarded_at = ? WHERE id = ?",
            [(stamp(agreed), stamp(done), rid) for rid, agreed, done in moments],
        )


class SqliteConversations:
    def __init__(self, conn: Connection, prefetched: Prefetched | None = None) -> None:
        self._conn = conn
        self._prefetched: Prefetched = {} if prefetched is None else prefetched

    async def get(self, respondent_id: str) -> FlowState | None:
        if respondent_id in self._prefetched:
            return self._prefetched.pop(respondent_id)
        row = await fetch_one(
            self._conn,
            "SELECT flow, step, data, revision FROM conversations WHERE respondent_id = ?",
            (respondent_id,),
        )
        if row is None:
            return None
        return FlowState(row["flow"], row["step"], json.loads(row["data"]), row["revision"])

    async def put(self, respondent_id: str, state: FlowState) -> None:
        self._prefetched.pop(respondent_id, None)
        await self._conn.execute(
            "INSERT INTO conversations (respondent_id, flow, step, data, revision, updated_at) "
            "VALUES (?,?,?,?,?,?) ON CONFLICT (respondent_id) DO UPDATE SET flow=excluded.flow, "
            "step=excluded.step, data=excluded.data, revision=excluded.revision, "
            "updated_at=excluded.updated_at",
            (
                respondent_id,
                state.flow,
                state.step,
                json.dumps(state.data, ensure_ascii=False, separators=(",", ":")),
                state.revision,
                utc_now(),
            ),
        )

    async def clear(self, respondent_id: str) -> None:
        self._prefetched.pop(respondent_id, None)
        await self._conn.execute(
            "DELETE FROM conversations WHERE respondent_id = ?", (respondent_id,)
        )


class SqliteResponses:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(
        self,
        respondent_id: str,
        *,
        survey_id: str,
        survey_version: int,
        ward_id: str | None,
        locale: str,
        answers: Sequence[AnswerRecord],
    ) -> str:
        response_id = new_id()
        await self._conn.execute(
            "INSERT INTO responses (id, respondent_id, survey_id, survey_version, ward_id, "
            "locale, submitted_at) VALUES (?,?,?,?,?,?,?)",
            (response_id, respondent_id, survey_id, survey_version, ward_id, locale, utc_now()),
        )
        await self._conn.executemany(
            "INSERT INTO answers (response_id, question_id, choice_id, value, text, "
            "text_language) VALUES (?,?,?,?,?,?)",
            [
                (response_id, a.question_id, a.choice_id, a.value, a.text, a.text_language)
                for a in answers
            ],
        )
        return response_id

    async def backdate(self, moments: Iterable[tuple[str, datetime]]) -> None:
        await self._conn.executemany(
            "UPDATE responses SET submitted_at = ? WHERE id = ?",
            [(stamp(m), response_id) for response_id, m in moments],
        )

    async def backdate_all(self, moment: datetime) -> int:
        cursor = await self._conn.execute(
            "UPDATE responses SET submitted_at = ?", (stamp(moment),)
        )
        return cursor.rowcount

    async def for_respondent(self, respondent_id: str) -> list[ResponseRecord]:
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM responses WHERE respondent_id = ? ORDER BY submitted_at, rowid",
            (respondent_id,),
        )
        records = []
        for row in rows:
            answer_rows = await self._conn.execute_fetchall(
                "SELECT question_id, choice_id, value, text, text_language FROM answers "
                "WHERE response_id = ? ORDER BY rowid",
                (row["id"],),
            )
            answers = tuple(AnswerRecord(*a) for a in answer_rows)
            records.append(
                ResponseRecord(
                    response_id=row["id"],
                    survey_id=row["survey_id"],
                    survey_version=row["survey_version"],
                    ward_id=row["ward_id"],
                    locale=row["locale"],
                    submitted_at=row["submitted_at"],
                    answers=answers,
                )
            )
        return records

    async def last_submitted(self, respondent_id: str) -> datetime | None:
        row = await fetch_one(
            self._conn,
            "SELECT MAX(submitted_at) FROM responses WHERE respondent_id = ?",
            (respondent_id,),
        )
        latest = row[0] if row else None
        return datetime.fromisoformat(latest) if latest else None

    async def count(self) -> int:
        row = await fetch_one(self._conn, "SELECT COUNT(*) FROM responses")
        return int(row[0]) if row else 0

    async def purge_before(self, cutoff_iso: str) -> int:
        cursor = await self._conn.execute(
            "DELETE FROM responses WHERE submitted_at < ?", (cutoff_iso,)
        )
        return cursor.rowcount

    async def rewrite_texts(self, rewrite: Callable[[str], str]) -> int:
        """Pass every stored comment through ``rewrite``; the number changed."""
        rows = await self._conn.execute_fetchall(
            "SELECT rowid, text FROM answers WHERE text IS NOT NULL"
        )
        changed = [(new, rowid) for rowid, text in rows if (new := rewrite(str(text))) != text]
        await self._conn.executemany("UPDATE answers SET text = ? WHERE rowid = ?", changed)
        return len(changed)

    async def chore_done(self, name: str) -> bool:
        return (
            await fetch_one(self._conn, "SELECT 1 FROM chores_done WHERE name = ?", (name,))
            is not None
        )

    async def mark_chore_done(self, name: str) -> None:
        await self._conn.execute(
            "INSERT INTO chores_done (name, done_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (name, utc_now()),
        )


class UnitOfWork:
    """The repositories bound to one open transaction."""

    def __init__(self, conn: Connection, dialect: Dialect = SQLITE) -> None:
        prefetched: Prefetched = {}
        self.residents: ResidentRepository = SqliteResidents(conn, prefetched)
        self.conversations: ConversationRepository = SqliteConversations(conn, prefetched)
        self.responses: ResponseRepository = SqliteResponses(conn)
        self.updates: UpdateLedger = SqliteUpdateLedger(conn)
        self.flood: FloodPauseRepository = SqliteFloodPause(conn)
        self.staff: StaffRepository = SqliteStaff(conn)
        self.events: EventRepository = SqliteEvents(conn, dialect)
        self.broadcasts: BroadcastRepository = SqliteBroadcasts(conn)
        self.officers: OfficerRepository = SqliteOfficers(conn, dialect)
        self.digests: DigestRepository = SqliteDigests(conn, dialect)


class Store:
    """Entry point for the bot: ``async with store.unit() as uow`` is one durable transaction.

    ``target`` is a SQLite file (one process, the default) or a ``postgresql://`` URL
    (:mod:`storage.postgres`); the repositories and their SQL are the same on both. Built
    before the event loop runs and opened in the application's start-up hook, so handlers
    can hold it from the beginning.
    """

    def __init__(self, target: Path | str) -> None:
        self.url = str(target) if is_postgresql_url(target) else None
        self.path = None if self.url else Path(target)
        self._database: Database | None = None
        self._postgres: PgDatabase | None = None

    @property
    def database(self) -> Database:
        """The SQLite database itself, for what only SQLite has (tests, benchmarks)."""
        if self._database is None:
            if self._postgres is not None:
                raise RuntimeError("the store is on PostgreSQL, not a SQLite file")
            raise RuntimeError("the store is not open")
        return self._database

    async def open(self) -> None:
        if self._database is None and self._postgres is None:
            if self.url is not None:
                self._postgres = await PgDatabase.open(self.url)
            else:
                assert self.path is not None
                self._database = await Database.open(self.path)

    async def close(self) -> None:
        if self._database is not None:
            await self._database.close()
            self._database = None
        if self._postgres is not None:
            await self._postgres.close()
            self._postgres = None

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[UnitOfWork]:
        if self._postgres is not None:
            async with self._postgres.transaction() as pg:
                yield UnitOfWork(pg, POSTGRESQL)
            return
        async with self.database.transaction() as conn:
            yield UnitOfWork(conn)

    async def checkpoint(self) -> None:
        """After an erasure: fold SQLite's WAL into the file so the erased pages leave it.
        PostgreSQL has no such step; what erasure means there is the operator's (VACUUM,
        backups), a later part of issue 16."""
        if self._postgres is None:
            await self.database.checkpoint()
