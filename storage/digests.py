"""Aggregate queries for digests: counts only, never who answered what.

Everything here is grouped by ward and period; nothing returns a respondent id. Free text is
returned only with its language and the priorities chosen in the same response, for the
digest builder to scrub and pick representative excerpts.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Sequence

from storage.database import utc_now
from storage.models import Comment, RawCounts
from storage.sql import Connection, Dialect, fetch_one

__all__ = ["SqliteDigests", "forget_excerpts"]


def _period_of(
    column: str, boundaries: Sequence[str], dialect: Dialect
) -> tuple[str, list[object]]:
    """SQL for the index of the period a row falls in, 0 for the first.

    ``boundaries`` are the ascending ISO times where periods start, then where the last ends;
    each boundary a row has passed adds one.
    """
    if len(boundaries) < 2:
        raise ValueError("periods need a start and an end")
    inner: list[object] = list(boundaries[1:-1])
    if not inner:
        return "0", []
    passed = dialect.number(f"({column} >= ?)")
    return "(" + " + ".join(passed for _ in inner) + ")", inner


async def forget_excerpts(conn: Connection, response_ids: Sequence[str]) -> None:
    """Remove an erased resident's excerpts from published digests; the counts stay."""
    if not response_ids:
        return
    gone = set(response_ids)
    rows = await conn.execute_fetchall(
        "SELECT ward_id, period_start, period_end, snapshot FROM published_digests"
    )
    for ward, start, end, raw in rows:
        snapshot = json.loads(raw)
        kept = [c for c in snapshot.get("comments", []) if c.get("response") not in gone]
        if len(kept) != len(snapshot.get("comments", [])):
            snapshot["comments"] = kept
            await conn.execute(
                "UPDATE published_digests SET snapshot = ? WHERE ward_id = ? AND "
                "period_start = ? AND period_end = ?",
                (json.dumps(snapshot, ensure_ascii=False), ward, start, end),
            )


class SqliteDigests:
    def __init__(self, conn: Connection, dialect: Dialect) -> None:
        self._conn = conn
        self._dialect = dialect

    @staticmethod
    def _scope(wards: Sequence[str] | None) -> tuple[str, list[object]]:
        if wards is None:  # the whole borough: every response with a ward
            return "r.ward_id IS NOT NULL", []
        return f"r.ward_id IN ({','.join('?' for _ in wards)})", list(wards)

    def _latest(
        self, wards: Sequence[str] | None, boundaries: Sequence[str], survey_id: str
    ) -> tuple[str, list[object]]:
        """A ``WITH`` clause naming ``latest``: each resident's last response in each period.

        One resident, one voice: however often someone answers in a period, their latest
        confirmed response is the one counted, and k then protects people, not responses.
        The latest is found across every ward before the scope applies, so a resident who
        moved counts in one ward only. ``latest.k = 1`` marks the ones to count.
        """
        where, params = self._scope(wards)
        period, period_params = _period_of("r.submitted_at", boundaries, self._dialect)
        span = [survey_id, boundaries[0], boundaries[-1]]
        sql = (
            "WITH latest AS (SELECT r.id, r.ward_id, r.locale, r.submitted_at, "
            f"{period} AS p, ROW_NUMBER() OVER (PARTITION BY r.respondent_id, {period} "
            "ORDER BY r.submitted_at DESC, r.rowid DESC) AS k FROM responses r "
            "WHERE r.survey_id = ? AND r.submitted_at >= ? AND r.submitted_at < ? "
            "AND r.respondent_id IN (SELECT r.respondent_id FROM responses r WHERE "
            + where
            + " AND r.survey_id = ? AND r.submitted_at >= ? AND r.submitted_at < ?)) "
        )
        return sql, [*period_params, *period_params, *span, *params, *span]

    async def counts(
        self, wards: Sequence[str] | None, boundaries: Sequence[str], survey_id: str
    ) -> list[RawCounts]:
        """Counts of residents for each of the periods that follow one another between
        ``boundaries`` (see :meth:`_latest`: one response a resident a period).

        Periods are counted together, in one pass over the rows (a digest compares a period
        with the one before it).
        """
        latest, latest_params = self._latest(wards, boundaries, survey_id)
        where, params = self._scope(wards)
        result = [RawCounts() for _ in boundaries[1:]]
        sql = (
            latest
            + "SELECT r.p, r.ward_id, r.locale, COUNT(*) FROM latest r WHERE r.k = 1 AND "
            + where
            + " GROUP BY 1, r.ward_id, r.locale"
        )
        rows = await self._conn.execute_fetchall(sql, [*latest_params, *params])
        for index, ward, locale, n in rows:
            counts = result[index]
            counts.responses += int(n)
            counts.languages[str(locale)] += int(n)
            counts.per_ward[str(ward)] += int(n)
        sql = (
            latest + "SELECT r.p, a.question_id, a.choice_id, a.value, COUNT(*) FROM latest r "
            "JOIN answers a ON a.response_id = r.id WHERE r.k = 1 AND "
            + where
            + " AND a.text IS NULL GROUP BY 1, a.question_id, a.choice_id, a.value"
        )
        rows = await self._conn.execute_fetchall(sql, [*latest_params, *params])
        for index, question, choice, value, n in rows:
            counts = result[index]
            if choice is not None:
                counts.choices.setdefault(str(question), Counter())[str(choice)] += int(n)
            elif value is not None:
                counts.values.setdefault(str(question), Counter())[int(value)] += int(n)
        return result

    async def comments(
        self,
        wards: Sequence[str] | None,
        boundaries: Sequence[str],
        survey_id: str,
        text_question: str,
        priority_question: str,
        limit: int = 200,
    ) -> list[list[Comment]]:
        """The latest ``limit`` comments of each period between ``boundaries``, newest first,
        from each resident's latest response in the period only: one excerpt a resident.
        """
        where, params = self._scope(wards)
        result = []
        for start, end in itertools.pairwise(boundaries):
            latest, latest_params = self._latest(wards, [start, end], survey_id)
            sql = (
                latest + "SELECT a.text, COALESCE(a.text_language, 'unknown'), r.id, "
                f"(SELECT {self._dialect.joined('p.choice_id')} FROM answers p "
                f"WHERE p.response_id = r.id AND {self._dialect.unindexed('p.question_id')} = ?) "
                "FROM latest r JOIN answers a ON a.response_id = r.id "
                "WHERE r.k = 1 AND " + where + " AND a.question_id = ? AND a.text IS NOT NULL "
                "ORDER BY r.submitted_at DESC LIMIT ?"
            )
            rows = await self._conn.execute_fetchall(
                sql, [*latest_params, priority_question, *params, text_question, limit]
            )
            result.append(
                [
                    # dict.fromkeys: a choice's follow-up words are a second row of that
                    # choice ("Something else: …"), named once here.
                    Comment(
                        str(t),
                        str(lang),
                        tuple(dict.fromkeys(str(p).split(","))) if p else (),
                        str(rid),
                    )
                    for t, lang, rid, p in rows
                ]
            )
        return result

    async def rsvps(
        self, wards: Sequence[str] | None, boundaries: Sequence[str]
    ) -> list[dict[str, int]]:
        """RSVP totals for events in the scope, by the period each event starts in."""
        period, params = _period_of("e.starts_at", boundaries, self._dialect)
        params += [boundaries[0], boundaries[-1]]
        condition = ""
        if wards is not None:
            condition = (
                " AND (e.wards IS NULL OR EXISTS (SELECT 1 FROM "
                f"{self._dialect.json_values('e.wards')} "
                f"WHERE value IN ({','.join('?' for _ in wards)})))"
            )
            params += list(wards)
        rows = await self._conn.execute_fetchall(
            f"SELECT {period}, s.status, COUNT(*) FROM rsvps s JOIN events e "
            "ON e.id = s.event_id WHERE e.starts_at >= ? AND e.starts_at < ?"
            + condition
            + " GROUP BY 1, s.status",
            params,
        )
        result: list[dict[str, int]] = [{} for _ in boundaries[1:]]
        for index, status, n in rows:
            result[index][str(status)] = int(n)
        return result

    async def forget_excerpts(self, response_ids: Sequence[str]) -> None:
        """Remove an erased resident's excerpts from published digests; the counts stay."""
        await forget_excerpts(self._conn, response_ids)

    async def published_periods(self, ward_id: str) -> list[tuple[str, str]]:
        rows = await self._conn.execute_fetchall(
            "SELECT period_start, period_end FROM published_digests WHERE ward_id = ?",
            (ward_id,),
        )
        return [(str(a), str(b)) for a, b in rows]

    async def snapshot(self, ward_id: str, start: str, end: str) -> dict[str, object] | None:
        row = await fetch_one(
            self._conn,
            "SELECT snapshot FROM published_digests WHERE ward_id = ? AND period_start = ? "
            "AND period_end = ?",
            (ward_id, start, end),
        )
        return json.loads(row[0]) if row else None

    async def store_snapshot(
        self, ward_id: str, start: str, end: str, snapshot: dict[str, object]
    ) -> None:
        await self._conn.execute(
            "INSERT INTO published_digests (ward_id, period_start, period_end, "
            "snapshot, published_at) VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING",
            (ward_id, start, end, json.dumps(snapshot, ensure_ascii=False), utc_now()),
        )
