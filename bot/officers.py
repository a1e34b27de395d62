"""Neighbourhood officers: invites, wards, "you said, we did" actions, the audit log.

An admin creates a one-time invite code with an expiry (``/invite``); the officer redeems it
(``/officer CODE``) and picks their wards. Officers see only their own wards. Their flows use
the staff flow table and the ``a:<step>:<action>:<arg>`` buttons like every other staff flow;
:class:`~bot.staff.StaffService` hands them over by flow name.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.areas import AreaDirectory
from bot.broadcasts import BroadcastEngine
from bot.i18n import _, data_text, language_name, pgettext, supported_locales, use_locale
from bot.messages import Button, CallbackData, Incoming, Outgoing, Reply, Screen, StaffReply
from bot.surveys import Survey
from storage.models import Broadcast, FlowState
from storage.officers import Officer
from storage.repositories import UnitOfWork

__all__ = ["OFFICER_FLOWS", "OfficerFlows", "language_versions_screen", "new_invite_code"]

OFFICER_FLOWS = frozenset({"officer_wards", "action"})
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
ACTION_MAX = 1000


def new_invite_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _cb(step: str, action: str, arg: str = "") -> CallbackData:
    return CallbackData("a", step, action, arg)


def _move(state: FlowState, step: str, **data: Any) -> FlowState:
    return FlowState(state.flow, step, {**state.data, **data}, state.revision + 1)


def language_versions_screen(step: str, done: Iterable[str]) -> Screen:
    """Offer a version of a staff text in each language not done yet (English always is)."""
    written = {"en", *done}
    rows = [
        (Button(language_name(code), _cb(step, "lang", code)),)
        for code in supported_locales()
        if code not in written
    ]
    rows.append((Button(pgettext("button", "Continue"), _cb(step, "continue")),))
    return Screen(
        _(
            "Would you like to add a version in another language? Residents whose language "
            "has no version see the English text."
        ),
        tuple(rows),
    )


class OfficerFlows:
    """Officer-side flows and commands; the caller holds the unit of work."""

    def __init__(
        self,
        areas: AreaDirectory,
        survey: Survey,
        engine: BroadcastEngine,
        *,
        invite_hours: int = 72,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.areas = areas
        self.survey = survey
        self.engine = engine
        self.invite_hours = invite_hours
        self._now = now

    @property
    def priority_question(self) -> str:
        return next(q.id for q in self.survey.questions if q.kind == "multi")

    def priorities(self) -> Mapping[str, str]:
        question = next(q for q in self.survey.questions if q.id == self.priority_question)
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
                        CallbackData("r", str(officer.user_id), "revoke"),
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
    ) -> tuple[Outgoing, ...]:
        if not code or not await uow.officers.redeem(
            code, who.chat_id, self._now().isoformat(timespec="seconds")
        ):
            return (Outgoing(_("That code is not valid: it may be mistyped, used or expired.")),)
        existing = await uow.officers.get(who.chat_id)
        wards = existing.wards if existing else ()
        await uow.officers.save(Officer(who.chat_id, wards, locale), invited_by=0)
        await uow.officers.audit(who.chat_id, "officer_joined", {})
        state = FlowState("officer_wards", "officer_wards", {"wards": list(wards)})
        await uow.staff.put_flow(who.chat_id, state)
        return (
            Outgoing(_("Welcome. You are now registered as an officer.")),
            Outgoing.of(self.screen(state)),
        )

    async def change_wards(self, uow: UnitOfWork, officer: Officer) -> Outgoing:
        state = FlowState("officer_wards", "officer_wards", {"wards": list(officer.wards)})
        await uow.staff.put_flow(officer.user_id, state)
        return Outgoing.of(self.screen(state))

    async def start_action(self, uow: UnitOfWork, officer: Officer) -> Outgoing:
        if not officer.wards:
            return Outgoing(_("Choose your wards first with /mywards."))
        state = FlowState("action", "action_ward", {})
        await uow.staff.put_flow(officer.user_id, state)
        return Outgoing.of(self.screen(state, officer))

    def screen(self, state: FlowState, officer: Officer | None = None) -> Screen:
        step = state.step
        if step == "officer_wards":
            chosen = set(state.data.get("wards", []))
            buttons = [
                Button(
                    _("✅ {choice}").format(choice=w.name) if w.id in chosen else w.name,
                    _cb(step, "ward", w.id),
                )
                for w in self.areas.wards
            ]
            rows: list[tuple[Button, ...]] = [
                tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)
            ]
            rows.append((Button(pgettext("button", "Done"), _cb(step, "done")),))
            return Screen(_("Which wards do you work in? Tap to choose, then Done."), tuple(rows))
        if step == "action_ward":
            wards = officer.wards if officer else tuple(state.data.get("officer_wards", []))
            rows = [
                (Button(w.name, _cb(step, "ward", w.id)),)
                for w in self.areas.wards
                if w.id in wards
            ]
            return Screen(_("Which ward is the action for?"), tuple(rows))
        if step == "action_priority":
            rows = [
                (Button(data_text(label), _cb(step, "priority", cid)),)
                for cid, label in self.priorities().items()
            ]
            return Screen(_("Which of residents' priorities does it answer?"), tuple(rows))
        if step == "action_text":
            return Screen(
                _(
                    "Describe what your team did or will do, in English, in one or two "
                    "sentences (for example: extra patrols near the park on Friday evenings)."
                )
            )
        if step == "action_tr_text":
            return Screen(
                _("The text in {language}?").format(
                    language=language_name(str(state.data.get("current_language", "en")))
                )
            )
        if step == "action_translations":
            return language_versions_screen(step, state.data.get("texts", {}))
        ward = self.areas.ward(str(state.data.get("ward", "")))
        return Screen(
            _(
                'Residents of {ward} who asked for "you said, we did" updates will get:\n\n{text}'
            ).format(
                ward=ward.name if ward else "", text=state.data.get("texts", {}).get("en", "")
            ),
            (
                (
                    Button(pgettext("button", "Send"), _cb(step, "post")),
                    Button(pgettext("button", "Discard"), _cb(step, "discard")),
                ),
            ),
        )

    async def text(
        self, uow: UnitOfWork, officer: Officer, state: FlowState, text: str
    ) -> tuple[Outgoing, ...]:
        value = text.strip()
        if state.step not in ("action_text", "action_tr_text"):
            return (
                Outgoing(_("Please use the buttons.")),
                Outgoing.of(self.screen(state, officer)),
            )
        if not value or len(value) > ACTION_MAX:
            return (
                Outgoing(
                    _("Please keep it to {limit} characters or fewer.").format(limit=ACTION_MAX)
                ),
            )
        language = "en" if state.step == "action_text" else str(state.data["current_language"])
        texts = {**state.data.get("texts", {}), language: value}
        following = _move(state, "action_translations", texts=texts)
        await uow.staff.put_flow(officer.user_id, following)
        return (Outgoing.of(self.screen(following, officer)),)

    async def tap(
        self, uow: UnitOfWork, officer: Officer, state: FlowState, action: str, arg: str
    ) -> Reply | tuple[Outgoing, ...] | str:
        """New messages, or a toast (str) when the tap does not fit."""
        step = state.step
        following: FlowState | None = None
        if step == "officer_wards":
            chosen = list(state.data.get("wards", []))
            if action == "ward" and self.areas.ward(arg):
                chosen.remove(arg) if arg in chosen else chosen.append(arg)
                following = _move(state, step, wards=chosen)
            elif action == "done":
                if not chosen:
                    return _("Please choose at least one ward.")
                await uow.officers.save(
                    Officer(officer.user_id, tuple(chosen), officer.locale), invited_by=0
                )
                await uow.staff.clear_flow(officer.user_id)
                names = ", ".join(w.name for w in self.areas.wards if w.id in chosen)
                return (
                    Outgoing(
                        _(
                            "Saved. Your wards: {wards}.\n\nYou will get a digest every week; "
                            "/digest gives one now, and /action tells residents what your team "
                            "did about their priorities."
                        ).format(wards=names),
                        edit=True,
                    ),
                )
        elif step == "action_ward" and action == "ward" and arg in officer.wards:
            following = _move(state, "action_priority", ward=arg)
        elif step == "action_priority" and action == "priority" and arg in self.priorities():
            following = _move(state, "action_text", priority=arg)
        elif step == "action_translations" and action == "lang" and arg in supported_locales():
            following = _move(state, "action_tr_text", current_language=arg)
        elif step == "action_translations" and action == "continue":
            following = _move(state, "action_preview")
        elif step == "action_preview" and action == "discard":
            await uow.staff.clear_flow(officer.user_id)
            return (Outgoing(_("Discarded."), edit=True),)
        elif step == "action_preview" and action == "post":
            return await self._post(uow, officer, state)
        if following is None:
            return _("Sorry, I didn't understand that button.")
        await uow.staff.put_flow(officer.user_id, following)
        return (Outgoing.of(self.screen(following, officer), edit=True),)

    async def _post(self, uow: UnitOfWork, officer: Officer, state: FlowState) -> Reply:
        ward, priority = str(state.data["ward"]), str(state.data["priority"])
        texts = dict(state.data.get("texts", {}))
        action_id = await uow.officers.add_action(officer.user_id, ward, priority, texts)
        broadcast = Broadcast(
            kind="update", topic="updates", texts=texts, wards=(ward,), created_by=officer.user_id
        )
        recipients = await uow.broadcasts.audience("updates", (ward,))
        broadcast_id = await self.engine.create(uow, broadcast, recipients)
        await uow.officers.link_action(action_id, broadcast_id)
        await uow.staff.clear_flow(officer.user_id)
        with use_locale(officer.locale):
            text = _(
                "Posted. {count} residents who asked for updates will get it; the next digest "
                "lists it."
            ).format(count=len(recipients))
        return StaffReply(
            officer.locale,
            (Outgoing(text, edit=True), Outgoing(_("Starting…"), apart=True)),
            broadcast_id=broadcast_id,
        )
