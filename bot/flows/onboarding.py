"""Onboarding after consent: language, area (postcode → ward, or a list), age band.

The postcode a resident types is used once to find candidate wards and never stored: only the
candidate ward ids go into the flow state. "Under 13" erases everything (UK age of digital
consent), so nothing about a child stays in the database.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from typing import TypedDict, Unpack, cast

from bot.areas import normalise_postcode
from bot.flows.base import ButtonInput, Erase, FlowContext, Input, TextInput, Transition
from bot.flows.notice_choices import all_off_warning, notices_screen
from bot.i18n import _, language_name, pgettext, supported_locales
from bot.messages import Button, CallbackData, Screen
from storage.database import utc_now
from storage.models import TOPICS, FlowState, Resident

__all__ = ["AGE_BANDS", "OnboardingFlow", "age_band_label", "home_screen"]

AGE_BANDS: tuple[str, ...] = (
    "under_13",
    "13_17",
    "18_24",
    "25_34",
    "35_44",
    "45_54",
    "55_64",
    "65_plus",
    "prefer_not",
)


class Step(StrEnum):
    LANGUAGE = "language"
    AREA = "area"
    WARD_PICK = "ward_pick"
    WARD_LIST = "ward_list"
    AGE = "age"
    NOTICES = "notices"


class Data(TypedDict, total=False):
    candidates: list[str]  # the wards a postcode may be in, to choose from


def age_band_label(band: str) -> str:
    labels = {
        "under_13": pgettext("age band", "Under 13"),
        "13_17": pgettext("age band", "13 to 17"),
        "18_24": pgettext("age band", "18 to 24"),
        "25_34": pgettext("age band", "25 to 34"),
        "35_44": pgettext("age band", "35 to 44"),
        "45_54": pgettext("age band", "45 to 54"),
        "55_64": pgettext("age band", "55 to 64"),
        "65_plus": pgettext("age band", "65 or over"),
        "prefer_not": pgettext("age band", "Prefer not to say"),
    }
    return labels[band]


def home_screen() -> Screen:
    """Shown when a resident has nothing in progress."""
    return Screen(
        _(
            "Would you like to answer six short questions about policing in your area? "
            "It takes about two minutes."
        ),
        (
            (
                Button(pgettext("button", "Start the survey"), CallbackData("home", "", "survey")),
                Button(pgettext("button", "Not now"), CallbackData("home", "", "later")),
            ),
        ),
    )


class OnboardingFlow:
    """Language → area → age band, one step a screen."""

    name = "o"
    stored = "onboarding"

    @staticmethod
    def start() -> FlowState:
        return FlowState("onboarding", Step.LANGUAGE, {})

    def step_token(self, ctx: FlowContext, state: FlowState) -> str:
        return state.step

    def _cb(self, state: FlowState, action: str, arg: str = "") -> CallbackData:
        return CallbackData(self.name, state.step, action, arg)

    @staticmethod
    def _move(state: FlowState, step: Step, **data: Unpack[Data]) -> FlowState:
        return state.advance(step, data)

    # -- screens -------------------------------------------------------------------------
    def screen(self, ctx: FlowContext, state: FlowState) -> Screen:
        if state.step == Step.LANGUAGE:
            rows = []
            for code in supported_locales():
                label = language_name(code)
                if code == ctx.resident.locale:
                    label = _("✅ {choice}").format(choice=label)
                rows.append((Button(label, self._cb(state, "lang", code)),))
            return Screen(_("Which language would you like me to use?"), tuple(rows))
        if state.step == Step.AREA:
            return Screen(
                _(
                    "Where in {area} do you live?\n\n"
                    "Type your postcode (for example E8 1DY) and I will find your ward. "
                    "I use the postcode only for this and do not keep it.\n\n"
                    "Or choose your ward from the list."
                ).format(area=ctx.area_name),
                (
                    (Button(pgettext("button", "Choose from the list"), self._cb(state, "list")),),
                    (
                        Button(
                            _("I don't live in {area}").format(area=ctx.area_name),
                            self._cb(state, "outside"),
                        ),
                    ),
                ),
            )
        if state.step == Step.WARD_PICK:
            rows = [
                (Button(ward.name, self._cb(state, "ward", ward.id)),)
                for ward_id in cast(Data, state.data).get("candidates", [])
                if (ward := ctx.areas.ward(ward_id))
            ]
            rows.append((Button(pgettext("button", "None of these"), self._cb(state, "list")),))
            if len(rows) == 2:
                # Ward boundaries cut through postcode areas, and the bundled table is coarse:
                # even a single match is the resident's to confirm.
                text = _("Your postcode is in {ward}. Tap it if that is where you live.").format(
                    ward=rows[0][0].label
                )
                return Screen(text, tuple(rows))
            return Screen(
                _("Your postcode is shared by more than one ward. Which one do you live in?"),
                tuple(rows),
            )
        if state.step == Step.WARD_LIST:
            buttons = [Button(w.name, self._cb(state, "ward", w.id)) for w in ctx.areas.wards]
            grid: list[tuple[Button, ...]] = [
                tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)
            ]
            grid.append((Button(pgettext("button", "Back"), self._cb(state, "back")),))
            return Screen(_("Choose your ward."), tuple(grid))
        if state.step == Step.NOTICES:
            return notices_screen(ctx.resident, self.name, Step.NOTICES)
        buttons = [Button(age_band_label(b), self._cb(state, "age", b)) for b in AGE_BANDS]
        question = _(
            "How old are you? I keep only your age group, never your exact age, and it is "
            "never shown beside your answers."
        )
        if ctx.resident.outside_area:
            outside = _(
                "That's fine: you can still take part. Your answers will count for {area} as a "
                "whole rather than for one ward, and you will get notices meant for all of "
                "{area}, not those for a single ward."
            ).format(area=ctx.area_name)
            question = f"{outside}\n\n{question}"
        return Screen(
            question, tuple(tuple(buttons[i : i + 3]) for i in range(0, len(buttons), 3))
        )

    # -- inputs --------------------------------------------------------------------------
    async def handle(self, ctx: FlowContext, state: FlowState, event: Input) -> Transition:
        resident = ctx.resident
        if state.step == Step.AREA and isinstance(event, TextInput):
            return self._postcode(ctx, state, event.text)
        if isinstance(event, TextInput):
            return Transition(
                state, notice=_("Please answer with the buttons below."), accepted=False
            )
        return self._button(ctx, state, resident, event)

    def _postcode(self, ctx: FlowContext, state: FlowState, text: str) -> Transition:
        postcode = normalise_postcode(text)
        if postcode is None:
            return Transition(
                state,
                notice=_(
                    "That doesn't look like a UK postcode. Please type it like E8 1DY, "
                    "or choose your ward from the list."
                ),
                accepted=False,
            )
        wards = ctx.areas.candidates(postcode)
        if not wards:
            return Transition(
                state,
                notice=_(
                    "That postcode is not in {area}. Please check it, choose your ward from "
                    'the list, or tap "I don\'t live in {area}".'
                ).format(area=ctx.area_name),
                accepted=False,
            )
        # Only the candidate ward ids are kept; the postcode itself goes no further.
        return Transition(self._move(state, Step.WARD_PICK, candidates=[w.id for w in wards]))

    def _ward_chosen(self, resident: Resident, state: FlowState, ward_id: str) -> Transition:
        updated = replace(resident, ward_id=ward_id, outside_area=False)
        return Transition(self._move(state, Step.AGE, candidates=[]), resident=updated)

    def _button(
        self, ctx: FlowContext, state: FlowState, resident: Resident, event: ButtonInput
    ) -> Transition:
        action, arg = event.action, event.arg
        if state.step == Step.LANGUAGE and action == "lang" and arg in supported_locales():
            updated = replace(resident, locale=arg, locale_chosen=True)
            return Transition(self._move(state, Step.AREA), resident=updated)
        if state.step in (Step.AREA, Step.WARD_PICK) and action == "list":
            return Transition(self._move(state, Step.WARD_LIST))
        if state.step == Step.AREA and action == "outside":
            updated = replace(resident, ward_id=None, outside_area=True)
            return Transition(self._move(state, Step.AGE), resident=updated)
        if (
            state.step == Step.WARD_PICK
            and action == "ward"
            and arg in cast(Data, state.data).get("candidates", [])
        ):
            return self._ward_chosen(resident, state, arg)
        if state.step == Step.WARD_LIST and action == "ward" and ctx.areas.ward(arg):
            return self._ward_chosen(resident, state, arg)
        if state.step == Step.WARD_LIST and action == "back":
            return Transition(self._move(state, Step.AREA))
        if state.step == Step.AGE and action == "age" and arg in AGE_BANDS:
            if arg == "under_13":
                return Transition(
                    None,
                    effect=Erase(),
                    final=Screen(
                        _(
                            "Thank you for your interest. This service is for people aged 13 "
                            "and over, so I have not kept anything you told me.\n\n"
                            "If you are worried about your safety, talk to an adult you trust "
                            "or call Childline free on 0800 1111. In an emergency call 999."
                        )
                    ),
                )
            return Transition(
                self._move(state, Step.NOTICES), resident=replace(resident, age_band=arg)
            )
        if state.step == Step.NOTICES and action == "toggle" and arg in TOPICS:
            updated = resident.with_topic(arg, not resident.wants(arg))
            return Transition(self._move(state, Step.NOTICES), resident=updated)
        if state.step == Step.NOTICES and action == "done":
            updated = replace(resident, onboarded_at=utc_now())
            done = _("Thank you, you're all set. You can change your language with /language.")
            if (warning := all_off_warning(updated)) is not None:
                done = f"{done}\n\n{warning}"
            return Transition(None, resident=updated, final=Screen(done), extra=(home_screen(),))
        if state.step == Step.AREA:
            return Transition(
                state, notice=_("Please type your postcode or use the buttons."), accepted=False
            )
        return Transition(
            state, notice=_("Sorry, I didn't understand that button."), accepted=False
        )
