"""Officers, invite codes, the audit log and "you said, we did" actions."""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import datetime

from storage.database import stamp, utc_now
from storage.models import Action, AuditEntry, Officer
from storage.sql import Connection, Dialect, Row, fetch_one

__all__ = ["SqliteOfficers", "hash_code"]


def hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def _officer(row: Row, *, active: bool = True) -> Officer:
    """An officer from a row whose first columns are user_id, wards and locale."""
    return Officer(int(row[0]), tuple(json.loads(row[1])), str(row[2]), active)


class SqliteOfficers:
    def __init__(self, conn: Connection, dialect: Dialect) -> None:
        self._conn = conn
        self._dialect = dialect

    async def backdate_joining(self, moment: datetime) -> None:
        await self._conn.execute("UPDATE officers SET added_at = ?", (stamp(moment),))

    async def backdate_actions(self, moment: datetime) -> None:
        await self._conn.execute("UPDATE actions SET created_at = ?", (stamp(moment),))

    async def open_invites(self, now_iso: str) -> int:
        row = await fetch_one(
            self._conn,
            "SELECT COUNT(*) FROM invites WHERE used_by IS NULL AND expires_at > ?",
            (now_iso,),
        )
        return int(row[0]) if row else 0

    async def create_invite(self, code: str, created_by: int, expires_at: str) -> None:
        await self._conn.execute(
            "INSERT INTO invites (code_hash, created_by, created_at, expires_at) VALUES (?,?,?,?)",
            (hash_code(code), created_by, utc_now(), expires_at),
        )

    async def redeem(self, code: str, user_id: int, now_iso: str) -> bool:
        """Use a code once, before it expires; False for unknown, used or expired codes."""
        cursor = await self._conn.execute(
            "UPDATE invites SET used_by = ?, used_at = ? WHERE code_hash = ? "
            "AND used_by IS NULL AND expires_at > ?",
            (user_id, now_iso, hash_code(code), now_iso),
        )
        return cursor.rowcount == 1

    async def save(self, officer: Officer, invited_by: int) -> None:
        await self._conn.execute(
            "INSERT INTO officers (user_id, wards, locale, invited_by, added_at) "
            "VALUES (?,?,?,?,?) ON CONFLICT (user_id) DO UPDATE SET wards = excluded.wards, "
            "locale = excluded.locale, revoked_at = NULL",
            (
                officer.user_id,
                json.dumps(list(officer.wards)),
                officer.locale,
                invited_by,
                utc_now(),
            ),
        )

    async def get(self, user_id: int) -> Officer | None:
        row = await fetch_one(
            self._conn,
            "SELECT user_id, wards, locale, revoked_at FROM officers WHERE user_id = ?",
            (user_id,),
        )
        return None if row is None else _officer(row, active=row[3] is None)

    async def active(self) -> list[Officer]:
        rows = await self._conn.execute_fetchall(
            "SELECT user_id, wards, locale FROM officers WHERE revoked_at IS NULL "
            "ORDER BY added_at"
        )
        return [_officer(r) for r in rows]

    async def due_scheduled_digest(self, period_start: str, due_at: str) -> list[Officer]:
        """Active officers who were officers when a period's digest fell due and lack it."""
        rows = await self._conn.execute_fetchall(
            "SELECT user_id, wards, locale FROM officers o WHERE revoked_at IS NULL "
            "AND added_at <= ? AND NOT EXISTS (SELECT 1 FROM scheduled_digest_deliveries d "
            "WHERE d.officer_id = o.user_id AND d.period_start = ?) ORDER BY added_at",
            (due_at, period_start),
        )
        return [_officer(r) for r in rows]

    async def scheduled_digest_delivered(self, officer_id: int, period_start: str) -> None:
        await self._conn.execute(
            "INSERT INTO scheduled_digest_deliveries (officer_id, period_start, "
            "delivered_at) VALUES (?,?,?) ON CONFLICT DO NOTHING",
            (officer_id, period_start, utc_now()),
        )

    async def revoke(self, user_id: int) -> bool:
        cursor = await self._conn.execute(
            "UPDATE officers SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
            (utc_now(), user_id),
        )
        return cursor.rowcount == 1

    async def audit(self, actor_id: int, action: str, detail: dict[str, object]) -> None:
        await self._conn.execute(
            "INSERT INTO audit_log (actor_id, action, detail, at) VALUES (?,?,?,?)",
            (actor_id, action, json.dumps(detail, ensure_ascii=False, sort_keys=True), utc_now()),
        )

    async def audit_entries(self, limit: int = 20) -> list[AuditEntry]:
        rows = await self._conn.execute_fetchall(
            "SELECT actor_id, action, detail, at FROM audit_log ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [AuditEntry(int(r[0]), str(r[1]), json.loads(r[2]), str(r[3])) for r in rows]

    async def published_periods(self, scope: str) -> list[tuple[str, str]]:
        """Periods (start, end) of digests already delivered for a scope (differencing rule)."""
        field = functools.partial(self._dialect.json_field, "detail")
        rows = await self._conn.execute_fetchall(
            f"SELECT DISTINCT {field('start')}, {field('end')} "
            "FROM audit_log WHERE action IN ('digest', 'export') "
            f"AND {field('scope')} = ?",
            (scope,),
        )
        return [(str(r[0]), str(r[1])) for r in rows if r[0] and r[1]]

    async def add_action(
        self, officer_id: int, ward_id: str, priority: str, texts: dict[str, str]
    ) -> int:
        row = await fetch_one(
            self._conn,
            "INSERT INTO actions (officer_id, ward_id, priority, texts, created_at) "
            "VALUES (?,?,?,?,?) RETURNING id",
            (officer_id, ward_id, priority, json.dumps(texts, ensure_ascii=False), utc_now()),
        )
        assert row is not None
        return int(row[0])

    async def link_action(self, action_id: int, broadcast_id: int) -> None:
        await self._conn.execute(
            "UPDATE actions SET broadcast_id = ? WHERE id = ?", (broadcast_id, action_id)
        )

    async def actions(self, wards: tuple[str, ...], start: str, end: str) -> list[Action]:
        marks = ",".join("?" for _ in wards)
        rows = await self._conn.execute_fetchall(
            f"SELECT ward_id, priority, texts, created_at FROM actions WHERE ward_id IN ({marks}) "
            "AND created_at >= ? AND created_at < ? ORDER BY created_at",
            (*wards, start, end),
        )
        return [Action(str(r[0]), str(r[1]), json.loads(r[2]), str(r[3])) for r in rows]
