"""Plain records the repositories read and write; nothing here knows about Telegram."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

__all__ = [
    "TOPICS",
    "Action",
    "AnswerRecord",
    "AuditEntry",
    "Broadcast",
    "BroadcastStats",
    "Comment",
    "Event",
    "FlowState",
    "Officer",
    "OutboxItem",
    "RawCounts",
    "Resident",
    "ResponseRecord",
]

TOPICS: tuple[str, ...] = ("events", "safety", "updates")


@dataclass(frozen=True, slots=True)
class Resident:
    """A consenting resident, known only by a random respondent id."""

    respondent_id: str
    locale: str
    locale_chosen: bool = False
    ward_id: str | None = None
    outside_area: bool = False
    age_band: str | None = None
    consented_at: str = ""
    onboarded_at: str | None = None
    notify_events: bool = False
    notify_safety: bool = False
    notify_updates: bool = False
    unreachable: bool = False
    referred_by_event: int | None = None

    def wants(self, topic: str) -> bool:
        """Whether the resident opted in to notices on a topic (events, safety, updates)."""
        return bool(getattr(self, f"notify_{topic}", False))

    def with_topic(self, topic: str, wanted: bool) -> Resident:
        if topic == "events":
            return replace(self, notify_events=wanted)
        if topic == "safety":
            return replace(self, notify_safety=wanted)
        if topic == "updates":
            return replace(self, notify_updates=wanted)
        raise ValueError(f"unknown topic {topic!r}")


@dataclass(frozen=True, slots=True)
class FlowState:
    """Where a resident is in a multi-step flow; ``revision`` makes old buttons detectable."""

    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)
    revision: int = 1

    def advance(self, step: str, changes: Mapping[str, Any]) -> FlowState:
        """The next state of the same flow: at ``step``, ``changes`` merged into the data, a
        new revision (so buttons of the state before are stale)."""
        return FlowState(self.flow, step, {**self.data, **changes}, self.revision + 1)


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    """One stored answer: a chosen choice id, a scale value or a free text."""

    question_id: str
    choice_id: str | None = None
    value: int | None = None
    text: str | None = None
    text_language: str | None = None


@dataclass(frozen=True, slots=True)
class ResponseRecord:
    """One confirmed survey response with its answers."""

    response_id: str
    survey_id: str
    survey_version: int
    ward_id: str | None
    locale: str
    submitted_at: str
    answers: tuple[AnswerRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class Event:
    """A community event; times are timezone-aware UTC."""

    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    place_name: str
    place_address: str
    wards: tuple[str, ...] | None = None  # None: the whole borough
    capacity: int | None = None
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    status: str = "published"
    created_by: int = 0
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Broadcast:
    kind: str  # notice | event | event_change | update
    topic: str  # events | safety | updates
    texts: dict[str, str]
    wards: tuple[str, ...] | None
    created_by: int
    urgent: bool = False
    event_id: int | None = None
    status: str = "sending"
    report_chat_id: int | None = None
    report_message_id: int | None = None
    report_locale: str | None = None
    created_at: str = ""
    finished_at: str | None = None
    # Restarts the broadcast was carried on after, and the rows in flight at them: the most
    # residents who may have had it twice.
    restarts: int = 0
    resent: int = 0
    id: int | None = None


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One recipient of one broadcast, as claimed for sending."""

    id: int
    broadcast_id: int
    respondent_id: str
    chat_id: int
    attempts: int


@dataclass(frozen=True, slots=True)
class BroadcastStats:
    total: int = 0
    pending: int = 0
    sending: int = 0
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    skipped: int = 0
    held: int = 0

    @property
    def remaining(self) -> int:
        return self.pending + self.sending + self.held


@dataclass(frozen=True, slots=True)
class Officer:
    user_id: int
    wards: tuple[str, ...]
    locale: str
    active: bool = True


@dataclass(frozen=True, slots=True)
class AuditEntry:
    actor_id: int
    action: str
    detail: dict[str, object]
    at: str


@dataclass(frozen=True, slots=True)
class Action:
    ward_id: str
    priority: str
    texts: dict[str, str]
    created_at: str


@dataclass(frozen=True, slots=True)
class Comment:
    text: str
    language: str
    priorities: tuple[str, ...]
    response_id: str = ""  # kept with a published excerpt so /forget can remove it


@dataclass(slots=True)
class RawCounts:
    """Unprotected counts for one scope and period; the disclosure rules come after."""

    responses: int = 0
    choices: dict[str, Counter[str]] = field(default_factory=dict)  # question → choice → n
    values: dict[str, Counter[int]] = field(default_factory=dict)  # question → value → n
    languages: Counter[str] = field(default_factory=Counter)
    per_ward: Counter[str] = field(default_factory=Counter)
