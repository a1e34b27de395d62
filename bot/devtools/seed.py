"""Synthetic residents and answers for the demo and the benchmarks; never for a real database.

The demo (``python bot.py demo``) needs officer digests with something in them from the first
minute, and benchmarks need a realistic table to query. Both get it from :func:`seed_demo`,
which writes through the project's own repositories (``Store``, ``residents``, ``responses``,
``officers``, ``events``), so the rows have exactly the shape the bot itself writes: answers
come from :func:`bot.flows.survey.answer_records`, choice ids from the survey file.

Everything is made up and reproducible: a seeded ``random.Random`` picks wards, languages, age
groups and answers; comments are short, plain sentences about places and problems, with no
names, numbers or addresses. Chat ids start at :data:`FIRST_CHAT_ID`, far from any persona the
demo plays.

Digests cover closed calendar blocks (an ISO week by default, see :mod:`bot.digests.disclosure`),
so responses are back-dated across the latest closed block, the three before it and the current,
still open one. Counts per (ward, block) are fixed by largest-remainder apportionment rather than
drawn at random, so they are exact and do not depend on the seed. With the defaults,
:data:`DEMO_WARD` has 57 responses in the latest closed block: the digest shows "55", and one more
answer, the demo user's, makes it "60" (counts are rounded to 5), which is how the demo and its
test see a new answer arrive despite rounding. Other seeded wards have 17 to 29.

``responses.add`` stamps the current time, as it must in production; back-dating goes through
the repositories' back-dating methods in the same transaction (``responses.backdate``,
``residents.backdate_sign_up``), which only developer tooling and tests call.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from bot.digests.disclosure import (
    BlockLength,
    DisclosurePolicy,
    Period,
    block_containing,
    latest_closed_block,
)
from bot.flows.onboarding import AGE_BANDS
from bot.flows.survey import answer_records
from bot.settings import PROJECT_ROOT
from bot.surveys import AGREE_CHOICE_IDS, SCALE_VALUES, Survey, load_survey
from storage.database import stamp
from storage.models import Event, Officer
from storage.repositories import Store

__all__ = [
    "DEMO_OFFICER_ID",
    "DEMO_WARD",
    "DEMO_WARDS",
    "FIRST_CHAT_ID",
    "SeedSummary",
    "latest_closed_period",
    "seed_demo",
]

DEMO_WARDS: tuple[str, ...] = (
    "hackney-central",
    "dalston",
    "stoke-newington",
    "hackney-downs",
    "homerton",
)
"""Seeded wards, busiest first (ids from ``data/wards.csv``)."""
DEMO_WARD = DEMO_WARDS[0]
DEMO_OFFICER_ID = 7002
"""The officer the demo's officer persona plays; covers the first two seeded wards."""
FIRST_CHAT_ID = 900_000_001

# The demo ward gets the most answers so its digest has figures worth showing, not only
# "fewer than 10"; with 300 residents these give it 57 responses in the latest closed block.
_WARD_WEIGHTS = (40, 20, 15, 13, 12)
# Latest closed block, the three before it, then the current (open) block.
_BLOCK_WEIGHTS = (475, 250, 120, 80, 75)
_CLOSED_BLOCKS = 4
_LOCALE_WEIGHTS: Mapping[str, int] = {
    "en": 46,
    "tr": 12,
    "bn": 7,
    "pl": 7,
    "es": 5,
    "so": 5,
    "pt": 4,
    "fr": 4,
    "ar": 4,
    "ur": 4,
    "ro": 2,
}
# Priorities everyone mentions, then what each ward adds (so ward digests differ).
_PRIORITY_WEIGHTS: Mapping[str, int] = {
    "asb": 9,
    "drugs": 8,
    "violence_knife": 7,
    "burglary": 5,
    "robbery": 4,
    "vehicle_bike": 6,
    "hate_crime": 2,
    "vawg": 4,
    "road_safety": 5,
    "youth_safety": 5,
    "stop_search": 3,
    "other": 1,
}
_WARD_PRIORITIES: Mapping[str, Mapping[str, int]] = {
    "hackney-central": {"asb": 6, "drugs": 4},
    "dalston": {"violence_knife": 6, "robbery": 4},
    "stoke-newington": {"vehicle_bike": 7, "burglary": 3},
    "hackney-downs": {"drugs": 6, "youth_safety": 4},
    "homerton": {"road_safety": 6, "asb": 3},
}
_SAFETY_WEIGHTS = (10, 22, 30, 26, 12)
_AGREE_WEIGHTS = (12, 30, 20, 18, 10, 10)
_COMMENT_SHARE = 0.3
_COMMENTS: Mapping[str, tuple[str, ...]] = {
    "en": (
        "The street lights on the estate have been out for weeks and it feels unsafe.",
        "Bikes keep getting stolen from the racks outside the station.",
        "Cars speed along the main road near the primary school every morning.",
        "Groups gather by the shops late at night and people feel intimidated.",
        "There is dealing in the stairwell most evenings.",
        "It would help to see officers on foot in the park at weekends.",
        "Young people have nowhere to go after school, so they hang around the bus stop.",
        "Phone snatching from bikes happens a lot near the high street.",
        "The underpass by the canal is dark and people avoid it at night.",
        "I would like to know what happened after I reported the noise and fighting.",
        "Delivery riders use the pavement and it is dangerous for older people.",
        "More visible patrols on Friday and Saturday nights, please.",
    ),
    "tr": (
        "Parkta akşamları daha fazla polis görmek istiyoruz.",
        "Okulun önünde arabalar çok hızlı gidiyor.",
        "Sitenin sokak lambaları haftalardır yanmıyor.",
        "Otobüs durağının yanında gençler geç saatlere kadar toplanıyor.",
    ),
    "pl": (
        "Na klatce schodowej wieczorami handlują narkotykami.",
        "Rowery są ciągle kradzione sprzed stacji.",
        "Potrzebujemy więcej patroli w weekendy.",
    ),
    "es": (
        "Hace falta más iluminación en el camino junto al canal.",
        "Los coches van demasiado rápido cerca del colegio.",
    ),
    "pt": (
        "Precisamos de mais patrulhas a pé no parque ao fim de semana.",
        "Roubam telemóveis perto da estação.",
    ),
    "fr": (
        "Les vélos sont souvent volés devant la gare.",
        "Le passage sous le pont est trop sombre le soir.",
    ),
    "ro": ("Ar trebui mai multă lumină pe aleea din spatele magazinelor.",),
    "so": (
        "Waxaan rabnaa in booliisku ay si joogto ah u socdaan beerta fiidkii.",
        "Baabuurtu aad bay ugu dheereeyaan dugsiga agtiisa.",
    ),
    "bn": ("সন্ধ্যার পর পার্কে আরও পুলিশ দেখতে চাই।",),
    "ar": ("نريد رؤية المزيد من الشرطة في الحديقة مساءً.",),
    "ur": ("شام کے بعد پارک میں مزید پولیس نظر آنی چاہیے۔",),
}
_EVENT_TITLE = "Community and Police Conversation"
_EVENT_DESCRIPTION = (
    "Meet your neighbourhood team, hear what residents told us and what we are doing about "
    "it. Tea and biscuits; everyone is welcome."
)


@dataclass(frozen=True, slots=True)
class SeedSummary:
    """What was seeded, for the demo's banner, its test and benchmark set-up.

    ``period_counts`` are raw (unrounded) responses per ward in ``period``, the latest closed
    block at ``now``: what the first digest will be computed from.
    """

    residents: int
    responses: int
    chat_ids: tuple[int, ...]
    wards: tuple[str, ...]
    period: Period
    period_counts: Mapping[str, int]
    locales: Mapping[str, int]
    officer: Officer | None
    event_id: int | None


def latest_closed_period(now: datetime, tz: tzinfo, block: BlockLength) -> Period:
    """The block a digest for "the latest period" covers at ``now`` (as the bot computes it)."""
    return latest_closed_block(now, tz, DisclosurePolicy(block=block))


def _apportion(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights``; exact counts, largest remainders first."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(shares[i] - counts[i]), i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _weighted(rng: random.Random, weights: Mapping[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _answers(rng: random.Random, survey: Survey, ward_id: str, locale: str) -> dict[str, Any]:
    """One plausible set of answers, in the walker's own shape (see ``answer_records``)."""
    answers: dict[str, Any] = {}
    for question in survey.questions:
        if question.kind == "multi":
            weights = dict(_PRIORITY_WEIGHTS)
            for choice, bump in _WARD_PRIORITIES.get(ward_id, {}).items():
                weights[choice] = weights.get(choice, 0) + bump
            ids = [c.id for c in question.choices]
            picked: list[str] = []
            for _ in range(rng.randint(1, question.max_choices)):
                left = [c for c in ids if c not in picked]
                picked.append(rng.choices(left, weights=[weights.get(c, 1) for c in left])[0])
            answers[question.id] = picked
        elif question.kind == "scale":
            answers[question.id] = rng.choices(SCALE_VALUES, weights=_SAFETY_WEIGHTS)[0]
        elif question.kind == "agree":
            answers[question.id] = rng.choices(AGREE_CHOICE_IDS, weights=_AGREE_WEIGHTS)[0]
        elif question.kind == "single":
            answers[question.id] = rng.choice(question.choices).id
        elif question.kind == "text":
            if rng.random() < _COMMENT_SHARE:
                language = locale if locale in _COMMENTS and rng.random() < 0.8 else "en"
                answers[question.id] = {
                    "text": rng.choice(_COMMENTS[language]),
                    "lang": language,
                }
            else:
                answers[question.id] = None
    return answers


def _moment_in(rng: random.Random, period: Period, tz: tzinfo) -> datetime:
    """A daytime moment (08:00 to 22:00 local) on a random day of a closed block, in UTC."""
    day = period.start + timedelta(days=rng.randrange((period.end - period.start).days))
    minute = rng.randrange(8 * 60, 22 * 60)
    local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=tz)
    return local.astimezone(UTC)


async def seed_demo(
    store: Store,
    *,
    residents: int = 300,
    seed: int = 7,
    now: datetime | None = None,
    timezone: tzinfo | None = None,
    block: BlockLength = BlockLength.WEEK,
    survey: Survey | None = None,
    officer_id: int | None = DEMO_OFFICER_ID,
    officer_locale: str = "en",
    with_event: bool = True,
) -> SeedSummary:
    """Fill an empty, open store with ``residents`` synthetic residents, one response each.

    Refuses a database that already has residents, so it can never mix made-up answers into
    real ones. Everything is written in one transaction. ``timezone`` and ``block`` must match
    the bot's ``NV_TIMEZONE`` and ``NV_DIGEST_PERIOD`` for the seeded blocks to line up with
    the digests (defaults: Europe/London, week).
    """
    if residents < 1:
        raise ValueError(f"residents must be at least 1, got {residents}")
    tz = timezone or ZoneInfo("Europe/London")
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    survey = survey or load_survey(PROJECT_ROOT / "surveys" / "local-priorities.toml")
    rng = random.Random(seed)

    latest = latest_closed_period(moment, tz, block)
    closed = [latest]
    while len(closed) < _CLOSED_BLOCKS:
        closed.append(block_containing(closed[-1].start - timedelta(days=1), block))
    open_start, _open_end = block_containing(latest.end, block).utc_bounds(tz)
    open_span = (moment - open_start).total_seconds()

    # (ward, block index) for every response; index len(closed) is the open block.
    plan: list[tuple[str, int]] = []
    for ward_id, ward_total in zip(DEMO_WARDS, _apportion(residents, _WARD_WEIGHTS), strict=True):
        for index, n in enumerate(_apportion(ward_total, _BLOCK_WEIGHTS)):
            plan.extend([(ward_id, index)] * n)
    rng.shuffle(plan)

    chat_ids: list[int] = []
    locales: Counter[str] = Counter()
    period_counts: Counter[str] = Counter()
    sign_ups: list[tuple[str, datetime, datetime]] = []  # (respondent id, consented, signed up)
    submissions: list[tuple[str, datetime]] = []  # (response id, submitted)
    officer: Officer | None = None
    event_id: int | None = None
    async with store.unit() as uow:
        if await uow.residents.count():
            raise ValueError("seed_demo fills an empty database only; this one has residents")
        for number, (ward_id, index) in enumerate(plan):
            chat_id = FIRST_CHAT_ID + number
            locale = _weighted(rng, _LOCALE_WEIGHTS)
            if index < len(closed):
                submitted = _moment_in(rng, closed[index], tz)
            else:
                submitted = open_start + timedelta(seconds=rng.random() * open_span)
                submitted = min(submitted, moment - timedelta(seconds=1))
            onboarded = submitted - timedelta(minutes=rng.randint(2, 30))
            resident = await uow.residents.create(chat_id, locale, locale_chosen=True)
            resident = replace(
                resident,
                ward_id=ward_id,
                age_band=rng.choice(AGE_BANDS[1:]),  # never "under 13": they are not kept
                onboarded_at=stamp(onboarded),
                notify_events=rng.random() < 0.6,
                notify_safety=rng.random() < 0.7,
                notify_updates=rng.random() < 0.4,
            )
            await uow.residents.save(resident)
            response_id = await uow.responses.add(
                resident.respondent_id,
                survey_id=survey.id,
                survey_version=survey.version,
                ward_id=ward_id,
                locale=locale,
                answers=answer_records(survey, _answers(rng, survey, ward_id, locale)),
            )
            consented = onboarded - timedelta(minutes=1)
            sign_ups.append((resident.respondent_id, consented, onboarded))
            submissions.append((response_id, submitted))
            chat_ids.append(chat_id)
            locales[locale] += 1
            if index == 0:
                period_counts[ward_id] += 1
        await uow.residents.backdate_sign_up(sign_ups)
        await uow.responses.backdate(submissions)
        if officer_id is not None:
            officer = Officer(officer_id, DEMO_WARDS[:2], officer_locale)
            await uow.officers.save(officer, invited_by=0)
        if with_event:
            local_day = moment.astimezone(tz).date() + timedelta(days=9)
            starts = datetime.combine(local_day, time(18, 30), tzinfo=tz).astimezone(UTC)
            event_id = await uow.events.add(
                Event(
                    title=_EVENT_TITLE,
                    description=_EVENT_DESCRIPTION,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    place_name="Community centre (demo)",
                    place_address="1 Example Street, London E8",
                    wards=None,
                    capacity=80,
                )
            )
    return SeedSummary(
        residents=len(plan),
        responses=len(plan),
        chat_ids=tuple(chat_ids),
        wards=DEMO_WARDS,
        period=latest,
        period_counts=dict(period_counts),
        locales=dict(locales),
        officer=officer,
        event_id=event_id,
    )
