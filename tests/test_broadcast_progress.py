"""The time a broadcast has left, decided in plain Python, and how the admin reads it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.broadcasting.progress import (
    MIN_OBSERVED_MESSAGES,
    MIN_OBSERVED_SECONDS,
    Progress,
    time_left,
)
from bot.i18n import format_duration, use_locale
from bot.staff.broadcasts import progress_text, shorten
from storage.models import Broadcast, BroadcastStats

NOTICE = Broadcast("notice", "safety", {"en": "Road closed."}, None, created_by=1, id=7)


def going(
    pending: int, *, sent: int = 0, held: int = 0, observed: int = 0, seconds: float = 0.0
) -> Progress:
    stats = BroadcastStats(total=pending + sent + held, pending=pending, sent=sent, held=held)
    return Progress(7, stats, False, 25.0, observed=observed, seconds=seconds)


def test_the_first_report_uses_the_configured_pace_not_one_message_over_a_second() -> None:
    # The old estimate: 1 finished in the 1 s floor, so 999 left at 1 a second.
    first = going(999, sent=1, observed=1, seconds=0.3)
    assert first.observed_rate is None
    assert time_left(first) == timedelta(seconds=999 / 25)


def test_an_observed_rate_is_used_once_there_is_enough_of_it() -> None:
    enough = going(500, sent=100, observed=100, seconds=10.0)
    assert enough.observed_rate == 10.0
    assert time_left(enough) == timedelta(seconds=50)
    too_short = going(500, observed=100, seconds=MIN_OBSERVED_SECONDS - 0.1)
    too_few = going(500, observed=MIN_OBSERVED_MESSAGES - 1, seconds=60.0)
    assert time_left(too_short) == time_left(too_few) == timedelta(seconds=20)


def test_the_estimate_is_never_faster_than_the_configured_pace() -> None:
    # Skipped rows (the weekly cap) finish without a send: they must not promise more.
    skipping = going(100, observed=300, seconds=6.0)
    assert time_left(skipping) == timedelta(seconds=100 / 25)


def test_no_figure_when_nothing_is_waiting_to_go_now() -> None:
    assert time_left(going(0, sent=10, held=40, observed=30, seconds=9.0)) is None
    done = Progress(7, BroadcastStats(total=3, sent=3), True, 25.0)
    assert time_left(done) is None


def test_held_rows_are_not_counted_in_the_time_left() -> None:
    assert time_left(going(50, held=950)) == timedelta(seconds=2)


@pytest.mark.parametrize(
    ("seconds", "english"),
    [
        (4, "4 seconds"),
        (40, "40 seconds"),
        (59.6, "1 minute"),
        (95, "1 minute and 40 seconds"),
        (754, "13 minutes"),
        (3599, "1 hour"),
        (5400, "1 hour and 30 minutes"),
    ],
)
def test_durations_read_as_a_person_says_them(seconds: float, english: str) -> None:
    with use_locale("en"):
        assert format_duration(timedelta(seconds=seconds)) == english


def test_durations_are_in_the_admins_language() -> None:
    with use_locale("tr"):
        assert format_duration(timedelta(seconds=95)) == "1 dakika ve 40 saniye"
    with use_locale("pl"):
        assert format_duration(timedelta(hours=2, minutes=2)) == "2 godziny i 2 minuty"


def test_the_progress_message_shows_a_rate_only_once_it_is_measured() -> None:
    with use_locale("en"):
        early = progress_text(going(999, sent=1, observed=1, seconds=0.3), NOTICE)
        later = progress_text(going(500, sent=100, observed=100, seconds=10.0), NOTICE)
        held = progress_text(going(0, sent=10, held=40), NOTICE)
    assert "About 40 seconds left." in early and "Rate" not in early
    assert "Rate: 10 messages a second; about 50 seconds left." in later
    assert "left" not in held and "Waiting for morning (quiet hours): 40" in held


def test_a_restart_is_reported_only_when_there_was_one() -> None:
    done = Progress(7, BroadcastStats(total=3, sent=3), True, 25.0)
    with use_locale("en"):
        plain = progress_text(done, NOTICE)
        twice = progress_text(done, replace(NOTICE, restarts=1, resent=3))
        clean = progress_text(done, replace(NOTICE, restarts=1))
    assert "restarted" not in plain
    assert twice.endswith(
        "The bot restarted while this was going out and carried on; up to 3 residents may "
        "have got it twice."
    )
    assert clean.endswith("carried on; no one got it twice.")


def test_a_long_notice_is_cut_at_a_word_with_an_ellipsis() -> None:
    text = "Mare Street is closed tonight between Dalston Junction and the Narroway for works."
    short = shorten(text)
    assert short == "Mare Street is closed tonight between Dalston Junction and…"
    assert len(short) <= 60
    assert shorten("Two\nlines") == "Two lines"
