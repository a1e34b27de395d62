"""Every multi-step flow, resident and staff, and the one runner that walks them.

``base`` holds the vocabulary (inputs, effects, transitions, the :class:`Flow` protocol) and
``runner`` the one way a flow is walked. Each staff flow is a module of its own with its steps
in an enum at the top and a Mermaid diagram beside it (``<flow>.mmd``).
"""

from bot.flows.base import (
    Applied,
    ButtonInput,
    Effect,
    Erase,
    Flow,
    FlowContext,
    Input,
    SaveResponse,
    TextInput,
    Transition,
)
from bot.flows.runner import FlowRunner, Ran, StateSlot

__all__ = [
    "Applied",
    "ButtonInput",
    "Effect",
    "Erase",
    "Flow",
    "FlowContext",
    "FlowRunner",
    "Input",
    "Ran",
    "SaveResponse",
    "StateSlot",
    "TextInput",
    "Transition",
]
