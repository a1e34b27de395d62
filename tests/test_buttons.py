"""Button families: each feature owns its prefix, and its handler matches only its own taps."""

from __future__ import annotations

from bot.digests.service import DIGEST_BUTTONS
from bot.events import EVENT_BUTTONS
from bot.flows.notice_choices import NOTICE_BUTTONS
from bot.flows.staff_common import STAFF_FLOW_BUTTONS
from bot.messages import CallbackData, tap_pattern
from bot.residents.events import PAGE_BUTTONS
from bot.staff.events import MANAGER_BUTTONS
from bot.staff.officers import OFFICER_BUTTONS

FAMILIES = (
    DIGEST_BUTTONS,
    EVENT_BUTTONS,
    NOTICE_BUTTONS,
    STAFF_FLOW_BUTTONS,
    PAGE_BUTTONS,
    MANAGER_BUTTONS,
    OFFICER_BUTTONS,
)
# The resident flows' and one-tap actions' prefixes, answered by the catch-all tap handler.
RESIDENT_PREFIXES = {"o", "s", "c", "x", "home"}


def test_no_two_features_share_a_prefix() -> None:
    prefixes = [family.prefix for family in FAMILIES]
    assert len(set(prefixes)) == len(prefixes)
    assert not set(prefixes) & RESIDENT_PREFIXES


def test_a_family_builds_data_its_pattern_matches_and_no_other_does() -> None:
    for family in FAMILIES:
        data = family("12", "show", "20261130").encode()
        assert CallbackData.decode(data) == CallbackData(family.prefix, "12", "show", "20261130")
        assert tap_pattern(family)(data)
        others = [f for f in FAMILIES if f is not family]
        assert not tap_pattern(*others)(data)


def test_foreign_or_malformed_data_matches_no_family() -> None:
    matches = tap_pattern(*FAMILIES)
    for data in (None, "", "d", "d:ward", "d:a:b:c:d", "x:lang:set:tr", "d:é:scope:", 42):
        assert not matches(data), data
