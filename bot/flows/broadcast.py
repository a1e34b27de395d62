"""An admin sends a notice, or announces an event again, to chosen wards (``/broadcast``).

Diagram: ``broadcast.mmd``. The first screen names every kind at once (an urgent safety
notice, a safety notice, a "you said, we did" update, an events notice, an event again), so
kind, topic and urgency are one tap. The notice is typed in English; the preview names the
wards, says how many residents get it in each language and how many get the English text
because their language has no version (a version can be added from there), and how many the
weekly cap will skip. Every text prompt has a Cancel button, as /cancel.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, TypedDict, Unpack, cast

from bot.flows.base import ButtonInput, Input, SendBroadcast, TextInput, Transition
from bot.flows.staff_common import (
    NOTICE_MAX,
    StaffContext,
    StaffFlow,
    audience_picker,
    cb,
    language_versions_screen,
)
from bot.i18n import _, format_list, language_name, ngettext, pgettext, supported_locales
from bot.messages import Button, Screen
from storage.models import Broadcast, FlowState

__all__ = ["NOTICES", "BroadcastFlow", "Step"]

# The first screen's notices: the button's argument → (topic, urgent). The urgent one is
# under the ordinary one, so that a hurried tap at the top is never a notice sent at night.
NOTICES: dict[str, tuple[str, bool]] = {
    "urgent": ("safety", True),
    "safety": ("safety", False),
    "updates": ("updates", False),
    "events": ("events", False),
}


class Step(StrEnum):
    KIND = "kind"
    TEXT = "notice_text"
    PICK_EVENT = "pick_event"
    WARDS = "notice_wards"
    PREVIEW = "broadcast_preview"
    TRANSLATIONS = "notice_translations"
    TR_TEXT = "tr_notice"


def _step(state: FlowState) -> Step:
    """The state's step; a step this version no longer has (a flow begun before an upgrade
    at "topic" or "urgency") is the first screen again, where nothing chosen is lost."""
    try:
        return Step(state.step)
    except ValueError:
        return Step.KIND


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
    event_languages: list[str]  # the event's versions, English included
    wards: list[str]  # none: the whole borough
    audience_count: int
    languages: dict[str, int]  # the audience by language, when the wards were chosen
    at_cap: int  # of whom the weekly cap would skip this many


def _move(state: FlowState, step: Step, **changes: Unpack[Data]) -> FlowState:
    return state.advance(step, changes)


def _after_versions(data: Data) -> Step:
    """Back to the preview; to the wards first in a flow begun before an upgrade, when the
    versions came before the wards and nothing is counted yet."""
    return Step.PREVIEW if "languages" in data else Step.WARDS


def _cancel_row(step: Step) -> tuple[tuple[Button, ...], ...]:
    return ((Button(pgettext("button", "Cancel"), cb(step, "cancel")),),)


class BroadcastFlow(StaffFlow):
    stored = "broadcast"

    def start(self) -> FlowState:
        return FlowState(self.stored, Step.KIND, {})

    def step_token(self, ctx: StaffContext, state: FlowState) -> str:
        return _step(state).value

    def screen(self, ctx: StaffContext, state: FlowState) -> Screen:
        data = cast(Data, state.data)
        step = _step(state)
        if step is Step.KIND:
            return Screen(
                _(
                    "What would you like to send? An urgent safety notice goes out at once, "
                    "even at night, and does not count towards residents' weekly limit."
                ),
                (
                    (Button(pgettext("button", "Safety notice"), cb(step, "notice", "safety")),),
                    (
                        Button(
                            pgettext("button", "Safety notice – urgent"),
                            cb(step, "notice", "urgent"),
                        ),
                    ),
                    (
                        Button(
                            pgettext("button", '"You said, we did" update'),
                            cb(step, "notice", "updates"),
                        ),
                    ),
                    (Button(pgettext("button", "Events notice"), cb(step, "notice", "events")),),
                    (Button(pgettext("button", "Announce an event again"), cb(step, "event")),),
                ),
            )
        if step is Step.TEXT:
            return Screen(_("Type the notice in English."), _cancel_row(step))
        if step is Step.TR_TEXT:
            language = language_name(data.get("current_language", "en"))
            return Screen(
                _("The notice in {language}?").format(language=language), _cancel_row(step)
            )
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
        return self._preview(ctx, data)

    @staticmethod
    def _versions(data: Data) -> list[str]:
        if data.get("kind") == "event":
            return data.get("event_languages", ["en"])
        return ["en", *(code for code in data.get("texts", {}) if code != "en")]

    def _preview(self, ctx: StaffContext, data: Data) -> Screen:
        count = data.get("audience_count", 0)
        wards = data.get("wards", [])
        if wards:
            names = format_list(w.name for w in ctx.areas.wards if w.id in wards)
            intro = ngettext(
                "This will go to {count} resident of {wards}, in their own language:",
                "This will go to {count} residents of {wards}, each in their own language:",
                count,
            ).format(count=count, wards=names)
        else:
            intro = ngettext(
                "This will go to {count} resident across the whole borough, in their own "
                "language:",
                "This will go to {count} residents across the whole borough, each in their "
                "own language:",
                count,
            ).format(count=count)
        lines = [intro, *self._language_lines(data)]
        at_cap = data.get("at_cap", 0)
        if data.get("urgent"):
            lines.append(
                _(
                    "It is urgent: it goes out at once, even at night, and every resident gets "
                    "it whatever their weekly limit."
                )
            )
        elif at_cap:
            lines.append(
                ngettext(
                    "{capped} of {count} will not get it: they have already had this week's "
                    "limit of notices.",
                    "{capped} of {count} will not get it: they have already had this week's "
                    "limit of notices.",
                    at_cap,
                ).format(capped=at_cap, count=count)
            )
        if data.get("kind") == "event":
            body = _("The event “{title}”.").format(title=data.get("event_title", ""))
        else:
            body = data.get("texts", {}).get("en", "")
        rows: list[tuple[Button, ...]] = [
            (
                Button(pgettext("button", "Send"), cb(Step.PREVIEW, "send")),
                Button(pgettext("button", "Discard"), cb(Step.PREVIEW, "discard")),
            )
        ]
        if data.get("kind") != "event" and len(self._versions(data)) < len(supported_locales()):
            rows.append(
                (
                    Button(
                        pgettext("button", "Add a version in another language"),
                        cb(Step.PREVIEW, "versions"),
                    ),
                )
            )
        return Screen(
            _("{intro}\n\n———\n\n{body}").format(intro="\n".join(lines), body=body), tuple(rows)
        )

    def _language_lines(self, data: Data) -> list[str]:
        """Residents by the language they get it in; English for those with no version."""
        versions = self._versions(data)
        by_language = data.get("languages", {})
        lines = []
        for code in versions:
            if by_language.get(code):
                lines.append(
                    _("• {language}: {count}").format(
                        language=language_name(code), count=by_language[code]
                    )
                )
        fallback = sorted(
            ((code, n) for code, n in by_language.items() if code not in versions and n),
            key=lambda item: (-item[1], item[0]),
        )
        if fallback:
            languages = format_list(
                _("{language}: {count}").format(language=language_name(code), count=n)
                for code, n in fallback
            )
            lines.append(
                _(
                    "• English, as there is no version in their language: {count} ({languages})"
                ).format(count=sum(n for _code, n in fallback), languages=languages)
            )
        return lines

    async def handle(self, ctx: StaffContext, state: FlowState, event: Input) -> Transition:
        data = cast(Data, state.data)
        step = _step(state)
        if isinstance(event, TextInput):
            return self._typed(state, data, step, event.text.strip())
        action, arg = event.action, event.arg
        if action == "cancel" and step in (Step.TEXT, Step.TR_TEXT):
            return Transition(None, final=Screen(_("Cancelled. Nothing was saved.")))
        if step is Step.KIND and action == "notice" and arg in NOTICES:
            topic, urgent = NOTICES[arg]
            return Transition(_move(state, Step.TEXT, kind="notice", topic=topic, urgent=urgent))
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
                    event_languages=["en", *(c for c in chosen.translations if c != "en")],
                    wards=list(chosen.wards or []),
                )
            )
        if step is Step.TRANSLATIONS:
            if action == "lang" and arg in supported_locales() and arg != "en":
                return Transition(_move(state, Step.TR_TEXT, current_language=arg))
            if action == "continue":
                return Transition(_move(state, _after_versions(data)))
        if step is Step.WARDS:
            return await self._wards(ctx, state, data, event)
        if step is Step.PREVIEW and action == "versions" and data.get("kind") != "event":
            return Transition(_move(state, Step.TRANSLATIONS))
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
            return Transition(_move(state, Step.WARDS, texts={"en": value}))
        texts = {**data.get("texts", {}), data.get("current_language", "en"): value}
        return Transition(_move(state, _after_versions(data), texts=texts))

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
            languages = await ctx.reads.audience_languages(topic, wards or None)
            at_cap = 0 if data.get("urgent") else await ctx.reads.audience_at_cap(topic, wards)
            return Transition(
                _move(
                    state,
                    Step.PREVIEW,
                    wards=wards,
                    audience_count=sum(languages.values()),
                    languages=languages,
                    at_cap=at_cap,
                )
            )
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
