"""The one runner: every flow, resident or staff, is walked here and nowhere else.

For one update the runner loads the person's state, finds its flow, asks the caller for the
flow's context (``None``: this person may not use it), claims the update, rejects a tap whose
prefix or step token is not the current one (stale or forged: one rule for every flow), lets
the flow decide, and applies the decision in the caller's unit of work: the effect first (by
the persona's applier), then the new state or its removal. What the person reads is built from
the transition the same way for every flow: a refusal is a toast for a tap and the notice with
the screen again for typed input; an accepted tap edits the tapped message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Generic, Protocol

from bot.flows.base import Applied, C, Flow, Input, Transition
from bot.i18n import _, use_locale
from bot.messages import CallbackData, Outgoing, Screen
from storage.models import FlowState
from storage.repositories import UnitOfWork

__all__ = ["EffectApplier", "FlowRunner", "Outcome", "Ran", "StateSlot"]


class StateSlot(Protocol):
    """Where one person's flow state is kept (a resident's or a staff member's row)."""

    async def get(self) -> FlowState | None: ...

    async def put(self, state: FlowState) -> None: ...

    async def clear(self) -> None: ...


class EffectApplier(Protocol[C]):
    """Writes a transition's effect (and any other change it carries) in the unit of work."""

    async def __call__(
        self, uow: UnitOfWork, ctx: C, flow: Flow[C], transition: Transition, /
    ) -> Applied[C]: ...


class Outcome(Enum):
    NO_FLOW = "no_flow"  # nothing in progress (or a flow this runner does not walk)
    REFUSED = "refused"  # the context factory said this person may not use the flow
    DUPLICATE = "duplicate"  # the update was handled before (redelivered after a crash)
    STALE = "stale"  # a tap from an earlier message, or forged
    DONE = "done"  # walked: accepted or refused with a reason


@dataclass(frozen=True, slots=True)
class Ran(Generic[C]):
    """What walking one input did, ready to become a reply."""

    outcome: Outcome
    locale: str = ""
    messages: tuple[Outgoing, ...] = ()
    toast: str | None = None
    ctx: C | None = None  # the context after the change; None when the person was erased
    flow: Flow[C] | None = None
    state: FlowState | None = None  # as loaded, before the input
    transition: Transition | None = None
    broadcast_id: int | None = None

    @property
    def erased(self) -> bool:
        return self.outcome is Outcome.DONE and self.ctx is None and self.transition is not None


class FlowRunner(Generic[C]):
    def __init__(self, flows: Iterable[Flow[C]], apply: EffectApplier[C]) -> None:
        self.flows: dict[str, Flow[C]] = {flow.stored: flow for flow in flows}
        self.prefixes = frozenset(flow.name for flow in self.flows.values())
        self._apply = apply

    def flow_of(self, state: FlowState | None) -> Flow[C] | None:
        return self.flows.get(state.flow) if state is not None else None

    def screen(self, ctx: C, state: FlowState) -> Screen | None:
        """The current step's screen, to show again where the person was."""
        flow = self.flow_of(state)
        return flow.screen(ctx, state) if flow is not None else None

    async def run(
        self,
        uow: UnitOfWork,
        slot: StateSlot,
        context: Callable[[Flow[C], FlowState], Awaitable[C | None]],
        event: Input,
        *,
        tapped: CallbackData | None = None,
        claim: Callable[[], Awaitable[bool]] | None = None,
    ) -> Ran[C]:
        """Walk one input. ``claim`` marks the update handled (in this unit of work); pass
        ``None`` when the caller's session has claimed it already."""
        state = await slot.get()
        flow = self.flow_of(state)
        if state is None or flow is None:
            return Ran(Outcome.NO_FLOW, state=state)
        ctx = await context(flow, state)
        if ctx is None:
            return Ran(Outcome.REFUSED, flow=flow, state=state)
        if claim is not None and not await claim():
            return Ran(Outcome.DUPLICATE, ctx.locale, ctx=ctx, flow=flow, state=state)
        if tapped is not None and (
            tapped.flow != flow.name or tapped.step != flow.step_token(ctx, state)
        ):
            return Ran(Outcome.STALE, ctx.locale, ctx=ctx, flow=flow, state=state)
        with use_locale(ctx.locale):
            transition = await flow.handle(ctx, state, event)
            if not transition.accepted:
                return self._refusal(ctx, flow, state, transition, tapped=tapped is not None)
            applied = await self._apply(uow, ctx, flow, transition)
            if transition.state is None:
                await slot.clear()
            else:
                await slot.put(transition.state)
        after = applied.ctx if applied.ctx is not None else ctx
        with use_locale(after.locale):
            if transition.state is not None:
                screen = flow.screen(after, transition.state)
            else:
                screen = applied.final or transition.final or Screen(_("Done."))
            messages = [Outgoing.of(screen, edit=tapped is not None)]
            messages += [Outgoing.of(extra) for extra in transition.extra]
            messages += applied.extra
            if transition.notice:
                messages.insert(0, Outgoing(transition.notice))
        return Ran(
            Outcome.DONE,
            after.locale,
            tuple(messages),
            ctx=applied.ctx,
            flow=flow,
            state=state,
            transition=transition,
            broadcast_id=applied.broadcast_id,
        )

    @staticmethod
    def _refusal(
        ctx: C, flow: Flow[C], state: FlowState, transition: Transition, *, tapped: bool
    ) -> Ran[C]:
        notice = transition.notice or _("Please answer with the buttons below.")
        if tapped:
            messages: tuple[Outgoing, ...] = ()
            toast: str | None = notice
        else:
            screen = flow.screen(ctx, transition.state) if transition.state else None
            messages = (Outgoing(notice), *((Outgoing.of(screen),) if screen else ()))
            toast = None
        return Ran(
            Outcome.DONE,
            ctx.locale,
            messages,
            toast,
            ctx=ctx,
            flow=flow,
            state=state,
            transition=transition,
        )
