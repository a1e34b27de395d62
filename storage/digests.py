"""Aggregate queries for digests: counts only, never who answered what.

Everything here is grouped by ward and period; nothing returns a respondent id. Free text is
returned only with its language and the priorities chosen in the same response, for the
digest builder to scrub and pick representative excerpts.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import aiosqlite

from storage.database import utc_now

__all__ = ["Comment", "RawCounts", "SqliteDigests"]


@dataclass(frozen=True, slots=True)
class Comment:
    text: str
    language: str
    priorities: tuple[str, ...]
    response_id: str = ""  # kept with a published excerpt so /forget can remove it


@dataclass(slots=True)
class RawCounts:
    """Unprotected counts for one scope and period; the disclosure rules come after."""

    responses: int = 0
    choices: dict[str, Counter[str]] = field(default_factory=dict)  # question → choice → n
    values: dict[str, Counter[int]] = field(default_factory=dict)  # question → value → n
    languages: Counter[str] = field(default_factory=Counter)
    per_ward: Counter[str] = field(default_factory=Counter)


class SqliteDigests:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    @staticmethod
    def _scope(wards: Sequence[str] | None) -> tuple[str, list[object]]:
        if wards is None:  # the whole borough: every response with a ward
            return "r.ward_id IS NOT NULL", []
        return f"r.ward_id IN ({','.join('?' for _ in wards)})", list(wards)

    async def counts(
        self, wards: Sequence[str] | None, start: str, end: str, survey_id: str
    ) -> RawCounts:
        where, params = self._scope(wards)
        span = [survey_id, start, end]
        result = RawCounts()
        sql = (
            "SELECT r.ward_id, r.locale, COUNT(*) FROM responses r WHERE "
            + where
            + " AND r.survey_id = ? AND r.submitted_at >= ? AND r.submitted_at < ? "
            "GROUP BY r.ward_id, r.locale"
        )
        async with self._conn.execute(sql, [*params, *span]) as cur:
            for ward, locale, n in await cur.fetchall():
                result.responses += int(n)
                result.languages[str(locale)] += int(n)
                result.per_ward[str(ward)] += int(n)
        sql = (
            "SELECT a.question_id, a.choice_id, a.value, COUNT(*) FROM responses r "
            "JOIN answers a ON a.response_id = r.id WHERE "
            + where
            + " AND r.survey_id = ? AND r.submitted_at >= ? AND r.submitted_at < ? "
            "AND a.text IS NULL GROUP BY a.question_id, a.choice_id, a.value"
        )
        async with self._conn.execute(sql, [*params, *span]) as cur:
            for question, choice, value, n in await cur.fetchall():
                if choice is not None:
                    result.choices.setdefault(str(question), Counter())[str(choice)] += int(n)
                elif value is not None:
                    result.values.setdefault(str(question), Counter())[int(value)] += int(n)
        return result

    async def comments(
        self,
        wards: Sequence[str] | None,
        start: str,
        end: str,
        survey_id: str,
        text_question: str,
        priority_question: str,
        limit: int = 200,
    ) -> list[Comment]:
        where, params = self._scope(wards)
        sql = (
            "SELECT a.text, COALESCE(a.text_language, 'unknown'), r.id, "
            "(SELECT group_concat(p.choice_id) FROM answers p WHERE p.response_id = r.id "
            "AND +p.question_id = ?) FROM responses r JOIN answers a ON a.response_id = r.id "
            "WHERE " + where + " AND r.survey_id = ? AND r.submitted_at >= ? "
            "AND r.submitted_at < ? AND a.question_id = ? AND a.text IS NOT NULL "
            "ORDER BY r.submitted_at DESC LIMIT ?"
        )
        async with self._conn.execute(
            sql, [priority_question, *params, survey_id, start, end, text_question, limit]
        ) as cur:
            return [
                Comment(str(t), str(lang), tuple(str(p).split(",")) if p else (), str(rid))
                for t, lang, rid, p in await cur.fetchall()
            ]

    async def rsvps(self, wards: Sequence[str] | None, start: str, end: str) -> dict[str, int]:
        """RSVP totals for events in the scope that start within the period."""
        condition = ""
        params: list[object] = [start, end]
        if wards is not None:
            condition = (
                " AND (e.wards IS NULL OR EXISTS (SELECT 1 FROM json_each(e.wards) "
                f"WHERE value IN ({','.join('?' for _ in wards)})))"
            )
            params += list(wards)
        async with self._conn.execute(
            "SELECT s.status, COUNT(*) FROM rsvps s JOIN events e ON e.id = s.event_id "
            "WHERE e.starts_at >= ? AND e.starts_at < ?" + condition + " GROUP BY s.status",
            params,
        ) as cur:
            return {str(status): int(n) for status, n in await cur.fetchall()}

    async def forget_excerpts(self, response_ids: Sequence[str]) -> None:
        """Remove an erased resident's excerpts from published digests; the counts stay."""
        if not response_ids:
            return
        gone = set(response_ids)
        async with self._conn.execute(
            "SELECT ward_id, period_start, period_end, snapshot FROM published_digests"
        ) as cur:
            rows = await cur.fetchall()
        for ward, start, end, raw in rows:
            snapshot = json.loads(raw)
            kept = [c for c in snapshot.get("comments", []) if c.get("response") not in gone]
            if len(kept) != len(snapshot.get("comments", [])):
                snapshot["comments"] = kept
                await self._conn.execute(
                    "UPDATE published_digests SET snapshot = ? WHERE ward_id = ? AND "
                    "period_start = ? AND period_end = ?",
                    (json.dumps(snapshot, ensure_ascii=False), ward, start, end),
                )

    async def published_periods(self, ward_id: str) -> list[tuple[str, str]]:
        async with self._conn.execute(
            "SELECT period_start, period_end FROM published_digests WHERE ward_id = ?",
            (ward_id,),
        ) as cur:
            return [(str(a), str(b)) for a, b in await cur.fetchall()]

    async def snapshot(self, ward_id: str, start: str, end: str) -> dict[str, object] | None:
        async with self._conn.execute(
            "SELECT snapshot FROM published_digests WHERE ward_id = ? AND period_start = ? "
            "AND period_end = ?",
            (ward_id, start, end),
        ) as cur:
            row = await cur.fetchone()
        return json.loads(row[0]) if row else None

    async def store_snapshot(
        self, ward_id: str, start: str, end: str, snapshot: dict[str, object]
    ) -> None:
        await self._conn.execute(
            "INSERT OR IGNORE INTO published_digests (ward_id, period_start, period_end, "
            "snapshot, published_at) VALUES (?,?,?,?,?)",
            (ward_id, start, end, json.dumps(snapshot, ensure_ascii=False), utc_now()),
        )
