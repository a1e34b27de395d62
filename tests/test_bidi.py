"""What Arabic and Urdu readers see, checked with the Unicode bidi algorithm itself.

``python-bidi`` (the Rust ``unicode-bidi`` crate, isolates included) turns each laid-out line
into display order; a time, a date, a phone number or a command must come out whole there,
not as "00:30:6" or "123 116".
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from bidi import get_display

from bot.events import event_text
from bot.i18n import _, directional, format_datetime, load_catalogs, use_locale
from bot.residents.wording import emergency_text
from storage.models import Event

LONDON = ZoneInfo("Europe/London")
FSI, LRI, RLI, PDI, RLM = "\u2068", "\u2066", "\u2067", "\u2069", "\u200f"
MARKS = re.compile(f"[{FSI}{LRI}{RLI}{PDI}{RLM}\u200e]")
EVENT = Event(
    title="Community and Police Conversation",
    description="Meet your local officers.",
    starts_at=datetime(2026, 12, 11, 18, 30, tzinfo=UTC),
    ends_at=datetime(2026, 12, 11, 20, 30, tzinfo=UTC),
    place_name="St John's Church Hall",
    place_address="Mare Street, London E8 1DY",
    id=1,
)


def shown(text: str) -> list[str]:
    """Each line as it is displayed, without the invisible marks."""
    return [MARKS.sub("", get_display(line)) for line in text.split("\n")]


def depth_ok(text: str) -> bool:
    """Every isolate closed on its own line, and none opened inside one directional made."""
    for line in text.split("\n"):
        depth = 0
        for char in line:
            if char in (FSI, LRI, RLI):
                depth += 1
            elif char == PDI:
                depth -= 1
                if depth < 0:
                    return False
        if depth:
            return False
    return f"{LRI}{LRI}" not in text and f"{FSI}{LRI}" not in text


@pytest.fixture(autouse=True, scope="module")
def catalogs() -> None:
    load_catalogs()


@pytest.mark.parametrize("code", ["ar", "ur"])
def test_a_time_a_date_and_a_phone_number_come_out_whole(code: str) -> None:
    with use_locale(code):
        moment = format_datetime(EVENT.starts_at, LONDON)
        line = _("Broadcast #{id} is queued for {count} residents.").format(id=730, count=1250)
        text = directional(
            f"{moment}\n{line}\nCall 116 123, 6:30:00 or 11/12/2026 or /help.", code
        )
    assert depth_ok(text), repr(text)
    display = "\n".join(shown(text))
    for whole in ("6:30", "116 123", "6:30:00", "11/12/2026", "/help", "730", "1250"):
        assert whole in display, (whole, display)
    assert "00:30:6" not in display and "123 116" not in display


@pytest.mark.parametrize("code", ["ar", "ur"])
def test_an_event_card_and_the_999_line_read_whole(code: str) -> None:
    with use_locale(code):
        text = directional(f"{event_text(EVENT, LONDON)}\n\n{emergency_text()}", code)
    assert depth_ok(text), repr(text)
    display = "\n".join(shown(text))
    for whole in ("6:30", "8:30", "999", "101", "E8 1DY"):
        assert whole in display, (whole, display)
    assert all(line.startswith(RLM) for line in text.split("\n"))


def test_stray_isolates_go_and_none_is_nested_in_a_value() -> None:
    messy = f"a {PDI}b {LRI}730 and {FSI}12 {PDI} c {FSI}open"
    text = directional(messy, "ar")
    assert depth_ok(text), repr(text)
    assert f"{LRI}730{PDI}" in text and f"{FSI}12 {PDI}" in text  # already isolated: as it was
    assert text.count(PDI) == text.count(LRI) + text.count(FSI) == 2


@pytest.mark.parametrize("code", ["ar", "ur"])
def test_a_sentence_given_as_a_value_is_not_isolated_twice(code: str) -> None:
    """The broadcast preview puts a list of "language: count" lines into a sentence."""
    with use_locale(code):
        inner = _("• {language}: {count}").format(language="Türkçe", count=7)
        outer = _("Broadcast #{id} finished.\n\n{figures}").format(id=12, figures=inner)
        text = directional(outer, code)
    assert depth_ok(text) and max_depth(text) == 1, repr(text)
    assert "Türkçe" in "\n".join(shown(text))


def max_depth(text: str) -> int:
    deepest = depth = 0
    for char in text:
        depth += char in (FSI, LRI, RLI)
        depth -= char == PDI
        deepest = max(deepest, depth)
    return deepest


def test_left_to_right_languages_are_left_alone() -> None:
    assert directional("Call 116 123 at 6:30.", "en") == "Call 116 123 at 6:30."
