"""Broadcasts as admins follow them: the progress report and /broadcasts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

from bot.broadcasting.engine import BroadcastEngine
from bot.i18n import _, format_datetime, use_locale
from bot.messages import Incoming, Outgoing, StaffReply
from bot.staff.access import StaffAccess
from storage.models import BroadcastStats
from storage.repositories import Store

__all__ = ["BroadcastDesk", "progress_text"]


def progress_text(broadcast_id: int, stats: BroadcastStats, started: datetime, done: bool) -> str:
    elapsed = max(1.0, (datetime.now(UTC) - started).total_seconds())
    finished = stats.sent + stats.blocked + stats.failed + stats.skipped
    rate = finished / elapsed
    figures = _(
        "Sent: {sent}\nBlocked: {blocked}\nFailed: {failed}\nSkipped (weekly limit): {skipped}\n"
        "Waiting for morning (quiet hours): {held}\nRemaining: {remaining}"
    ).format(
        sent=stats.sent,
        blocked=stats.blocked,
        failed=stats.failed,
        skipped=stats.skipped,
        held=stats.held,
        remaining=stats.remaining,
    )
    if done:
        return _("Broadcast #{id} finished.\n\n{figures}").format(id=broadcast_id, figures=figures)
    left = int(stats.remaining / rate) if rate > 0 else 0
    return _(
        "Broadcast #{id} is going out.\n\n{figures}\n\nRate: {rate} messages a second; "
        "about {seconds} seconds left."
    ).format(id=broadcast_id, figures=figures, rate=f"{rate:.1f}", seconds=left)


class BroadcastDesk:
    def __init__(
        self,
        store: Store,
        access: StaffAccess,
        engine: BroadcastEngine,
        *,
        timezone: tzinfo,
        now: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.access = access
        self.engine = engine
        self.timezone = timezone
        self._now = now

    def _when(self, moment: datetime) -> str:
        return format_datetime(moment, self.timezone)

    async def recent(self, who: Incoming) -> StaffReply:
        locale = self.access.locale(who)
        async with self.store.unit() as uow:
            with use_locale(locale):
                if not await self.access.is_admin(uow, who.chat_id):
                    return self.access.refused(locale)
                recent = await uow.broadcasts.recent(10)
                if not recent:
                    return StaffReply(locale, (Outgoing(_("No broadcasts yet.")),))
                lines = []
                now = self._now().isoformat(timespec="seconds")
                for b in recent:
                    assert b.id is not None
                    stats = await uow.broadcasts.stats(b.id, now)
                    lines.append(
                        _(
                            "#{id} {kind} · {when}: sent {sent}, blocked {blocked}, failed "
                            "{failed}, skipped {skipped}, remaining {remaining}"
                        ).format(
                            id=b.id,
                            kind=b.kind,
                            when=self._when(datetime.fromisoformat(b.created_at)),
                            sent=stats.sent,
                            blocked=stats.blocked,
                            failed=stats.failed,
                            skipped=stats.skipped,
                            remaining=stats.remaining,
                        )
                    )
                return StaffReply(locale, (Outgoing("\n".join(lines)),))

    async def attach_report(
        self, broadcast_id: int, chat_id: int, message_id: int, locale: str
    ) -> None:
        """Progress is edited into this message, in ``locale``, the language of the reply."""
        async with self.store.unit() as uow:
            await uow.broadcasts.set_report(broadcast_id, chat_id, message_id, locale)
        self.engine.wake()
