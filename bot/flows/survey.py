"""The survey walker: one generic flow that walks any :class:`~bot.surveys.Survey`.

State (stored as JSON in the conversations table)::

    step  = a question id, "summary" or "edit"
    data  = {"survey": id, "answers": {question id: answer}, "picked": [choice ids],
             "editing": bool, "asking": choice id}

An answer is a choice id (single, agree), a list of choice ids (multi), an int (scale), a text
(text) or ``None`` (skipped). A choice with a follow-up ("Something else": what?) is asked it
next, on the same step with ``asking`` set; the words go under ``"<question id>:<choice id>"``.
Nothing is stored as a response until Confirm.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from enum import StrEnum
from typing import Any, TypedDict, Unpack, cast

from babel.lists import format_list

from bot.flows.base import FlowContext, Input, SaveResponse, TextInput, Transition
from bot.i18n import _, current_locale, data_text, format_number, ngettext, pgettext
from bot.messages import Button, CallbackData, Screen
from bot.surveys import AGREE_CHOICE_IDS, SCALE_VALUES, Question, Survey, agree_label
from storage.models import AnswerRecord, FlowState

__all__ = ["Step", "SurveyFlow", "answer_records", "has_words"]


class Step(StrEnum):
    """The walker's own steps; every other step is the id of the question being asked."""

    SUMMARY = "summary"
    EDIT = "edit"


class Data(TypedDict, total=False):
    survey: str  # the survey's id
    answers: dict[str, Any]  # question id → answer (see above)
    picked: list[str]  # a multiple-choice question's ticks so far
    editing: bool  # changing one answer from the summary
    asking: str  # the chosen choice whose follow-up is being asked ("" when none)


_PREVIEW_LENGTH = 200
FOLLOW_UP_MAX = 300  # a follow-up is a few words, not a second comment


def follow_up_key(question: Question, choice_id: str) -> str:
    """Where a choice's follow-up words are kept among the draft's answers."""
    return f"{question.id}:{choice_id}"


def _limit_text(limit: int) -> str:
    """Said before a resident writes, not only after a text too long."""
    return _("You can write up to {limit} characters.").format(limit=format_number(limit))


def _unusable(text: str, limit: int, *, skippable: bool) -> str | None:
    """Why typed words cannot be kept (too long, or no words at all), or None: the same rule
    for a comment and for a choice's follow-up."""
    if len(text) > limit:
        return ngettext(
            "That is {count} character. Please keep it to {limit} or fewer.",
            "That is {count} characters. Please keep it to {limit} or fewer.",
            len(text),
        ).format(count=len(text), limit=limit)
    if not has_words(text):
        if skippable:
            return _("Please write a few words, or tap Skip.")
        return _("Please write a few words.")
    return None


def _chosen(question: Question, value: Any) -> list[str]:
    """The choice ids an answer to a single or multiple-choice question holds."""
    if value is None or question.kind not in ("single", "multi"):
        return []
    return list(value) if question.kind == "multi" else [value]


def _data(state: FlowState) -> Data:
    """The state's data as this flow wrote it."""
    return cast(Data, state.data)


# Emoji built from ordinary characters: keycaps ("1️⃣") and anything shown as emoji by VS16
# ("ℹ️" is a letter to Unicode).
_EMOJI_FROM_TEXT = re.compile("[0-9#*]\ufe0f?\u20e3|.\ufe0f")


def has_words(text: str) -> bool:
    """A comment needs at least one letter or digit in any script; emoji alone say nothing.

    Emoji made of letters or digits plus a presentation selector are removed first.
    """
    return any(ch.isalnum() for ch in _EMOJI_FROM_TEXT.sub("", text))


def answer_records(survey: Survey, answers: dict[str, Any]) -> tuple[AnswerRecord, ...]:
    """Answers as stored rows, in question order; a skipped question stores nothing."""
    records: list[AnswerRecord] = []
    for question in survey.questions:
        value = answers.get(question.id)
        if value is None:
            continue
        if question.kind == "multi":
            records.extend(AnswerRecord(question.id, choice_id=c) for c in value)
        elif question.kind in ("single", "agree"):
            records.append(AnswerRecord(question.id, choice_id=value))
        elif question.kind == "scale":
            records.append(AnswerRecord(question.id, value=int(value)))
        else:
            records.append(
                AnswerRecord(question.id, text=value["text"], text_language=value.get("lang"))
            )
        # A follow-up's words are a row of their own: counts read only rows without text.
        for choice_id in _chosen(question, value):
            detail = answers.get(follow_up_key(question, choice_id))
            if detail:
                records.append(
                    AnswerRecord(
                        question.id,
                        choice_id=choice_id,
                        text=detail["text"],
                        text_language=detail.get("lang"),
                    )
                )
    return tuple(records)


class SurveyFlow:
    """Walks a survey one question at a time, then a summary with Edit and Confirm."""

    name = "s"
    stored = "survey"

    def __init__(
        self,
        detect_language: Any = None,
        scrub: Callable[[str, tuple[str, ...]], str] | None = None,
    ) -> None:
        # detect_language(text) -> language code or "unknown"; stored with each comment.
        self._detect = detect_language
        # A comment is kept, even as a draft, only as the team will read it: no third
        # party's name or number is stored for the retention period.
        self._scrub = scrub

    # -- state helpers -------------------------------------------------------------------
    @staticmethod
    def start(survey: Survey) -> FlowState:
        return FlowState(
            "survey",
            survey.questions[0].id,
            {"survey": survey.id, "answers": {}, "picked": [], "editing": False},
        )

    @staticmethod
    def survey_of(ctx: FlowContext, state: FlowState) -> Survey | None:
        return ctx.surveys.get(str(_data(state).get("survey")))

    def step_token(self, ctx: FlowContext, state: FlowState) -> str:
        survey = self.survey_of(ctx, state)
        index = survey.index_of(state.step) if survey else None
        if index is None:
            return state.step[:3]
        # A follow-up is a step of its own: the question's buttons no longer apply.
        return f"{index}f" if _data(state).get("asking") else str(index)

    def _cb(self, ctx: FlowContext, state: FlowState, action: str, arg: str = "") -> CallbackData:
        return CallbackData(self.name, self.step_token(ctx, state), action, arg)

    @staticmethod
    def _move(state: FlowState, step: str, **data: Unpack[Data]) -> FlowState:
        return state.advance(step, data)

    # -- screens -------------------------------------------------------------------------
    def screen(self, ctx: FlowContext, state: FlowState) -> Screen:
        survey = self.survey_of(ctx, state)
        if survey is None:  # the survey file was removed while someone was answering it
            return Screen(_("This survey is no longer available. Send /survey to start again."))
        if state.step == Step.SUMMARY:
            return self._summary(ctx, state, survey)
        if state.step == Step.EDIT:
            return self._edit_menu(ctx, state, survey)
        index = survey.index_of(state.step)
        if index is None:
            return Screen(_("This survey has changed. Send /survey to start again."))
        return self._question(ctx, state, survey, index)

    def _follow_up(self, ctx: FlowContext, state: FlowState, survey: Survey, index: int) -> Screen:
        question = survey.questions[index]
        choice = question.choice(_data(state).get("asking", ""))
        text = _("Question {number} of {total}\n\n{question}").format(
            number=index + 1,
            total=len(survey.questions),
            question=data_text(choice.ask) if choice else "",
        )
        text = f"{text}\n\n{_limit_text(FOLLOW_UP_MAX)}"
        earlier = (
            _data(state)
            .get("answers", {})
            .get(follow_up_key(question, choice.id if choice else ""))
        )
        if earlier:
            text = f"{text}\n\n" + _("You wrote: {words}").format(words=earlier["text"])
        return Screen(
            text,
            (
                (
                    Button(pgettext("button", "Back"), self._cb(ctx, state, "back")),
                    Button(pgettext("button", "Skip"), self._cb(ctx, state, "skip")),
                ),
            ),
        )

    def _question(self, ctx: FlowContext, state: FlowState, survey: Survey, index: int) -> Screen:
        if _data(state).get("asking"):
            return self._follow_up(ctx, state, survey, index)
        question = survey.questions[index]
        text = _("Question {number} of {total}\n\n{question}").format(
            number=index + 1, total=len(survey.questions), question=data_text(question.text)
        )
        if question.kind == "text":
            text = f"{text}\n\n{_limit_text(question.max_length)}"
        current = _data(state).get("answers", {}).get(question.id)

        def marked(label: str, answer: object) -> str:
            """The answer given before (going back, or changing it) is ticked."""
            return _("✅ {choice}").format(choice=label) if answer == current else label

        rows: list[tuple[Button, ...]] = []
        if question.kind == "single":
            rows += [
                (Button(marked(data_text(c.label), c.id), self._cb(ctx, state, "pick", c.id)),)
                for c in question.choices
            ]
        elif question.kind == "multi":
            picked = set(_data(state).get("picked", []))
            for choice in question.choices:
                label = data_text(choice.label)
                if choice.id in picked:
                    label = _("✅ {choice}").format(choice=label)
                rows.append((Button(label, self._cb(ctx, state, "pick", choice.id)),))
            rows.append((Button(pgettext("button", "Done"), self._cb(ctx, state, "done")),))
        elif question.kind == "scale":
            for value in SCALE_VALUES:
                if value == SCALE_VALUES[0]:
                    label = _("{number} – {meaning}").format(
                        number=value, meaning=data_text(question.min_label)
                    )
                elif value == SCALE_VALUES[-1]:
                    label = _("{number} – {meaning}").format(
                        number=value, meaning=data_text(question.max_label)
                    )
                else:
                    label = str(value)
                label = marked(label, value)
                rows.append((Button(label, self._cb(ctx, state, "scale", str(value))),))
        elif question.kind == "agree":
            rows += [
                (Button(marked(agree_label(cid), cid), self._cb(ctx, state, "pick", cid)),)
                for cid in AGREE_CHOICE_IDS
            ]
        navigation: list[Button] = []
        if index > 0 or _data(state).get("editing"):
            navigation.append(Button(pgettext("button", "Back"), self._cb(ctx, state, "back")))
        if question.optional:
            navigation.append(Button(pgettext("button", "Skip"), self._cb(ctx, state, "skip")))
        if navigation:
            rows.append(tuple(navigation))
        return Screen(text, tuple(rows))

    def _answer_text(self, question: Question, value: Any, answers: dict[str, Any]) -> str:
        if value is None:
            return pgettext("answer", "Skipped")

        def label(choice: Any) -> str:
            detail = answers.get(follow_up_key(question, choice.id))
            if not detail:
                return data_text(choice.label)
            return _("{choice}: {words}").format(
                choice=data_text(choice.label), words=detail["text"]
            )

        if question.kind == "multi":
            labels = [label(c) for c in question.choices if c.id in value]
            return format_list(labels, locale=current_locale())
        if question.kind == "single":
            choice = question.choice(value)
            return label(choice) if choice else str(value)
        if question.kind == "agree":
            return agree_label(value)
        if question.kind == "scale":
            return str(value)
        text = str(value["text"])
        preview = text if len(text) <= _PREVIEW_LENGTH else text[:_PREVIEW_LENGTH] + "…"
        return _("This is how your team will see your comment: {comment}").format(comment=preview)

    def _summary(self, ctx: FlowContext, state: FlowState, survey: Survey) -> Screen:
        answers = _data(state).get("answers", {})
        lines = [
            _("{number}. {question}\n→ {answer}").format(
                number=i,
                # The short name where the survey gives one: six whole questions make a
                # summary too long to check on a phone.
                question=data_text(q.short or q.text),
                answer=self._answer_text(q, answers.get(q.id), answers),
            )
            for i, q in enumerate(survey.questions, start=1)
        ]
        text = _("Please check your answers before you send them.\n\n{answers}").format(
            answers="\n\n".join(lines)
        )
        rows = (
            (Button(pgettext("button", "Confirm and send"), self._cb(ctx, state, "confirm")),),
            (Button(pgettext("button", "Change an answer"), self._cb(ctx, state, "edit")),),
        )
        return Screen(text, rows)

    def _edit_menu(self, ctx: FlowContext, state: FlowState, survey: Survey) -> Screen:
        rows: list[tuple[Button, ...]] = []
        for i, question in enumerate(survey.questions, start=1):
            if question.short:
                label = _("{number}. {question}").format(
                    number=i, question=data_text(question.short)
                )
            else:
                label = _("Question {number}").format(number=i)
            rows.append((Button(label, self._cb(ctx, state, "goto", str(i - 1))),))
        rows.append((Button(pgettext("button", "Back"), self._cb(ctx, state, "summary")),))
        return Screen(_("Which answer would you like to change?"), tuple(rows))

    # -- inputs --------------------------------------------------------------------------
    async def handle(self, ctx: FlowContext, state: FlowState, event: Input) -> Transition:
        survey = self.survey_of(ctx, state)
        if survey is None:
            return Transition(None, notice=self.screen(ctx, state).text)
        if state.step == Step.SUMMARY:
            return self._on_summary(survey, state, event)
        if state.step == Step.EDIT:
            return self._on_edit(survey, state, event)
        index = survey.index_of(state.step)
        if index is None:
            return Transition(None, notice=self.screen(ctx, state).text)
        return self._on_question(ctx, survey, state, index, event)

    def _rejected(self, state: FlowState, notice: str) -> Transition:
        return Transition(state, notice=notice, accepted=False)

    def _after_answer(
        self, survey: Survey, state: FlowState, index: int, value: Any
    ) -> Transition:
        question = survey.questions[index]
        answers = {**_data(state).get("answers", {}), question.id: value}
        chosen = _chosen(question, value)
        for choice in question.choices:  # words about a choice no longer chosen go with it
            if choice.id not in chosen:
                answers.pop(follow_up_key(question, choice.id), None)
        asked = next((c for c in question.choices if c.id in chosen and c.ask), None)
        if asked is not None:
            return Transition(self._move(state, state.step, answers=answers, asking=asked.id))
        return self._onwards(survey, state, index, answers)

    def _onwards(
        self, survey: Survey, state: FlowState, index: int, answers: dict[str, Any]
    ) -> Transition:
        """The next question, or the summary after the last one or a changed answer."""
        if _data(state).get("editing") or index + 1 == len(survey.questions):
            return Transition(
                self._move(
                    state, Step.SUMMARY, answers=answers, picked=[], editing=False, asking=""
                )
            )
        next_question = survey.questions[index + 1]
        return Transition(
            self._move(
                state,
                next_question.id,
                answers=answers,
                picked=self._picked_for(next_question, answers),
                asking="",
            )
        )

    def _words(self, ctx: FlowContext, text: str) -> dict[str, Any]:
        """Typed words as kept: their language, and scrubbed as the team will read them."""
        language = self._detect(text) if self._detect else "unknown"
        answer: dict[str, Any] = {"text": text, "lang": language}
        if self._scrub is not None:
            answer.update(text=self._scrub(text, ctx.kept), scrubbed=True)
        return answer

    def _on_follow_up(
        self, ctx: FlowContext, survey: Survey, state: FlowState, index: int, event: Input
    ) -> Transition:
        question = survey.questions[index]
        key = follow_up_key(question, _data(state).get("asking", ""))
        answers = dict(_data(state).get("answers", {}))
        if isinstance(event, TextInput):
            text = event.text.strip()
            if (refusal := _unusable(text, FOLLOW_UP_MAX, skippable=True)) is not None:
                return self._rejected(state, refusal)
            answers[key] = self._words(ctx, text)
            return self._onwards(survey, state, index, answers)
        if event.action == "skip":
            answers.pop(key, None)
            return self._onwards(survey, state, index, answers)
        if event.action == "back":
            return Transition(
                self._move(
                    state, state.step, asking="", picked=self._picked_for(question, answers)
                )
            )
        return self._rejected(state, _("Please type your answer, or tap Skip."))

    @staticmethod
    def _picked_for(question: Question, answers: dict[str, Any]) -> list[str]:
        """Going back to a multiple-choice question shows its earlier ticks."""
        if question.kind == "multi":
            return list(answers.get(question.id) or [])
        return []

    def _on_question(
        self, ctx: FlowContext, survey: Survey, state: FlowState, index: int, event: Input
    ) -> Transition:
        question = survey.questions[index]
        if _data(state).get("asking"):
            return self._on_follow_up(ctx, survey, state, index, event)
        if isinstance(event, TextInput):
            typed = re.fullmatch(r"\s*(\d)\s*", event.text)  # any script's digit: ٣ or ৩
            if question.kind == "scale" and typed and int(typed[1]) in SCALE_VALUES:
                return self._after_answer(survey, state, index, int(typed[1]))
            if question.kind != "text":
                return self._rejected(state, _("Please answer with the buttons below."))
            text = event.text.strip()
            refusal = _unusable(text, question.max_length, skippable=question.optional)
            if refusal is not None:
                return self._rejected(state, refusal)
            return self._after_answer(survey, state, index, self._words(ctx, text))

        action, arg = event.action, event.arg
        if action == "back":
            if _data(state).get("editing"):
                return Transition(self._move(state, Step.SUMMARY, picked=[], editing=False))
            if index == 0:
                return self._rejected(state, _("This is the first question."))
            previous = survey.questions[index - 1]
            answers = _data(state).get("answers", {})
            return Transition(
                self._move(state, previous.id, picked=self._picked_for(previous, answers))
            )
        if action == "skip" and question.optional:
            return self._after_answer(survey, state, index, None)
        if question.kind in ("single", "agree") and action == "pick":
            valid = question.choice(arg) if question.kind == "single" else arg in AGREE_CHOICE_IDS
            if valid:
                return self._after_answer(survey, state, index, arg)
        if (
            question.kind == "scale"
            and action == "scale"
            and arg in {str(v) for v in SCALE_VALUES}
        ):
            return self._after_answer(survey, state, index, int(arg))
        if question.kind == "multi" and action == "pick" and question.choice(arg):
            picked = list(_data(state).get("picked", []))
            if arg in picked:
                picked.remove(arg)
            elif len(picked) >= question.max_choices:
                return self._rejected(
                    state,
                    ngettext(
                        "You can choose up to {max} option. Untick one first.",
                        "You can choose up to {max} options. Untick one first.",
                        question.max_choices,
                    ).format(max=question.max_choices),
                )
            else:
                picked.append(arg)
            return Transition(self._move(state, state.step, picked=picked))
        if question.kind == "multi" and action == "done":
            picked = [c.id for c in question.choices if c.id in _data(state).get("picked", [])]
            if not picked and not question.optional:
                return self._rejected(state, _("Please choose at least one, then tap Done."))
            return self._after_answer(survey, state, index, picked or None)
        if question.kind == "text":
            return self._rejected(state, _("Please type your answer, or tap Skip."))
        return self._rejected(state, _("Sorry, I didn't understand that button."))

    def _on_summary(self, survey: Survey, state: FlowState, event: Input) -> Transition:
        if isinstance(event, TextInput):
            return self._rejected(
                state, _("Please use the buttons: send your answers or change one.")
            )
        if event.action == "confirm":
            answers = _data(state).get("answers", {})
            records = answer_records(survey, answers)
            if self._scrub is not None and any(
                isinstance(v, dict) and not v.get("scrubbed") for v in answers.values()
            ):  # a draft begun before comments were scrubbed as they were given
                scrub = self._scrub
                records = tuple(
                    replace(r, text=scrub(r.text, ())) if r.text is not None else r
                    for r in records
                )
            return Transition(
                None,
                effect=SaveResponse(survey, records),
                final=Screen(
                    _(
                        "Thank you. Your answers are saved and will reach your local team "
                        "in an anonymous summary. You can answer again at any time with /survey."
                    )
                ),
            )
        if event.action == "edit":
            return Transition(self._move(state, Step.EDIT))
        return self._rejected(state, _("Sorry, I didn't understand that button."))

    def _on_edit(self, survey: Survey, state: FlowState, event: Input) -> Transition:
        if isinstance(event, TextInput):
            return self._rejected(state, _("Please choose a question number with the buttons."))
        if event.action == "summary":
            return Transition(self._move(state, Step.SUMMARY))
        if (
            event.action == "goto"
            and event.arg.isdigit()
            and int(event.arg) < len(survey.questions)
        ):
            question = survey.questions[int(event.arg)]
            answers = _data(state).get("answers", {})
            return Transition(
                self._move(
                    state, question.id, editing=True, picked=self._picked_for(question, answers)
                )
            )
        return self._rejected(state, _("Sorry, I didn't understand that button."))
