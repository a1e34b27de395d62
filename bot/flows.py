"""The one mechanism behind every multi-step flow.

A flow is plain Python: given where a resident is (a :class:`FlowState` stored in the database)
and what they did (an :data:`Input`), it returns a :class:`Transition`: the next state, what to
store, and what to show. The conversation service runs every flow the same way, inside one
database transaction per update; handlers only translate between Telegram and these types.

Buttons carry ``flow:step:action:arg`` in their callback data: language-neutral ids, never
translated text. A tap whose flow and step are not the resident's current ones is stale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.areas import AreaDirectory
from bot.messages import Screen
from bot.surveys import Survey
from storage.models import AnswerRecord, FlowState, Resident

__all__ = [
    "ButtonInput",
    "Erase",
    "Flow",
    "FlowContext",
    "Input",
    "SaveResponse",
    "TextInput",
    "Transition",
]


@dataclass(frozen=True, slots=True)
class TextInput:
    text: str


@dataclass(frozen=True, slots=True)
class ButtonInput:
    action: str
    arg: str


Input = TextInput | ButtonInput


@dataclass(frozen=True, slots=True)
class SaveResponse:
    """Store a confirmed survey response (in the same transaction as the state change)."""

    survey: Survey
    answers: tuple[AnswerRecord, ...]


@dataclass(frozen=True, slots=True)
class Erase:
    """Erase the resident entirely (an under-13 ending, or leaving onboarding)."""


Effect = SaveResponse | Erase


@dataclass(frozen=True, slots=True)
class Transition:
    """What one input did: the next state (``None`` ends the flow) and what to say.

    ``accepted`` is false when the input was not valid here; the state is then unchanged and
    ``notice`` says why.
    """

    state: FlowState | None
    resident: Resident | None = None
    effect: Effect | None = None
    notice: str | None = None
    accepted: bool = True
    final: Screen | None = None  # shown instead of a next screen when the flow ends
    extra: Sequence[Screen] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class FlowContext:
    resident: Resident
    areas: AreaDirectory
    surveys: Mapping[str, Survey]
    area_name: str
    telegram_locale: str | None = None
    # Phrases a comment keeps when scrubbed (event titles and venues): no one's name.
    kept: tuple[str, ...] = ()


class Flow(Protocol):
    """A multi-step flow. ``name`` is the first field of its buttons' callback data."""

    name: str

    def step_token(self, ctx: FlowContext, state: FlowState) -> str: ...

    def screen(self, ctx: FlowContext, state: FlowState) -> Screen: ...

    def handle(self, ctx: FlowContext, state: FlowState, event: Input) -> Transition: ...
