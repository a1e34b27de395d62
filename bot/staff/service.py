"""Officers and admins: the staff features, built together and reached through one object.

Each feature is a module of its own (``access``, ``flows``, ``events``, ``broadcasts``,
``admins``, ``officers``, ``digests``, ``menus``); handlers call the feature they serve. What spans
features is here: a staff button is routed by its prefix (``a`` a staff flow, ``m`` the event
manager, ``r`` the officer list), and typed text or /cancel reach the staff flows through
:mod:`bot.routing`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, tzinfo

from bot.areas import AreaDirectory
from bot.broadcasting.engine import BroadcastEngine
from bot.digests.service import DigestService
from bot.flows.staff_common import STAFF_PREFIX
from bot.i18n import _, use_locale
from bot.messages import CallbackData, Incoming, MenuCommand, Outgoing, StaffReply
from bot.staff.access import StaffAccess
from bot.staff.admins import AdminDesk
from bot.staff.broadcasts import BroadcastDesk
from bot.staff.digests import DigestDesk
from bot.staff.effects import StaffEffects
from bot.staff.events import EventDesk
from bot.staff.flows import StaffFlows
from bot.staff.menus import StaffMenus
from bot.staff.officers import OfficerDesk, OfficerRegistry
from storage.models import Event
from storage.repositories import Store, UnitOfWork

__all__ = ["StaffService"]


class StaffService:
    def __init__(
        self,
        store: Store,
        areas: AreaDirectory,
        engine: BroadcastEngine,
        *,
        config_admins: frozenset[int],
        timezone: tzinfo,
        officers: OfficerRegistry,
        digests: DigestService,
        default_locale: str,
        resident_menu: Callable[[], Sequence[MenuCommand]],
        on_event_changed: Callable[[Event], Awaitable[None]] | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.access = StaffAccess(config_admins, default_locale)
        self.menus = StaffMenus(self.access, resident_menu)
        effects = StaffEffects(areas, engine, on_event_changed)
        self.flows = StaffFlows(
            store,
            self.access,
            areas,
            effects,
            timezone=timezone,
            priorities=officers.priorities(),
            weekly_cap=engine.policy.weekly_cap,
            now=now,
        )
        self.events = EventDesk(
            store, self.access, self.flows, effects, timezone=timezone, now=now
        )
        self.broadcasts = BroadcastDesk(
            store, self.access, engine, areas, timezone=timezone, now=now
        )
        self.admins = AdminDesk(store, self.access, self.menus)
        self.officers = OfficerDesk(store, self.access, officers, self.flows, self.menus)
        self.digests = DigestDesk(store, self.access, areas, digests)

    async def tap(self, who: Incoming, data: CallbackData) -> StaffReply:
        """A staff flow's button ("a"), the event manager's ("m") or the officer list's ("r")."""
        locale = self.access.locale(who)
        async with self.store.unit() as uow:
            with use_locale(locale):
                if data.flow == STAFF_PREFIX:
                    return await self.flows.tap_in(uow, who, locale, data)
                if not await self.access.is_admin(uow, who.chat_id):
                    return self.access.refused(locale, tap=True)
                # Claimed only once the sender is known to be staff: a resident's forged tap
                # must not leave their Telegram id here.
                if not await self.access.claim(uow, who):
                    return StaffReply(locale)
                if data.flow == "r":
                    return await self.officers.revoke_in(uow, who.chat_id, locale, data.step)
                if data.flow == "m":
                    return await self.events.tap_in(uow, who.chat_id, locale, data)
                return StaffReply(locale, toast=_("Sorry, I didn't understand that button."))

    async def help(self, who: Incoming) -> StaffReply | None:
        """The staff commands the sender may use, shown after the residents' /help; None for
        a resident. Read only: the resident's /help has claimed the update."""
        async with self.store.unit() as uow:
            admin = await self.access.is_admin(uow, who.chat_id)
            officer, locale = await self.access.officer_and_locale(uow, who)
        if not admin and officer is None:
            return None
        parts = []
        with use_locale(locale):
            if officer is not None:
                parts.append(
                    _(
                        "As a neighbourhood officer you can also use:\n"
                        "/digest – the anonymised summary for your wards\n"
                        "/mywards – choose your wards\n"
                        "/action – tell residents what was done about a priority "
                        '("You said, we did")'
                    )
                )
            if admin:
                parts.append(
                    _(
                        "As an admin you can also use:\n"
                        "/newevent – create a community event\n"
                        "/manageevents – change or cancel upcoming events\n"
                        "/broadcast – send a notice to chosen wards\n"
                        "/broadcasts – recent notices and how far they got\n"
                        "/invite – an invite code for a new officer\n"
                        "/officers – officers, their wards, and revoking them\n"
                        "/admins, /addadmin, /removeadmin – the admins\n"
                        "/audit – what staff have done recently\n"
                        "/digest – a ward's anonymised summary\n"
                        "/export – the anonymised figures as a CSV file"
                    )
                )
        return StaffReply(locale, (Outgoing("\n\n".join(parts)),))

    async def text(self, who: Incoming, text: str) -> StaffReply | None:
        """Typed input for a staff flow; None when the sender has none in progress."""
        async with self.store.unit() as uow:
            return await self.text_in(uow, who, text)

    async def text_in(self, uow: UnitOfWork, who: Incoming, text: str) -> StaffReply | None:
        return await self.flows.text_in(uow, who, text)

    async def cancel_in(self, uow: UnitOfWork, who: Incoming) -> StaffReply | None:
        return await self.flows.cancel_in(uow, who)
