"""A large synthetic answers table for the digest benchmark: ~1,000,000 answers, 21 wards, 2 years.

    python -m bench.digest_data OUT.sqlite3 [--answers 1000000] [--seed 7]

The schema is the project's own (``storage.database.Database.open`` runs the migrations); rows
are then written with plain ``sqlite3`` ``executemany`` in one transaction, with
``synchronous=OFF`` since a crash while generating only means generating again. Rows have the
shape the bot writes (``bot.flows.survey.answer_records``): per response, one to three priorities,
a safety scale, three trust statements and, for about 30 %, a comment with its language.

Wards get different volumes (the busiest about three times the quietest), residents answer about
twice each over two years ending now, and ``ANALYZE`` is *not* run, because the bot never runs
it: the query planner sees what it sees in production.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import ROOT
from storage.database import Database

__all__ = ["Generated", "generate"]

SURVEY_ID = "local-priorities"
YEARS = 2
PRIORITIES = (
    "asb",
    "drugs",
    "violence_knife",
    "burglary",
    "robbery",
    "vehicle_bike",
    "hate_crime",
    "vawg",
    "road_safety",
    "youth_safety",
    "stop_search",
    "other",
)
PRIORITY_WEIGHTS = (9, 8, 7, 5, 4, 6, 2, 4, 5, 5, 3, 1)
AGREE = ("strongly_agree", "agree", "neither", "disagree", "strongly_disagree", "dont_know")
AGREE_WEIGHTS = (12, 30, 20, 18, 10, 10)
SAFETY_WEIGHTS = (10, 22, 30, 26, 12)
LOCALES = ("en", "tr", "bn", "pl", "es", "so", "pt", "fr", "ar", "ur", "ro")
LOCALE_WEIGHTS = (46, 12, 7, 7, 5, 5, 4, 4, 4, 4, 2)
COMMENTS = (
    "The street lights on the estate have been out for weeks.",
    "Bikes keep getting stolen from the racks outside the station.",
    "Cars speed along the main road near the primary school every morning.",
    "Groups gather by the shops late at night and people feel intimidated.",
    "It would help to see officers on foot in the park at weekends.",
    "More visible patrols on Friday and Saturday nights, please.",
)
AVERAGE_ANSWERS = 2.0 + 1 + 3 + 0.3  # priorities (1-3), safety, trust x3, comment share


@dataclass(frozen=True)
class Generated:
    path: Path
    wards: tuple[str, ...]
    respondents: int
    responses: int
    answers: int
    seconds: float


def wards() -> tuple[str, ...]:
    lines = (ROOT / "data" / "wards.csv").read_text(encoding="utf-8").splitlines()[1:]
    return tuple(line.split(",", 1)[0] for line in lines if line.strip())


def _hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")  # the format storage.database.utc_now writes


def _rows(
    rng: random.Random, ward_ids: tuple[str, ...], target_answers: int, now: datetime
) -> Iterator[tuple[str, tuple[object, ...] | None, tuple[object, ...], list[tuple[object, ...]]]]:
    """(kind, respondent row or None, response row, answer rows) until the target is reached."""
    span = YEARS * 365 * 86400
    start = now - timedelta(seconds=span)
    ward_weights = [1 + 2 * (i % 7) / 6 for i in range(len(ward_ids))]  # 1x to 3x
    produced = 0
    respondent: tuple[object, ...] | None = None
    respondent_id = ""
    respondent_ward = ward_ids[0]
    respondent_locale = "en"
    answered = 2
    while produced < target_answers:
        new_respondent = None
        if answered >= 2 or rng.random() < 0.5:  # about two responses each
            respondent_id = _hex(rng)
            respondent_ward = rng.choices(ward_ids, weights=ward_weights)[0]
            respondent_locale = rng.choices(LOCALES, weights=LOCALE_WEIGHTS)[0]
            joined = _stamp(start)
            respondent = (
                respondent_id,
                respondent_locale,
                1,
                respondent_ward,
                "35_44",
                joined,
                joined,
            )
            new_respondent = respondent
            answered = 0
        answered += 1
        response_id = _hex(rng)
        submitted = start + timedelta(seconds=rng.randrange(span))
        response = (
            response_id,
            respondent_id,
            SURVEY_ID,
            1,
            respondent_ward,
            respondent_locale,
            _stamp(submitted),
        )
        answers: list[tuple[object, ...]] = []
        picked: list[str] = []
        for _ in range(rng.randint(1, 3)):
            choice = rng.choices(PRIORITIES, weights=PRIORITY_WEIGHTS)[0]
            if choice not in picked:
                picked.append(choice)
        answers += [(response_id, "priorities", c, None, None, None) for c in picked]
        value = rng.choices((1, 2, 3, 4, 5), weights=SAFETY_WEIGHTS)[0]
        answers.append((response_id, "safety_after_dark", None, value, None, None))
        for question in ("trust_police", "trust_fair", "trust_listen"):
            choice = rng.choices(AGREE, weights=AGREE_WEIGHTS)[0]
            answers.append((response_id, question, choice, None, None, None))
        if rng.random() < 0.3:
            answers.append((response_id, "anything_else", None, None, rng.choice(COMMENTS), "en"))
        produced += len(answers)
        yield "response", new_respondent, response, answers


def generate(path: Path, *, answers: int = 1_000_000, seed: int = 7) -> Generated:
    """Create ``path`` with the project's schema and about ``answers`` answers."""
    started = time.perf_counter()
    if path.exists():
        raise FileExistsError(path)

    async def migrate() -> None:
        database = await Database.open(path)
        await database.close()

    asyncio.run(migrate())
    rng = random.Random(seed)
    ward_ids = wards()
    now = datetime.now(UTC)
    respondents: list[tuple[object, ...]] = []
    responses: list[tuple[object, ...]] = []
    answer_rows: list[tuple[object, ...]] = []
    for _kind, respondent, response, rows in _rows(rng, ward_ids, answers, now):
        if respondent is not None:
            respondents.append(respondent)
        responses.append(response)
        answer_rows.extend(rows)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO respondents (id, locale, locale_chosen, ward_id, age_band, "
            "consented_at, onboarded_at) VALUES (?,?,?,?,?,?,?)",
            respondents,
        )
        conn.executemany(
            "INSERT INTO responses (id, respondent_id, survey_id, survey_version, ward_id, "
            "locale, submitted_at) VALUES (?,?,?,?,?,?,?)",
            responses,
        )
        conn.executemany(
            "INSERT INTO answers (response_id, question_id, choice_id, value, text, "
            "text_language) VALUES (?,?,?,?,?,?)",
            answer_rows,
        )
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return Generated(
        path,
        ward_ids,
        len(respondents),
        len(responses),
        len(answer_rows),
        time.perf_counter() - started,
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.digest_data")
    parser.add_argument("out", type=Path)
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    made = generate(args.out, answers=args.answers, seed=args.seed)
    print(
        f"{made.answers} answers in {made.responses} responses from {made.respondents} "
        f"residents, {len(made.wards)} wards, {made.seconds:.1f} s: {made.path}"
    )


if __name__ == "__main__":
    main()
