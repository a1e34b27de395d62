"""Digests on request (/digest), the admins' CSV export (/export) and the scheduled digests.

The wards a user may see are checked on every tap: an officer's own wards, every ward and the
borough for an admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from bot.areas import AreaDirectory
from bot.digests.disclosure import Period
from bot.digests.service import DigestService
from bot.i18n import _, use_locale
from bot.messages import CallbackData, Incoming, Outgoing, StaffReply
from bot.staff.access import StaffAccess
from storage.repositories import Store, UnitOfWork

__all__ = ["DigestDesk", "ScheduledDigest"]


@dataclass(frozen=True, slots=True)
class ScheduledDigest:
    """One officer's scheduled digest, ready to send."""

    officer_id: int
    locale: str
    period: Period
    messages: tuple[Outgoing, ...]


class DigestDesk:
    def __init__(
        self, store: Store, access: StaffAccess, areas: AreaDirectory, digests: DigestService
    ) -> None:
        self.store = store
        self.access = access
        self.areas = areas
        self.digests = digests

    async def _scopes(self, uow: UnitOfWork, user_id: int) -> tuple[tuple[str, ...], bool]:
        """The wards a user may see, and whether the borough too (admins only)."""
        if await self.access.is_admin(uow, user_id):
            return tuple(w.id for w in self.areas.wards), True
        officer = await self.access.officer(uow, user_id)
        return (officer.wards if officer else ()), False

    async def menu(self, who: Incoming) -> StaffReply:
        """/digest: choose a ward (or all one's wards), then a period."""
        async with self.store.unit() as uow:
            officer, locale = await self.access.officer_and_locale(uow, who)
            with use_locale(locale):
                wards, borough = await self._scopes(uow, who.chat_id)
                if not wards:
                    return StaffReply(
                        locale, (Outgoing(_("Sorry, only officers and admins can do that.")),)
                    )
                if officer is not None:
                    wards = officer.wards
                rows = self.digests.scope_buttons(wards, borough=borough)
                return StaffReply(locale, (Outgoing(_("Which digest would you like?"), rows),))

    async def tap(self, who: Incoming, data: CallbackData) -> StaffReply:
        """A scope or period button; checked against the user's wards on every tap."""
        async with self.store.unit() as uow:
            officer, locale = await self.access.officer_and_locale(uow, who)
            with use_locale(locale):
                allowed, borough = await self._scopes(uow, who.chat_id)
                mine = officer.wards if officer else allowed
                if data.step == "borough" and borough:
                    wards: tuple[str, ...] = tuple(w.id for w in self.areas.wards)
                elif data.step == "mine" and mine:
                    wards = tuple(mine)
                elif data.step in allowed:
                    wards = (data.step,)
                else:
                    return StaffReply(
                        locale,
                        toast=_("Sorry, that digest is not yours to see."),
                        toast_alert=True,
                    )
                if data.action == "scope":
                    return StaffReply(
                        locale,
                        (
                            Outgoing(
                                _("Which period?"),
                                self.digests.period_buttons(data.step),
                                edit=True,
                            ),
                        ),
                    )
                period = (
                    self.digests.period_from_button(data.arg) if data.action == "show" else None
                )
                if period is None:
                    return StaffReply(
                        locale,
                        toast=_("That button has expired. Send /digest again."),
                        toast_alert=True,
                    )
                digests = await self.digests.gather(
                    uow, who.chat_id, wards, period, scope=data.step
                )
        with use_locale(locale):
            return StaffReply(locale, await self.digests.render(digests, period))

    async def export(self, who: Incoming) -> StaffReply:
        """/export: the last period's suppressed aggregates for every ward, as CSV (admins)."""
        locale = self.access.locale(who)
        async with self.store.unit() as uow:
            with use_locale(locale):
                if not await self.access.is_admin(uow, who.chat_id):
                    return self.access.refused(locale)
                period = self.digests.recent_periods(1)[0]
                document = await self.digests.export_csv(uow, who.chat_id, period)
                caption = _(
                    "Anonymised figures for {period}, every ward. Small counts are suppressed "
                    "and the rest rounded; there are no individual answers or comments."
                ).format(period=self.digests.period_text(period))
                return StaffReply(locale, (Outgoing(caption, document=document),))

    async def scheduled(self) -> list[ScheduledDigest]:
        """For the scheduled job: the digest now due to each officer who has not had it.

        The job runs daily and at start, so a digest that fell due while the bot was down
        still goes; :meth:`scheduled_sent` records each one sent, so it goes once
        (twice at most for the one officer being sent to if the process dies mid-send).
        Officers who joined after it fell due wait for the next one.
        """
        due = self.digests.due_period()
        if due is None:
            return []
        period, due_at = due
        async with self.store.unit() as uow:
            officers = await uow.officers.due_scheduled_digest(
                period.start.isoformat(), due_at.astimezone(UTC).isoformat(timespec="seconds")
            )
        scheduled = []
        for officer in officers:
            if not officer.wards:
                continue
            with use_locale(officer.locale):
                # A unit of work each, so residents' updates wait for one officer's figures at
                # most, not for every officer's.
                async with self.store.unit() as uow:
                    digests = await self.digests.gather(
                        uow, officer.user_id, officer.wards, period, scope="mine"
                    )
                messages = await self.digests.render(digests, period)
            scheduled.append(ScheduledDigest(officer.user_id, officer.locale, period, messages))
        return scheduled

    async def scheduled_sent(self, digest: ScheduledDigest) -> None:
        async with self.store.unit() as uow:
            await uow.officers.scheduled_digest_delivered(
                digest.officer_id, digest.period.start.isoformat()
            )
