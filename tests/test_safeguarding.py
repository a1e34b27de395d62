"""Safeguarding rules in every language, both ways, and the reply through the real bot."""

from __future__ import annotations

import numpy as np
import pytest

from bot.app import BotApplication
from bot.devtools.emulator import BotApiEmulator
from bot.i18n import LOCALES_DIR
from bot.residents.safeguarding import Assessment, Concern, Safeguarding
from bot.residents.safeguarding_model import DIMENSION, HEADS, Head, SafeguardingModel, Thresholds
from tests.helpers import answer_until_comment, begin_survey, onboard

LANGUAGES = ["en", *LOCALES_DIR.joinpath("LINGUAS").read_text().split()]
RULES = Safeguarding.load()


def examples(kind: str) -> list[tuple[str, str]]:
    return [
        (lang, text)
        for lang in LANGUAGES
        for text in (RULES.rules[lang].examples[kind] if lang in RULES.rules else ())
    ]


def test_every_language_has_rules_and_enough_examples() -> None:
    assert sorted(RULES.rules) == sorted(LANGUAGES)
    for language in LANGUAGES:
        found = RULES.rules[language].examples
        assert len(found["emergency"]) >= 6, language
        assert len(found["not_emergency"]) >= 6, language
        assert len(found["domestic_abuse"]) >= 2, language
        assert len(found["self_harm"]) >= 2, language


@pytest.mark.parametrize(("language", "text"), examples("emergency"))
def test_emergencies_happening_now_are_recognised(language: str, text: str) -> None:
    assert Concern.EMERGENCY in RULES.check(text)


@pytest.mark.parametrize(("language", "text"), examples("not_emergency"))
def test_past_or_general_mentions_are_not_emergencies(language: str, text: str) -> None:
    assert Concern.EMERGENCY not in RULES.check(text)


@pytest.mark.parametrize(("language", "text"), examples("domestic_abuse"))
def test_domestic_abuse_wording_gets_the_helpline(language: str, text: str) -> None:
    assert Concern.DOMESTIC_ABUSE in RULES.check(text)


@pytest.mark.parametrize(("language", "text"), examples("self_harm"))
def test_self_harm_wording_gets_samaritans(language: str, text: str) -> None:
    assert Concern.SELF_HARM in RULES.check(text)


def test_the_canonical_english_sentences() -> None:
    assert RULES.check("there was a stabbing last month and people are scared") == ()
    assert RULES.check("knife crime is my top priority") == ()
    assert RULES.check("someone is breaking into my house right now") == (Concern.EMERGENCY,)


async def test_an_emergency_mid_survey_gets_999_first_and_the_survey_goes_on(
    bot: BotApplication, emulator: BotApiEmulator
) -> None:
    ada = emulator.user(5001, first_name="Ada")
    await onboard(ada)
    await begin_survey(ada)
    await ada.tap_button("Burglary")
    await ada.next_reply()
    await ada.send("A man has got a knife outside my door right now")
    urgent = await ada.next_reply()
    assert urgent.text is not None
    assert "call 999 now" in urgent.text
    assert "Question" not in urgent.text  # a message of its own, never folded into the next
    repeated = await ada.next_reply()  # text is no answer here: a note, the question again
    assert "buttons" in (repeated.text or "") and "Question 1 of 6" in (repeated.text or "")
    await ada.tap_button("Done")
    question_2 = await ada.next_reply()
    assert "Question 2 of 6" in (question_2.text or "")


async def test_an_emergency_before_consent_is_answered_too(
    bot: BotApplication, emulator: BotApiEmulator
) -> None:
    stranger = emulator.user(5002, first_name="S")
    await stranger.send("Someone is breaking into my house right now")
    urgent = await stranger.next_reply()
    assert "call 999 now" in (urgent.text or "")


async def test_a_past_mention_in_a_comment_is_stored_without_alarm(
    bot: BotApplication, emulator: BotApiEmulator
) -> None:
    ada = emulator.user(5003, first_name="Ada")
    await onboard(ada)
    await begin_survey(ada)
    await answer_until_comment(ada)
    await ada.send("There was a stabbing last month and people are scared")
    summary = await ada.next_reply()
    assert "check your answers" in (summary.text or "")


# Sentences earlier fixes were made for (French and Romanian car crime in the plain present, which
# is also the habitual one; "still" words that look habitual) are examples in the language
# files now, so they train the model and the example tests above check them.


def _model(bias: float, urgent: float, gentle: float) -> SafeguardingModel:
    """A model that scores every message the same: what is tested is what follows a score."""
    weights = np.zeros((len(HEADS), DIMENSION), dtype=np.float32)
    biases = np.full(len(HEADS), -10.0, dtype=np.float32)
    biases[HEADS.index(Head.EMERGENCY)] = bias
    thresholds = {h: Thresholds(0.99, 0.99) for h in HEADS}
    thresholds[Head.EMERGENCY] = Thresholds(urgent, gentle)
    return SafeguardingModel(weights, biases, thresholds, use_rules=False)


def test_a_score_between_the_thresholds_gets_the_gentle_line_and_not_the_999_answer() -> None:
    halfway = Safeguarding(RULES.rules, _model(0.0, urgent=0.6, gentle=0.4), use_rules=False)
    assert halfway.assess("anything at all") == Assessment((), gentle=True)
    sure = Safeguarding(RULES.rules, _model(2.0, urgent=0.6, gentle=0.4), use_rules=False)
    assert sure.assess("anything at all") == Assessment((Concern.EMERGENCY,), gentle=False)
    calm = Safeguarding(RULES.rules, _model(-2.0, urgent=0.6, gentle=0.4), use_rules=False)
    assert calm.assess("anything at all") == Assessment()


def test_the_shipped_model_loads_and_answers_the_examples_of_the_issue() -> None:
    for text in (
        "a man with a knife is chasing kids on my road",
        "guy with a gun on Mare Street now",
        "a gang is attacking a boy at the bus stop",
        "my 5 year old son is missing",
    ):
        assert Concern.EMERGENCY in RULES.check(text), text
    for text in (
        "what should I do if I see someone carrying a knife?",
        "there was a stabbing a few weeks ago",
        "More lighting on the estate",
        "hello",
    ):
        assert RULES.assess(text) == Assessment(), text
