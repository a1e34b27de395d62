"""The one flow runner's rules, and each flow module's promises (steps enum, diagram).

The runner is walked with a small flow written here, so each rule is seen on its own: a tap
from an earlier step or another flow is stale and decides nothing; a sender the context gate
refuses is not claimed; a redelivered update changes nothing; a refusal keeps the state; an
effect is applied before the state is written, in the same unit of work.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import import_module
from pathlib import Path

import pytest

from bot.flows import Applied, ButtonInput, Flow, FlowRunner, Input, TextInput, Transition
from bot.flows.base import SaveWards
from bot.flows.runner import Outcome
from bot.messages import Button, CallbackData, Screen
from storage.models import FlowState
from storage.repositories import Store, UnitOfWork

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FLOWS = (
    "onboarding",
    "survey",
    "officer_wards",
    "officer_action",
    "broadcast",
    "new_event",
    "edit_event",
)


@dataclass(frozen=True)
class Ctx:
    locale: str = "en"


class Counter:
    """A two-step flow: "one" (tap next) → "two" (type a number, or tap save to finish)."""

    name = "t"
    stored = "counter"

    def __init__(self) -> None:
        self.handled: list[Input] = []

    def step_token(self, ctx: Ctx, state: FlowState) -> str:
        return state.step

    def screen(self, ctx: Ctx, state: FlowState) -> Screen:
        return Screen(
            f"at {state.step}", ((Button("next", CallbackData("t", state.step, "next")),),)
        )

    async def handle(self, ctx: Ctx, state: FlowState, event: Input) -> Transition:
        self.handled.append(event)
        if isinstance(event, TextInput):
            if not event.text.isdigit():
                return Transition.refuse(state, "a number, please")
            return Transition(
                FlowState(state.flow, "two", {"n": int(event.text)}, state.revision + 1)
            )
        if event.action == "next":
            return Transition(FlowState(state.flow, "two", {}, state.revision + 1))
        if event.action == "save":
            return Transition(None, effect=SaveWards(("w",)), final=Screen("saved"))
        return Transition.refuse(state, "no such button")


@dataclass
class Slot:
    state: FlowState | None
    log: list[str] = field(default_factory=list)

    async def get(self) -> FlowState | None:
        return self.state

    async def put(self, state: FlowState) -> None:
        self.log.append(f"put {state.step}")
        self.state = state

    async def clear(self) -> None:
        self.log.append("clear")
        self.state = None


@pytest.fixture
async def uow(tmp_path: Path) -> AsyncIterator[UnitOfWork]:
    store = Store(tmp_path / "flows.sqlite3")
    await store.open()
    try:
        async with store.unit() as unit:
            yield unit
    finally:
        await store.close()


def runner_with(flow: Counter, slot: Slot) -> FlowRunner[Ctx]:
    async def apply(
        uow: UnitOfWork, ctx: Ctx, flow: Flow[Ctx], transition: Transition
    ) -> Applied[Ctx]:
        effect = transition.effect
        slot.log.append(f"effect {type(effect).__name__}" if effect else "no effect")
        return Applied(ctx)

    return FlowRunner((flow,), apply)


async def allow(_flow: Flow[Ctx], _state: FlowState) -> Ctx | None:
    return Ctx()


async def test_a_tap_from_an_earlier_step_or_another_flow_is_stale_and_decides_nothing(
    uow: UnitOfWork,
) -> None:
    flow, slot = Counter(), Slot(FlowState("counter", "two"))
    runner = runner_with(flow, slot)
    for data in (CallbackData("t", "one", "next"), CallbackData("x", "two", "save")):
        ran = await runner.run(uow, slot, allow, ButtonInput(data.action, ""), tapped=data)
        assert ran.outcome is Outcome.STALE
    assert flow.handled == [] and slot.log == []


async def test_a_refused_sender_is_neither_claimed_nor_walked(uow: UnitOfWork) -> None:
    flow, slot = Counter(), Slot(FlowState("counter", "one"))
    claims: list[bool] = []

    async def claim() -> bool:
        claims.append(True)
        return True

    async def refuse(_flow: Flow[Ctx], _state: FlowState) -> Ctx | None:
        return None

    ran = await runner_with(flow, slot).run(uow, slot, refuse, TextInput("1"), claim=claim)
    assert ran.outcome is Outcome.REFUSED
    assert claims == [] and flow.handled == [] and slot.log == []


async def test_a_redelivered_update_changes_nothing(uow: UnitOfWork) -> None:
    flow, slot = Counter(), Slot(FlowState("counter", "one"))

    async def already() -> bool:
        return False

    ran = await runner_with(flow, slot).run(uow, slot, allow, TextInput("1"), claim=already)
    assert ran.outcome is Outcome.DUPLICATE
    assert flow.handled == [] and slot.log == [] and ran.messages == ()


async def test_nothing_in_progress_is_said_so(uow: UnitOfWork) -> None:
    ran = await runner_with(Counter(), Slot(None)).run(uow, Slot(None), allow, TextInput("1"))
    assert ran.outcome is Outcome.NO_FLOW
    other = Slot(FlowState("someone_elses", "one"))
    assert (
        await runner_with(Counter(), other).run(uow, other, allow, TextInput("1"))
    ).outcome is (Outcome.NO_FLOW)


async def test_typed_input_that_does_not_fit_keeps_the_state_and_shows_the_step_again(
    uow: UnitOfWork,
) -> None:
    flow, slot = Counter(), Slot(FlowState("counter", "one"))
    ran = await runner_with(flow, slot).run(uow, slot, allow, TextInput("many"))
    assert [m.text for m in ran.messages] == ["a number, please", "at one"]
    assert ran.toast is None and slot.log == []


async def test_a_tap_that_does_not_fit_is_a_toast_and_keeps_the_state(uow: UnitOfWork) -> None:
    flow, slot = Counter(), Slot(FlowState("counter", "one"))
    data = CallbackData("t", "one", "nonsense")
    ran = await runner_with(flow, slot).run(
        uow, slot, allow, ButtonInput("nonsense", ""), tapped=data
    )
    assert ran.toast == "no such button" and ran.messages == () and slot.log == []


async def test_an_accepted_tap_edits_the_tapped_message_and_the_effect_comes_first(
    uow: UnitOfWork,
) -> None:
    flow, slot = Counter(), Slot(FlowState("counter", "one"))
    runner = runner_with(flow, slot)
    data = CallbackData("t", "one", "next")
    ran = await runner.run(uow, slot, allow, ButtonInput("next", ""), tapped=data)
    assert [(m.text, m.edit) for m in ran.messages] == [("at two", True)]
    data = CallbackData("t", "two", "save")
    ran = await runner.run(uow, slot, allow, ButtonInput("save", ""), tapped=data)
    assert [(m.text, m.edit) for m in ran.messages] == [("saved", True)]
    assert slot.log == ["no effect", "put two", "effect SaveWards", "clear"]
    assert slot.state is None


@pytest.mark.parametrize("name", FLOWS)
def test_each_flow_names_its_steps_and_draws_every_one(name: str) -> None:
    """The survey's questions are data: its diagram draws them as one "question" state."""
    module = import_module(f"bot.flows.{name}")
    steps = module.Step
    assert issubclass(steps, StrEnum)
    diagram = (PROJECT_ROOT / "bot" / "flows" / f"{name}.mmd").read_text(encoding="utf-8")
    assert diagram.startswith("stateDiagram-v2")
    drawn = set(re.findall(r"^\s*(?:\[\*\]|(\w+))\s*-->\s*(?:\[\*\]|(\w+))", diagram, re.M))
    states = {s for pair in drawn for s in pair if s}
    expected = {step.value for step in steps} | ({"question"} if name == "survey" else set())
    assert states == expected
