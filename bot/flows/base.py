"""The vocabulary of every multi-step flow: inputs, effects, transitions and the Flow protocol.

A flow is plain Python: given where a person is (a :class:`FlowState` stored in the database)
and what they did (an :data:`Input`), it returns a :class:`Transition`: the next state, what to
store (an :data:`Effect`, as data), and what to show. :class:`~bot.flows.runner.FlowRunner`
walks every flow, resident and staff, the same way inside the update's unit of work; handlers
only translate between Telegram and these types.

Buttons carry ``prefix:step:action:arg`` in their callback data: language-neutral ids, never
translated text. A tap whose prefix and step token are not the person's current ones is stale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from bot.areas import AreaDirectory
from bot.messages import Outgoing, Screen
from bot.surveys import Survey
from storage.models import AnswerRecord, Broadcast, Event, FlowState, Resident

__all__ = [
    "Applied",
    "ButtonInput",
    "Effect",
    "Erase",
    "Flow",
    "FlowContext",
    "Input",
    "PostAction",
    "Publish",
    "SaveEdit",
    "SaveResponse",
    "SaveWards",
    "SendBroadcast",
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


# -- effects: what a transition stores, applied by the persona's applier in the same unit ----
@dataclass(frozen=True, slots=True)
class SaveResponse:
    """Store a confirmed survey response (in the same transaction as the state change)."""

    survey: Survey
    answers: tuple[AnswerRecord, ...]


@dataclass(frozen=True, slots=True)
class Erase:
    """Erase the resident entirely (an under-13 ending, or leaving onboarding)."""


@dataclass(frozen=True, slots=True)
class SaveWards:
    """An officer's wards, chosen from scratch or changed."""

    wards: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PostAction:
    """A "you said, we did" action: recorded for the digest and sent to the ward."""

    ward: str
    priority: str
    texts: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Publish:
    """A new event: stored, then announced to residents who asked for event notices."""

    event: Event


@dataclass(frozen=True, slots=True)
class SaveEdit:
    """A changed event: stored, then everyone coming or maybe coming is told."""

    event: Event


@dataclass(frozen=True, slots=True)
class SendBroadcast:
    """A notice or an event announcement, queued for its audience."""

    broadcast: Broadcast


Effect = SaveResponse | Erase | SaveWards | PostAction | Publish | SaveEdit | SendBroadcast


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

    @classmethod
    def refuse(cls, state: FlowState, notice: str) -> Transition:
        """The input does not fit this step: nothing changes, ``notice`` says why."""
        return cls(state, notice=notice, accepted=False)


class HasLocale(Protocol):
    """What the runner needs of any flow context: the language to answer in."""

    @property
    def locale(self) -> str: ...


C = TypeVar("C", bound=HasLocale)
C_contra = TypeVar("C_contra", bound=HasLocale, contravariant=True)


@dataclass(frozen=True, slots=True)
class FlowContext:
    """A resident's flow context."""

    resident: Resident
    areas: AreaDirectory
    surveys: Mapping[str, Survey]
    area_name: str
    telegram_locale: str | None = None
    # Phrases a comment keeps when scrubbed (event titles and venues): no one's name.
    kept: tuple[str, ...] = ()

    @property
    def locale(self) -> str:
        return self.resident.locale


class Flow(Protocol[C_contra]):
    """A multi-step flow.

    ``name`` is the first field of its buttons' callback data; ``stored`` the flow's name in
    the state row. Staff flows share the prefix ``a`` (one staff flow at a time per person).
    """

    @property
    def name(self) -> str: ...

    @property
    def stored(self) -> str: ...

    def step_token(self, ctx: C_contra, state: FlowState) -> str: ...

    def screen(self, ctx: C_contra, state: FlowState) -> Screen: ...

    async def handle(self, ctx: C_contra, state: FlowState, event: Input) -> Transition: ...


@dataclass(frozen=True, slots=True)
class Applied(Generic[C]):
    """What applying a transition's effect produced.

    ``ctx`` is the context after the change (a new language, say), or ``None`` when the
    person's data is gone (erased). ``final`` replaces the transition's final screen when its
    text needs what was stored (an event's new id); ``extra`` follows the screen.
    """

    ctx: C | None
    final: Screen | None = None
    extra: tuple[Outgoing, ...] = ()
    broadcast_id: int | None = None
