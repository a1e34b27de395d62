"""An admin sends a notice, or announces an event again, to chosen wards (``/broadcast``).

Diagram: ``broadcast.mmd``. Each resident gets the version in their own language, or the
English text; the preview states how many residents it will reach.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, TypedDict, Unpack, cast

from bot.flows.base import ButtonInput, Input, SendBroadcast, TextInput, Transition
from bot.flows.notice_choices import topic_label
from bot.flows.staff_common import (
    NOTICE_MAX,
    StaffContext,
    StaffFlow,
    audience_picker,
    cb,
    language_versions_screen,
)
from bot.i18n import _, language_name, pgettext, supported_locales
from bot.messages import Button, Screen
from storage.models import Broadcast, FlowState

__all__ = ["BroadcastFlow", "Step"]

TOPICS = ("safety", "updates", "events")


class Step(StrEnum):
    KIND = "kind"
    TOPIC = "topic"
    URGENCY = "urgency"
    TEXT = "notice_text"
    TRANSLATIONS = "notice_translations"
    TR_TEXT = "tr_notice"
    PICK_EVENT = "pick_event"
    WARDS = "notice_wards"
    PREVIEW = "broadcast_preview"


class Choice(TypedDict):
    id: int
    title: str
    when: str


class Data(TypedDict, total=False):
    kind: Literal["notice", "event"]
    topic: str
    urgent: bool
    texts: dict[str, str]  # language → notice text; "en" always
    current_language: str  # the version being typed
    choices: list[Choice]  # the events offered, as they read when offered
    event_id: int
    event_title: str
    wards: list[str]  # none: the whole borough
    audience_count: int


def _move(state: FlowState, step: Step, **changes: Unpack[Data]) -> FlowState:
    return state.advance(step, changes)


class BroadcastFlow(StaffFlow):
    stored = "broadcast"

    def start(self) -> FlowState:
        return FlowState(self.stored, Step.KIND, {})

    def screen(self, ctx: StaffContext, state: FlowState) -> Screen:
        data = cast(Data, state.data)
        step = Step(state.step)
        if step is Step.KIND:
            return Screen(
                _("What would you like to send?"),
                (
                    (Button(pgettext("button", "A notice"), cb(step, "notice")),),
                    (Button(pgettext("button", "An event"), cb(step, "event")),),
                ),
            )
        if step is Step.TOPIC:
            return Screen(
                _("What kind of notice is it?"),
                tuple((Button(topic_label(t), cb(step, "topic", t)),) for t in TOPICS),
            )
        if step is Step.URGENCY:
            return Screen(
                _(
                    "Is it urgent? Urgent safety notices go out at once, even at night, and "
                    "do not count towards residents' weekly limit."
                ),
                (
                    (Button(pgettext("button", "Urgent"), cb(step, "urgent", "1")),),
                    (Button(pgettext("button", "Not urgent"), cb(step, "urgent", "0")),),
                ),
            )
        if step is Step.TEXT:
            return Screen(_("Type the notice in English."))
        if step is Step.TR_TEXT:
            language = language_name(data.get("current_language", "en"))
            return Screen(_("The notice in {language}?").format(language=language))
        if step is Step.TRANSLATIONS:
            return language_versions_screen(step, data.get("texts", {}))
        if step is Step.PICK_EVENT:
            rows = tuple(
                (Button(f"{c['title']} · {c['when']}", cb(step, "event", str(c["id"]))),)
                for c in data.get("choices", [])
            )
            return Screen(_("Which event?"), rows)
        if step is Step.WARDS:
            return audience_picker(ctx, step, data.get("wards", []))
        return self._preview(data)

    @staticmethod
    def _preview(data: Data) -> Screen:
        if data.get("kind") == "event":
            body = _("The event “{title}”.").format(title=data.get("event_title", ""))
        else:
            body = data.get("texts", {}).get("en", "")
        intro = _("This will go to {count} residents, each in their own language:").format(
            count=data.get("audience_count", 0)
        )
        return Screen(
            _("{intro}\n\n———\n\n{body}").format(intro=intro, body=body),
            (
                (
                    Button(pgettext("button", "Send"), cb(Step.PREVIEW, "send")),
                    Button(pgettext("button", "Discard"), cb(Step.PREVIEW, "discard")),
                ),
            ),
        )

    async def handle(self, ctx: StaffContext, state: FlowState, event: Input) -> Transition:
        data = cast(Data, state.data)
        step = Step(state.step)
        if isinstance(event, TextInput):
            return self._typed(state, data, step, event.text.strip())
        action, arg = event.action, event.arg
        if step is Step.KIND and action == "notice":
            return Transition(_move(state, Step.TOPIC, kind="notice"))
        if step is Step.KIND and action == "event":
            events = await ctx.reads.upcoming_events()
            if not events:
                return Transition.refuse(
                    state, _("There are no upcoming events. Create one with /newevent.")
                )
            choices = [
                Choice(id=e.id or 0, title=e.title[:30], when=ctx.when(e.starts_at))
                for e in events[:20]
            ]
            return Transition(_move(state, Step.PICK_EVENT, kind="event", choices=choices))
        if step is Step.PICK_EVENT and action == "event" and arg.isdigit():
            chosen = await ctx.reads.event(int(arg))
            if chosen is None or chosen.status != "published" or chosen.id is None:
                return Transition.refuse(state, _("That event is not available."))
            return Transition(
                _move(
                    state,
                    Step.WARDS,
                    event_id=chosen.id,
                    event_title=chosen.title,
                    wards=list(chosen.wards or []),
                )
            )
        if step is Step.TOPIC and action == "topic" and arg in TOPICS:
            after = Step.URGENCY if arg == "safety" else Step.TEXT
            return Transition(_move(state, after, topic=arg, urgent=False))
        if step is Step.URGENCY and action == "urgent" and arg in ("0", "1"):
            return Transition(_move(state, Step.TEXT, urgent=arg == "1"))
        if step is Step.TRANSLATIONS:
            if action == "lang" and arg in supported_locales() and arg != "en":
                return Transition(_move(state, Step.TR_TEXT, current_language=arg))
            if action == "continue":
                return Transition(_move(state, Step.WARDS, wards=data.get("wards", [])))
        if step is Step.WARDS:
            return await self._wards(ctx, state, data, event)
        if step is Step.PREVIEW and action == "discard":
            return Transition(None, final=Screen(_("Discarded.")))
        if step is Step.PREVIEW and action == "send":
            return Transition(None, effect=SendBroadcast(self._broadcast(ctx, data)))
        return Transition.refuse(state, _("Sorry, I didn't understand that button."))

    @staticmethod
    def _typed(state: FlowState, data: Data, step: Step, value: str) -> Transition:
        if step not in (Step.TEXT, Step.TR_TEXT):
            return Transition.refuse(state, _("Please use the buttons."))
        if not value:
            return Transition.refuse(state, _("Please type some text."))
        if len(value) > NOTICE_MAX:
            return Transition.refuse(
                state, _("Please keep it to {limit} characters or fewer.").format(limit=NOTICE_MAX)
            )
        if step is Step.TEXT:
            return Transition(_move(state, Step.TRANSLATIONS, texts={"en": value}))
        texts = {**data.get("texts", {}), data.get("current_language", "en"): value}
        return Transition(_move(state, Step.TRANSLATIONS, texts=texts))

    @staticmethod
    async def _wards(
        ctx: StaffContext, state: FlowState, data: Data, event: ButtonInput
    ) -> Transition:
        chosen = list(data.get("wards", []))
        if event.action == "ward" and ctx.areas.ward(event.arg):
            chosen.remove(event.arg) if event.arg in chosen else chosen.append(event.arg)
            return Transition(_move(state, Step.WARDS, wards=chosen))
        if event.action in ("borough", "wards_done"):
            wards = [] if event.action == "borough" else chosen
            topic = "events" if data.get("kind") == "event" else data.get("topic", "")
            count = await ctx.reads.audience_count(topic, wards or None)
            return Transition(_move(state, Step.PREVIEW, wards=wards, audience_count=count))
        return Transition.refuse(state, _("Sorry, I didn't understand that button."))

    @staticmethod
    def _broadcast(ctx: StaffContext, data: Data) -> Broadcast:
        wards = tuple(data.get("wards") or ()) or None
        if data.get("kind") == "event":
            return Broadcast(
                kind="event",
                topic="events",
                texts={},
                wards=wards,
                created_by=ctx.user_id,
                event_id=data["event_id"],
            )
        topic = data.get("topic", "updates")
        return Broadcast(
            kind="update" if topic == "updates" else "notice",
            topic=topic,
            texts=dict(data.get("texts", {})),
            wards=wards,
            created_by=ctx.user_id,
            urgent=bool(data.get("urgent")),
        )
