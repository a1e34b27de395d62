"""Digests for neighbourhood teams: what residents said, with nobody identifiable.

Plain Python: :func:`snapshot_from` turns raw counts into the figures stored for one ward and
period (comments already scrubbed); :func:`build_ward_digest` applies the disclosure rules of
:mod:`bot.digests.disclosure`; :func:`render_ward_digest` writes it in the reader's language and
:func:`priorities_chart` draws this period's priorities against the previous one.

A ward digest shows: responses; priorities ranked with counts and change; how safe people feel;
each trust statement (share agreeing and disagreeing); event RSVPs; languages used; actions
the team took ("you said, we did"); up to five scrubbed comment excerpts chosen to represent
the top priorities, quoted only when the ward has at least k responses.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from babel.lists import format_list

from bot.digests.disclosure import (
    Cell,
    DisclosurePolicy,
    Period,
    ProtectedTable,
    Status,
    change,
    protect_count,
    protect_table,
    share,
    ward_breakdown_allowed,
)
from bot.i18n import _, current_locale, data_text, language_name, ngettext, pgettext
from bot.surveys import SCALE_VALUES, Survey, agree_label
from storage.models import Action, Comment, RawCounts

__all__ = [
    "MAX_EXCERPTS",
    "WardDigest",
    "build_ward_digest",
    "cell_text",
    "priorities_chart",
    "render_ward_digest",
    "snapshot_from",
]

MAX_EXCERPTS = 5
EXCERPT_LENGTH = 280
AGREE_GROUPS = {
    "strongly_agree": "agree",
    "agree": "agree",
    "neither": "neither",
    "disagree": "disagree",
    "strongly_disagree": "disagree",
    "dont_know": "dont_know",
}
RSVP_ORDER = ("going", "maybe", "not_going")


@dataclass(frozen=True, slots=True)
class SurveyShape:
    """Which question plays which part in a digest, found by kind rather than by id."""

    priorities: str
    max_priorities: int
    safety: str | None
    trust: tuple[str, ...]
    comments: str | None

    @classmethod
    def of(cls, survey: Survey) -> SurveyShape:
        multi = next(q for q in survey.questions if q.kind == "multi")
        return cls(
            priorities=multi.id,
            max_priorities=multi.max_choices,
            safety=next((q.id for q in survey.questions if q.kind == "scale"), None),
            trust=tuple(q.id for q in survey.questions if q.kind == "agree"),
            comments=next((q.id for q in survey.questions if q.kind == "text"), None),
        )


def _pick_excerpts(
    comments: Sequence[Comment], top_priorities: Sequence[str], scrub: Callable[[str], str]
) -> list[dict[str, str]]:
    """Up to five comments, one for each top priority first, then the rest; never two alike."""
    chosen: list[Comment] = []
    seen_texts: set[str] = set()
    distinct = []
    for comment in comments:  # the same sentence from two residents is quoted once
        key = " ".join(comment.text.casefold().split())
        if key not in seen_texts:
            seen_texts.add(key)
            distinct.append(comment)
    comments = distinct
    for priority in top_priorities:
        match = next((c for c in comments if priority in c.priorities and c not in chosen), None)
        if match is not None:
            chosen.append(match)
        if len(chosen) == MAX_EXCERPTS:
            break
    for comment in comments:
        if len(chosen) == MAX_EXCERPTS:
            break
        if comment not in chosen:
            chosen.append(comment)
    excerpts = []
    for comment in chosen:
        text = scrub(comment.text)
        if len(text) > EXCERPT_LENGTH:
            text = text[: EXCERPT_LENGTH - 1].rstrip() + "…"
        excerpts.append(
            {"text": text, "language": comment.language, "response": comment.response_id}
        )
    return excerpts


def snapshot_from(
    raw: RawCounts,
    comments: Sequence[Comment],
    rsvps: Mapping[str, int],
    survey: Survey,
    policy: DisclosurePolicy,
    scrub: Callable[[str], str],
) -> dict[str, Any]:
    """The figures stored for one ward and period; comments scrubbed, and only if allowed."""
    shape = SurveyShape.of(survey)
    priorities = raw.choices.get(shape.priorities, Counter())
    top = [choice for choice, _n in priorities.most_common()]
    excerpts = (
        _pick_excerpts(comments, top, scrub)
        if ward_breakdown_allowed(raw.responses, policy)
        else []
    )
    return {
        "responses": raw.responses,
        "choices": {q: dict(c) for q, c in raw.choices.items()},
        "values": {q: {str(v): n for v, n in c.items()} for q, c in raw.values.items()},
        "languages": dict(raw.languages),
        "rsvps": dict(rsvps),
        "comments": excerpts,
    }


@dataclass(frozen=True, slots=True)
class WardDigest:
    ward_id: str
    ward_name: str
    period: Period
    previous: Period
    responses: Cell
    previous_responses: Cell | None
    withheld: bool
    priorities: ProtectedTable
    priority_changes: dict[str, int | None]
    previous_priorities: ProtectedTable | None
    safety: ProtectedTable | None
    trust: dict[str, ProtectedTable]
    languages: ProtectedTable
    rsvps: dict[str, Cell]
    comments: list[dict[str, str]] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    # The unrounded count, only to build multi-ward tables through protect_table; never shown.
    raw_total: int = field(default=0, repr=False)
    k: int = 10  # the policy's threshold, for the words that say what is suppressed


def _language_key(code: str) -> tuple[bool, str]:
    return (code == "unknown", code)


def in_reading_order(table: ProtectedTable, order: Sequence[str]) -> ProtectedTable:
    """The cells in the order a reader sees them: shown cells by their published (rounded)
    figure, highest first, ties in ``order``; then every suppressed cell, in ``order``.

    Protection ranks cells by their true counts; listing them in that rank would tell a
    reader how the suppressed ones compare ("11. stop and search, 12. hate crime", both
    "fewer than 10", says stop and search had at least one).
    """
    rank = {key: n for n, key in enumerate(order)}
    keys = sorted(table.cells, key=lambda key: rank.get(key, len(rank)))
    shown = sorted(
        (key for key in keys if not table.cells[key].suppressed),
        key=lambda key: -(table.cells[key].value or 0),
    )
    hidden = [key for key in keys if table.cells[key].suppressed]
    return replace(table, cells={key: table.cells[key] for key in (*shown, *hidden)})


def _table(
    counts: Mapping[str, int],
    total: int,
    policy: DisclosurePolicy,
    picks: tuple[int, int] = (1, 1),
) -> ProtectedTable:
    """protect_table, with an empty table (no responses at all) simply withheld."""
    if not counts or total == 0:
        return ProtectedTable(protect_count(total, policy), {}, withheld=True)
    return protect_table(counts, total, policy, picks=picks)


def _ordered(counts: Mapping[str, int], order: Sequence[str]) -> dict[str, int]:
    return {key: int(counts.get(key, 0)) for key in order}


def build_ward_digest(
    ward_id: str,
    ward_name: str,
    period: Period,
    previous: Period,
    snapshot: Mapping[str, Any],
    previous_snapshot: Mapping[str, Any] | None,
    survey: Survey,
    policy: DisclosurePolicy,
    actions: Sequence[Action] = (),
) -> WardDigest:
    """Apply every disclosure rule to one ward's stored figures."""
    shape = SurveyShape.of(survey)
    total = int(snapshot["responses"])
    question = next(q for q in survey.questions if q.id == shape.priorities)
    raw_priorities = snapshot["choices"].get(shape.priorities, {})
    # Most chosen first, so secondary suppression hides the least important cells.
    order = sorted(
        (c.id for c in question.choices), key=lambda cid: -int(raw_priorities.get(cid, 0))
    )
    priorities = _table(
        _ordered(raw_priorities, order), total, policy, picks=(1, shape.max_priorities)
    )
    previous_table = None
    previous_total: Cell | None = None
    if previous_snapshot is not None:
        previous_total = protect_count(int(previous_snapshot["responses"]), policy)
        previous_raw = previous_snapshot["choices"].get(shape.priorities, {})
        previous_table = _table(
            _ordered(previous_raw, order),
            int(previous_snapshot["responses"]),
            policy,
            (1, shape.max_priorities),
        )
    changes = {
        cid: change(
            priorities.cells.get(cid),
            previous_table.cells.get(cid) if previous_table is not None else None,
        )
        for cid in order
    }
    safety = None
    if shape.safety is not None:
        values = snapshot["values"].get(shape.safety, {})
        safety = _table({str(v): int(values.get(str(v), 0)) for v in SCALE_VALUES}, total, policy)
    trust = {}
    for qid in shape.trust:
        grouped: Counter[str] = Counter()
        for choice, n in snapshot["choices"].get(qid, {}).items():
            grouped[AGREE_GROUPS.get(choice, "dont_know")] += int(n)
        trust[qid] = _table(
            _ordered(grouped, ("agree", "disagree", "neither", "dont_know")), total, policy
        )
    languages = _table(
        dict(sorted(snapshot["languages"].items(), key=lambda kv: -int(kv[1]))), total, policy
    )
    # Suppression works through the cells from the least chosen; readers see another order.
    priorities = in_reading_order(priorities, [c.id for c in question.choices])
    languages = in_reading_order(languages, sorted(languages.cells, key=_language_key))
    rsvps = {s: protect_count(int(snapshot["rsvps"].get(s, 0)), policy) for s in RSVP_ORDER}
    withheld = not ward_breakdown_allowed(total, policy)
    return WardDigest(
        k=policy.k,
        ward_id=ward_id,
        ward_name=ward_name,
        period=period,
        previous=previous,
        responses=protect_count(total, policy),
        previous_responses=previous_total,
        withheld=withheld,
        priorities=priorities,
        priority_changes=changes,
        previous_priorities=previous_table,
        safety=safety,
        trust=trust,
        languages=languages,
        rsvps=rsvps,
        comments=[] if withheld else list(snapshot.get("comments", [])),
        actions=list(actions),
        raw_total=total,
    )


def cell_text(cell: Cell | None, policy: DisclosurePolicy) -> str:
    """A published figure as residents' privacy allows: a number, "fewer than k" or "hidden"."""
    if cell is None:
        return pgettext("figure", "none")
    if cell.value is not None:
        return str(cell.value)
    if cell.status.name == "FEWER_THAN_K":
        return _("fewer than {k}").format(k=policy.k)
    return pgettext("figure", "hidden")


def share_text(table: ProtectedTable, key: str, policy: DisclosurePolicy) -> str:
    """A cell as a percentage of its table's total, or the same words :func:`cell_text` uses
    for it when it is suppressed: one wording per status in the digest, the chart and the CSV.
    """
    cell = table.cells.get(key, Cell.hidden())
    percent = share(cell, table.total, policy)
    if percent is not None:
        return _("{percent}%").format(percent=percent)
    return cell_text(cell if cell.suppressed else Cell.hidden(), policy)


def _change_text(delta: int | None) -> str:
    if delta is None:
        return ""
    if delta == 0:
        return _(" (no change)")
    return _(" ({delta})").format(delta=f"{delta:+d}")


def render_ward_digest(
    digest: WardDigest, survey: Survey, policy: DisclosurePolicy, period_text: str
) -> str:
    """The digest as text in the current locale; never a name, id or unscrubbed word."""
    lines = [
        _("📊 {ward}, {period}").format(ward=digest.ward_name, period=period_text),
        _("Responses: {count}").format(count=cell_text(digest.responses, policy)),
    ]
    if digest.withheld:
        lines.append(
            _(
                "Fewer than {k} residents answered in this period, so there is no breakdown, "
                "to keep everyone anonymous."
            ).format(k=policy.k)
        )
    else:
        question = next(q for q in survey.questions if q.kind == "multi")
        labels = {c.id: data_text(c.label) for c in question.choices}
        lines.append("")
        lines.append(
            _("Priorities (residents could choose up to {max}):").format(max=question.max_choices)
        )
        for rank, (cid, cell) in enumerate(digest.priorities.cells.items(), start=1):
            lines.append(
                _("{rank}. {priority}: {count}{change}").format(
                    rank=rank,
                    priority=labels.get(cid, cid),
                    count=cell_text(cell, policy),
                    change=_change_text(digest.priority_changes.get(cid)),
                )
            )
        if digest.safety is not None and not digest.safety.withheld:
            lines.append("")
            lines.append(_("How safe people feel after dark (1 very unsafe – 5 very safe):"))
            lines.append(
                "  ".join(
                    _("{value}: {count}").format(value=v, count=cell_text(c, policy))
                    for v, c in digest.safety.cells.items()
                )
            )
        lines.append("")
        for qid, table in digest.trust.items():
            statement = data_text(next(q.text for q in survey.questions if q.id == qid))
            lines.append(
                _("{statement}\n   {agree_label}: {agree}, {disagree_label}: {disagree}").format(
                    statement=statement,
                    agree_label=agree_label("agree"),
                    agree=share_text(table, "agree", policy),
                    disagree_label=agree_label("disagree"),
                    disagree=share_text(table, "disagree", policy),
                )
            )
        lines.append("")
        languages = [
            _("{language}: {count}").format(
                language=language_name(code)
                if code != "unknown"
                else pgettext("language", "unknown"),
                count=cell_text(cell, policy),
            )
            for code, cell in digest.languages.cells.items()
        ]
        lines.append(
            _("Languages used: {languages}").format(
                languages=format_list(languages, locale=current_locale())
                if languages
                else pgettext("figure", "hidden")
            )
        )
    lines.append(
        _("Event answers: going {going}, maybe {maybe}, not going {not_going}").format(
            going=cell_text(digest.rsvps["going"], policy),
            maybe=cell_text(digest.rsvps["maybe"], policy),
            not_going=cell_text(digest.rsvps["not_going"], policy),
        )
    )
    if digest.actions:
        lines.append("")
        lines.append(_("You said, we did:"))
        for action in digest.actions:
            text = action.texts.get(current_locale()) or action.texts.get("en", "")
            lines.append(_("• {text}").format(text=text))
    if digest.comments:
        lines.append("")
        lines.append(
            ngettext(
                "What residents wrote ({count} excerpt, personal details removed):",
                "What residents wrote ({count} excerpts, personal details removed):",
                len(digest.comments),
            ).format(count=len(digest.comments))
        )
        for excerpt in digest.comments:
            code = excerpt["language"]
            name = language_name(code) if code != "unknown" else pgettext("language", "unknown")
            lines.append(_("“{text}” ({language})").format(text=excerpt["text"], language=name))
    return "\n".join(lines)


def hidden_notes(digest: WardDigest) -> list[str]:
    """What a chart of the shown priorities leaves out, in the digest's own words."""
    fewer = sum(c.status is Status.FEWER_THAN_K for c in digest.priorities.cells.values())
    hidden = sum(c.status is Status.HIDDEN for c in digest.priorities.cells.values())
    notes = []
    if fewer:
        notes.append(
            ngettext(
                "{count} other priority: fewer than {k}",
                "{count} other priorities: fewer than {k} each",
                fewer,
            ).format(count=fewer, k=digest.k)
        )
    if hidden:
        notes.append(
            ngettext(
                "{count} other priority: hidden to protect smaller figures",
                "{count} other priorities: hidden to protect smaller figures",
                hidden,
            ).format(count=hidden)
        )
    return notes


def priorities_chart(digest: WardDigest, survey: Survey, title: str) -> bytes | None:
    """A PNG bar chart of this period's priorities against the previous one, labels in the
    reader's language; suppressed figures are left out (drawn as nothing, never estimated)."""
    if digest.withheld or not digest.priorities.cells:
        return None
    # Imported here: most bot processes never draw a chart. The Figure class without pyplot
    # keeps no global state, so a chart can be drawn in a worker thread.
    from matplotlib.figure import Figure

    question = next(q for q in survey.questions if q.kind == "multi")
    labels = {c.id: data_text(c.label) for c in question.choices}
    shown = [cid for cid, cell in digest.priorities.cells.items() if cell.value is not None]
    if not shown:
        return None
    now_values = [digest.priorities.cells[cid].value or 0 for cid in shown]
    previous_cells = digest.previous_priorities.cells if digest.previous_priorities else {}
    before = [(getattr(previous_cells.get(cid), "value", None) or 0) for cid in shown]
    notes = hidden_notes(digest)
    figure = Figure(figsize=(7, 0.5 * len(shown) + 1.5 + 0.25 * len(notes)), dpi=110)
    axis = figure.subplots()
    positions = range(len(shown))
    axis.barh([p + 0.2 for p in positions], now_values, height=0.4, label=_("This period"))
    axis.barh([p - 0.2 for p in positions], before, height=0.4, label=_("Previous period"))
    axis.set_yticks(list(positions), [labels.get(c, c) for c in shown])
    axis.invert_yaxis()
    axis.set_xlabel(_("Residents choosing it (rounded)"))
    axis.set_title(title)
    axis.legend()
    if notes:
        figure.text(0.01, 0.01, "\n".join(notes), fontsize=9, va="bottom")
    figure.tight_layout(rect=(0, 0.04 * len(notes), 1, 1))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
