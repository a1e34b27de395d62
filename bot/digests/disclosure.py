"""Statistical disclosure control for officer digests: plain Python, no Telegram, no database.

Officers see figures about their ward, never answers. A small count is the risk: "1 resident of
Hackney Wick said they distrust the police" points at someone. The rules here (README,
"Disclosure control") turn raw counts into figures that are safe to publish:

* a count below ``k`` is published only as "fewer than k"; other counts are rounded;
* secondary suppression hides further cells until nothing published — the total, the other
  cells, the rules themselves — says anything about a "fewer than k" cell that its label did not;
* a ward with fewer than ``k`` responses in a period gets no breakdown at all;
* percentages and changes are computed from published figures only, so they add nothing;
* figures are grouped by ward and nothing else;
* a digest covers exactly one closed calendar block (a month by default) and is published once,
  so no two published periods overlap and nothing can be isolated by differencing.

The digest builder calls this module and renders the result with translations; nothing here
formats text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import Enum, StrEnum

from bot.errors import NeighbourhoodVoiceError

__all__ = [
    "MIN_K",
    "SETTLE_TIME",
    "BlockLength",
    "Cell",
    "DisclosureError",
    "DisclosurePolicy",
    "Period",
    "PeriodCheck",
    "ProtectedTable",
    "Status",
    "block_containing",
    "change",
    "check_grouping",
    "check_period",
    "is_closed",
    "latest_closed_block",
    "protect_count",
    "protect_table",
    "round_half_up",
    "share",
    "snap_request",
    "ward_breakdown_allowed",
]

MIN_K = 5
"""No configuration may publish a count smaller than this."""

SETTLE_TIME = timedelta(hours=1)
"""How long after a block ends before it counts as closed.

A response is timestamped a moment before its transaction commits; waiting an hour means no
response can still land in a block after its digest was computed (which would make a later
recomputation differ from the published one by that response).
"""

GROUPING: tuple[str, ...] = ("ward",)
"""The only breakdown a digest may use (see :func:`check_grouping`)."""


class DisclosureError(NeighbourhoodVoiceError, ValueError):
    """A digest asked for something the disclosure rules forbid (a programming error)."""


class BlockLength(StrEnum):
    """The fixed calendar blocks digests are published for."""

    WEEK = "week"  # ISO week, Monday to Sunday, local time
    MONTH = "month"  # calendar month, local time


@dataclass(frozen=True, slots=True)
class DisclosurePolicy:
    """The configurable part of the rules; the defaults are the ones the README promises.

    ``k`` must be a multiple of ``rounding`` so that rounding never turns a published count into
    a number below ``k`` (with k=12 and rounding 5, a count of 12 would show as "10" next to
    "fewer than 12", and "10" could then only mean exactly 12).
    """

    k: int = 10
    rounding: int = 5
    block: BlockLength = BlockLength.MONTH

    def __post_init__(self) -> None:
        for name in ("k", "rounding"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"{name} must be a whole number, got {value!r}")
        if self.k < MIN_K:
            raise ValueError(f"k must be at least {MIN_K}, got {self.k}")
        if self.rounding < 1:
            raise ValueError(f"rounding must be at least 1, got {self.rounding}")
        if self.k % self.rounding:
            raise ValueError(f"k ({self.k}) must be a multiple of rounding ({self.rounding})")
        if not isinstance(self.block, BlockLength):
            raise TypeError(f"block must be a BlockLength, got {self.block!r}")


# ---------------------------------------------------------------------------------------------
# Cells


class Status(Enum):
    """How a figure is published."""

    SHOWN = "shown"  # rounded value
    FEWER_THAN_K = "fewer_than_k"  # primary suppression: the true count is below k
    HIDDEN = "hidden"  # secondary suppression: k or more, hidden to protect a small cell


@dataclass(frozen=True, slots=True)
class Cell:
    """One published figure. ``value`` is the rounded count, and only present when shown.

    The two kinds of suppression are kept apart because the digest must say "fewer than k"
    only when that is true; a hidden cell holds k or more. The safety audit assumes a reader
    knows which is which.
    """

    status: Status
    value: int | None = None

    def __post_init__(self) -> None:
        if self.status is Status.SHOWN:
            if self.value is None or self.value < 1:
                raise ValueError(f"a shown cell needs a positive value, got {self.value!r}")
        elif self.value is not None:
            raise ValueError(f"a {self.status.value} cell has no value, got {self.value!r}")

    @classmethod
    def shown(cls, value: int) -> Cell:
        return cls(Status.SHOWN, value)

    @classmethod
    def fewer_than_k(cls) -> Cell:
        return cls(Status.FEWER_THAN_K)

    @classmethod
    def hidden(cls) -> Cell:
        return cls(Status.HIDDEN)

    @property
    def suppressed(self) -> bool:
        return self.status is not Status.SHOWN


@dataclass(frozen=True, slots=True)
class ProtectedTable:
    """A question's breakdown for one ward and period, ready to render.

    ``cells`` keeps the caller's key order. When ``withheld`` is true, ``cells`` is empty and
    the digest shows no breakdown for the question, only ``total``.
    """

    total: Cell
    cells: Mapping[str, Cell]
    withheld: bool


def round_half_up(n: int, base: int) -> int:
    """Round ``n`` to the nearest multiple of ``base``; exact halves go up (15 -> 20 for 10).

    Integer arithmetic, so there is no floating-point surprise and no banker's rounding. With
    the default base 5, whole counts never sit exactly half-way.
    """
    if base < 1:
        raise ValueError(f"base must be at least 1, got {base}")
    return (2 * n + base) // (2 * base) * base


def _preimage(value: int, base: int) -> tuple[int, int]:
    """Every count that :func:`round_half_up` turns into ``value``: what a reader can infer."""
    return value - base // 2, value + (base - 1) // 2


def protect_count(n: int, policy: DisclosurePolicy) -> Cell:
    """A single count on its own, such as a ward's number of responses in the period."""
    if n < 0:
        raise ValueError(f"a count cannot be negative, got {n}")
    if n < policy.k:
        return Cell.fewer_than_k()
    return Cell.shown(round_half_up(n, policy.rounding))


def ward_breakdown_allowed(responses_in_period: int, policy: DisclosurePolicy) -> bool:
    """Whether a ward's digest may break its responses down at all.

    Below k responses every cell would be a small cell, and even "all fewer than k" next to a
    total says how the few respondents are spread; so the digest shows the (suppressed) total
    and nothing else.
    """
    return responses_in_period >= policy.k


# ---------------------------------------------------------------------------------------------
# Secondary suppression
#
# The audit plays the reader: it knows every published figure and every rule. A shown value v
# means a count in the rounding interval of v and at least k; "fewer than k" means 0..k-1;
# hidden means at least k; the total likewise. Cells never exceed the total, and their sum lies
# between least*T and most*T (least = most = 1 when every respondent is in exactly one cell;
# 1 and 3 for "choose up to 3"). With boxes like these and a single sum constraint, the values a
# group of cells can take together form, for each possible total, one whole interval, which
# the code below computes exactly (no linear programming needed). See docs/disclosure.md.

_Box = tuple[int, int | None]  # (lowest, highest or None = up to the total)


def _knowledge(cell: Cell, policy: DisclosurePolicy) -> _Box:
    if cell.status is Status.FEWER_THAN_K:
        return (0, policy.k - 1)
    if cell.status is Status.HIDDEN:
        return (policy.k, None)
    assert cell.value is not None
    low, high = _preimage(cell.value, policy.rounding)
    return (max(low, policy.k), high)


def _box_sum(boxes: Sequence[_Box], total: int) -> tuple[int, int] | None:
    low = high = 0
    for box_low, box_high in boxes:
        capped = total if box_high is None else min(box_high, total)
        if box_low > capped:
            return None
        low += box_low
        high += capped
    return low, high


def _sum_spans(
    inside: Sequence[_Box], outside: Sequence[_Box], totals: range, picks: tuple[int, int]
) -> list[tuple[int, int]]:
    """Every value the cells ``inside`` can sum to in a table consistent with the boxes.

    For a fixed total T, the inside sum s and outside sum u each range over a whole interval,
    and the table is consistent iff least*T <= s + u <= most*T; so s ranges over one interval.
    The union over the possible totals is returned as merged, sorted intervals.
    """
    least, most = picks
    spans: list[tuple[int, int]] = []
    for total in totals:
        inner, outer = _box_sum(inside, total), _box_sum(outside, total)
        if inner is None or outer is None:
            continue
        low = max(inner[0], least * total - outer[1])
        high = min(inner[1], most * total - outer[0])
        if low <= high:
            spans.append((low, high))
    merged: list[tuple[int, int]] = []
    for low, high in sorted(spans):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _protected(
    cells: Mapping[str, Cell], total: Cell, policy: DisclosurePolicy, picks: tuple[int, int]
) -> bool:
    """Whether a reader learns nothing about the "fewer than k" cells beyond their labels.

    Two conditions, for every group of s "fewer than k" cells (all such cells have the same
    box, so one group of each size stands for all):

    * s = 1: the cell could still be any of 0..k-1 (the label's own range), so it is neither
      pinned nor bounded away from 0 ("someone said this") or from k-1;
    * s >= 2: their sum is not confined to 1..k-1; otherwise "between 1 and k-1 people chose
      A or B" would publish a small merged cell.
    """
    k = policy.k
    total_low, total_high = _knowledge(total, policy)
    assert total_high is not None
    totals = range(total_low, total_high + 1)
    small = sum(1 for cell in cells.values() if cell.status is Status.FEWER_THAN_K)
    others = [
        _knowledge(cell, policy)
        for cell in cells.values()
        if cell.status is not Status.FEWER_THAN_K
    ]
    small_box: _Box = (0, k - 1)
    for size in range(1, small + 1):
        spans = _sum_spans(
            [small_box] * size, [small_box] * (small - size) + others, totals, picks
        )
        if not spans:
            return False  # no consistent table: the caller's counts were inconsistent
        if size == 1:
            if not any(low <= 0 and high >= k - 1 for low, high in spans):
                return False
        elif spans[0][0] >= 1 and spans[-1][1] <= k - 1:
            return False
    return True


def _check_table(counts: Mapping[str, int], total: int, picks: tuple[int, int]) -> None:
    least, most = picks
    if not counts:
        raise ValueError("a table needs at least one cell")
    if not 0 <= least <= most or most < 1:
        raise ValueError(f"picks must be (least, most) with 0 <= least <= most, got {picks}")
    if total < 0 or any(n < 0 for n in counts.values()):
        raise ValueError("counts and total cannot be negative")
    if any(n > total for n in counts.values()):
        raise ValueError("a cell cannot exceed the total")
    if not least * total <= sum(counts.values()) <= most * total:
        raise ValueError(
            f"cells sum to {sum(counts.values())}, impossible for {total} respondents "
            f"choosing {least} to {most} answers each"
        )


def protect_table(
    counts: Mapping[str, int],
    total: int,
    policy: DisclosurePolicy,
    *,
    picks: tuple[int, int] = (1, 1),
) -> ProtectedTable:
    """Protect one question's breakdown for one ward and one period.

    ``total`` is the ward's number of responses in the period (the figure the digest publishes
    next to the table); ``picks`` is how many cells each respondent falls in: ``(1, 1)`` when
    the cells partition the respondents (single choice, scale, agree; give an optional
    question a "skipped" cell, or use ``(0, 1)``), ``(1, 3)`` for "choose up to 3".

    Order matters: when cells must be hidden to protect a small one, they are hidden from the
    end of ``counts`` backwards, so put the figures officers need most first. The order is
    fixed rather than "smallest first" on purpose: hiding the smallest cell would tell a reader
    that the hidden cell is smaller than every shown one, which the audit does not model and
    which can give a small cell away.

    Hiding stops as soon as the audit passes; hiding more never makes it fail, so if hiding
    every shown cell is still not enough the whole table is withheld.
    """
    _check_table(counts, total, picks)
    total_cell = protect_count(total, policy)
    if not ward_breakdown_allowed(total, policy):
        return ProtectedTable(total_cell, {}, withheld=True)
    cells = {name: protect_count(n, policy) for name, n in counts.items()}
    to_hide = [name for name in reversed(list(cells)) if not cells[name].suppressed]
    while not _protected(cells, total_cell, policy, picks):
        if not to_hide:
            return ProtectedTable(total_cell, {}, withheld=True)
        cells[to_hide.pop(0)] = Cell.hidden()
    return ProtectedTable(total_cell, cells, withheld=False)


# ---------------------------------------------------------------------------------------------
# Derived figures


def share(part: Cell, base: Cell, policy: DisclosurePolicy) -> int | None:
    """``part`` as a whole percentage of ``base``, or None when it may not be shown.

    Computed from the published (rounded) figures, never the raw counts: a percentage of raw
    counts could pin a shown cell's exact value, and the secondary-suppression audit relies on
    shown cells being known only to within their rounding. The price is coarseness over small
    bases (12 of 12 and 10 of 12 both show as 10 of 10, 100%). None when either figure is
    suppressed or the base is below k. Exact halves go up (17.5% -> 18%).
    """
    if part.value is None or base.value is None or base.value < policy.k:
        return None
    if part.value > base.value:
        raise ValueError(f"part {part.value} exceeds base {base.value}")
    return (200 * part.value + base.value) // (2 * base.value)


def change(current: Cell | None, previous: Cell | None) -> int | None:
    """Change of a published figure since the previous period, or None if either is suppressed.

    A difference of published figures reveals nothing new; a difference involving a suppressed
    figure would reveal it (or need its raw value), so there is none. None also stands for "no
    figure" (no previous digest, or its table was withheld: ``table.cells.get(name)``).
    """
    if current is None or previous is None or current.value is None or previous.value is None:
        return None
    return current.value - previous.value


def check_grouping(group_by: Sequence[str]) -> None:
    """Refuse any breakdown other than "by ward": nothing narrower, nothing cross-linked.

    Residents give only a ward (postcodes are discarded), an age band and a language. Age band
    or language within a ward (or any cross-tabulation) makes a second dimension whose small
    cells this module does not protect, so it is refused, as are one-way age or language
    tables, which bound the unpublished cross-tabulation with the answers. A borough-wide
    breakdown of answers is refused too: next to ward tables it lets a reader subtract the
    other wards' figures from the borough's. A table of responses per ward with a borough total
    is fine through :func:`protect_table` (wards as cells).
    """
    if tuple(group_by) != GROUPING:
        raise DisclosureError(
            f"digests are broken down by ward only, not by {', '.join(group_by) or 'nothing'}"
        )


# ---------------------------------------------------------------------------------------------
# Periods: the differencing rule
#
# Rule: a digest covers exactly one block (a calendar month by default, or an ISO week) in the
# configured time zone, only once the block has closed, and each (ward, block) is published at
# most once; asking again shows the stored figures. Published periods are therefore whole,
# disjoint blocks: every response counts in at most one published table per ward, and no
# combination of published figures isolates it.


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """Local calendar days from ``start`` up to but not including ``end``."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError(f"a period must end after it starts: {self.start}..{self.end}")

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def overlaps(self, other: Period) -> bool:
        return self.start < other.end and other.start < self.end

    def utc_bounds(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """The period as UTC instants [start, end) for querying responses.

        Local midnight to local midnight, so a month is the month residents lived through
        whatever the clocks did; consecutive periods share a boundary, so no response falls in
        two blocks or in none.
        """
        return _midnight_utc(self.start, tz), _midnight_utc(self.end, tz)


def _midnight_utc(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def block_containing(day: date, length: BlockLength) -> Period:
    """The week (Monday first) or calendar month containing ``day``."""
    if length is BlockLength.WEEK:
        start = day - timedelta(days=day.weekday())
        return Period(start, start + timedelta(days=7))
    start = day.replace(day=1)
    end = date(start.year + 1, 1, 1) if start.month == 12 else start.replace(month=start.month + 1)
    return Period(start, end)


def _local_date(moment: datetime, tz: tzinfo) -> date:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("moments must be timezone-aware")
    return moment.astimezone(tz).date()


def is_closed(period: Period, now: datetime, tz: tzinfo) -> bool:
    """Whether no response can still be added to ``period`` (it ended ``SETTLE_TIME`` ago).

    An open block would be published again as it grows, and two versions that differ by one
    response reveal that response.
    """
    _local_date(now, tz)  # rejects naive datetimes
    return now >= period.utc_bounds(tz)[1] + SETTLE_TIME


def latest_closed_block(now: datetime, tz: tzinfo, policy: DisclosurePolicy) -> Period:
    """The most recent block a digest can cover now (for "the latest digest")."""
    block = block_containing(_local_date(now, tz), policy.block)
    while not is_closed(block, now, tz):
        block = block_containing(block.start - timedelta(days=1), policy.block)
    return block


def snap_request(
    first_day: date, last_day: date, *, now: datetime, tz: tzinfo, policy: DisclosurePolicy
) -> list[Period]:
    """The closed blocks touching the requested days, oldest first, each its own digest.

    Requests are snapped outwards to whole blocks, and blocks are never merged: "the last 7
    days" and "the last 8 days" give the same blocks or blocks that differ by whole blocks,
    and each block is a separate digest, never a sum over several (a sum next to its parts
    would let one be subtracted from the other). Blocks that have not closed are left out.
    """
    if first_day > last_day:
        raise ValueError(f"first day {first_day} is after last day {last_day}")
    blocks: list[Period] = []
    block = block_containing(first_day, policy.block)
    while block.start <= last_day:
        if is_closed(block, now, tz):
            blocks.append(block)
        block = block_containing(block.end, policy.block)
    return blocks


class PeriodCheck(Enum):
    """What the digest layer may do with a period for one ward."""

    PUBLISH = "publish"  # compute, protect, store the figures and log the period
    REUSE = "reuse"  # already published: show the stored figures, do not recompute
    NOT_A_BLOCK = "not_a_block"
    NOT_CLOSED = "not_closed"
    OVERLAPS_PUBLISHED = "overlaps_published"

    @property
    def allowed(self) -> bool:
        return self in (PeriodCheck.PUBLISH, PeriodCheck.REUSE)


def check_period(
    period: Period,
    *,
    now: datetime,
    tz: tzinfo,
    policy: DisclosurePolicy,
    published: Iterable[Period],
) -> PeriodCheck:
    """Decide whether a digest for ``period`` may be shown, given the ward's publication log.

    REUSE rather than recompute: responses are erased (/forget) and expire (retention), so a
    recomputed block can differ from the published one by exactly the erased response.
    OVERLAPS_PUBLISHED catches a change of block length (weeks published, months asked for).
    """
    published = list(published)
    if period in published:
        return PeriodCheck.REUSE
    if period != block_containing(period.start, policy.block):
        return PeriodCheck.NOT_A_BLOCK
    if not is_closed(period, now, tz):
        return PeriodCheck.NOT_CLOSED
    if any(period.overlaps(other) for other in published):
        return PeriodCheck.OVERLAPS_PUBLISHED
    return PeriodCheck.PUBLISH
