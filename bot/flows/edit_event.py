"""An admin changes a published event (``/events`` → Change): one field, preview, save.

Diagram: ``edit_event.mmd``. Saving tells everyone who said they are coming or might come.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Unpack, cast

from bot.events import parse_local_datetime
from bot.flows.base import Input, SaveEdit, TextInput, Transition
from bot.flows.staff_common import (
    ADDRESS_MAX,
    DESCRIPTION_MAX,
    PLACE_MAX,
    TITLE_MAX,
    EventData,
    StaffContext,
    StaffFlow,
    cb,
    event_from,
    event_preview,
)
from bot.i18n import _, pgettext
from bot.messages import Button, Screen
from storage.models import Event, FlowState

__all__ = ["EDITABLE", "EditEventFlow", "Step"]

EDITABLE = ("title", "description", "start", "end", "place", "address")
LIMITS = {
    "title": TITLE_MAX,
    "description": DESCRIPTION_MAX,
    "place": PLACE_MAX,
    "address": ADDRESS_MAX,
}


class Step(StrEnum):
    FIELD = "edit_field"
    VALUE = "edit_value"
    PREVIEW = "edit_preview"


def _move(state: FlowState, step: Step, **changes: Unpack[EventData]) -> FlowState:
    return state.advance(step, changes)


class EditEventFlow(StaffFlow):
    stored = "edit_event"

    def start(self, event: Event) -> FlowState:
        assert event.id is not None
        data = EventData(
            event_id=event.id,
            title=event.title,
            description=event.description,
            translations={
                k: {"title": v.get("title", ""), "description": v.get("description", "")}
                for k, v in event.translations.items()
            },
            start=event.starts_at.isoformat(),
            end=event.ends_at.isoformat(),
            place=event.place_name,
            address=event.place_address,
            wards=list(event.wards or []),
            capacity=event.capacity,
        )
        return FlowState(self.stored, Step.FIELD, dict(data))

    def screen(self, ctx: StaffContext, state: FlowState) -> Screen:
        step = Step(state.step)
        if step is Step.FIELD:
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
                tuple((Button(labels[f], cb(step, "field", f)),) for f in EDITABLE),
            )
        if step is Step.VALUE:
            return Screen(_("Type the new value."))
        return event_preview(ctx, step, event_from(cast(EventData, state.data), 0), editing=True)

    async def handle(self, ctx: StaffContext, state: FlowState, event: Input) -> Transition:
        data = cast(EventData, state.data)
        step = Step(state.step)
        if isinstance(event, TextInput):
            if step is not Step.VALUE:
                return Transition.refuse(state, _("Please use the buttons."))
            return self._value(ctx, state, data, event.text.strip())
        action, arg = event.action, event.arg
        if action == "noop":
            return Transition.refuse(state, _("This is a preview."))
        if step is Step.FIELD and action == "field" and arg in EDITABLE:
            return Transition(_move(state, Step.VALUE, field=arg))
        if step is Step.PREVIEW and action == "discard":
            return Transition(None, final=Screen(_("Discarded.")))
        if step is Step.PREVIEW and action == "save":
            return Transition(None, effect=SaveEdit(event_from(data, ctx.user_id)))
        return Transition.refuse(state, _("Sorry, I didn't understand that button."))

    @staticmethod
    def _value(ctx: StaffContext, state: FlowState, data: EventData, value: str) -> Transition:
        field = data.get("field", "")
        if field in ("start", "end"):
            moment = parse_local_datetime(value, ctx.timezone)
            if moment is None or moment <= ctx.now:
                return Transition.refuse(state, _("I could not read that time, or it has passed."))
            times = {"start": data["start"], "end": data["end"], field: moment.isoformat()}
            if datetime.fromisoformat(times["end"]) <= datetime.fromisoformat(times["start"]):
                return Transition.refuse(state, _("The end must be after the start."))
            return Transition(_move(state, Step.PREVIEW, start=times["start"], end=times["end"]))
        limit = LIMITS.get(field, PLACE_MAX)
        if not value or len(value) > limit:
            return Transition.refuse(
                state, _("Please keep it to {limit} characters or fewer.").format(limit=limit)
            )
        return Transition(state.advance(Step.PREVIEW, {field: value}))
