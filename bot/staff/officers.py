"""Neighbourhood officers: invites, the list of officers, revoking, the audit log.

An admin creates a one-time invite code with an expiry (``/invite``); the officer redeems it
(``/officer CODE``) and picks their wards. Officers see only their own wards. Their flows
(wards, "you said, we did" actions) are in :mod:`bot.flows`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from bot.areas import AreaDirectory
from bot.flows import Flow
from bot.flows.staff_common import StaffContext
from bot.i18n import _, pgettext, use_locale
from bot.messages import Button, ButtonFamily, Incoming, Outgoing, StaffReply
from bot.staff.access import StaffAccess
from bot.staff.flows import StaffFlows
from bot.staff.menus import StaffMenus, StaffRole
from bot.surveys import Survey
from storage.models import Officer
from storage.repositories import Store, UnitOfWork

__all__ = ["OFFICER_BUTTONS", "OfficerDesk", "OfficerRegistry", "new_invite_code"]

# /officers' Revoke buttons: r:<officer id>:revoke:
OFFICER_BUTTONS = ButtonFamily("r")

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def new_invite_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


class OfficerRegistry:
    """Who the officers are; the caller holds the unit of work."""

    def __init__(
        self,
        areas: AreaDirectory,
        survey: Survey,
        *,
        invite_hours: int,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.areas = areas
        self.survey = survey
        self.invite_hours = invite_hours
        self._now = now

    def priorities(self) -> Mapping[str, str]:
        """The survey's priority choices (id → label), which an officer's action answers."""
        question = next(q for q in self.survey.questions if q.kind == "multi")
        return {c.id: c.label for c in question.choices}

    # -- admin side ----------------------------------------------------------------------
    async def invite(self, uow: UnitOfWork, admin_id: int) -> Outgoing:
        code = new_invite_code()
        expires = self._now() + timedelta(hours=self.invite_hours)
        await uow.officers.create_invite(code, admin_id, expires.isoformat(timespec="seconds"))
        await uow.officers.audit(admin_id, "invite", {"expires": expires.isoformat()})
        return Outgoing(
            _(
                "Invite code: {code}\n\nIt works once, until {hours} hours from now. The officer "
                "sends me: /officer {code}"
            ).format(code=code, hours=self.invite_hours)
        )

    async def list_officers(self, uow: UnitOfWork) -> tuple[Outgoing, ...]:
        officers = await uow.officers.active()
        if not officers:
            return (Outgoing(_("There are no officers yet. Invite one with /invite.")),)
        messages = []
        for officer in officers:
            wards = ", ".join(
                w.name for w in self.areas.wards if w.id in officer.wards
            ) or pgettext("value", "None")
            text = _("Officer {id}\nWards: {wards}").format(id=officer.user_id, wards=wards)
            rows = (
                (
                    Button(
                        pgettext("button", "Revoke"),
                        OFFICER_BUTTONS(str(officer.user_id), "revoke"),
                    ),
                ),
            )
            messages.append(Outgoing(text, rows))
        return tuple(messages)

    async def revoke(self, uow: UnitOfWork, admin_id: int, officer_id: int) -> Outgoing:
        if await uow.officers.revoke(officer_id):
            await uow.officers.audit(admin_id, "revoke_officer", {"officer": officer_id})
            return Outgoing(
                _("Officer {id} no longer has access.").format(id=officer_id), edit=True
            )
        return Outgoing(_("That officer had no access."), edit=True)

    async def audit_log(self, uow: UnitOfWork) -> Outgoing:
        entries = await uow.officers.audit_entries(30)
        if not entries:
            return Outgoing(_("The audit log is empty."))
        lines = [
            f"{e.at} · {e.actor_id} · {e.action} · "
            + ", ".join(f"{k}={v}" for k, v in sorted(e.detail.items()))
            for e in entries
        ]
        return Outgoing("\n".join(lines))

    # -- officer side --------------------------------------------------------------------
    async def redeem(
        self, uow: UnitOfWork, who: Incoming, code: str, locale: str
    ) -> Officer | None:
        """The officer the code makes of the sender, or None when it is not a valid code.

        Their wards flow is the caller's to start (a returning officer keeps their wards).
        """
        if not code or not await uow.officers.redeem(
            code, who.chat_id, self._now().isoformat(timespec="seconds")
        ):
            return None
        existing = await uow.officers.get(who.chat_id)
        officer = Officer(who.chat_id, existing.wards if existing else (), locale)
        await uow.officers.save(officer, invited_by=0)
        await uow.officers.audit(who.chat_id, "officer_joined", {})
        return officer


class OfficerDesk:
    """/officer CODE, /mywards, /action, and the admins' /invite, /officers, /audit, Revoke."""

    def __init__(
        self,
        store: Store,
        access: StaffAccess,
        registry: OfficerRegistry,
        flows: StaffFlows,
        menus: StaffMenus,
    ) -> None:
        self.store = store
        self.access = access
        self.registry = registry
        self.flows = flows
        self.menus = menus

    async def command(self, who: Incoming, command: str, argument: str) -> StaffReply:
        """/officer CODE for anyone; /mywards and /action for officers; /invite, /officers and
        /audit for admins."""
        locale = self.access.locale(who)
        async with self.store.unit() as uow:
            officer = await self.access.officer(uow, who.chat_id)
            admin = await self.access.is_admin(uow, who.chat_id)
            known = officer is not None or admin
            if known and not await self.access.claim(uow, who):
                return StaffReply(locale)  # handled before a crash: an invite is made once
            with use_locale(locale):
                if command == "officer":
                    joined = await self.registry.redeem(uow, who, argument.strip(), locale)
                    if joined is None:
                        text = _("That code is not valid: it may be mistyped, used or expired.")
                        return StaffReply(locale, (Outgoing(text),))
                    if not known:
                        # Redeemed: a redelivery must not be told the used code is not valid.
                        await self.access.claim(uow, who)
                    wards = self.flows.officer_wards
                    ctx = self.flows.context(uow, joined.user_id, joined.locale, joined)
                    screen = await self.flows.put(uow, ctx, wards, wards.start(joined.wards))
                    welcome = Outgoing(_("Welcome. You are now registered as an officer."))
                    menus = self.menus.change(
                        joined.user_id,
                        StaffRole(admin, officer.locale if officer else None),
                        StaffRole(admin, joined.locale),
                    )
                    return StaffReply(locale, (welcome, screen), menus=menus)
                if command in ("mywards", "action"):
                    if officer is None:
                        return StaffReply(
                            locale, (Outgoing(_("Sorry, only officers can do that.")),)
                        )
                    with use_locale(officer.locale):
                        if command == "mywards":
                            flow: Flow[StaffContext] = self.flows.officer_wards
                            state = self.flows.officer_wards.start(officer.wards)
                        elif not officer.wards:
                            text = _("Choose your wards first with /mywards.")
                            return StaffReply(officer.locale, (Outgoing(text),))
                        else:
                            flow = self.flows.officer_action
                            state = self.flows.officer_action.start()
                        ctx = self.flows.context(uow, officer.user_id, officer.locale, officer)
                        message = await self.flows.put(uow, ctx, flow, state)
                    return StaffReply(officer.locale, (message,))
                if not admin:
                    return self.access.refused(locale)
                if command == "invite":
                    return StaffReply(locale, (await self.registry.invite(uow, who.chat_id),))
                if command == "officers":
                    return StaffReply(locale, await self.registry.list_officers(uow))
                return StaffReply(locale, (await self.registry.audit_log(uow),))

    async def revoke_in(
        self, uow: UnitOfWork, admin_id: int, locale: str, officer: str
    ) -> StaffReply:
        """The Revoke button on /officers (prefix ``r``), for an admin, in a unit already open;
        the revoked officer's command menu goes with their access."""
        if not officer.isdigit():
            return StaffReply(locale, toast=_("Sorry, I didn't understand that button."))
        target = int(officer)
        before = await self.menus.role(uow, target)
        done = await self.registry.revoke(uow, admin_id, target)
        menus = self.menus.change(target, before, await self.menus.role(uow, target))
        return StaffReply(locale, (done,), menus=menus)
