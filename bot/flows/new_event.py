"""An admin creates an event (``/newevent``): texts, time, place, wards, capacity, preview.

Diagram: ``new_event.mmd``. Publishing stores the event and announces it to residents of its
wards who asked for event notices.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Unpack, cast

from bot.events import parse_local_datetime
from bot.flows.base import ButtonInput, Input, Publish, TextInput, Transition
from bot.flows.staff_common import (
    ADDRESS_MAX,
    DESCRIPTION_MAX,
    PLACE_MAX,
    TITLE_MAX,
    EventData,
    StaffContext,
    StaffFlow,
    Version,
    audience_picker,
    cb,
    event_from,
    event_preview,
    language_versions_screen,
)
from bot.i18n import _, language_name, pgettext, supported_locales
from bot.messages import Button, Screen
from storage.models import FlowState

__all__ = ["NewEventFlow", "Step"]

CAPACITY_MAX = 100_000
FURTHEST_AHEAD = timedelta(days=400)


class Step(StrEnum):
    TITLE = "title"
    DESCRIPTION = "description"
    TRANSLATIONS = "translations"
    TR_TITLE = "tr_title"
    TR_DESCRIPTION = "tr_description"
    START = "start"
    END = "end"
    PLACE = "place"
    ADDRESS = "address"
    WARDS = "wards"
    CAPACITY = "capacity"
    PREVIEW = "preview"


def _move(state: FlowState, step: Step, **changes: Unpack[EventData]) -> FlowState:
    return state.advance(step, changes)


LIMITS = {
    Step.TITLE: TITLE_MAX,
    Step.DESCRIPTION: DESCRIPTION_MAX,
    Step.TR_TITLE: TITLE_MAX,
    Step.TR_DESCRIPTION: DESCRIPTION_MAX,
    Step.PLACE: PLACE_MAX,
    Step.ADDRESS: ADDRESS_MAX,
}


def _example(ctx: StaffContext, pattern: str) -> str:
    """A date a week from now in the form asked for: an example that has not already passed."""
    return (ctx.now + timedelta(days=7)).astimezone(ctx.timezone).strftime(pattern)


class NewEventFlow(StaffFlow):
    stored = "new_event"

    def start(self) -> FlowState:
        return FlowState(self.stored, Step.TITLE, {})

    def screen(self, ctx: StaffContext, state: FlowState) -> Screen:
        data = cast(EventData, state.data)
        step = Step(state.step)
        language = language_name(data.get("current_language", "en"))
        prompts = {
            Step.TITLE: _("New event. What is its title (in English)?"),
            Step.DESCRIPTION: _("Describe the event in a few sentences (in English)."),
            Step.TR_TITLE: _("The title in {language}?").format(language=language),
            Step.TR_DESCRIPTION: _("The description in {language}?").format(language=language),
            Step.START: _(
                "When does it start? Local time, like {example} or {example_dmy}."
            ).format(
                example=_example(ctx, "%Y-%m-%d 18:30"),
                example_dmy=_example(ctx, "%d/%m/%Y 18:30"),
            ),
            Step.END: _(
                "When does it end? Local time, like {example}, or only the time (like {time}) "
                "if it ends on the same day."
            ).format(example=_example(ctx, "%Y-%m-%d 20:00"), time="20:00"),
            Step.PLACE: _("Where is it? The name of the place."),
            Step.ADDRESS: _("The address of the place?"),
        }
        if step in prompts:
            return Screen(prompts[step])
        if step is Step.CAPACITY:
            return Screen(
                _("How many people can come? Type a number, or tap No limit."),
                ((Button(pgettext("button", "No limit"), cb(step, "no_limit")),),),
            )
        if step is Step.TRANSLATIONS:
            return language_versions_screen(step, data.get("translations", {}))
        if step is Step.WARDS:
            return audience_picker(ctx, step, data.get("wards", []))
        return event_preview(ctx, step, replace(event_from(data, 0), id=0), editing=False)

    async def handle(self, ctx: StaffContext, state: FlowState, event: Input) -> Transition:
        data = cast(EventData, state.data)
        step = Step(state.step)
        if isinstance(event, TextInput):
            return self._typed(ctx, state, data, step, event.text.strip())
        return self._tap(ctx, state, data, step, event)

    def _typed(
        self, ctx: StaffContext, state: FlowState, data: EventData, step: Step, value: str
    ) -> Transition:
        if step in LIMITS:
            if not value:
                return Transition.refuse(state, _("Please type some text."))
            if len(value) > LIMITS[step]:
                return Transition.refuse(
                    state,
                    _("Please keep it to {limit} characters or fewer.").format(limit=LIMITS[step]),
                )
        if step is Step.TITLE:
            return Transition(_move(state, Step.DESCRIPTION, title=value))
        if step is Step.DESCRIPTION:
            return Transition(_move(state, Step.TRANSLATIONS, description=value))
        if step is Step.TR_TITLE:
            return Transition(_move(state, Step.TR_DESCRIPTION, tr_title=value))
        if step is Step.TR_DESCRIPTION:
            version = Version(title=data.get("tr_title", ""), description=value)
            language = data.get("current_language", "en")
            versions = {**data.get("translations", {}), language: version}
            return Transition(_move(state, Step.TRANSLATIONS, translations=versions))
        if step in (Step.START, Step.END):
            return self._time(ctx, state, data, step, value)
        if step is Step.PLACE:
            return Transition(_move(state, Step.ADDRESS, place=value))
        if step is Step.ADDRESS:
            return Transition(_move(state, Step.WARDS, address=value, wards=[]))
        if step is Step.CAPACITY:
            if not value.isdigit() or not 1 <= int(value) <= CAPACITY_MAX:
                return Transition.refuse(
                    state, _("Please type a number from 1 to 100000, or tap No limit.")
                )
            return Transition(_move(state, Step.PREVIEW, capacity=int(value)))
        return Transition.refuse(state, _("Please use the buttons."))

    @staticmethod
    def _time(
        ctx: StaffContext, state: FlowState, data: EventData, step: Step, value: str
    ) -> Transition:
        moment = parse_local_datetime(value, ctx.timezone)
        clock = re.fullmatch(r"(\d{1,2})[:.](\d{2})", value)
        if moment is None and step is Step.END and clock:
            # The end on the start's day: "20:00" need not repeat the date.
            day = datetime.fromisoformat(data["start"]).astimezone(ctx.timezone).date()
            moment = parse_local_datetime(f"{day:%Y-%m-%d} {clock[1]}:{clock[2]}", ctx.timezone)
        if moment is None:
            return Transition.refuse(
                state,
                _("I could not read that time. Please type it like {example}.").format(
                    example=_example(ctx, "%Y-%m-%d 18:30")
                ),
            )
        if moment <= ctx.now:
            return Transition.refuse(state, _("That time has already passed."))
        if moment > ctx.now + FURTHEST_AHEAD:
            return Transition.refuse(state, _("That is more than a year ahead."))
        if step is Step.START:
            return Transition(_move(state, Step.END, start=moment.isoformat()))
        start = datetime.fromisoformat(data["start"])
        if moment <= start:
            return Transition.refuse(
                state,
                _("The end must be after the start ({start}).").format(start=ctx.when(start)),
            )
        return Transition(_move(state, Step.PLACE, end=moment.isoformat()))

    def _tap(
        self, ctx: StaffContext, state: FlowState, data: EventData, step: Step, event: ButtonInput
    ) -> Transition:
        action, arg = event.action, event.arg
        if action == "noop":
            return Transition.refuse(state, _("This is a preview."))
        if step is Step.TRANSLATIONS:
            if action == "lang" and arg in supported_locales() and arg != "en":
                return Transition(_move(state, Step.TR_TITLE, current_language=arg))
            if action == "continue":
                return Transition(_move(state, Step.START, wards=data.get("wards", [])))
        if step is Step.WARDS:
            chosen = list(data.get("wards", []))
            if action == "ward" and ctx.areas.ward(arg):
                chosen.remove(arg) if arg in chosen else chosen.append(arg)
                return Transition(_move(state, Step.WARDS, wards=chosen))
            if action in ("borough", "wards_done"):
                wards = [] if action == "borough" else chosen
                return Transition(_move(state, Step.CAPACITY, wards=wards))
        if step is Step.CAPACITY and action == "no_limit":
            return Transition(_move(state, Step.PREVIEW, capacity=None))
        if step is Step.PREVIEW and action == "discard":
            return Transition(None, final=Screen(_("Discarded.")))
        if step is Step.PREVIEW and action == "publish":
            return Transition(None, effect=Publish(event_from(data, ctx.user_id)))
        return Transition.refuse(state, _("Sorry, I didn't understand that button."))
