"""Admins: creating and managing events, broadcasting notices, managing other admins.

Every staff action checks, on every update (commands, text and button taps alike), that the
sender is an admin: configured in ``NV_ADMIN_IDS`` or added by another admin. Staff flows use
the same mechanism as residents' flows: a :class:`FlowState` row (``staff_conversations``)
read and written in one transaction per update, and buttons ``a:<step>:<action>:<arg>``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from bot.areas import AreaDirectory
from bot.broadcasts import BroadcastEngine
from bot.digest_service import DigestService
from bot.disclosure import Period
from bot.events import event_buttons, event_text, parse_local_datetime
from bot.i18n import (
    _,
    format_datetime,
    language_name,
    pgettext,
    resolve_locale,
    supported_locales,
    use_locale,
)
from bot.messages import Button, CallbackData, Incoming, Outgoing, Reply, Screen, StaffReply
from bot.notice_prefs import topic_label
from bot.officers import OFFICER_FLOWS, OfficerFlows, language_versions_screen
from storage.models import Broadcast, BroadcastStats, Event, FlowState
from storage.officers import Officer
from storage.repositories import Store, UnitOfWork

__all__ = ["ScheduledDigest", "StaffReply", "StaffService", "progress_text"]

logger = logging.getLogger("neighbourhood_voice.staff")

TITLE_MAX, DESCRIPTION_MAX, PLACE_MAX, ADDRESS_MAX, NOTICE_MAX = 120, 1500, 120, 200, 3000
EDITABLE = ("title", "description", "start", "end", "place", "address")


@dataclass(frozen=True, slots=True)
class ScheduledDigest:
    """One officer's scheduled digest, ready to send."""

    officer_id: int
    locale: str
    period: Period
    messages: tuple[Outgoing, ...]


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


class StaffService:
    def __init__(
        self,
        store: Store,
        areas: AreaDirectory,
        engine: BroadcastEngine,
        *,
        config_admins: frozenset[int],
        timezone: tzinfo,
        default_locale: str = "en",
        on_event_changed: Callable[[Event], Awaitable[None]] | None = None,
        officers: OfficerFlows | None = None,
        digests: DigestService | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.officers = officers
        self.digests = digests
        self.store = store
        self.areas = areas
        self.engine = engine
        self.config_admins = config_admins
        self.timezone = timezone
        self.default_locale = default_locale
        self.on_event_changed = on_event_changed
        self._now = now

    # -- helpers -------------------------------------------------------------------------
    def _locale(self, who: Incoming) -> str:
        return resolve_locale(None, who.telegram_locale, self.default_locale)

    async def _is_admin(self, uow: UnitOfWork, user_id: int) -> bool:
        return user_id in self.config_admins or user_id in await uow.staff.admin_ids()

    def _refused(self, locale: str, *, tap: bool = False) -> StaffReply:
        text = _("Sorry, only admins can do that.")
        if tap:
            return StaffReply(locale, toast=text, toast_alert=True)
        return StaffReply(locale, (Outgoing(text),))

    @staticmethod
    def _cb(step: str, action: str, arg: str = "") -> CallbackData:
        return CallbackData("a", step, action, arg)

    @staticmethod
    def _move(state: FlowState, step: str, **data: Any) -> FlowState:
        return FlowState(state.flow, step, {**state.data, **data}, state.revision + 1)

    def _when(self, moment: datetime) -> str:
        return format_datetime(moment, self.timezone)

    def _ward_toggles(self, state: FlowState) -> Screen:
        chosen = set(state.data.get("wards", []))
        buttons = []
        for ward in self.areas.wards:
            label = _("✅ {choice}").format(choice=ward.name) if ward.id in chosen else ward.name
            buttons.append(Button(label, self._cb(state.step, "ward", ward.id)))
        rows: list[tuple[Button, ...]] = [
            tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)
        ]
        rows.append(
            (
                Button(pgettext("button", "Whole borough"), self._cb(state.step, "borough")),
                Button(pgettext("button", "Done"), self._cb(state.step, "wards_done")),
            )
        )
        return Screen(
            _("Which wards is this for? Tap wards to choose them, or choose the whole borough."),
            tuple(rows),
        )

    def _event_from(self, data: Mapping[str, Any], created_by: int) -> Event:
        return Event(
            title=data["title"],
            description=data["description"],
            translations=data.get("translations", {}),
            starts_at=datetime.fromisoformat(data["start"]),
            ends_at=datetime.fromisoformat(data["end"]),
            place_name=data["place"],
            place_address=data["address"],
            wards=tuple(data["wards"]) if data.get("wards") else None,
            capacity=data.get("capacity"),
            created_by=created_by,
        )

    # -- screens -------------------------------------------------------------------------
    def screen(self, state: FlowState) -> Screen:
        step = state.step
        prompts = {
            "title": _("New event. What is its title (in English)?"),
            "description": _("Describe the event in a few sentences (in English)."),
            "tr_title": _("The title in {language}?"),
            "tr_description": _("The description in {language}?"),
            "start": _(
                "When does it start? Local time, like 2026-12-01 18:30 or 01/12/2026 18:30."
            ),
            "end": _("When does it end? Local time, like 2026-12-01 20:00."),
            "place": _("Where is it? The name of the place."),
            "address": _("The address of the place?"),
            "capacity": _("How many people can come? Type a number, or tap No limit."),
            "notice_text": _("Type the notice in English."),
            "tr_notice": _("The notice in {language}?"),
            "edit_value": _("Type the new value."),
        }
        if step in prompts:
            text = prompts[step].format(
                language=language_name(str(state.data.get("current_language", "en")))
            )
            rows: tuple[tuple[Button, ...], ...] = ()
            if step == "capacity":
                rows = ((Button(pgettext("button", "No limit"), self._cb(step, "no_limit")),),)
            return Screen(text, rows)
        if step in ("translations", "notice_translations"):
            return language_versions_screen(step, state.data.get("translations", {}))
        if step in ("wards", "notice_wards"):
            return self._ward_toggles(state)
        if step == "preview":
            return self._event_preview(state)
        if step == "kind":
            return Screen(
                _("What would you like to send?"),
                (
                    (Button(pgettext("button", "A notice"), self._cb(step, "notice")),),
                    (Button(pgettext("button", "An event"), self._cb(step, "event")),),
                ),
            )
        if step == "pick_event":
            rows = tuple(
                (Button(f"{e['title']} · {e['when']}", self._cb(step, "event", str(e["id"]))),)
                for e in state.data.get("choices", [])
            )
            return Screen(_("Which event?"), rows)
        if step == "topic":
            return Screen(
                _("What kind of notice is it?"),
                tuple(
                    (Button(topic_label(t), self._cb(step, "topic", t)),)
                    for t in ("safety", "updates", "events")
                ),
            )
        if step == "urgency":
            return Screen(
                _(
                    "Is it urgent? Urgent safety notices go out at once, even at night, and "
                    "do not count towards residents' weekly limit."
                ),
                (
                    (Button(pgettext("button", "Urgent"), self._cb(step, "urgent", "1")),),
                    (Button(pgettext("button", "Not urgent"), self._cb(step, "urgent", "0")),),
                ),
            )
        if step == "broadcast_preview":
            return self._broadcast_preview(state)
        if step == "edit_field":
            labels = {
                "title": pgettext("event field", "Title"),
                "description": pgettext("event field", "Description"),
                "start": pgettext("event field", "Start"),
                "end": pgettext("event field", "End"),
                "place": pgettext("event field", "Place"),
                "address": pgettext("event field", "Address"),
            }
            return Screen(
                _("What would you like to change?"),
                tuple((Button(labels[f], self._cb(step, "field", f)),) for f in EDITABLE),
            )
        if step == "edit_preview":
            return self._event_preview(state, editing=True)
        return Screen(_("Send /cancel to stop."))

    def _event_preview(self, state: FlowState, *, editing: bool = False) -> Screen:
        event = replace(self._event_from(state.data, 0), id=int(state.data.get("event_id", 0)))
        with use_locale("en"):
            card = event_text(event, self.timezone)
            resident_buttons = event_buttons(event)
        preview_rows = tuple(
            tuple(Button(b.label, self._cb(state.step, "noop")) for b in row)
            for row in resident_buttons
        )
        wards = state.data.get("wards") or []
        audience = (
            ", ".join(w.name for w in self.areas.wards if w.id in wards)
            if wards
            else _("the whole borough")
        )
        if editing:
            intro = _(
                "This is how the changed event will look. Residents who said they are coming "
                "or might come will be told about the change."
            )
            actions = (
                Button(pgettext("button", "Save and notify"), self._cb(state.step, "save")),
                Button(pgettext("button", "Discard"), self._cb(state.step, "discard")),
            )
        else:
            intro = _(
                "This is how residents will see it (for {audience}). Publishing also announces "
                "it to residents there who asked for event notices."
            ).format(audience=audience)
            actions = (
                Button(pgettext("button", "Publish"), self._cb(state.step, "publish")),
                Button(pgettext("button", "Discard"), self._cb(state.step, "discard")),
            )
        return Screen(
            _("{intro}\n\n———\n\n{card}").format(intro=intro, card=card),
            (*preview_rows, actions),
        )

    def _broadcast_preview(self, state: FlowState) -> Screen:
        count = int(state.data.get("audience_count", 0))
        if state.data.get("kind") == "event":
            body = _("The event “{title}”.").format(title=state.data.get("event_title", ""))
        else:
            body = str(state.data.get("text", ""))
        intro = _("This will go to {count} residents, each in their own language:").format(
            count=count
        )
        return Screen(
            _("{intro}\n\n———\n\n{body}").format(intro=intro, body=body),
            (
                (
                    Button(pgettext("button", "Send"), self._cb(state.step, "send")),
                    Button(pgettext("button", "Discard"), self._cb(state.step, "discard")),
                ),
            ),
        )

    # -- input ---------------------------------------------------------------------------
    def _text_step(self, state: FlowState, text: str) -> tuple[FlowState | None, str | None]:
        """The next state for typed input, or (None, why) when the input is not valid."""
        step, value = state.step, text.strip()
        limits = {
            "title": TITLE_MAX,
            "description": DESCRIPTION_MAX,
            "tr_title": TITLE_MAX,
            "tr_description": DESCRIPTION_MAX,
            "place": PLACE_MAX,
            "address": ADDRESS_MAX,
            "notice_text": NOTICE_MAX,
            "tr_notice": NOTICE_MAX,
        }
        if step in limits:
            if not value:
                return None, _("Please type some text.")
            if len(value) > limits[step]:
                return None, _("Please keep it to {limit} characters or fewer.").format(
                    limit=limits[step]
                )
        if step == "title":
            return self._move(state, "description", title=value), None
        if step == "description":
            return self._move(state, "translations", description=value), None
        if step == "tr_title":
            return self._move(state, "tr_description", tr_title=value), None
        if step == "tr_description":
            language = str(state.data["current_language"])
            versions = {
                **state.data.get("translations", {}),
                language: {"title": state.data.get("tr_title", ""), "description": value},
            }
            return self._move(state, "translations", translations=versions), None
        if step in ("start", "end"):
            moment = parse_local_datetime(value, self.timezone)
            if moment is None:
                return None, _("I could not read that time. Please type it like 2026-12-01 18:30.")
            if moment <= self._now():
                return None, _("That time has already passed.")
            if moment > self._now() + timedelta(days=400):
                return None, _("That is more than a year ahead.")
            if step == "start":
                return self._move(state, "end", start=moment.isoformat()), None
            if moment <= datetime.fromisoformat(state.data["start"]):
                return None, _("The end must be after the start ({start}).").format(
                    start=self._when(datetime.fromisoformat(state.data["start"]))
                )
            return self._move(state, "place", end=moment.isoformat()), None
        if step == "place":
            return self._move(state, "address", place=value), None
        if step == "address":
            return self._move(state, "wards", address=value, wards=[]), None
        if step == "capacity":
            if not value.isdigit() or not 1 <= int(value) <= 100_000:
                return None, _("Please type a number from 1 to 100000, or tap No limit.")
            return self._move(state, "preview", capacity=int(value)), None
        if step == "notice_text":
            return self._move(state, "notice_translations", text=value, texts={"en": value}), None
        if step == "tr_notice":
            language = str(state.data["current_language"])
            texts = {**state.data.get("texts", {}), language: value}
            versions = {**state.data.get("translations", {}), language: {}}
            return (
                self._move(state, "notice_translations", texts=texts, translations=versions),
                None,
            )
        if step == "edit_value":
            field = str(state.data["field"])
            changed = dict(state.data)
            if field in ("start", "end"):
                moment = parse_local_datetime(value, self.timezone)
                if moment is None or moment <= self._now():
                    return None, _("I could not read that time, or it has passed.")
                changed[field] = moment.isoformat()
                if datetime.fromisoformat(changed["end"]) <= datetime.fromisoformat(
                    changed["start"]
                ):
                    return None, _("The end must be after the start.")
            else:
                limit = {"title": TITLE_MAX, "description": DESCRIPTION_MAX}.get(field, PLACE_MAX)
                if not value or len(value) > limit:
                    return None, _("Please keep it to {limit} characters or fewer.").format(
                        limit=limit
                    )
                changed[field] = value
            return FlowState(state.flow, "edit_preview", changed, state.revision + 1), None
        return None, _("Please use the buttons.")

    async def _tap_step(
        self, uow: UnitOfWork, user_id: int, state: FlowState, action: str, arg: str
    ) -> tuple[FlowState | None, str | None, StaffReply | None]:
        """(next state, why not, a finished reply) for a button in a staff flow."""
        step = state.step
        if action == "noop":
            return None, _("This is a preview."), None
        if step in ("translations", "notice_translations"):
            if action == "lang" and arg in supported_locales() and arg != "en":
                nxt = "tr_title" if step == "translations" else "tr_notice"
                return self._move(state, nxt, current_language=arg), None, None
            if action == "continue":
                nxt = "start" if step == "translations" else "notice_wards"
                return self._move(state, nxt, wards=state.data.get("wards", [])), None, None
        if step in ("wards", "notice_wards"):
            chosen = list(state.data.get("wards", []))
            if action == "ward" and self.areas.ward(arg):
                chosen.remove(arg) if arg in chosen else chosen.append(arg)
                return self._move(state, step, wards=chosen), None, None
            if action in ("borough", "wards_done"):
                wards = [] if action == "borough" else chosen
                if step == "wards":
                    return self._move(state, "capacity", wards=wards), None, None
                topic = "events" if state.data.get("kind") == "event" else state.data["topic"]
                audience = await uow.broadcasts.audience(topic, wards or None)
                return (
                    self._move(
                        state, "broadcast_preview", wards=wards, audience_count=len(audience)
                    ),
                    None,
                    None,
                )
        if step == "capacity" and action == "no_limit":
            return self._move(state, "preview", capacity=None), None, None
        if step in ("preview", "edit_preview", "broadcast_preview") and action == "discard":
            await uow.staff.clear_flow(user_id)
            return (
                None,
                None,
                StaffReply(self.default_locale, (Outgoing(_("Discarded."), edit=True),)),
            )
        if step == "preview" and action == "publish":
            return None, None, await self._publish(uow, user_id, state)
        if step == "edit_preview" and action == "save":
            return None, None, await self._save_edit(uow, user_id, state)
        if step == "broadcast_preview" and action == "send":
            return None, None, await self._send(uow, user_id, state)
        if step == "kind" and action == "notice":
            return self._move(state, "topic", kind="notice"), None, None
        if step == "kind" and action == "event":
            events = await uow.events.all_upcoming(self._now())
            if not events:
                return None, _("There are no upcoming events. Create one with /newevent."), None
            choices = [
                {"id": e.id, "title": e.title[:30], "when": self._when(e.starts_at)}
                for e in events[:20]
            ]
            return self._move(state, "pick_event", kind="event", choices=choices), None, None
        if step == "pick_event" and action == "event" and arg.isdigit():
            event = await uow.events.get(int(arg))
            if event is None or event.status != "published":
                return None, _("That event is not available."), None
            return (
                self._move(
                    state,
                    "notice_wards",
                    event_id=event.id,
                    event_title=event.title,
                    wards=list(event.wards or []),
                ),
                None,
                None,
            )
        if step == "topic" and action == "topic" and arg in ("safety", "updates", "events"):
            nxt = "urgency" if arg == "safety" else "notice_text"
            return self._move(state, nxt, topic=arg, urgent=False), None, None
        if step == "urgency" and action == "urgent" and arg in ("0", "1"):
            return self._move(state, "notice_text", urgent=arg == "1"), None, None
        if step == "edit_field" and action == "field" and arg in EDITABLE:
            return self._move(state, "edit_value", field=arg), None, None
        return None, _("Sorry, I didn't understand that button."), None

    # -- effects -------------------------------------------------------------------------
    async def _publish(self, uow: UnitOfWork, user_id: int, state: FlowState) -> StaffReply:
        event = self._event_from(state.data, user_id)
        event_id = await uow.events.add(event)
        event = replace(event, id=event_id)
        await uow.staff.clear_flow(user_id)
        recipients = await uow.broadcasts.audience("events", event.wards)
        broadcast = Broadcast(
            kind="event",
            topic="events",
            texts={},
            wards=event.wards,
            created_by=user_id,
            event_id=event_id,
        )
        broadcast_id = await self.engine.create(uow, broadcast, recipients)
        if self.on_event_changed is not None:
            await self.on_event_changed(event)
        text = _(
            "Published: event #{id}. Residents can find it with /events. Announcing it to "
            "{count} residents who asked for event notices."
        ).format(id=event_id, count=len(recipients))
        return StaffReply(
            self.default_locale,
            (Outgoing(text, edit=True), Outgoing(_("Starting…"), apart=True)),
            broadcast_id=broadcast_id,
        )

    async def _save_edit(self, uow: UnitOfWork, user_id: int, state: FlowState) -> StaffReply:
        event_id = int(state.data["event_id"])
        stored = await uow.events.get(event_id)
        if stored is None or stored.status != "published":
            await uow.staff.clear_flow(user_id)
            return StaffReply(self.default_locale, (Outgoing(_("That event is not available.")),))
        changed = replace(
            self._event_from(state.data, stored.created_by), id=event_id, status=stored.status
        )
        await uow.events.save(changed)
        await uow.staff.clear_flow(user_id)
        return await self._notify_attendees(uow, user_id, changed, "changed")

    async def _notify_attendees(
        self, uow: UnitOfWork, user_id: int, event: Event, change: str
    ) -> StaffReply:
        assert event.id is not None
        recipients = await uow.events.attendees(event.id, ("going", "maybe"))
        broadcast = Broadcast(
            kind="event_change",
            topic="events",
            texts={"change": change},
            wards=event.wards,
            created_by=user_id,
            event_id=event.id,
        )
        broadcast_id = await self.engine.create(uow, broadcast, recipients)
        if self.on_event_changed is not None:
            await self.on_event_changed(event)
        if change == "cancelled":
            text = _("Event #{id} is cancelled. Telling the {count} residents who were coming.")
        else:
            text = _("Event #{id} is changed. Telling the {count} residents who were coming.")
        return StaffReply(
            self.default_locale,
            (
                Outgoing(text.format(id=event.id, count=len(recipients)), edit=True),
                Outgoing(_("Starting…"), apart=True),
            ),
            broadcast_id=broadcast_id,
        )

    async def _send(self, uow: UnitOfWork, user_id: int, state: FlowState) -> StaffReply:
        data = state.data
        wards = tuple(data.get("wards") or ()) or None
        if data.get("kind") == "event":
            broadcast = Broadcast(
                kind="event",
                topic="events",
                texts={},
                wards=wards,
                created_by=user_id,
                event_id=int(data["event_id"]),
            )
        else:
            broadcast = Broadcast(
                kind="update" if data["topic"] == "updates" else "notice",
                topic=str(data["topic"]),
                texts=dict(data.get("texts", {})),
                wards=wards,
                created_by=user_id,
                urgent=bool(data.get("urgent")),
            )
        recipients = await uow.broadcasts.audience(broadcast.topic, wards)
        broadcast_id = await self.engine.create(uow, broadcast, recipients)
        await uow.staff.clear_flow(user_id)
        text = _("Broadcast #{id} is queued for {count} residents.").format(
            id=broadcast_id, count=len(recipients)
        )
        return StaffReply(
            self.default_locale,
            (Outgoing(text, edit=True), Outgoing(_("Starting…"), apart=True)),
            broadcast_id=broadcast_id,
        )

    # -- entry points --------------------------------------------------------------------
    @staticmethod
    async def _claim(uow: UnitOfWork, who: Incoming) -> bool:
        """False for an update handled before a crash (Telegram redelivers what the process
        had not confirmed); the claim commits or rolls back with the unit of work."""
        if who.update_id is None:
            return True
        return await uow.updates.claim(who.update_id)

    async def _begin(self, who: Incoming, state: FlowState) -> StaffReply:
        locale = self._locale(who)
        async with self.store.unit() as uow:
            with use_locale(locale):
                if not await self._is_admin(uow, who.chat_id):
                    return self._refused(locale)
                if not await self._claim(uow, who):
                    return StaffReply(locale)
                await uow.staff.put_flow(who.chat_id, state)
                return StaffReply(locale, (Outgoing.of(self.screen(state)),))

    async def new_event(self, who: Incoming) -> StaffReply:
        return await self._begin(who, FlowState("new_event", "title", {}))

    async def broadcast(self, who: Incoming) -> StaffReply:
        return await self._begin(who, FlowState("broadcast", "kind", {}))

    async def text(self, who: Incoming, text: str) -> StaffReply | None:
        """Typed input for a staff flow; None when the sender has none in progress."""
        locale = self._locale(who)
        async with self.store.unit() as uow:
            state = await uow.staff.flow(who.chat_id)
            if state is None:
                return None
            if not await self._claim(uow, who):
                return StaffReply(locale)  # handled before a crash: say nothing twice
            with use_locale(locale):
                if state.flow in OFFICER_FLOWS and self.officers is not None:
                    officer = await self._officer(uow, who.chat_id)
                    if officer is None:
                        await uow.staff.clear_flow(who.chat_id)
                        return self._refused(locale)
                    with use_locale(officer.locale):
                        messages = await self.officers.text(uow, officer, state, text)
                    return StaffReply(officer.locale, messages)
                if not await self._is_admin(uow, who.chat_id):
                    await uow.staff.clear_flow(who.chat_id)
                    return self._refused(locale)
                following, why = self._text_step(state, text)
                if following is None:
                    return StaffReply(
                        locale, (Outgoing(why or ""), Outgoing.of(self.screen(state)))
                    )
                await uow.staff.put_flow(who.chat_id, following)
                return StaffReply(locale, (Outgoing.of(self.screen(following)),))

    async def tap(self, who: Incoming, data: CallbackData) -> StaffReply:
        """A button of a staff flow ("a") or of the event manager ("m")."""
        locale = self._locale(who)
        async with self.store.unit() as uow:
            with use_locale(locale):
                officer_state = None
                if data.flow == "a" and self.officers is not None:
                    state = await uow.staff.flow(who.chat_id)
                    if state is not None and state.flow in OFFICER_FLOWS:
                        officer_state = state
                if officer_state is None and not await self._is_admin(uow, who.chat_id):
                    return self._refused(locale, tap=True)
                # Claimed only once the sender is known to be staff: a resident's forged tap
                # must not leave their Telegram id here.
                if not await self._claim(uow, who):
                    return StaffReply(locale)
                if officer_state is not None:
                    return await self._officer_tap(uow, who, locale, officer_state, data)
                if data.flow == "r" and self.officers is not None and data.step.isdigit():
                    revoked = await self.officers.revoke(uow, who.chat_id, int(data.step))
                    return StaffReply(locale, (revoked,))
                if data.flow == "m":
                    return await self._manage_tap(uow, who.chat_id, locale, data)
                state = await uow.staff.flow(who.chat_id)
                if state is None or state.step != data.step:
                    return StaffReply(
                        locale,
                        toast=_("That button belongs to an earlier message."),
                        toast_alert=True,
                    )
                following, why, finished = await self._tap_step(
                    uow, who.chat_id, state, data.action, data.arg
                )
                if finished is not None:
                    return replace(finished, locale=locale)
                if following is None:
                    return StaffReply(locale, toast=why, toast_alert=True)
                await uow.staff.put_flow(who.chat_id, following)
                return StaffReply(locale, (Outgoing.of(self.screen(following), edit=True),))

    async def _officer(self, uow: UnitOfWork, user_id: int) -> Officer | None:
        officer = await uow.officers.get(user_id)
        return officer if officer is not None and officer.active else None

    async def _officer_tap(
        self, uow: UnitOfWork, who: Incoming, locale: str, state: FlowState, data: CallbackData
    ) -> StaffReply:
        assert self.officers is not None
        officer = await self._officer(uow, who.chat_id)
        if officer is None:
            return self._refused(locale, tap=True)
        if state.step != data.step:
            return StaffReply(
                locale, toast=_("That button belongs to an earlier message."), toast_alert=True
            )
        with use_locale(officer.locale):
            outcome = await self.officers.tap(uow, officer, state, data.action, data.arg)
        if isinstance(outcome, str):
            return StaffReply(officer.locale, toast=outcome, toast_alert=True)
        if isinstance(outcome, StaffReply):
            return outcome
        if isinstance(outcome, Reply):
            return StaffReply(outcome.locale, outcome.messages)
        return StaffReply(officer.locale, outcome)

    async def officer_command(self, who: Incoming, command: str, argument: str) -> StaffReply:
        """/officer CODE for anyone; /mywards and /action for officers; /invite, /officers and
        /audit for admins."""
        assert self.officers is not None
        locale = self._locale(who)
        async with self.store.unit() as uow:
            officer = await self._officer(uow, who.chat_id)
            admin = await self._is_admin(uow, who.chat_id)
            known = officer is not None or admin
            if known and not await self._claim(uow, who):
                return StaffReply(locale)  # handled before a crash: an invite is made once
            with use_locale(locale):
                if command == "officer":
                    messages = await self.officers.redeem(uow, who, argument.strip(), locale)
                    if not known and await self._officer(uow, who.chat_id) is not None:
                        # Redeemed: a redelivery must not be told the used code is not valid.
                        await self._claim(uow, who)
                    return StaffReply(locale, messages)
                if command in ("mywards", "action"):
                    if officer is None:
                        return StaffReply(
                            locale, (Outgoing(_("Sorry, only officers can do that.")),)
                        )
                    with use_locale(officer.locale):
                        if command == "mywards":
                            message = await self.officers.change_wards(uow, officer)
                        else:
                            message = await self.officers.start_action(uow, officer)
                    return StaffReply(officer.locale, (message,))
                if not admin:
                    return self._refused(locale)
                if command == "invite":
                    return StaffReply(locale, (await self.officers.invite(uow, who.chat_id),))
                if command == "officers":
                    return StaffReply(locale, await self.officers.list_officers(uow))
                return StaffReply(locale, (await self.officers.audit_log(uow),))

    async def _officer_and_locale(
        self, uow: UnitOfWork, who: Incoming
    ) -> tuple[Officer | None, str]:
        """The officer, if the user is one, and the language to answer in: theirs, else the
        one Telegram reports."""
        officer = await self._officer(uow, who.chat_id)
        return officer, officer.locale if officer else self._locale(who)

    async def _digest_scopes(self, uow: UnitOfWork, user_id: int) -> tuple[tuple[str, ...], bool]:
        """The wards a user may see, and whether the borough too (admins only)."""
        if await self._is_admin(uow, user_id):
            return tuple(w.id for w in self.areas.wards), True
        officer = await self._officer(uow, user_id)
        return (officer.wards if officer else ()), False

    async def digest_menu(self, who: Incoming) -> StaffReply:
        """/digest: choose a ward (or all one's wards), then a period."""
        assert self.digests is not None
        async with self.store.unit() as uow:
            officer, locale = await self._officer_and_locale(uow, who)
            with use_locale(locale):
                wards, borough = await self._digest_scopes(uow, who.chat_id)
                if not wards:
                    return StaffReply(
                        locale, (Outgoing(_("Sorry, only officers and admins can do that.")),)
                    )
                if officer is not None:
                    wards = officer.wards
                rows = self.digests.scope_buttons(wards, borough=borough)
                return StaffReply(locale, (Outgoing(_("Which digest would you like?"), rows),))

    async def digest_tap(self, who: Incoming, data: CallbackData) -> StaffReply:
        """A scope or period button; checked against the user's wards on every tap."""
        assert self.digests is not None
        async with self.store.unit() as uow:
            officer, locale = await self._officer_and_locale(uow, who)
            with use_locale(locale):
                allowed, borough = await self._digest_scopes(uow, who.chat_id)
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
        assert self.digests is not None
        locale = self._locale(who)
        async with self.store.unit() as uow:
            with use_locale(locale):
                if not await self._is_admin(uow, who.chat_id):
                    return self._refused(locale)
                period = self.digests.recent_periods(1)[0]
                document = await self.digests.export_csv(uow, who.chat_id, period)
                caption = _(
                    "Anonymised figures for {period}, every ward. Small counts are suppressed "
                    "and the rest rounded; there are no individual answers or comments."
                ).format(period=self.digests.period_text(period))
                return StaffReply(locale, (Outgoing(caption, document=document),))

    async def scheduled_digests(self) -> list[ScheduledDigest]:
        """For the scheduled job: the digest now due to each officer who has not had it.

        The job runs daily and at start, so a digest that fell due while the bot was down
        still goes; :meth:`scheduled_digest_sent` records each one sent, so it goes once
        (twice at most for the one officer being sent to if the process dies mid-send).
        Officers who joined after it fell due wait for the next one.
        """
        assert self.digests is not None
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

    async def scheduled_digest_sent(self, digest: ScheduledDigest) -> None:
        async with self.store.unit() as uow:
            await uow.officers.scheduled_digest_delivered(
                digest.officer_id, digest.period.start.isoformat()
            )

    async def cancel(self, who: Incoming) -> StaffReply | None:
        """Drop a staff flow in progress; None when there is none (the resident /cancel runs)."""
        async with self.store.unit() as uow:
            if await uow.staff.flow(who.chat_id) is None:
                return None
            await uow.staff.clear_flow(who.chat_id)
        locale = self._locale(who)
        with use_locale(locale):
            return StaffReply(locale, (Outgoing(_("Cancelled. Nothing was saved.")),))

    async def manage_events(self, who: Incoming) -> StaffReply:
        locale = self._locale(who)
        async with self.store.unit() as uow:
            with use_locale(locale):
                if not await self._is_admin(uow, who.chat_id):
                    return self._refused(locale)
                events = await uow.events.all_upcoming(self._now())
                if not events:
                    return StaffReply(
                        locale,
                        (Outgoing(_("There are no upcoming events. Create one with /newevent.")),),
                    )
                messages = []
                for event in events[:20]:
                    assert event.id is not None
                    counts = await uow.events.rsvp_counts(event.id)
                    text = _(
                        "#{id} {title}\n{when}\nGoing: {going}, maybe: {maybe}, not going: "
                        "{not_going}"
                    ).format(
                        id=event.id,
                        title=event.title,
                        when=self._when(event.starts_at),
                        going=counts["going"],
                        maybe=counts["maybe"],
                        not_going=counts["not_going"],
                    )
                    key = str(event.id)
                    rows = (
                        (
                            Button(pgettext("button", "Change"), CallbackData("m", key, "edit")),
                            Button(
                                pgettext("button", "Cancel event"),
                                CallbackData("m", key, "cancel"),
                            ),
                        ),
                    )
                    messages.append(Outgoing(text, rows))
                return StaffReply(locale, tuple(messages))

    async def _manage_tap(
        self, uow: UnitOfWork, user_id: int, locale: str, data: CallbackData
    ) -> StaffReply:
        event = await uow.events.get(int(data.step)) if data.step.isdigit() else None
        if event is None or event.status != "published":
            return StaffReply(locale, toast=_("That event is not available."), toast_alert=True)
        key = str(event.id)
        if data.action == "cancel":
            rows = (
                (
                    Button(
                        pgettext("button", "Yes, cancel it"), CallbackData("m", key, "cancel_yes")
                    ),
                    Button(pgettext("button", "No"), CallbackData("m", key, "keep")),
                ),
            )
            text = _("Cancel “{title}”? Everyone who said they are coming will be told.").format(
                title=event.title
            )
            return StaffReply(locale, (Outgoing(text, rows, edit=True),))
        if data.action == "keep":
            return StaffReply(locale, (Outgoing(_("Nothing was changed."), edit=True),))
        if data.action == "cancel_yes":
            cancelled = replace(event, status="cancelled")
            await uow.events.save(cancelled)
            return replace(
                await self._notify_attendees(uow, user_id, cancelled, "cancelled"), locale=locale
            )
        if data.action == "edit":
            state = FlowState(
                "edit_event",
                "edit_field",
                {
                    "event_id": event.id,
                    "title": event.title,
                    "description": event.description,
                    "translations": event.translations,
                    "start": event.starts_at.isoformat(),
                    "end": event.ends_at.isoformat(),
                    "place": event.place_name,
                    "address": event.place_address,
                    "wards": list(event.wards or []),
                    "capacity": event.capacity,
                },
            )
            await uow.staff.put_flow(user_id, state)
            return StaffReply(locale, (Outgoing.of(self.screen(state)),))
        return StaffReply(locale, toast=_("Sorry, I didn't understand that button."))

    async def list_broadcasts(self, who: Incoming) -> StaffReply:
        locale = self._locale(who)
        async with self.store.unit() as uow:
            with use_locale(locale):
                if not await self._is_admin(uow, who.chat_id):
                    return self._refused(locale)
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

    async def admins(self, who: Incoming, command: str, argument: str) -> StaffReply:
        """/admins lists; /addadmin ID and /removeadmin ID change the list."""
        locale = self._locale(who)
        async with self.store.unit() as uow:
            with use_locale(locale):
                if not await self._is_admin(uow, who.chat_id):
                    return self._refused(locale)
                if command in ("addadmin", "removeadmin"):
                    if not argument.strip().isdigit():
                        return StaffReply(
                            locale,
                            (
                                Outgoing(
                                    _(
                                        "Please give a Telegram user id, like /{command} 12345."
                                    ).format(command=command)
                                ),
                            ),
                        )
                    target = int(argument.strip())
                    if command == "addadmin":
                        await uow.staff.add_admin(target, who.chat_id)
                        done = _("{id} is now an admin.").format(id=target)
                    elif target in self.config_admins:
                        done = _(
                            "{id} is an admin by configuration (NV_ADMIN_IDS) and cannot be "
                            "removed here."
                        ).format(id=target)
                    elif await uow.staff.remove_admin(target):
                        done = _("{id} is no longer an admin.").format(id=target)
                    else:
                        done = _("{id} was not an admin.").format(id=target)
                    return StaffReply(locale, (Outgoing(done),))
                added = sorted(await uow.staff.admin_ids())
                text = _(
                    "Admins by configuration: {configured}\nAdded by admins: {added}\n\n"
                    "Add one with /addadmin ID, remove with /removeadmin ID."
                ).format(
                    configured=", ".join(map(str, sorted(self.config_admins))) or "–",
                    added=", ".join(map(str, added)) or "–",
                )
                return StaffReply(locale, (Outgoing(text),))

    async def attach_report(
        self, broadcast_id: int, chat_id: int, message_id: int, locale: str
    ) -> None:
        """Progress is edited into this message, in ``locale``, the language of the reply."""
        async with self.store.unit() as uow:
            await uow.broadcasts.set_report(broadcast_id, chat_id, message_id, locale)
        self.engine.wake()
