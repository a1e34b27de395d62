"""Disclosure control: every rule at its boundary, an exhaustive attacker, and the period rule.

The attacker here is written independently of ``bot.digests.disclosure``'s interval arithmetic: it
enumerates every table (as bit sets of possible values) consistent with what a digest
publishes and with the public rules, and reports what each "fewer than k" cell, and each group
of them, could be. "Recovering" a cell means learning anything its label did not say.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.digests.disclosure import (
    MIN_K,
    SETTLE_TIME,
    BlockLength,
    Cell,
    DisclosureError,
    DisclosurePolicy,
    Period,
    PeriodCheck,
    ProtectedTable,
    Status,
    block_containing,
    change,
    check_grouping,
    check_period,
    is_closed,
    latest_closed_block,
    protect_count,
    protect_table,
    round_half_up,
    share,
    snap_request,
    ward_breakdown_allowed,
)

LONDON = ZoneInfo("Europe/London")
DEFAULT = DisclosurePolicy()


# ---------------------------------------------------------------------------------------------
# The attacker


def _bits(values: range | list[int]) -> int:
    mask = 0
    for value in values:
        mask |= 1 << value
    return mask


def _sumset(a: int, b: int) -> int:
    out, shift = 0, 0
    while a:
        if a & 1:
            out |= b << shift
        a >>= 1
        shift += 1
    return out


def _values(mask: int) -> set[int]:
    return {i for i in range(mask.bit_length()) if mask >> i & 1}


def attacker(
    table: ProtectedTable, policy: DisclosurePolicy, picks: tuple[int, int] = (1, 1)
) -> dict[frozenset[str], set[int]]:
    """For every non-empty set of "fewer than k" cells, every value their sum could have.

    Knows: the published total and cells; that a shown v is round(n) for some n >= k, "fewer
    than k" is 0..k-1 and hidden is >= k; that no cell exceeds the total and that cells sum to
    between least*T and most*T. Tries every total and every combination of the other cells.
    """
    k, least, most = policy.k, *picks
    assert table.total.value is not None
    top = table.total.value + policy.rounding
    totals = [t for t in range(k, top) if round_half_up(t, policy.rounding) == table.total.value]
    small = [name for name, cell in table.cells.items() if cell.status is Status.FEWER_THAN_K]
    found: dict[frozenset[str], set[int]] = {}
    for total in totals:
        options: dict[str, int] = {}
        for name, cell in table.cells.items():
            if cell.status is Status.FEWER_THAN_K:
                options[name] = _bits(range(min(k - 1, total) + 1))
            elif cell.status is Status.HIDDEN:
                options[name] = _bits(range(k, total + 1))
            else:
                options[name] = _bits(
                    [
                        n
                        for n in range(k, total + 1)
                        if round_half_up(n, policy.rounding) == cell.value
                    ]
                )
        window = _bits(range(least * total, most * total + 1))
        for size in range(1, len(small) + 1):
            for group in itertools.combinations(small, size):
                inside, outside = 1, 1
                for name, mask in options.items():
                    if name in group:
                        inside = _sumset(inside, mask)
                    else:
                        outside = _sumset(outside, mask)
                possible = found.setdefault(frozenset(group), set())
                for value in _values(inside):
                    if (outside << value) & window:
                        possible.add(value)
    return found


def recovered(found: Mapping[frozenset[str], set[int]], k: int) -> list[frozenset[str]]:
    """The groups the attacker learned something about beyond the labels.

    A single "fewer than k" cell is recovered unless it could be every one of 0..k-1. A group of
    two or more is recovered if its sum must lie in 1..k-1: "between 1 and k-1 people chose A
    or B" is a small merged cell. (A group whose sum could be 0, or k or more, says nothing
    about a small group of people.)
    """
    bad = []
    for group, values in found.items():
        if len(group) == 1:
            if not set(range(k)) <= values:
                bad.append(group)
        elif values and min(values) >= 1 and max(values) <= k - 1:
            bad.append(group)
    return bad


def naive_subtraction(table: ProtectedTable) -> int | None:
    """The obvious attack: total minus every other cell, when exactly one cell is suppressed."""
    suppressed = [cell for cell in table.cells.values() if cell.suppressed]
    if table.total.value is None or len(suppressed) != 1:
        return None
    return table.total.value - sum(c.value for c in table.cells.values() if c.value is not None)


def check_table_invariants(
    counts: Mapping[str, int], total: int, policy: DisclosurePolicy, table: ProtectedTable
) -> None:
    assert table.total == protect_count(total, policy)
    if table.withheld:
        assert table.cells == {}
        return
    assert total >= policy.k
    assert list(table.cells) == list(counts)
    for name, cell in table.cells.items():
        n = counts[name]
        if n < policy.k:
            assert cell.status is Status.FEWER_THAN_K
        elif cell.status is Status.SHOWN:
            assert cell.value == round_half_up(n, policy.rounding)
        else:
            assert cell.status is Status.HIDDEN


# ---------------------------------------------------------------------------------------------
# Policy


def test_defaults_are_the_readme_defaults() -> None:
    assert (DEFAULT.k, DEFAULT.rounding, DEFAULT.block) == (10, 5, BlockLength.MONTH)


def test_k_may_be_five_but_never_below() -> None:
    assert DisclosurePolicy(k=MIN_K).k == 5
    with pytest.raises(ValueError, match="at least 5"):
        DisclosurePolicy(k=4)
    with pytest.raises(ValueError, match="at least 5"):
        DisclosurePolicy(k=0, rounding=1)


def test_rounding_must_be_positive_and_divide_k() -> None:
    assert DisclosurePolicy(rounding=1).rounding == 1
    with pytest.raises(ValueError, match="rounding must be at least 1"):
        DisclosurePolicy(rounding=0)
    with pytest.raises(ValueError, match="multiple of rounding"):
        DisclosurePolicy(k=12, rounding=5)


@pytest.mark.parametrize("bad", [True, 10.0, "10"])
def test_k_must_be_an_int(bad: object) -> None:
    with pytest.raises(TypeError):
        DisclosurePolicy(k=bad)  # type: ignore[arg-type]  # a wrong type on purpose: refused at run time


# ---------------------------------------------------------------------------------------------
# Threshold and rounding


def test_threshold_boundary_k_minus_one_and_k() -> None:
    assert protect_count(9, DEFAULT) == Cell.fewer_than_k()
    assert protect_count(10, DEFAULT) == Cell.shown(10)
    assert protect_count(0, DEFAULT) == Cell.fewer_than_k()  # zero is a small count too


def test_threshold_boundary_at_minimum_k() -> None:
    policy = DisclosurePolicy(k=5)
    assert protect_count(4, policy).status is Status.FEWER_THAN_K
    assert protect_count(5, policy) == Cell.shown(5)


def test_threshold_follows_configured_k() -> None:
    policy = DisclosurePolicy(k=20)
    assert protect_count(19, policy).suppressed
    assert protect_count(20, policy) == Cell.shown(20)


@pytest.mark.parametrize(
    ("n", "shown"), [(10, 10), (12, 10), (13, 15), (17, 15), (18, 20), (22, 20), (23, 25)]
)
def test_rounding_to_nearest_five(n: int, shown: int) -> None:
    assert protect_count(n, DEFAULT) == Cell.shown(shown)


@pytest.mark.parametrize(("n", "rounded"), [(15, 20), (25, 30), (14, 10), (24, 20), (5, 10)])
def test_exact_halves_round_up(n: int, rounded: int) -> None:
    # With base 5 whole counts are never half-way; with base 10 they are, and go up.
    assert round_half_up(n, 10) == rounded


def test_rounding_can_be_switched_off() -> None:
    policy = DisclosurePolicy(rounding=1)
    assert protect_count(13, policy) == Cell.shown(13)


@given(st.integers(0, 10_000), st.sampled_from([1, 2, 3, 5, 10, 25]))
def test_rounding_is_to_the_nearest_multiple(n: int, base: int) -> None:
    rounded = round_half_up(n, base)
    assert rounded % base == 0
    assert -base / 2 <= n - rounded < base / 2  # a half-way count goes up


@given(st.integers(0, 1000), st.integers(0, 1000))
def test_rounding_is_monotone_so_shown_figures_never_drop_below_k(a: int, b: int) -> None:
    lo, hi = sorted((a, b))
    assert round_half_up(lo, 5) <= round_half_up(hi, 5)
    if hi >= DEFAULT.k:
        assert round_half_up(hi, 5) >= DEFAULT.k


def test_shown_cells_have_values_and_suppressed_cells_do_not() -> None:
    with pytest.raises(ValueError):
        Cell(Status.SHOWN)
    with pytest.raises(ValueError):
        Cell(Status.FEWER_THAN_K, 3)
    with pytest.raises(ValueError):
        Cell(Status.HIDDEN, 30)
    assert Cell.hidden().suppressed and Cell.fewer_than_k().suppressed
    assert not Cell.shown(10).suppressed


# ---------------------------------------------------------------------------------------------
# No breakdown for small wards


def test_ward_below_k_gets_no_breakdown() -> None:
    assert not ward_breakdown_allowed(9, DEFAULT)
    assert ward_breakdown_allowed(10, DEFAULT)
    table = protect_table({"agree": 5, "disagree": 4}, 9, DEFAULT)
    assert table.withheld and table.cells == {}
    assert table.total == Cell.fewer_than_k()


def test_ward_at_k_gets_a_breakdown() -> None:
    table = protect_table({"a": 3, "b": 3, "c": 2, "d": 2}, 10, DEFAULT)
    assert not table.withheld
    assert all(cell.status is Status.FEWER_THAN_K for cell in table.cells.values())
    assert not recovered(attacker(table, DEFAULT), DEFAULT.k)


# ---------------------------------------------------------------------------------------------
# Secondary suppression


def test_one_small_cell_with_exact_figures_is_protected() -> None:
    policy = DisclosurePolicy(rounding=1)  # no rounding: subtraction would be exact
    counts = {"asb": 30, "drugs": 25, "burglary": 3}
    unprotected = ProtectedTable(
        Cell.shown(58),
        {"asb": Cell.shown(30), "drugs": Cell.shown(25), "burglary": Cell.fewer_than_k()},
        withheld=False,
    )
    assert naive_subtraction(unprotected) == 3  # what secondary suppression is for

    table = protect_table(counts, 58, policy)
    check_table_invariants(counts, 58, policy, table)
    assert table.cells["drugs"] == Cell.hidden()  # hidden from the end backwards
    assert table.cells["asb"] == Cell.shown(30)
    assert naive_subtraction(table) is None
    assert attacker(table, policy)[frozenset({"burglary"})] == set(range(10))


def test_rounding_alone_can_leave_a_small_cell_bounded() -> None:
    # True 30 / 25 / 0 of 55: all figures exact multiples of 5, so rounding blurs nothing much;
    # published as is, the attacker learns burglary <= 6.
    bare = ProtectedTable(
        Cell.shown(55),
        {"asb": Cell.shown(30), "drugs": Cell.shown(25), "burglary": Cell.fewer_than_k()},
        withheld=False,
    )
    assert attacker(bare, DEFAULT)[frozenset({"burglary"})] == set(range(7))

    table = protect_table({"asb": 30, "drugs": 25, "burglary": 0}, 55, DEFAULT)
    assert table.cells["drugs"] == Cell.hidden()
    assert not recovered(attacker(table, DEFAULT), DEFAULT.k)


def test_rounding_slack_is_used_when_it_is_enough() -> None:
    table = protect_table({"asb": 30, "drugs": 25, "burglary": 3}, 58, DEFAULT)
    assert [c.status for c in table.cells.values()] == [
        Status.SHOWN,
        Status.SHOWN,
        Status.FEWER_THAN_K,
    ]
    assert not recovered(attacker(table, DEFAULT), DEFAULT.k)


def test_cells_are_hidden_by_position_not_by_size() -> None:
    # "y" is hidden because it is the last shown cell, even though it is the larger.
    table = protect_table({"a": 20, "y": 30, "x": 9}, 59, DEFAULT)
    assert table.cells == {"a": Cell.shown(20), "y": Cell.hidden(), "x": Cell.fewer_than_k()}
    assert not recovered(attacker(table, DEFAULT), DEFAULT.k)

    # Why not "hide the smallest": with 20 / 20 / 9 of 49 the smallest-first rule would hide y
    # too, and a reader who knows that rule also knows y <= a <= 22, so x >= 4.
    table = protect_table({"a": 20, "y": 20, "x": 9}, 49, DEFAULT)
    assert table.cells["y"] == Cell.hidden()
    x_if_smallest_first = {
        t - a - y
        for t in range(48, 53)  # "50"
        for a in range(18, 23)  # "20"
        for y in range(10, a + 1)  # hidden, and no larger than a
        if 0 <= t - a - y <= 9
    }
    assert min(x_if_smallest_first) == 4


def test_a_small_cell_cannot_be_shown_to_be_non_zero() -> None:
    # 20 and 5 of 25: with 20 shown, "fewer than 10" would have to be at least 1.
    bare = ProtectedTable(
        Cell.shown(25), {"yes": Cell.shown(20), "no": Cell.fewer_than_k()}, withheld=False
    )
    assert min(attacker(bare, DEFAULT)[frozenset({"no"})]) == 1
    table = protect_table({"yes": 20, "no": 5}, 25, DEFAULT)
    assert table.cells == {"yes": Cell.hidden(), "no": Cell.fewer_than_k()}


def test_two_small_cells_cannot_be_shown_to_be_a_small_group() -> None:
    # 13 + 3 + 4 = 20: each small cell alone could be 0..9, but with "15" shown the two must
    # add up to 1..9, i.e. "a few people disagreed".
    bare = ProtectedTable(
        Cell.shown(20),
        {"agree": Cell.shown(15), "disagree": Cell.fewer_than_k(), "dk": Cell.fewer_than_k()},
        withheld=False,
    )
    assert recovered(attacker(bare, DEFAULT), 10) == [frozenset({"disagree", "dk"})]
    table = protect_table({"agree": 13, "disagree": 3, "dk": 4}, 20, DEFAULT)
    assert table.cells["agree"] == Cell.hidden()
    assert not recovered(attacker(table, DEFAULT), DEFAULT.k)


def test_small_cells_that_must_all_be_near_k_withhold_the_table() -> None:
    # Five cells of 8 or 9 (total 43, shown as 45): each must be at least 7.
    counts = {"a": 9, "b": 9, "c": 8, "d": 9, "e": 8}
    table = protect_table(counts, 43, DEFAULT)
    assert table.withheld and table.cells == {}
    assert table.total == Cell.shown(45)


def test_everyone_in_one_cell_of_a_tiny_ward_withholds_the_table() -> None:
    # 12 respondents, all "yes": "10" shown and "fewer than 10" would bound "no" to 0..2.
    table = protect_table({"yes": 12, "no": 0}, 12, DEFAULT)
    assert table.withheld


def test_multiple_choice_tables_use_the_picks_bounds() -> None:
    # Priorities: each of 40 respondents picks 1 to 3, so the cells need not add up to 40.
    counts = {"asb": 30, "drugs": 25, "knife": 20, "burglary": 2, "hate": 1}
    table = protect_table(counts, 40, DEFAULT, picks=(1, 3))
    check_table_invariants(counts, 40, DEFAULT, table)
    assert [c.suppressed for c in table.cells.values()] == [False, False, False, True, True]
    assert not recovered(attacker(table, DEFAULT, (1, 3)), DEFAULT.k)


def test_inconsistent_counts_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="impossible"):
        protect_table({"a": 5, "b": 5}, 20, DEFAULT)  # a partition must add up
    with pytest.raises(ValueError, match="exceed"):
        protect_table({"a": 25}, 20, DEFAULT, picks=(0, 1))
    with pytest.raises(ValueError, match="at least one cell"):
        protect_table({}, 20, DEFAULT)
    with pytest.raises(ValueError, match="picks"):
        protect_table({"a": 20}, 20, DEFAULT, picks=(2, 1))


@st.composite
def tables(draw: st.DrawFn) -> tuple[DisclosurePolicy, dict[str, int], int, tuple[int, int]]:
    k = draw(st.sampled_from([5, 10, 15]))
    rounding = draw(st.sampled_from([r for r in (1, 2, 5, 10) if k % r == 0]))
    policy = DisclosurePolicy(k=k, rounding=rounding)
    size = draw(st.integers(1, 5))
    count = st.one_of(st.integers(0, k + 3), st.integers(0, 4 * k))
    values = draw(st.lists(count, min_size=size, max_size=size))
    counts = {f"c{i}": n for i, n in enumerate(values)}
    if draw(st.booleans()):
        return policy, counts, sum(values), (1, 1)
    least = draw(st.integers(0, 1))
    most = draw(st.integers(1, max(1, size)))
    if least > most:
        least = most
    low = max([*values, -(-sum(values) // most)])
    high = sum(values) // least if least else sum(values) + 2 * k
    if low > high:
        return policy, counts, sum(values), (1, 1)
    return policy, counts, draw(st.integers(low, high)), (least, most)


@settings(max_examples=400, deadline=None)
@given(tables())
def test_attacker_never_recovers_a_small_cell(
    case: tuple[DisclosurePolicy, dict[str, int], int, tuple[int, int]],
) -> None:
    policy, counts, total, picks = case
    table = protect_table(counts, total, policy, picks=picks)
    check_table_invariants(counts, total, policy, table)
    if not table.withheld:
        assert not recovered(attacker(table, policy, picks), policy.k)


@settings(max_examples=200, deadline=None)
@given(tables())
def test_hiding_is_minimal_in_its_fixed_order(
    case: tuple[DisclosurePolicy, dict[str, int], int, tuple[int, int]],
) -> None:
    """Showing the last hidden cell again would let the attacker in: no needless hiding."""
    policy, counts, total, picks = case
    table = protect_table(counts, total, policy, picks=picks)
    hidden = [name for name, cell in table.cells.items() if cell.status is Status.HIDDEN]
    if table.withheld or not hidden:
        return
    cells = dict(table.cells)
    cells[hidden[0]] = protect_count(counts[hidden[0]], policy)  # the first-listed is hidden last
    less = ProtectedTable(table.total, cells, withheld=False)
    assert recovered(attacker(less, policy, picks), policy.k)


# ---------------------------------------------------------------------------------------------
# Percentages and changes


def test_share_needs_a_base_of_at_least_k() -> None:
    part = Cell.shown(10)
    assert share(part, protect_count(9, DEFAULT), DEFAULT) is None
    assert share(part, protect_count(10, DEFAULT), DEFAULT) == 100
    assert share(part, Cell.shown(5), DisclosurePolicy(k=10)) is None  # a base from k=5


def test_share_of_a_suppressed_figure_is_not_shown() -> None:
    base = Cell.shown(40)
    assert share(Cell.fewer_than_k(), base, DEFAULT) is None
    assert share(Cell.hidden(), base, DEFAULT) is None
    assert share(Cell.shown(10), Cell.hidden(), DEFAULT) is None


def test_share_uses_published_figures_and_rounds_halves_up() -> None:
    # 23 of 40 is 57.5% of the raw counts, but 23 is published as 25: 25 of 40 is 62.5% -> 63.
    assert share(protect_count(23, DEFAULT), protect_count(40, DEFAULT), DEFAULT) == 63
    policy = DisclosurePolicy(rounding=1)
    assert share(Cell.shown(14), Cell.shown(80), policy) == 18  # 17.5% -> 18
    assert share(Cell.shown(10), Cell.shown(80), policy) == 13  # 12.5% -> 13
    assert share(Cell.shown(13), Cell.shown(80), policy) == 16  # 16.25% -> 16
    with pytest.raises(ValueError):
        share(Cell.shown(50), Cell.shown(40), DEFAULT)


def test_change_needs_both_sides_shown() -> None:
    assert change(Cell.shown(25), Cell.shown(15)) == 10
    assert change(Cell.shown(15), Cell.shown(25)) == -10
    assert change(Cell.shown(15), Cell.fewer_than_k()) is None
    assert change(Cell.fewer_than_k(), Cell.shown(15)) is None
    assert change(Cell.hidden(), Cell.shown(15)) is None
    assert change(Cell.fewer_than_k(), Cell.fewer_than_k()) is None
    withheld = protect_table({"yes": 12, "no": 0}, 12, DEFAULT)
    assert change(Cell.shown(15), withheld.cells.get("yes")) is None


# ---------------------------------------------------------------------------------------------
# Nothing narrower than a ward


def test_only_ward_breakdowns_are_allowed() -> None:
    check_grouping(["ward"])
    for grouping in (["ward", "age_band"], ["age_band"], ["language"], ["postcode"], []):
        with pytest.raises(DisclosureError, match="ward only"):
            check_grouping(grouping)


def test_responses_per_ward_with_a_borough_total_is_a_protected_table() -> None:
    per_ward = {"dalston": 40, "hoxton_east": 35, "homerton": 3}
    table = protect_table(per_ward, sum(per_ward.values()), DEFAULT)
    assert table.cells["homerton"] == Cell.fewer_than_k()
    assert not recovered(attacker(table, DEFAULT), DEFAULT.k)


# ---------------------------------------------------------------------------------------------
# Periods and differencing


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def test_months_and_weeks() -> None:
    assert block_containing(date(2025, 3, 19), BlockLength.MONTH) == Period(
        date(2025, 3, 1), date(2025, 4, 1)
    )
    assert block_containing(date(2025, 12, 31), BlockLength.MONTH) == Period(
        date(2025, 12, 1), date(2026, 1, 1)
    )
    # 19 March 2025 was a Wednesday: its ISO week runs Monday 17 to Sunday 23.
    week = block_containing(date(2025, 3, 19), BlockLength.WEEK)
    assert week == Period(date(2025, 3, 17), date(2025, 3, 24))
    assert week.last_day == date(2025, 3, 23)


def test_blocks_are_local_midnight_to_local_midnight_across_clock_changes() -> None:
    march = Period(date(2025, 3, 1), date(2025, 4, 1))
    assert march.utc_bounds(LONDON) == (
        datetime(2025, 3, 1, tzinfo=UTC),
        datetime(2025, 3, 31, 23, tzinfo=UTC),  # BST began on 30 March
    )
    april = block_containing(march.end, BlockLength.MONTH)
    assert april.utc_bounds(LONDON)[0] == march.utc_bounds(LONDON)[1]


@given(
    st.datetimes(
        min_value=datetime(2020, 1, 1),
        max_value=datetime(2035, 12, 31),
        timezones=st.just(UTC),
    ),
    st.sampled_from(list(BlockLength)),
)
def test_every_moment_falls_in_exactly_one_block(moment: datetime, length: BlockLength) -> None:
    block = block_containing(moment.astimezone(LONDON).date(), length)
    start, end = block.utc_bounds(LONDON)
    assert start <= moment < end
    following = block_containing(block.end, length)
    assert following.utc_bounds(LONDON)[0] == end
    assert block_containing(block.start, length) == block


def test_a_block_closes_an_hour_after_it_ends() -> None:
    march = Period(date(2025, 3, 1), date(2025, 4, 1))
    end = march.utc_bounds(LONDON)[1]
    assert not is_closed(march, end, LONDON)
    assert not is_closed(march, end + SETTLE_TIME - timedelta(seconds=1), LONDON)
    assert is_closed(march, end + SETTLE_TIME, LONDON)
    with pytest.raises(ValueError, match="aware"):
        is_closed(march, datetime(2025, 5, 1), LONDON)


def test_latest_closed_block() -> None:
    assert latest_closed_block(at(date(2025, 4, 15)), LONDON, DEFAULT) == Period(
        date(2025, 3, 1), date(2025, 4, 1)
    )
    # Half an hour into April, March has not settled yet.
    just_after = datetime(2025, 4, 1, 0, 30, tzinfo=LONDON)
    assert latest_closed_block(just_after, LONDON, DEFAULT) == Period(
        date(2025, 2, 1), date(2025, 3, 1)
    )


def test_seven_days_then_eight_days_reveal_nothing() -> None:
    """The classic attack: the eighth day holds exactly one response."""
    now = at(date(2025, 4, 10))
    seven = snap_request(date(2025, 3, 2), date(2025, 3, 8), now=now, tz=LONDON, policy=DEFAULT)
    eight = snap_request(date(2025, 3, 1), date(2025, 3, 8), now=now, tz=LONDON, policy=DEFAULT)
    march = Period(date(2025, 3, 1), date(2025, 4, 1))
    assert seven == eight == [march]

    # Simulate it: one response on 1 March, the rest later. Both requests show one digest of
    # the whole of March, published once and then reused, so the two answers are identical.
    responses = [(datetime(2025, 3, 1, 9, tzinfo=LONDON), "hate")] + [
        (datetime(2025, 3, day, 9, tzinfo=LONDON), "asb") for day in range(2, 26)
    ]
    log: dict[Period, ProtectedTable] = {}

    def digest(first: date, last: date) -> list[ProtectedTable]:
        shown = []
        for period in snap_request(first, last, now=now, tz=LONDON, policy=DEFAULT):
            decision = check_period(period, now=now, tz=LONDON, policy=DEFAULT, published=log)
            if decision is PeriodCheck.PUBLISH:
                start, end = period.utc_bounds(LONDON)
                answers = [a for when, a in responses if start <= when < end]
                counts = {c: answers.count(c) for c in ("asb", "hate")}
                log[period] = protect_table(counts, len(answers), DEFAULT)
            assert decision.allowed
            shown.append(log[period])
        return shown

    first_answer = digest(date(2025, 3, 2), date(2025, 3, 8))
    second_answer = digest(date(2025, 3, 1), date(2025, 3, 8))
    assert first_answer == second_answer
    assert first_answer[0].cells["hate"] == Cell.fewer_than_k()


def test_a_period_that_is_not_one_whole_block_is_refused() -> None:
    now = at(date(2025, 6, 1))
    for period in (
        Period(date(2025, 3, 1), date(2025, 3, 8)),  # a week that is not an ISO week
        Period(date(2025, 3, 2), date(2025, 4, 1)),  # a month minus a day
        Period(date(2025, 2, 1), date(2025, 4, 1)),  # two months merged
    ):
        check = check_period(period, now=now, tz=LONDON, policy=DEFAULT, published=[])
        assert check is PeriodCheck.NOT_A_BLOCK
        assert not check.allowed


def test_an_open_block_is_refused() -> None:
    march = Period(date(2025, 3, 1), date(2025, 4, 1))
    now = at(date(2025, 3, 20))
    assert check_period(march, now=now, tz=LONDON, policy=DEFAULT, published=[]) is (
        PeriodCheck.NOT_CLOSED
    )
    assert (
        snap_request(date(2025, 3, 1), date(2025, 3, 19), now=now, tz=LONDON, policy=DEFAULT) == []
    )


def test_a_published_block_is_reused_not_recomputed() -> None:
    march = Period(date(2025, 3, 1), date(2025, 4, 1))
    now = at(date(2025, 5, 1))
    assert check_period(march, now=now, tz=LONDON, policy=DEFAULT, published=[]) is (
        PeriodCheck.PUBLISH
    )
    assert check_period(march, now=now, tz=LONDON, policy=DEFAULT, published=[march]) is (
        PeriodCheck.REUSE
    )


def test_changing_block_length_cannot_overlap_what_was_published() -> None:
    weekly = DisclosurePolicy(block=BlockLength.WEEK)
    now = at(date(2025, 5, 1))
    week = Period(date(2025, 3, 17), date(2025, 3, 24))
    assert check_period(week, now=now, tz=LONDON, policy=weekly, published=[]) is (
        PeriodCheck.PUBLISH
    )
    march = Period(date(2025, 3, 1), date(2025, 4, 1))
    assert check_period(march, now=now, tz=LONDON, policy=DEFAULT, published=[week]) is (
        PeriodCheck.OVERLAPS_PUBLISHED
    )
    # Still fine to show the week already published, from the log.
    assert check_period(week, now=now, tz=LONDON, policy=DEFAULT, published=[week]) is (
        PeriodCheck.REUSE
    )


def test_request_days_must_be_in_order() -> None:
    with pytest.raises(ValueError):
        snap_request(
            date(2025, 3, 9), date(2025, 3, 8), now=at(date(2025, 5, 1)), tz=LONDON, policy=DEFAULT
        )


requests = st.tuples(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2025, 12, 31)),
    st.integers(0, 120),
    st.integers(0, 500),
)


@settings(max_examples=200)
@given(st.lists(requests, min_size=1, max_size=12), st.sampled_from(list(BlockLength)))
def test_published_periods_are_whole_closed_disjoint_blocks(
    asked: list[tuple[date, int, int]], length: BlockLength
) -> None:
    """Whatever officers ask for, and whenever, every response is published at most once."""
    policy = DisclosurePolicy(block=length)
    published: list[Period] = []
    clock = datetime(2024, 1, 1, tzinfo=UTC)
    for first, days, wait in sorted(asked, key=lambda r: r[2]):
        now = clock + timedelta(days=wait)
        last = first + timedelta(days=days)
        for period in snap_request(first, last, now=now, tz=LONDON, policy=policy):
            assert period == block_containing(period.start, length)
            assert period.overlaps(Period(first, last + timedelta(days=1)))
            decision = check_period(period, now=now, tz=LONDON, policy=policy, published=published)
            assert decision in (PeriodCheck.PUBLISH, PeriodCheck.REUSE)
            if decision is PeriodCheck.PUBLISH:
                assert is_closed(period, now, LONDON)
                published.append(period)
    for a, b in itertools.combinations(published, 2):
        assert not a.overlaps(b)
