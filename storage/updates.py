"""The ledger of handled Telegram updates: what makes a redelivered update change nothing."""

from __future__ import annotations

from datetime import datetime

from storage.database import stamp, utc_now
from storage.sql import Connection

__all__ = ["SqliteUpdateLedger"]


class SqliteUpdateLedger:
    """Exact update ids, not a watermark: ids restart at random after a quiet week, and a
    webhook may deliver a chat's updates out of order (migration 0010 says more)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def claim(self, update_id: int) -> bool:
        """Record the update as handled; False when it already was.

        Call it inside the unit of work that applies the update, so the claim commits or rolls
        back with the update's effects.
        """
        cursor = await self._conn.execute(
            "INSERT INTO handled_updates (update_id, handled_at) VALUES (?, ?) "
            "ON CONFLICT DO NOTHING",
            (update_id, utc_now()),
        )
        return cursor.rowcount == 1

    async def prune_before(self, cutoff_iso: str) -> int:
        cursor = await self._conn.execute(
            "DELETE FROM handled_updates WHERE handled_at < ?", (cutoff_iso,)
        )
        return cursor.rowcount

    async def handled(self) -> list[int]:
        rows = await self._conn.execute_fetchall(
            "SELECT update_id FROM handled_updates ORDER BY update_id"
        )
        return [int(row[0]) for row in rows]

    async def backdate_all(self, moment: datetime) -> int:
        cursor = await self._conn.execute(
            "UPDATE handled_updates SET handled_at = ?", (stamp(moment),)
        )
        return cursor.rowcount
