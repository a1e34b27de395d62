"""What the staff flows share: their context, their reads, their buttons and two screens.

Every staff flow's buttons start with ``a`` (a staff member has one flow at a time) and carry
the step as their token, so a button from an earlier step is stale by the runner's one rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Protocol, TypedDict

from bot.areas import AreaDirectory
from bot.events import event_buttons, event_text
from bot.i18n import _, format_datetime, language_name, pgettext, supported_locales, use_locale
from bot.messages import Button, ButtonFamily, CallbackData, Screen
from storage.models import Event, FlowState, Officer
from storage.repositories import UnitOfWork

__all__ = [
    "ADDRESS_MAX",
    "DESCRIPTION_MAX",
    "NOTICE_MAX",
    "PLACE_MAX",
    "STAFF_FLOW_BUTTONS",
    "STAFF_PREFIX",
    "TITLE_MAX",
    "EventData",
    "StaffContext",
    "StaffFlow",
    "StaffReads",
    "UnitReads",
    "Version",
    "audience_picker",
    "cb",
    "event_from",
    "event_preview",
    "language_versions_screen",
    "ward_toggles",
]

STAFF_PREFIX = "a"
# Every staff flow's buttons: a:<step>:<action>:<arg> (a staff member has one flow at a time).
STAFF_FLOW_BUTTONS = ButtonFamily(STAFF_PREFIX)
TITLE_MAX, DESCRIPTION_MAX, PLACE_MAX, ADDRESS_MAX, NOTICE_MAX = 120, 1500, 120, 200, 3000


class Version(TypedDict):
    title: str
    description: str


class EventData(TypedDict, total=False):
    """An event as its flow builds it (times as ISO text, so the row stays JSON)."""

    event_id: int  # editing only
    title: str
    description: str
    translations: dict[str, Version]  # language → the title and description in it
    current_language: str  # the version being typed
    tr_title: str  # its title, until its description comes
    start: str
    end: str
    place: str
    address: str
    wards: list[str]  # none: the whole borough
    capacity: int | None
    field: str  # editing only: the field being changed


def event_from(data: EventData, created_by: int) -> Event:
    return Event(
        id=data.get("event_id"),
        title=data["title"],
        description=data["description"],
        translations={
            k: {"title": v["title"], "description": v["description"]}
            for k, v in data.get("translations", {}).items()
        },
        starts_at=datetime.fromisoformat(data["start"]),
        ends_at=datetime.fromisoformat(data["end"]),
        place_name=data["place"],
        place_address=data["address"],
        wards=tuple(data["wards"]) if data.get("wards") else None,
        capacity=data.get("capacity"),
        created_by=created_by,
    )


class StaffReads(Protocol):
    """The little a staff flow reads to decide a step; it writes nothing."""

    async def audience_languages(self, topic: str, wards: Sequence[str] | None) -> dict[str, int]:
        """Who a broadcast on ``topic`` to ``wards`` (every ward: None) reaches, by language."""
        ...

    async def audience_at_cap(self, topic: str, wards: Sequence[str] | None) -> int:
        """How many of the audience the weekly cap would skip now, were it not exempt."""
        ...

    async def upcoming_events(self) -> Sequence[Event]: ...

    async def event(self, event_id: int) -> Event | None: ...


class UnitReads:
    """:class:`StaffReads` over the update's unit of work."""

    def __init__(self, uow: UnitOfWork, now: datetime, weekly_cap: int) -> None:
        self._uow, self._now, self._cap = uow, now, weekly_cap

    async def audience_languages(self, topic: str, wards: Sequence[str] | None) -> dict[str, int]:
        return await self._uow.broadcasts.audience_languages(topic, tuple(wards or ()) or None)

    async def audience_at_cap(self, topic: str, wards: Sequence[str] | None) -> int:
        # The engine's rule at send time (bot.broadcasting.engine): seven days back.
        since = (self._now - timedelta(days=7)).isoformat(timespec="seconds")
        return await self._uow.broadcasts.audience_at_cap(
            topic, tuple(wards or ()) or None, since, self._cap
        )

    async def upcoming_events(self) -> Sequence[Event]:
        return await self._uow.events.all_upcoming(self._now)

    async def event(self, event_id: int) -> Event | None:
        return await self._uow.events.get(event_id)


@dataclass(frozen=True, slots=True)
class StaffContext:
    """An officer's or admin's flow context: who, in which language, and what they may read."""

    user_id: int
    locale: str
    areas: AreaDirectory
    timezone: tzinfo
    now: datetime
    reads: StaffReads
    officer: Officer | None = None  # set for officers' own flows

    def when(self, moment: datetime) -> str:
        return format_datetime(moment, self.timezone)


class StaffFlow:
    """The parts every staff flow has alike: the prefix and the step as the token."""

    name = STAFF_PREFIX

    def step_token(self, ctx: StaffContext, state: FlowState) -> str:
        return state.step


def cb(step: str, action: str, arg: str = "") -> CallbackData:
    return STAFF_FLOW_BUTTONS(step, action, arg)


def ward_toggles(
    ctx: StaffContext, step: str, chosen: Iterable[str], prompt: str, closing: tuple[Button, ...]
) -> Screen:
    """Every ward as a toggle, two a row, ticked when chosen; then the closing row."""
    picked = set(chosen)
    buttons = [
        Button(
            _("✅ {choice}").format(choice=w.name) if w.id in picked else w.name,
            cb(step, "ward", w.id),
        )
        for w in ctx.areas.wards
    ]
    rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    return Screen(prompt, (*rows, closing))


def audience_picker(ctx: StaffContext, step: str, chosen: Iterable[str]) -> Screen:
    """The wards an event or a notice is for: toggles, or the whole borough."""
    return ward_toggles(
        ctx,
        step,
        chosen,
        _("Which wards is this for? Tap wards to choose them, or choose the whole borough."),
        (
            Button(pgettext("button", "Whole borough"), cb(step, "borough")),
            Button(pgettext("button", "Done"), cb(step, "wards_done")),
        ),
    )


def language_versions_screen(step: str, done: Iterable[str]) -> Screen:
    """Offer a version of a staff text in each language not done yet (English always is)."""
    written = {"en", *done}
    rows = [
        (Button(language_name(code), cb(step, "lang", code)),)
        for code in supported_locales()
        if code not in written
    ]
    rows.append((Button(pgettext("button", "Continue"), cb(step, "continue")),))
    return Screen(
        _(
            "Would you like to add a version in another language? Residents whose language "
            "has no version see the English text."
        ),
        tuple(rows),
    )


def event_preview(ctx: StaffContext, step: str, event: Event, *, editing: bool) -> Screen:
    """The event as residents will see it (in English), with the flow's two closing buttons."""
    with use_locale("en"):
        card = event_text(event, ctx.timezone)
        resident_buttons = event_buttons(event)
    preview_rows = tuple(
        tuple(Button(b.label, cb(step, "noop")) for b in row) for row in resident_buttons
    )
    if editing:
        intro = _(
            "This is how the changed event will look. Residents who said they are coming "
            "or might come will be told about the change."
        )
        actions = (
            Button(pgettext("button", "Save and notify"), cb(step, "save")),
            Button(pgettext("button", "Discard"), cb(step, "discard")),
        )
    else:
        wards = event.wards or ()
        audience = (
            ", ".join(w.name for w in ctx.areas.wards if w.id in wards)
            if wards
            else _("the whole borough")
        )
        intro = _(
            "This is how residents will see it (for {audience}). Publishing also announces "
            "it to residents there who asked for event notices."
        ).format(audience=audience)
        actions = (
            Button(pgettext("button", "Publish"), cb(step, "publish")),
            Button(pgettext("button", "Discard"), cb(step, "discard")),
        )
    return Screen(
        _("{intro}\n\n———\n\n{card}").format(intro=intro, card=card),
        (*preview_rows, actions),
    )
