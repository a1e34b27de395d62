"""Surveys are data: one TOML file each, validated at start.

A mistake in a survey file stops start-up with one line naming the file and the question, so a
broken survey never reaches a resident. Ids (survey, question, choice) are stored with answers
and must stay stable; texts are English source strings translated through the catalogs.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bot.errors import ConfigError
from bot.i18n import pgettext

__all__ = [
    "AGREE_CHOICE_IDS",
    "Choice",
    "Question",
    "QuestionKind",
    "Survey",
    "agree_label",
    "load_survey",
    "load_surveys",
]

QuestionKind = Literal["single", "multi", "scale", "agree", "text"]
_KINDS: tuple[str, ...] = ("single", "multi", "scale", "agree", "text")
_ID = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
# Stable ids of the agree/disagree scale; their labels are in code (agree_label, below).
AGREE_CHOICE_IDS: tuple[str, ...] = (
    "strongly_agree",
    "agree",
    "neither",
    "disagree",
    "strongly_disagree",
    "dont_know",
)
SCALE_VALUES: tuple[int, ...] = (1, 2, 3, 4, 5)
MAX_TEXT_LENGTH = 4000


def agree_label(choice_id: str) -> str:
    """The agree scale's label in the current language: the same words in every survey."""
    labels = {
        "strongly_agree": pgettext("agree scale", "Strongly agree"),
        "agree": pgettext("agree scale", "Agree"),
        "neither": pgettext("agree scale", "Neither agree nor disagree"),
        "disagree": pgettext("agree scale", "Disagree"),
        "strongly_disagree": pgettext("agree scale", "Strongly disagree"),
        "dont_know": pgettext("agree scale", "Don't know"),
    }
    return labels[choice_id]


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    label: str
    ask: str = ""  # a follow-up asked when it is chosen ("Something else": what?)


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    kind: QuestionKind
    text: str
    choices: tuple[Choice, ...] = ()
    short: str = ""  # a few words naming it, for "Change an answer"
    optional: bool = False
    max_choices: int = 1
    max_length: int = 1000
    min_label: str = ""
    max_label: str = ""

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True, slots=True)
class Survey:
    id: str
    version: int
    title: str
    intro: str
    questions: tuple[Question, ...]
    source: Path

    def index_of(self, question_id: str) -> int | None:
        return next((i for i, q in enumerate(self.questions) if q.id == question_id), None)


class _Fail:
    """Builds the one-line error that names the file and, where known, the question."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self, message: str, question: str | None = None) -> ConfigError:
        where = f"{self.path}" + (f": question '{question}'" if question else "")
        return ConfigError(f"{where}: {message}")


def _text(raw: Mapping[str, Any], key: str, fail: _Fail, question: str | None) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise fail(f"'{key}' must be a non-empty text", question)
    return value.strip()


def _question(raw: Any, position: int, fail: _Fail) -> Question:
    if not isinstance(raw, Mapping):
        raise fail(f"question {position} must be a table")
    qid = raw.get("id")
    if not isinstance(qid, str) or not _ID.match(qid):
        raise fail(f"question {position} needs an 'id' of lowercase letters, digits, _ or -")
    kind = raw.get("kind")
    if kind not in _KINDS:
        raise fail(f"'kind' must be one of {', '.join(_KINDS)}, got {kind!r}", qid)
    known = {"id", "kind", "text", "short", "choices", "optional", "max", "max_length"}
    known |= {"min_label", "max_label"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise fail(f"unknown key(s) {', '.join(unknown)}", qid)
    text = _text(raw, "text", fail, qid)
    optional = raw.get("optional", False)
    if not isinstance(optional, bool):
        raise fail("'optional' must be true or false", qid)

    choices: list[Choice] = []
    if kind in ("single", "multi"):
        raw_choices = raw.get("choices")
        if not isinstance(raw_choices, list) or len(raw_choices) < 2:
            raise fail("needs at least two 'choices'", qid)
        for raw_choice in raw_choices:
            if not isinstance(raw_choice, Mapping):
                raise fail("each choice must be a table with 'id' and 'label'", qid)
            cid = raw_choice.get("id")
            if not isinstance(cid, str) or not _ID.match(cid):
                raise fail(f"choice id {cid!r} must be lowercase letters, digits, _ or -", qid)
            if any(c.id == cid for c in choices):
                raise fail(f"choice id '{cid}' appears twice", qid)
            extra = sorted(set(raw_choice) - {"id", "label", "ask"})
            if extra:
                raise fail(f"choice '{cid}' has unknown key(s) {', '.join(extra)}", qid)
            ask = _text(raw_choice, "ask", fail, qid) if "ask" in raw_choice else ""
            choices.append(Choice(cid, _text(raw_choice, "label", fail, qid), ask))
    elif "choices" in raw:
        raise fail(f"a '{kind}' question takes no 'choices'", qid)

    max_choices = 1
    if kind == "multi":
        max_choices = raw.get("max", len(choices))
        if not isinstance(max_choices, int) or not 1 <= max_choices <= len(choices):
            raise fail(f"'max' must be a number from 1 to {len(choices)}", qid)
    max_length = 1000
    if kind == "text":
        max_length = raw.get("max_length", 1000)
        if not isinstance(max_length, int) or not 1 <= max_length <= MAX_TEXT_LENGTH:
            raise fail(f"'max_length' must be a number from 1 to {MAX_TEXT_LENGTH}", qid)
    short = _text(raw, "short", fail, qid) if "short" in raw else ""
    min_label = max_label = ""
    if kind == "scale":
        min_label = _text(raw, "min_label", fail, qid)
        max_label = _text(raw, "max_label", fail, qid)
    return Question(
        id=qid,
        kind=kind,
        text=text,
        choices=tuple(choices),
        short=short,
        optional=optional,
        max_choices=max_choices,
        max_length=max_length,
        min_label=min_label,
        max_label=max_label,
    )


def load_survey(path: Path) -> Survey:
    """Parse and validate one survey file."""
    fail = _Fail(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise fail(f"cannot be read ({error.strerror})") from None
    except tomllib.TOMLDecodeError as error:
        raise fail(f"is not valid TOML ({error})") from None
    sid = raw.get("id")
    if not isinstance(sid, str) or not _ID.match(sid):
        raise fail("needs an 'id' of lowercase letters, digits, _ or -")
    version = raw.get("version")
    if not isinstance(version, int) or version < 1:
        raise fail("'version' must be a whole number of 1 or more")
    raw_questions = raw.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        raise fail("needs at least one [[questions]] entry")
    questions = [_question(q, i, fail) for i, q in enumerate(raw_questions, start=1)]
    seen: set[str] = set()
    for question in questions:
        if question.id in seen:
            raise fail("the question id appears twice", question.id)
        seen.add(question.id)
    return Survey(
        id=sid,
        version=version,
        title=_text(raw, "title", fail, None),
        intro=_text(raw, "intro", fail, None),
        questions=tuple(questions),
        source=path,
    )


def load_surveys(folder: Path) -> dict[str, Survey]:
    """Every ``*.toml`` survey in a folder, keyed by id."""
    if not folder.is_dir():
        raise ConfigError(f"{folder}: survey folder not found (NV_SURVEYS_DIR)")
    surveys: dict[str, Survey] = {}
    for path in sorted(folder.glob("*.toml")):
        survey = load_survey(path)
        if survey.id in surveys:
            raise ConfigError(f"{path}: survey id '{survey.id}' is already used")
        surveys[survey.id] = survey
    if not surveys:
        raise ConfigError(f"{folder}: no survey files (*.toml) found")
    return surveys
