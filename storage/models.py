"""Plain records the repositories read and write; nothing here knows about Telegram."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["AnswerRecord", "FlowState", "Resident", "ResponseRecord"]


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


@dataclass(frozen=True, slots=True)
class FlowState:
    """Where a resident is in a multi-step flow; ``revision`` makes old buttons detectable."""

    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)
    revision: int = 1


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
