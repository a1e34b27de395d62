"""The end of Telegram's last flood pause, kept across restarts (migration 0011)."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from storage.sql import Connection, fetch_one

__all__ = ["SqliteFloodPause", "recorded_pause"]


class SqliteFloodPause:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def until(self) -> float | None:
        row = await fetch_one(self._conn, "SELECT paused_until FROM flood_pause WHERE id = 1")
        return float(row[0]) if row else None

    async def extend(self, until_epoch: float) -> None:
        """Record a pause's end; an earlier end never replaces a later one."""
        await self._conn.execute(
            "INSERT INTO flood_pause (id, paused_until) VALUES (1, ?) ON CONFLICT (id) DO "
            "UPDATE SET paused_until = excluded.paused_until "
            "WHERE excluded.paused_until > flood_pause.paused_until",
            (until_epoch,),
        )


def recorded_pause(path: Path) -> float | None:
    """The recorded pause's end, read before the event loop starts; ``None`` for a database
    that has none yet (a new file, or one from before migration 0011)."""
    with contextlib.suppress(sqlite3.Error), contextlib.closing(sqlite3.connect(path)) as conn:
        row = conn.execute("SELECT paused_until FROM flood_pause WHERE id = 1").fetchone()
        return float(row[0]) if row else None
    return None
