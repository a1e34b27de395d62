"""Broadcasts and their outbox: one row per recipient, written before the first send.

The sender claims one row at a time (``pending`` → ``sending``) immediately before sending it,
so after a crash only rows that were in flight can be sent twice; :meth:`reset_in_flight` puts
them back at start.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from storage.database import utc_now
from storage.models import Broadcast, BroadcastStats, OutboxItem
from storage.sql import Connection, Row, fetch_one

__all__ = ["SqliteBroadcasts"]

FINAL_STATUSES = ("sent", "blocked", "failed", "skipped")


def _broadcast(row: Row) -> Broadcast:
    return Broadcast(
        id=row["id"],
        kind=row["kind"],
        topic=row["topic"],
        urgent=bool(row["urgent"]),
        event_id=row["event_id"],
        texts=json.loads(row["texts"]),
        wards=tuple(json.loads(row["wards"])) if row["wards"] else None,
        created_by=row["created_by"],
        created_at=row["created_at"],
        status=row["status"],
        report_chat_id=row["report_chat_id"],
        report_message_id=row["report_message_id"],
        report_locale=row["report_locale"],
        finished_at=row["finished_at"],
        restarts=row["restarts"],
        resent=row["resent"],
    )


class SqliteBroadcasts:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    @staticmethod
    def _audience_sql(topic: str, wards: Sequence[str] | None) -> tuple[str, list[object]]:
        """The FROM and WHERE of a topic's audience in some wards (every ward: ``None``)."""
        if topic not in ("events", "safety", "updates"):
            raise ValueError(f"unknown topic {topic!r}")
        sql = (
            "FROM respondents r JOIN chat_links c ON c.respondent_id = r.id "
            f"WHERE r.notify_{topic} = 1 AND r.unreachable = 0 AND r.onboarded_at IS NOT NULL"
        )
        params: list[object] = []
        if wards:
            sql += f" AND r.ward_id IN ({','.join('?' for _ in wards)})"
            params.extend(wards)
        return sql, params

    async def audience(self, topic: str, wards: Sequence[str] | None) -> list[str]:
        """Residents who opted in to the topic, in the wards, and whom Telegram still reaches."""
        where, params = self._audience_sql(topic, wards)
        rows = await self._conn.execute_fetchall(f"SELECT r.id {where} ORDER BY r.rowid", params)
        return [str(row[0]) for row in rows]

    async def audience_languages(self, topic: str, wards: Sequence[str] | None) -> dict[str, int]:
        """The audience counted by each resident's language."""
        where, params = self._audience_sql(topic, wards)
        rows = await self._conn.execute_fetchall(
            f"SELECT r.locale, COUNT(*) {where} GROUP BY r.locale", params
        )
        return {str(row[0]): int(row[1]) for row in rows}

    async def audience_at_cap(
        self, topic: str, wards: Sequence[str] | None, since_iso: str, cap: int
    ) -> int:
        """How many of the audience have had ``cap`` or more non-urgent notices since a
        moment: the weekly cap would skip them (:meth:`sent_since`, for the whole audience)."""
        where, params = self._audience_sql(topic, wards)
        row = await fetch_one(
            self._conn,
            f"SELECT COUNT(*) {where} AND (SELECT COUNT(*) FROM outbox o "
            "JOIN broadcasts b ON b.id = o.broadcast_id WHERE o.respondent_id = r.id "
            "AND o.status = 'sent' AND b.urgent = 0 AND o.sent_at >= ?) >= ?",
            (*params, since_iso, cap),
        )
        return int(row[0]) if row else 0

    async def create(
        self, broadcast: Broadcast, recipients: Sequence[str], not_before: str
    ) -> int:
        """The broadcast and every outbox row, in the caller's one transaction."""
        row = await fetch_one(
            self._conn,
            "INSERT INTO broadcasts (kind, topic, urgent, event_id, texts, wards, created_by, "
            "created_at, status, report_chat_id, report_message_id, report_locale) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
            (
                broadcast.kind,
                broadcast.topic,
                int(broadcast.urgent),
                broadcast.event_id,
                json.dumps(broadcast.texts, ensure_ascii=False),
                json.dumps(list(broadcast.wards)) if broadcast.wards else None,
                broadcast.created_by,
                utc_now(),
                "sending" if recipients else "done",
                broadcast.report_chat_id,
                broadcast.report_message_id,
                broadcast.report_locale,
            ),
        )
        assert row is not None
        broadcast_id = int(row[0])
        await self._conn.executemany(
            "INSERT INTO outbox (broadcast_id, respondent_id, not_before) "
            "VALUES (?,?,?) ON CONFLICT DO NOTHING",
            [(broadcast_id, respondent, not_before) for respondent in recipients],
        )
        return broadcast_id

    async def get(self, broadcast_id: int) -> Broadcast | None:
        row = await fetch_one(self._conn, "SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
        return _broadcast(row) if row else None

    async def exists_for_event(self, event_id: int, kind: str) -> bool:
        row = await fetch_one(
            self._conn,
            "SELECT 1 FROM broadcasts WHERE event_id = ? AND kind = ? LIMIT 1",
            (event_id, kind),
        )
        return row is not None

    async def recent(self, limit: int = 10) -> list[Broadcast]:
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM broadcasts ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [_broadcast(row) for row in rows]

    async def set_report(
        self, broadcast_id: int, chat_id: int, message_id: int, locale: str
    ) -> None:
        await self._conn.execute(
            "UPDATE broadcasts SET report_chat_id = ?, report_message_id = ?, report_locale = ? "
            "WHERE id = ?",
            (chat_id, message_id, locale, broadcast_id),
        )

    async def claim(self, now_iso: str) -> OutboxItem | None:
        """Take the next due row (urgent broadcasts first) and mark it in flight.

        Broadcasts in progress are few, so they are ordered first and each one's lowest
        pending row comes from the ``outbox_next`` index, with no sort over the outbox.
        """
        rows = await self._conn.execute_fetchall(
            "SELECT id FROM broadcasts WHERE status = 'sending' ORDER BY urgent DESC, id"
        )
        active = [int(row[0]) for row in rows]
        row = None
        for broadcast_id in active:
            rows = await self._conn.execute_fetchall(
                "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ("
                " SELECT id FROM outbox WHERE broadcast_id = ? AND status = 'pending'"
                " AND not_before <= ? ORDER BY id LIMIT 1"
                ") RETURNING id, broadcast_id, respondent_id, attempts",
                (broadcast_id, now_iso),
            )
            if rows:
                row = next(iter(rows))
                break
        if row is None:
            return None
        links = list(
            await self._conn.execute_fetchall(
                "SELECT chat_id FROM chat_links WHERE respondent_id = ?", (row[2],)
            )
        )
        if not links:  # erased between enqueue and send: ON DELETE CASCADE normally wins
            await self.finish(int(row[0]), "skipped", "erased")
            return None
        return OutboxItem(int(row[0]), int(row[1]), str(row[2]), int(links[0][0]), int(row[3]))

    async def finish(self, item_id: int, status: str, error: str | None = None) -> None:
        if status not in FINAL_STATUSES:
            raise ValueError(f"not a final status: {status}")
        await self._conn.execute(
            "UPDATE outbox SET status = ?, error = ?, sent_at = ? WHERE id = ?",
            (status, error, utc_now() if status == "sent" else None, item_id),
        )

    async def retry_later(
        self, item_id: int, not_before: str, error: str | None, *, uncount: bool = False
    ) -> None:
        """Back to pending until ``not_before``; ``uncount`` when no send was attempted."""
        await self._conn.execute(
            "UPDATE outbox SET status = 'pending', not_before = ?, error = ?, "
            "attempts = attempts - ? WHERE id = ?",
            (not_before, error, int(uncount), item_id),
        )

    async def reset_in_flight(self) -> int:
        """At start: rows left in flight by the stop are sent again (the stated duplicate
        bound). Each broadcast that was going out records the restart, and how many of its
        rows were in flight (each may reach its resident twice); how many rows in all."""
        await self._conn.execute(
            "UPDATE broadcasts SET restarts = restarts + 1, resent = resent + ("
            " SELECT COUNT(*) FROM outbox o WHERE o.broadcast_id = broadcasts.id"
            " AND o.status = 'sending'"
            ") WHERE status = 'sending' AND EXISTS (SELECT 1 FROM outbox o"
            " WHERE o.broadcast_id = broadcasts.id AND o.status != 'pending')"
        )
        cursor = await self._conn.execute(
            "UPDATE outbox SET status = 'pending' WHERE status = 'sending'"
        )
        return cursor.rowcount

    async def stats(self, broadcast_id: int, now_iso: str) -> BroadcastStats:
        rows = await self._conn.execute_fetchall(
            "SELECT status, not_before > ? AS later, COUNT(*) FROM outbox "
            "WHERE broadcast_id = ? GROUP BY status, later",
            (now_iso, broadcast_id),
        )
        counts: dict[str, int] = {}
        for status, later, n in rows:
            key = "held" if status == "pending" and later else str(status)
            counts[key] = counts.get(key, 0) + int(n)
        return BroadcastStats(total=sum(counts.values()), **counts)

    async def complete_if_drained(self, broadcast_id: int) -> bool:
        cursor = await self._conn.execute(
            "UPDATE broadcasts SET status = 'done', finished_at = ? WHERE id = ? "
            "AND status = 'sending' AND NOT EXISTS (SELECT 1 FROM outbox WHERE broadcast_id = ? "
            "AND status IN ('pending', 'sending'))",
            (utc_now(), broadcast_id, broadcast_id),
        )
        return cursor.rowcount == 1

    async def active(self) -> list[int]:
        rows = await self._conn.execute_fetchall(
            "SELECT id FROM broadcasts WHERE status = 'sending' ORDER BY id"
        )
        return [int(row[0]) for row in rows]

    async def next_due(self) -> str | None:
        row = await fetch_one(
            self._conn,
            "SELECT MIN(o.not_before) FROM outbox o JOIN broadcasts b ON b.id = o.broadcast_id "
            "WHERE o.status = 'pending' AND b.status = 'sending'",
        )
        return str(row[0]) if row and row[0] else None

    async def deliveries_to(self, respondent_id: str) -> list[tuple[int, str, str | None]]:
        rows = await self._conn.execute_fetchall(
            "SELECT broadcast_id, status, sent_at FROM outbox WHERE respondent_id = ? "
            "ORDER BY broadcast_id",
            (respondent_id,),
        )
        return [(int(r[0]), str(r[1]), None if r[2] is None else str(r[2])) for r in rows]

    async def sent_since(self, respondent_id: str, since_iso: str) -> int:
        """Non-urgent notices a resident received since a moment (the weekly cap)."""
        row = await fetch_one(
            self._conn,
            "SELECT COUNT(*) FROM outbox o JOIN broadcasts b ON b.id = o.broadcast_id "
            "WHERE o.respondent_id = ? AND o.status = 'sent' AND b.urgent = 0 "
            "AND o.sent_at >= ?",
            (respondent_id, since_iso),
        )
        return int(row[0]) if row else 0

    async def mark_unreachable(self, respondent_id: str) -> None:
        await self._conn.execute(
            "UPDATE respondents SET unreachable = 1 WHERE id = ?", (respondent_id,)
        )
