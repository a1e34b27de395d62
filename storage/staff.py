"""Staff: admins added at run time and staff members' flow state."""

from __future__ import annotations

import json

from storage.database import utc_now
from storage.models import FlowState
from storage.sql import Connection, fetch_one

__all__ = ["SqliteStaff"]


class SqliteStaff:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def admin_ids(self) -> set[int]:
        return {
            int(row[0]) for row in await self._conn.execute_fetchall("SELECT user_id FROM admins")
        }

    async def add_admin(self, user_id: int, added_by: int) -> bool:
        cursor = await self._conn.execute(
            "INSERT INTO admins (user_id, added_by, added_at) VALUES (?,?,?) "
            "ON CONFLICT DO NOTHING",
            (user_id, added_by, utc_now()),
        )
        return cursor.rowcount == 1

    async def remove_admin(self, user_id: int) -> bool:
        cursor = await self._conn.execute("DELETE FROM admins WHERE user_id = ?", (user_id,))
        return cursor.rowcount == 1

    async def flow(self, user_id: int) -> FlowState | None:
        row = await fetch_one(
            self._conn,
            "SELECT flow, step, data, revision FROM staff_conversations WHERE user_id = ?",
            (user_id,),
        )
        if row is None:
            return None
        return FlowState(row[0], row[1], json.loads(row[2]), row[3])

    async def put_flow(self, user_id: int, state: FlowState) -> None:
        await self._conn.execute(
            "INSERT INTO staff_conversations (user_id, flow, step, data, revision, updated_at) "
            "VALUES (?,?,?,?,?,?) ON CONFLICT (user_id) DO UPDATE SET flow=excluded.flow, "
            "step=excluded.step, data=excluded.data, revision=excluded.revision, "
            "updated_at=excluded.updated_at",
            (
                user_id,
                state.flow,
                state.step,
                json.dumps(state.data, ensure_ascii=False, separators=(",", ":")),
                state.revision,
                utc_now(),
            ),
        )

    async def clear_flow(self, user_id: int) -> None:
        await self._conn.execute("DELETE FROM staff_conversations WHERE user_id = ?", (user_id,))
