"""An officer chooses the wards they work in (after redeeming an invite, or with /mywards).

Diagram: ``officer_wards.mmd``. The flow ends only with at least one ward chosen.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypedDict, cast

from bot.flows.base import ButtonInput, Input, SaveWards, Transition
from bot.flows.staff_common import StaffContext, StaffFlow, cb, ward_toggles
from bot.i18n import _, pgettext
from bot.messages import Button, Screen
from storage.models import FlowState

__all__ = ["OfficerWardsFlow", "Step"]


class Step(StrEnum):
    WARDS = "officer_wards"


class Data(TypedDict, total=False):
    wards: list[str]


class OfficerWardsFlow(StaffFlow):
    stored = "officer_wards"

    def start(self, wards: tuple[str, ...]) -> FlowState:
        return FlowState(self.stored, Step.WARDS, dict(Data(wards=list(wards))))

    def screen(self, ctx: StaffContext, state: FlowState) -> Screen:
        data = cast(Data, state.data)
        return ward_toggles(
            ctx,
            Step.WARDS,
            data.get("wards", []),
            _("Which wards do you work in? Tap to choose, then Done."),
            (Button(pgettext("button", "Done"), cb(Step.WARDS, "done")),),
        )

    async def handle(self, ctx: StaffContext, state: FlowState, event: Input) -> Transition:
        if not isinstance(event, ButtonInput):
            return Transition.refuse(state, _("Please use the buttons."))
        chosen = list(cast(Data, state.data).get("wards", []))
        if event.action == "ward" and ctx.areas.ward(event.arg):
            chosen.remove(event.arg) if event.arg in chosen else chosen.append(event.arg)
            return Transition(state.advance(state.step, Data(wards=chosen)))
        if event.action == "done":
            if not chosen:
                return Transition.refuse(state, _("Please choose at least one ward."))
            names = ", ".join(w.name for w in ctx.areas.wards if w.id in chosen)
            saved = _(
                "Saved. Your wards: {wards}.\n\nYou will get a digest every week; /digest gives "
                "one now, and /action tells residents what your team did about their priorities."
            ).format(wards=names)
            return Transition(None, effect=SaveWards(tuple(chosen)), final=Screen(saved))
        return Transition.refuse(state, _("Sorry, I didn't understand that button."))
