"""Delivering digests: periods, stored figures, scopes, charts, exports and the audit log.

Officers see only their own wards; admins may see the borough. Every digest and export
delivered is written to the audit log (who, what, when), never with a resident's id.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from bot.areas import AreaDirectory
from bot.digests.disclosure import (
    Cell,
    DisclosurePolicy,
    Period,
    PeriodCheck,
    block_containing,
    check_period,
    latest_closed_block,
    protect_table,
)
from bot.digests.report import (
    WardDigest,
    build_ward_digest,
    cell_text,
    priorities_chart,
    render_ward_digest,
    snapshot_from,
)
from bot.digests.scrubber import Scrubber
from bot.i18n import _, format_date_range, pgettext
from bot.messages import Button, ButtonFamily, Document, Outgoing
from bot.surveys import Survey
from storage.repositories import UnitOfWork

__all__ = ["DIGEST_BUTTONS", "ChartDrawer", "DigestService", "Scope", "scheduled_moment"]

Scope = str  # a ward id, "mine" (an officer's wards) or "borough"
TELEGRAM_TEXT_LIMIT = 4000
ChartDrawer = Callable[[WardDigest, Survey, str], bytes | None]

# /digest's scope and period buttons: d:<ward|mine|borough>:<scope|show>:<period start>
DIGEST_BUTTONS = ButtonFamily("d")


class DigestService:
    def __init__(
        self,
        areas: AreaDirectory,
        survey: Survey,
        policy: DisclosurePolicy,
        timezone: tzinfo,
        scrubber: Scrubber,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        draw_chart: ChartDrawer = priorities_chart,
        schedule: tuple[int, time] = (0, time(9, 0)),
    ) -> None:
        self.areas = areas
        self.survey = survey
        self.policy = policy
        self.timezone = timezone
        self.scrubber = scrubber
        self._now = now
        self.draw_chart = draw_chart
        self.schedule = schedule  # weekday (0 = Monday) and local time of scheduled digests
        # One chart at a time: matplotlib's font cache is shared between threads.
        self._drawing = asyncio.Lock()

    # -- periods -------------------------------------------------------------------------
    def recent_periods(self, count: int = 4) -> list[Period]:
        latest = latest_closed_block(self._now(), self.timezone, self.policy)
        periods = [latest]
        while len(periods) < count:
            periods.append(
                block_containing(periods[-1].start - timedelta(days=1), self.policy.block)
            )
        return periods

    def due_period(self) -> tuple[Period, datetime] | None:
        """The period whose scheduled digest is due now, with the moment it fell due."""
        now = self._now()
        period = latest_closed_block(now, self.timezone, self.policy)
        day, at = self.schedule
        due = scheduled_moment(period, day, at, self.timezone)
        return (period, due) if now >= due else None

    def period_text(self, period: Period) -> str:
        return format_date_range(period.start, period.last_day)

    def previous_of(self, period: Period) -> Period:
        return block_containing(period.start - timedelta(days=1), self.policy.block)

    # -- figures -------------------------------------------------------------------------
    async def _snapshots(
        self, uow: UnitOfWork, ward_id: str, periods: Sequence[Period]
    ) -> list[dict[str, object] | None]:
        """The published figures of periods that follow one another, oldest first.

        The last period is the one asked for, the others are for comparison. A period
        published before is reused as it was; the rest are counted together in one pass over
        the answers, scrubbed, protected and published. ``None`` for a period the disclosure
        rules refuse; when they refuse the one asked for, nothing is computed at all.
        """
        published = [
            Period(date.fromisoformat(a), date.fromisoformat(b))
            for a, b in await uow.digests.published_periods(ward_id)
        ]
        verdicts = [
            check_period(
                period, now=self._now(), tz=self.timezone, policy=self.policy, published=published
            )
            for period in periods
        ]
        snapshots: list[dict[str, object] | None] = [None] * len(periods)
        if verdicts[-1] not in (PeriodCheck.REUSE, PeriodCheck.PUBLISH):
            return snapshots
        for index, (period, verdict) in enumerate(zip(periods, verdicts, strict=True)):
            if verdict is PeriodCheck.REUSE:
                snapshots[index] = await uow.digests.snapshot(
                    ward_id, period.start.isoformat(), period.end.isoformat()
                )
        fresh = [i for i, verdict in enumerate(verdicts) if verdict is PeriodCheck.PUBLISH]
        if not fresh:
            return snapshots
        # Count from the first period to publish to the last; any period between them is
        # counted too and left unused (in practice both are adjacent weeks).
        counted = periods[fresh[0] : fresh[-1] + 1]
        instants = [p.utc_bounds(self.timezone)[0] for p in counted]
        instants.append(counted[-1].utc_bounds(self.timezone)[1])
        boundaries = [moment.isoformat(timespec="seconds") for moment in instants]
        scope = (ward_id,)
        raws = await uow.digests.counts(scope, boundaries, self.survey.id)
        text_question = next((q.id for q in self.survey.questions if q.kind == "text"), None)
        priority_question = next(q.id for q in self.survey.questions if q.kind == "multi")
        comments = (
            await uow.digests.comments(
                scope, boundaries, self.survey.id, text_question, priority_question
            )
            if text_question
            else [[] for _ in counted]
        )
        rsvps = await uow.digests.rsvps(scope, boundaries)
        # Residents name events in their comments; an event's title is no one's name.
        scrubber = self.scrubber.keeping(await uow.events.names())

        def scrub(text: str) -> str:
            return scrubber.scrub(text).text

        for index in fresh:
            at = index - fresh[0]
            snapshot = snapshot_from(
                raws[at], comments[at], rsvps[at], self.survey, self.policy, scrub
            )
            period = periods[index]
            await uow.digests.store_snapshot(
                ward_id, period.start.isoformat(), period.end.isoformat(), snapshot
            )
            snapshots[index] = snapshot
        return snapshots

    async def ward_digest(
        self, uow: UnitOfWork, ward_id: str, period: Period
    ) -> WardDigest | None:
        ward = self.areas.ward(ward_id)
        if ward is None:
            return None
        previous = self.previous_of(period)
        previous_snapshot, snapshot = await self._snapshots(uow, ward_id, (previous, period))
        if snapshot is None:
            return None
        utc_start, utc_end = (
            m.isoformat(timespec="seconds") for m in period.utc_bounds(self.timezone)
        )
        actions = await uow.officers.actions((ward_id,), utc_start, utc_end)
        return build_ward_digest(
            ward_id,
            ward.name,
            period,
            previous,
            snapshot,
            previous_snapshot,
            self.survey,
            self.policy,
            actions,
        )

    # -- delivery ------------------------------------------------------------------------
    async def gather(
        self,
        uow: UnitOfWork,
        actor_id: int,
        ward_ids: Sequence[str],
        period: Period,
        *,
        scope: Scope,
    ) -> list[WardDigest]:
        """The digests of these wards, logged in the audit log; :meth:`render` comes after.

        Only this half needs the unit of work: drawing a chart takes a tenth of a second or
        more, which must hold neither the database lock nor the event loop.
        """
        digests = [d for w in ward_ids if (d := await self.ward_digest(uow, w, period))]
        if digests:
            await uow.officers.audit(
                actor_id,
                "digest",
                {
                    "scope": scope,
                    "wards": ",".join(d.ward_id for d in digests),
                    "start": period.start.isoformat(),
                    "end": period.end.isoformat(),
                },
            )
        return digests

    async def render(self, digests: Sequence[WardDigest], period: Period) -> tuple[Outgoing, ...]:
        """The messages and charts of gathered digests, in the current locale."""
        if not digests:
            return (Outgoing(_("There is no digest for that period yet.")),)
        period_text = self.period_text(period)
        messages: list[Outgoing] = []
        if len(digests) > 1:
            totals = protect_table(
                {d.ward_id: d.raw_total for d in digests},
                sum(d.raw_total for d in digests),
                self.policy,
            )
            lines = [_("📊 Your wards, {period}").format(period=period_text)]
            lines += [
                _("{ward}: {count}").format(
                    ward=d.ward_name, count=cell_text(totals.cells.get(d.ward_id), self.policy)
                )
                for d in digests
            ]
            lines.append(
                _("All together: {count}").format(count=cell_text(totals.total, self.policy))
            )
            messages.append(Outgoing("\n".join(lines)))
        for digest in digests:
            text = render_ward_digest(digest, self.survey, self.policy, period_text)
            for chunk in _chunks(text):
                messages.append(Outgoing(chunk))
            title = _("Priorities in {ward}, {period}").format(
                ward=digest.ward_name, period=period_text
            )
            chart = await self._draw(digest, title)
            if chart is not None:
                messages.append(
                    Outgoing(
                        _("Priorities, this period and the one before."),
                        document=Document(f"priorities-{digest.ward_id}.png", chart),
                        photo=True,
                    )
                )
        return tuple(messages)

    async def _draw(self, digest: WardDigest, title: str) -> bytes | None:
        # The worker thread gets a copy of this context, so the labels keep the locale.
        async with self._drawing:
            return await asyncio.to_thread(self.draw_chart, digest, self.survey, title)

    async def export_csv(self, uow: UnitOfWork, actor_id: int, period: Period) -> Document:
        """The suppressed aggregates of every ward for a period: never raw answers or text."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(
            ["ward_id", "ward", "period_start", "period_end", "measure", "category", "value"]
        )
        for ward in self.areas.wards:
            digest = await self.ward_digest(uow, ward.id, period)
            if digest is None:
                continue
            base = [ward.id, ward.name, period.start.isoformat(), period.end.isoformat()]

            def value(cell: Cell | None) -> str:
                return cell_text(cell, self.policy)

            writer.writerow([*base, "responses", "", value(digest.responses)])
            for cid, cell in digest.priorities.cells.items():
                writer.writerow([*base, "priority", cid, value(cell)])
            if digest.safety is not None:
                for v, cell in digest.safety.cells.items():
                    writer.writerow([*base, "safety_after_dark", v, value(cell)])
            for qid, table in digest.trust.items():
                for group, cell in table.cells.items():
                    writer.writerow([*base, qid, group, value(cell)])
            for code, cell in digest.languages.cells.items():
                writer.writerow([*base, "language", code, value(cell)])
            for status, cell in digest.rsvps.items():
                writer.writerow([*base, "rsvp", status, value(cell)])
        await uow.officers.audit(
            actor_id,
            "export",
            {"scope": "borough", "start": period.start.isoformat(), "end": period.end.isoformat()},
        )
        return Document(
            f"neighbourhood-voice-{period.start.isoformat()}.csv", buffer.getvalue().encode()
        )

    # -- choosing ------------------------------------------------------------------------
    def scope_buttons(
        self, ward_ids: Sequence[str], *, borough: bool
    ) -> tuple[tuple[Button, ...], ...]:
        rows = [
            (Button(w.name, DIGEST_BUTTONS(w.id, "scope")),)
            for w in self.areas.wards
            if w.id in ward_ids
        ]
        if len(ward_ids) > 1:
            rows.append(
                (Button(pgettext("button", "All my wards"), DIGEST_BUTTONS("mine", "scope")),)
            )
        if borough:
            rows.append(
                (Button(pgettext("button", "Whole borough"), DIGEST_BUTTONS("borough", "scope")),)
            )
        return tuple(rows)

    def period_buttons(self, scope: Scope) -> tuple[tuple[Button, ...], ...]:
        return tuple(
            (
                Button(
                    self.period_text(p),
                    DIGEST_BUTTONS(scope, "show", p.start.strftime("%Y%m%d")),
                ),
            )
            for p in self.recent_periods()
        )

    def period_from_button(self, arg: str) -> Period | None:
        """Only periods the buttons offer; anything else (forged, stale) is refused."""
        return next((p for p in self.recent_periods() if p.start.strftime("%Y%m%d") == arg), None)


def scheduled_moment(period: Period, day: int, at: time, tz: tzinfo) -> datetime:
    """When a period's scheduled digest falls due: the first ``day`` (0 = Monday) at ``at``,
    local time, on or after the period's last day has ended."""
    first = period.end + timedelta(days=(day - period.end.weekday()) % 7)
    return datetime.combine(first, at, tzinfo=tz)


def _chunks(text: str) -> list[str]:
    """Split long digests at line ends to stay within Telegram's 4096 characters."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        if len(current) + len(line) + 1 > TELEGRAM_TEXT_LIMIT and current:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks
