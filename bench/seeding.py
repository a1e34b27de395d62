"""Residents written straight through the project's repositories, in one transaction."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from storage.database import utc_now
from storage.models import FlowState
from storage.repositories import Store

__all__ = ["LOCALES", "answers_so_far", "seed_residents"]

LOCALES = ("en", "tr", "pl", "es", "pt", "fr", "bn", "so", "ar", "ur", "ro")
WARDS = ("dalston", "hackney-central", "homerton", "clissold", "victoria", "haggerston")
SURVEY_ID = "local-priorities"

# Answers in the survey walker's own shape (see bot.flows.survey.answer_records).
_ANSWERS: dict[str, Any] = {
    "priorities": ["drugs", "asb"],
    "safety_after_dark": 4,
    "trust_police": "agree",
    "trust_fair": "neither",
    "trust_listen": "disagree",
    "anything_else": {"text": "More lighting on the path by the canal, please", "lang": "en"},
}
_ORDER = tuple(_ANSWERS)


def answers_so_far(step: str) -> dict[str, Any]:
    """The answers a resident has given before reaching ``step`` ("summary": all of them)."""
    if step == "summary":
        return dict(_ANSWERS)
    return {q: _ANSWERS[q] for q in _ORDER[: _ORDER.index(step)]}


async def seed_residents(
    store: Store,
    count: int,
    *,
    first_chat_id: int,
    step: str | None,
    topic: str | None = None,
) -> list[int]:
    """``count`` signed-up residents; ``step``: where each is in the survey (None: not in it).

    ``topic`` opts every resident in to that kind of notice (events, safety, updates).
    Returns the chat ids.
    """
    chat_ids = [first_chat_id + n for n in range(count)]
    now = utc_now()
    async with store.unit() as uow:
        for n, chat_id in enumerate(chat_ids):
            resident = await uow.residents.create(
                chat_id, LOCALES[n % len(LOCALES)], locale_chosen=True
            )
            resident = replace(
                resident,
                ward_id=WARDS[n % len(WARDS)],
                age_band="35_44",
                onboarded_at=now,
                notify_events=topic == "events",
                notify_safety=topic == "safety",
                notify_updates=topic == "updates",
            )
            await uow.residents.save(resident)
            if step is not None:
                revision = 2 + (len(_ORDER) if step == "summary" else _ORDER.index(step))
                state = FlowState(
                    "survey",
                    step,
                    {
                        "survey": SURVEY_ID,
                        "answers": answers_so_far(step),
                        "picked": [],
                        "editing": False,
                    },
                    revision,
                )
                await uow.conversations.put(resident.respondent_id, state)
    return chat_ids
