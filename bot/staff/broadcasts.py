"""Broadcasts as admins follow them: the progress report and /broadcasts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

from bot.areas import AreaDirectory
from bot.broadcasting.engine import BroadcastEngine
from bot.broadcasting.progress import Progress, time_left
from bot.i18n import (
    _,
    format_datetime,
    format_duration,
    format_list,
    format_number,
    ngettext,
    pgettext,
    use_locale,
)
from bot.messages import Incoming, Outgoing, StaffReply
from bot.staff.access import StaffAccess
from storage.models import Broadcast
from storage.repositories import Store

__all__ = ["SUMMARY_MAX", "BroadcastDesk", "kind_label", "progress_text", "shorten"]

SUMMARY_MAX = 60  # characters of a notice /broadcasts shows


def shorten(text: str, limit: int = SUMMARY_MAX) -> str:
    """``text`` on one line, cut at a word before ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:–-") + "…"


def kind_label(broadcast: Broadcast) -> str:
    """What a broadcast was, as an admin calls it."""
    if broadcast.kind == "event":
        return pgettext("broadcast kind", "Event announcement")
    if broadcast.kind == "event_change":
        if broadcast.texts.get("change") == "cancelled":
            return pgettext("broadcast kind", "Event cancelled")
        return pgettext("broadcast kind", "Event changed")
    if broadcast.kind in ("reminder_24h", "reminder_1h"):
        return pgettext("broadcast kind", "Event reminder")
    if broadcast.kind == "update":
        return pgettext("broadcast kind", '"You said, we did" update')
    if broadcast.topic == "safety":
        if broadcast.urgent:
            return pgettext("broadcast kind", "Urgent safety notice")
        return pgettext("broadcast kind", "Safety notice")
    return pgettext("broadcast kind", "Events notice")


def _restarted(broadcast: Broadcast) -> str | None:
    """The sentence a report adds when the bot restarted while the broadcast went out."""
    if not broadcast.restarts:
        return None
    if not broadcast.resent:
        return _("The bot restarted while this was going out and carried on; no one got it twice.")
    return ngettext(
        "The bot restarted while this was going out and carried on; up to {count} resident "
        "may have got it twice.",
        "The bot restarted while this was going out and carried on; up to {count} residents "
        "may have got it twice.",
        broadcast.resent,
    ).format(count=broadcast.resent)


def progress_text(progress: Progress, broadcast: Broadcast) -> str:
    """The admin's progress message: the figures, an honest time left, then the summary."""
    stats = progress.stats
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
    if progress.done:
        text = _("Broadcast #{id} finished.\n\n{figures}").format(
            id=progress.broadcast_id, figures=figures
        )
    else:
        left, rate = time_left(progress), progress.observed_rate
        if left is None:  # nothing waiting to go now: no figure would mean anything
            text = _("Broadcast #{id} is going out.\n\n{figures}").format(
                id=progress.broadcast_id, figures=figures
            )
        elif rate is None:  # too early to measure: the configured pace, which is the most
            text = _(
                "Broadcast #{id} is going out.\n\n{figures}\n\nAbout {duration} left."
            ).format(id=progress.broadcast_id, figures=figures, duration=format_duration(left))
        else:
            text = _(
                "Broadcast #{id} is going out.\n\n{figures}\n\nRate: {rate} messages a second; "
                "about {duration} left."
            ).format(
                id=progress.broadcast_id,
                figures=figures,
                rate=format_number(round(rate, 1)),
                duration=format_duration(left),
            )
    restarted = _restarted(broadcast)
    if restarted is None:
        return text
    return _("{report}\n\n{restarted}").format(report=text, restarted=restarted)


class BroadcastDesk:
    def __init__(
        self,
        store: Store,
        access: StaffAccess,
        engine: BroadcastEngine,
        areas: AreaDirectory,
        *,
        timezone: tzinfo,
        now: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.access = access
        self.engine = engine
        self.areas = areas
        self.timezone = timezone
        self._now = now

    def _when(self, moment: datetime) -> str:
        return format_datetime(moment, self.timezone)

    def audience(self, wards: tuple[str, ...] | None) -> str:
        """The wards by name (the first three and how many more), or the whole borough."""
        if not wards:
            return _("the whole borough")
        names = [w.name for w in self.areas.wards if w.id in wards]
        if len(names) <= 4:
            return format_list(names)
        more = len(names) - 3
        return format_list(
            [
                *names[:3],
                ngettext("{count} other ward", "{count} other wards", more).format(count=more),
            ]
        )

    async def recent(self, who: Incoming) -> StaffReply:
        locale = self.access.locale(who)
        async with self.store.unit() as uow:
            with use_locale(locale):
                if not await self.access.is_admin(uow, who.chat_id):
                    return self.access.refused(locale)
                recent = await uow.broadcasts.recent(10)
                if not recent:
                    return StaffReply(locale, (Outgoing(_("No broadcasts yet.")),))
                entries = []
                now = self._now().isoformat(timespec="seconds")
                for b in recent:
                    assert b.id is not None
                    stats = await uow.broadcasts.stats(b.id, now)
                    if b.event_id is not None:
                        event = await uow.events.get(b.event_id)
                        summary = shorten(event.title) if event else ""
                    else:
                        summary = shorten(b.texts.get("en", ""))
                    entries.append(
                        _(
                            "#{id} {kind} · {when} · {audience}\n“{summary}”\n"
                            "Sent {sent}, blocked {blocked}, failed {failed}, skipped {skipped}, "
                            "remaining {remaining}"
                        ).format(
                            id=b.id,
                            kind=kind_label(b),
                            when=self._when(datetime.fromisoformat(b.created_at)),
                            audience=self.audience(b.wards),
                            summary=summary,
                            sent=stats.sent,
                            blocked=stats.blocked,
                            failed=stats.failed,
                            skipped=stats.skipped,
                            remaining=stats.remaining,
                        )
                    )
                return StaffReply(locale, (Outgoing("\n\n".join(entries)),))

    async def attach_report(
        self, broadcast_id: int, chat_id: int, message_id: int, locale: str
    ) -> None:
        """Progress is edited into this message, in ``locale``, the language of the reply."""
        async with self.store.unit() as uow:
            await uow.broadcasts.set_report(broadcast_id, chat_id, message_id, locale)
        self.engine.wake()
