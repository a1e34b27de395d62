"""An officer tells a ward's residents what their team did ("you said, we did").

Diagram: ``officer_action.mmd``. The text is written in English, with optional versions in
other languages; the preview sends it to the ward's residents who asked for updates.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypedDict, Unpack, cast

from bot.flows.base import ButtonInput, Input, PostAction, TextInput, Transition
from bot.flows.staff_common import StaffContext, StaffFlow, cb, language_versions_screen
from bot.i18n import _, data_text, language_name, pgettext, supported_locales
from bot.messages import Button, Screen
from storage.models import FlowState

__all__ = ["ACTION_MAX", "OfficerActionFlow", "Step"]

ACTION_MAX = 1000


class Step(StrEnum):
    WARD = "action_ward"
    PRIORITY = "action_priority"
    TEXT = "action_text"
    TRANSLATIONS = "action_translations"
    TR_TEXT = "action_tr_text"
    PREVIEW = "action_preview"


class Data(TypedDict, total=False):
    ward: str
    priority: str
    texts: dict[str, str]  # language → text; "en" always
    current_language: str  # the version being typed


def _move(state: FlowState, step: Step, **changes: Unpack[Data]) -> FlowState:
    return state.advance(step, changes)


class OfficerActionFlow(StaffFlow):
    stored = "action"

    def __init__(self, priorities: Mapping[str, str]) -> None:
        # The survey's priority choices: id → label (a msgid of the survey's catalog).
        self.priorities = priorities

    def start(self) -> FlowState:
        return FlowState(self.stored, Step.WARD, {})

    def screen(self, ctx: StaffContext, state: FlowState) -> Screen:
        data = cast(Data, state.data)
        step = Step(state.step)
        if step is Step.WARD:
            mine = ctx.officer.wards if ctx.officer else ()
            rows = tuple(
                (Button(w.name, cb(step, "ward", w.id)),) for w in ctx.areas.wards if w.id in mine
            )
            return Screen(_("Which ward is the action for?"), rows)
        if step is Step.PRIORITY:
            rows = tuple(
                (Button(data_text(label), cb(step, "priority", cid)),)
                for cid, label in self.priorities.items()
            )
            return Screen(_("Which of residents' priorities does it answer?"), rows)
        if step is Step.TEXT:
            return Screen(
                _(
                    "Describe what your team did or will do, in English, in one or two "
                    "sentences (for example: extra patrols near the park on Friday evenings)."
                )
            )
        if step is Step.TR_TEXT:
            language = language_name(data.get("current_language", "en"))
            return Screen(_("The text in {language}?").format(language=language))
        if step is Step.TRANSLATIONS:
            return language_versions_screen(step, data.get("texts", {}))
        ward = ctx.areas.ward(data.get("ward", ""))
        return Screen(
            _(
                'Residents of {ward} who asked for "you said, we did" updates will get:\n\n{text}'
            ).format(ward=ward.name if ward else "", text=data.get("texts", {}).get("en", "")),
            (
                (
                    Button(pgettext("button", "Send"), cb(step, "post")),
                    Button(pgettext("button", "Discard"), cb(step, "discard")),
                ),
            ),
        )

    async def handle(self, ctx: StaffContext, state: FlowState, event: Input) -> Transition:
        data = cast(Data, state.data)
        step = Step(state.step)
        if isinstance(event, TextInput):
            if step not in (Step.TEXT, Step.TR_TEXT):
                return Transition.refuse(state, _("Please use the buttons."))
            value = event.text.strip()
            if not value or len(value) > ACTION_MAX:
                return Transition.refuse(
                    state,
                    _("Please keep it to {limit} characters or fewer.").format(limit=ACTION_MAX),
                )
            language = "en" if step is Step.TEXT else data.get("current_language", "en")
            texts = {**data.get("texts", {}), language: value}
            return Transition(_move(state, Step.TRANSLATIONS, texts=texts))
        return self._tap(ctx, state, data, step, event)

    def _tap(
        self, ctx: StaffContext, state: FlowState, data: Data, step: Step, event: ButtonInput
    ) -> Transition:
        action, arg = event.action, event.arg
        mine = ctx.officer.wards if ctx.officer else ()
        if step is Step.WARD and action == "ward" and arg in mine:
            return Transition(_move(state, Step.PRIORITY, ward=arg))
        if step is Step.PRIORITY and action == "priority" and arg in self.priorities:
            return Transition(_move(state, Step.TEXT, priority=arg))
        if step is Step.TRANSLATIONS and action == "lang" and arg in supported_locales():
            return Transition(_move(state, Step.TR_TEXT, current_language=arg))
        if step is Step.TRANSLATIONS and action == "continue":
            return Transition(_move(state, Step.PREVIEW))
        if step is Step.PREVIEW and action == "discard":
            return Transition(None, final=Screen(_("Discarded.")))
        if step is Step.PREVIEW and action == "post":
            effect = PostAction(data["ward"], data["priority"], dict(data.get("texts", {})))
            return Transition(None, effect=effect)
        return Transition.refuse(state, _("Sorry, I didn't understand that button."))
