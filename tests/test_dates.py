"""Dates and times as the deployment's region writes them in each language, never seconds."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import ConfigError
from bot.i18n import (
    format_date_range,
    format_datetime,
    format_period,
    set_region,
    supported_locales,
    use_locale,
)
from bot.settings import load_settings

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 12, 11, 18, 30, tzinfo=UTC)  # a Friday, GMT
END = datetime(2026, 12, 11, 20, 30, tzinfo=UTC)
NEXT_DAY = datetime(2026, 12, 12, 1, 0, tzinfo=UTC)
SECONDS = re.compile(r"\d:\d{2}:\d{2}")


@pytest.fixture(autouse=True)
def region() -> Iterator[None]:
    set_region("GB")
    yield
    set_region("GB")


def test_english_in_great_britain_reads_as_london_writes_it() -> None:
    with use_locale("en"):
        assert format_period(START, END, LONDON) == "Fri, 11 Dec 2026, 18:30–20:30"
        assert format_datetime(START, LONDON) == "Fri, 11 Dec 2026, 18:30"
        assert (
            format_date_range(date(2026, 11, 23), date(2026, 11, 29))
            == "23\u2009–\u200929 Nov 2026"
        )


def test_the_region_is_a_setting_not_a_constant() -> None:
    set_region("US")
    with use_locale("en"):
        assert (
            format_period(START, END, LONDON) == "Fri, Dec 11, 2026, 6:30\u2009–\u20098:30\u202fPM"
        )


@pytest.mark.parametrize("code", supported_locales())
def test_no_language_shows_seconds_and_one_day_is_named_once(code: str) -> None:
    with use_locale(code):
        one_day = format_period(START, END, LONDON)
        two_days = format_period(START, NEXT_DAY, LONDON)
        alone = format_datetime(START, LONDON)
    for text in (one_day, two_days, alone):
        assert not SECONDS.search(text), (code, text)
    assert one_day.count("2026") == 1, one_day
    assert two_days.count("2026") == 2, two_days
    assert alone in two_days  # the first moment, then the second


def test_summer_time_is_the_wall_clock_time() -> None:
    summer = datetime(2026, 6, 11, 17, 30, tzinfo=UTC)  # 18:30 BST
    with use_locale("en"):
        assert format_datetime(summer, LONDON) == "Thu, 11 Jun 2026, 18:30"


@pytest.mark.parametrize("value", ["Britain", "XX", "G"])
def test_an_unknown_region_is_one_clear_line(value: str) -> None:
    with pytest.raises(ConfigError, match="NV_REGION") as caught:
        load_settings({"NV_BOT_TOKEN": "123:ABC", "NV_REGION": value})
    assert "\n" not in str(caught.value)
