"""Digest figures for a synthetic ward: exactly what the disclosure rules allow, nothing more."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bot.digests.disclosure import DisclosurePolicy, Period
from bot.digests.report import (
    build_ward_digest,
    cell_text,
    hidden_notes,
    priorities_chart,
    render_ward_digest,
    snapshot_from,
)
from bot.digests.service import scheduled_moment
from bot.i18n import use_locale
from bot.settings import PROJECT_ROOT
from bot.surveys import load_surveys
from storage.models import Comment, RawCounts

SURVEY = load_surveys(PROJECT_ROOT / "surveys")["local-priorities"]
POLICY = DisclosurePolicy(k=10, rounding=5)
WEEK = Period(date(2026, 11, 16), date(2026, 11, 23))
BEFORE = Period(date(2026, 11, 9), date(2026, 11, 16))


def raw(
    responses: int, priorities: dict[str, int], safety: dict[int, int] | None = None
) -> RawCounts:
    counts = RawCounts(responses=responses)
    counts.choices["priorities"] = Counter(priorities)
    counts.values["safety_after_dark"] = Counter(safety or {3: responses})
    for question in ("trust_police", "trust_fair", "trust_listen"):
        counts.choices[question] = Counter(
            {"agree": responses // 2, "disagree": responses - responses // 2}
        )
    counts.languages = Counter({"en": responses - 3, "tr": 3})
    return counts


def snapshot(counts: RawCounts, comments: list[Comment] | None = None) -> dict[str, Any]:
    return snapshot_from(counts, comments or [], {"going": 12}, SURVEY, POLICY, lambda t: t)


def test_a_controlled_ward_gives_exactly_the_expected_figures() -> None:
    current = snapshot(raw(40, {"burglary": 23, "road_safety": 12, "drugs": 4, "asb": 31}))
    previous = snapshot(raw(30, {"burglary": 13, "road_safety": 3, "drugs": 20, "asb": 20}))
    digest = build_ward_digest(
        "dalston", "Dalston", WEEK, BEFORE, current, previous, SURVEY, POLICY
    )
    cells = {cid: cell_text(cell, POLICY) for cid, cell in digest.priorities.cells.items()}
    assert list(cells)[:4] == ["asb", "burglary", "road_safety", "drugs"]  # ranked
    assert cells["asb"] == "30" and cells["burglary"] == "25" and cells["road_safety"] == "10"
    assert cells["drugs"] == "fewer than 10"
    assert digest.priority_changes["asb"] == 10  # 30 against 20
    assert digest.priority_changes["burglary"] == 10  # 25 against 15
    assert digest.priority_changes["road_safety"] is None  # previous was suppressed
    assert digest.priority_changes["drugs"] is None  # current is suppressed
    assert cell_text(digest.responses, POLICY) == "40"
    assert cell_text(digest.rsvps["going"], POLICY) == "10"
    with use_locale("en"):
        text = render_ward_digest(digest, SURVEY, POLICY, "16–22 Nov 2026")
    assert "Anti-social behaviour: 30 (+10)" in text
    assert "Drug dealing: fewer than 10" in text
    assert "Responses: 40" in text
    assert "Agree: 50%" in text  # 20 of 40 agreeing
    with use_locale("en"):
        chart = priorities_chart(digest, SURVEY, "Dalston")
    assert chart is not None and chart.startswith(b"\x89PNG")


def test_a_ward_below_k_shows_no_breakdown_and_no_comments() -> None:
    comment = [Comment("The lights are broken", "en", ("asb",))]
    small = snapshot(raw(9, {"asb": 9}), comment)
    digest = build_ward_digest("dalston", "Dalston", WEEK, BEFORE, small, None, SURVEY, POLICY)
    assert digest.withheld and digest.comments == [] and digest.priorities.cells == {}
    assert small["comments"] == []  # never even stored
    with use_locale("en"):
        text = render_ward_digest(digest, SURVEY, POLICY, "week")
    assert "Responses: fewer than 10" in text and "no breakdown" in text
    assert "broken" not in text

    enough = snapshot(raw(10, {"asb": 10}), comment)
    digest = build_ward_digest("dalston", "Dalston", WEEK, BEFORE, enough, None, SURVEY, POLICY)
    assert not digest.withheld and digest.comments[0]["text"] == "The lights are broken"


def test_excerpts_represent_the_top_priorities_not_just_the_newest() -> None:
    comments = [Comment(f"about drugs {n}", "en", ("drugs",)) for n in range(6)]
    comments.append(Comment("about burglary", "tr", ("burglary",)))
    comments.append(Comment("about asb", "en", ("asb",)))
    current = snapshot(raw(40, {"asb": 30, "burglary": 25, "drugs": 5}), comments)
    texts = [c["text"] for c in current["comments"]]
    assert texts[:3] == ["about asb", "about burglary", "about drugs 0"]
    assert len(texts) == 5


def test_a_scheduled_digest_falls_due_on_the_first_chosen_day_after_its_period() -> None:
    london = ZoneInfo("Europe/London")
    at = time(9, 0)
    # The week ends as Monday 23 November begins.
    assert scheduled_moment(WEEK, 0, at, london) == datetime(2026, 11, 23, 9, tzinfo=london)
    assert scheduled_moment(WEEK, 2, at, london) == datetime(2026, 11, 25, 9, tzinfo=london)
    assert scheduled_moment(WEEK, 6, at, london) == datetime(2026, 11, 29, 9, tzinfo=london)
    # A month ending as Tuesday 1 December begins: the next Monday.
    november = Period(date(2026, 11, 1), date(2026, 12, 1))
    assert scheduled_moment(november, 0, at, london) == datetime(2026, 12, 7, 9, tzinfo=london)
    # Local time across the change to summer time (29 March 2026): 09:00 BST is 08:00 UTC.
    spring = Period(date(2026, 3, 23), date(2026, 3, 30))
    due = scheduled_moment(spring, 0, at, london)
    assert due.astimezone(UTC) == datetime(2026, 3, 30, 8, tzinfo=UTC)


# -- order and wording: nothing read from a hidden figure --------------------------------------


def _digest_text(priorities: dict[str, int]) -> tuple[list[str], str]:
    digest = build_ward_digest(
        "dalston", "Dalston", WEEK, BEFORE, snapshot(raw(40, priorities)), None, SURVEY, POLICY
    )
    with use_locale("en"):
        text = render_ward_digest(digest, SURVEY, POLICY, "16 to 22 November")
    return list(digest.priorities.cells), text


def test_no_order_or_word_depends_on_a_suppressed_count() -> None:
    """Hate crime and stop and search both read "fewer than 10" either way round."""
    base = {"burglary": 23, "road_safety": 12, "asb": 31}
    one_way = _digest_text({**base, "hate_crime": 9, "stop_search": 1})
    other_way = _digest_text({**base, "hate_crime": 1, "stop_search": 9})
    assert one_way == other_way
    order, _text = one_way
    survey_order = [c.id for c in SURVEY.questions[0].choices]
    hidden = order[3:]
    assert hidden == [c for c in survey_order if c in hidden]  # in the survey's own order


def test_shown_figures_rank_by_the_published_figure_with_ties_in_survey_order() -> None:
    # 24 and 26 both publish as 25: the tie goes to the survey's order, not the true counts.
    order, _text = _digest_text({"road_safety": 26, "burglary": 24, "asb": 40})
    survey_order = [c.id for c in SURVEY.questions[0].choices]
    tied = sorted(["road_safety", "burglary"], key=survey_order.index)
    assert order[:3] == ["asb", *tied]


def test_the_chart_says_what_it_leaves_out() -> None:
    digest = build_ward_digest(
        "dalston",
        "Dalston",
        WEEK,
        BEFORE,
        snapshot(raw(40, {"burglary": 23, "road_safety": 12, "asb": 31})),
        None,
        SURVEY,
        POLICY,
    )
    with use_locale("en"):
        notes = hidden_notes(digest)
    others = len(SURVEY.questions[0].choices) - 3
    assert notes == [f"{others} other priorities: fewer than 10 each"]


def test_a_share_of_a_small_figure_reads_as_the_figure_does_elsewhere() -> None:
    counts = raw(40, {"burglary": 23, "road_safety": 12, "asb": 31})
    counts.choices["trust_police"] = Counter({"agree": 36, "disagree": 4})
    digest = build_ward_digest(
        "dalston", "Dalston", WEEK, BEFORE, snapshot(counts), None, SURVEY, POLICY
    )
    with use_locale("en"):
        text = render_ward_digest(digest, SURVEY, POLICY, "16 to 22 November")
        wording = cell_text(digest.trust["trust_police"].cells["disagree"], POLICY)
    assert wording == "fewer than 10"
    assert "Disagree: fewer than 10" in text
