"""Events and residents' answers to them (going, maybe, not going)."""

from __future__ import annotations

import json
from datetime import datetime

from storage.database import utc_now
from storage.models import Event
from storage.sql import Connection, Dialect, Row, fetch_one

__all__ = ["RSVP_STATUSES", "SqliteEvents"]

RSVP_STATUSES = ("going", "maybe", "not_going")


def _event(row: Row) -> Event:
    return Event(
        id=row["id"],
        title=row["title"],
        description=row["description"],
        translations=json.loads(row["translations"]),
        starts_at=datetime.fromisoformat(row["starts_at"]),
        ends_at=datetime.fromisoformat(row["ends_at"]),
        place_name=row["place_name"],
        place_address=row["place_address"],
        wards=tuple(json.loads(row["wards"])) if row["wards"] else None,
        capacity=row["capacity"],
        status=row["status"],
        created_by=row["created_by"],
    )


def _columns(event: Event) -> tuple[object, ...]:
    """The stored form of an event's editable columns, in the order both statements use."""
    return (
        event.title,
        event.description,
        json.dumps(event.translations, ensure_ascii=False),
        event.starts_at.isoformat(),
        event.ends_at.isoformat(),
        event.place_name,
        event.place_address,
        json.dumps(list(event.wards)) if event.wards else None,
        event.capacity,
        event.status,
    )


class SqliteEvents:
    def __init__(self, conn: Connection, dialect: Dialect) -> None:
        self._conn = conn
        self._dialect = dialect

    async def add(self, event: Event) -> int:
        now = utc_now()
        row = await fetch_one(
            self._conn,
            "INSERT INTO events (title, description, translations, starts_at, ends_at, "
            "place_name, place_address, wards, capacity, status, created_by, created_at, "
            "updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
            (*_columns(event), event.created_by, now, now),
        )
        assert row is not None
        return int(row[0])

    async def save(self, event: Event) -> None:
        await self._conn.execute(
            "UPDATE events SET title=?, description=?, translations=?, starts_at=?, ends_at=?, "
            "place_name=?, place_address=?, wards=?, capacity=?, status=?, updated_at=? "
            "WHERE id=?",
            (*_columns(event), utc_now(), event.id),
        )

    async def names(self) -> list[str]:
        """Every event's title, in each language it was written in, and its venue."""
        rows = await self._conn.execute_fetchall(
            "SELECT title, translations, place_name FROM events"
        )
        names: list[str] = []
        for title, translations, place in rows:
            names += [str(title), str(place)]
            names += [str(t["title"]) for t in json.loads(translations).values() if t.get("title")]
        return names

    async def get(self, event_id: int) -> Event | None:
        row = await fetch_one(self._conn, "SELECT * FROM events WHERE id = ?", (event_id,))
        return _event(row) if row else None

    async def upcoming(
        self, now: datetime, ward_id: str | None, *, limit: int, offset: int = 0
    ) -> list[Event]:
        """Published events not yet over, for a ward (and borough-wide), soonest first."""
        # Without a ward, ``value = NULL`` is never true: borough-wide events only.
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM events WHERE status = 'published' AND ends_at > ? AND "
            "(wards IS NULL OR EXISTS "
            f"(SELECT 1 FROM {self._dialect.json_values('events.wards')} WHERE value = ?)) "
            "ORDER BY starts_at, id LIMIT ? OFFSET ?",
            (now.isoformat(), ward_id, limit, offset),
        )
        return [_event(row) for row in rows]

    async def all_upcoming(self, now: datetime) -> list[Event]:
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM events WHERE status = 'published' AND ends_at > ? "
            "ORDER BY starts_at, id",
            (now.isoformat(),),
        )
        return [_event(row) for row in rows]

    async def set_rsvp(self, event_id: int, respondent_id: str, status: str) -> None:
        await self._conn.execute(
            "INSERT INTO rsvps (event_id, respondent_id, status, updated_at) VALUES (?,?,?,?) "
            "ON CONFLICT (event_id, respondent_id) DO UPDATE SET status=excluded.status, "
            "updated_at=excluded.updated_at",
            (event_id, respondent_id, status, utc_now()),
        )

    async def rsvp(self, event_id: int, respondent_id: str) -> str | None:
        row = await fetch_one(
            self._conn,
            "SELECT status FROM rsvps WHERE event_id = ? AND respondent_id = ?",
            (event_id, respondent_id),
        )
        return str(row[0]) if row else None

    async def rsvps_of(self, respondent_id: str) -> list[tuple[int, str, str]]:
        rows = await self._conn.execute_fetchall(
            "SELECT event_id, status, updated_at FROM rsvps WHERE respondent_id = ? "
            "ORDER BY updated_at, event_id",
            (respondent_id,),
        )
        return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    async def rsvp_counts(self, event_id: int) -> dict[str, int]:
        rows = await self._conn.execute_fetchall(
            "SELECT status, COUNT(*) FROM rsvps WHERE event_id = ? GROUP BY status", (event_id,)
        )
        counts = {str(s): int(n) for s, n in rows}
        return {status: counts.get(status, 0) for status in RSVP_STATUSES}

    async def attendees(self, event_id: int, statuses: tuple[str, ...]) -> list[str]:
        marks = ",".join("?" for _ in statuses)
        rows = await self._conn.execute_fetchall(
            f"SELECT respondent_id FROM rsvps WHERE event_id = ? AND status IN ({marks})",
            (event_id, *statuses),
        )
        return [str(row[0]) for row in rows]
