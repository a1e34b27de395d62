"""The resident's journey as a newcomer meets it (issue 15): what each screen says and offers,
end to end through the emulator and the real Application."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app import BotApplication
from bot.devtools.emulator import BotApiEmulator, EmulatedUser
from bot.settings import Settings
from storage.models import Event
from tests.helpers import (
    answer_survey,
    answer_until_comment,
    begin_survey,
    onboard,
    resident_behind,
    start_and_consent,
    stored,
)


async def to_notices(user: EmulatedUser) -> list[str]:
    """Sign-up as far as the notice topics; their button labels."""
    await start_and_consent(user)
    for label in ("English", "Choose from the list", "Dalston", "25 to 34"):
        await user.tap_button(label)
        await user.next_reply()
    return user.last.labels


async def test_notice_topics_show_on_and_off_and_done_with_none_says_so(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    ada = emulator.user(15_001, first_name="Ada")
    topics = await to_notices(ada)
    assert topics[:3] == [
        "⬜ Community events",
        "⬜ Safety notices",
        '⬜ "You said, we did" updates',
    ]
    assert "✅ is on, ⬜ is off" in (ada.last.text or "")
    await ada.tap_button("Done")
    done = await ada.next_reply()
    assert "all set" in (done.text or "")
    assert "Every message is switched off" in (done.text or "")

    await ada.command("/notices")
    await ada.next_reply()
    await ada.tap_button("Safety notices")
    switched = await ada.next_reply()
    assert "✅ Safety notices" in switched.labels
    assert "⬜ Community events" in switched.labels
    await ada.tap_button("Done")
    saved = await ada.next_reply()
    assert saved.text == "Your choices are saved."
    await ada.command("/notices")
    await ada.next_reply()
    await ada.tap_button("Safety notices")
    await ada.next_reply()
    await ada.tap_button("Done")
    assert "Every message is switched off" in ((await ada.next_reply()).text or "")


async def test_a_resident_with_a_topic_on_is_not_warned(
    bot: BotApplication, emulator: BotApiEmulator
) -> None:
    ada = emulator.user(15_002, first_name="Ada")
    await to_notices(ada)
    await ada.tap_button("Community events")
    await ada.next_reply()
    await ada.tap_button("Done")
    done = await ada.next_reply()
    assert "all set" in (done.text or "") and "switched off" not in (done.text or "")


async def test_the_survey_offer_can_be_put_off(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    ada = emulator.user(15_003, first_name="Ada")
    await onboard(ada)
    assert ada.last.labels == ["Start the survey", "Not now"]
    await ada.tap_button("Not now")
    later = await ada.next_reply()
    assert "/survey whenever you like" in (later.text or "")
    assert not later.buttons
    async with stored(settings) as uow:
        resident = await resident_behind(uow, ada.id)
        assert await uow.conversations.get(resident.respondent_id) is None


async def test_living_outside_the_area_is_explained(
    bot: BotApplication, emulator: BotApiEmulator
) -> None:
    ada = emulator.user(15_004, first_name="Ada")
    await start_and_consent(ada)
    await ada.tap_button("English")
    await ada.next_reply()
    await ada.tap_button("I don't live in Hackney")
    age = await ada.next_reply()
    assert "you can still take part" in (age.text or "")
    assert "Hackney as a whole" in (age.text or "")
    assert "How old" in (age.text or "")
    # The age question promises only what the bot does.
    assert "never shown beside your answers" in (age.text or "")


async def test_the_comment_limit_is_stated_before_writing(
    bot: BotApplication, emulator: BotApiEmulator
) -> None:
    ada = emulator.user(15_005, first_name="Ada")
    await onboard(ada)
    await begin_survey(ada)
    comment = await answer_until_comment(ada)
    assert "You can write up to 1,000 characters." in (comment.text or "")


async def test_something_else_asks_what_and_keeps_the_words_beside_the_choice(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    ada = emulator.user(15_006, first_name="Ada")
    await onboard(ada)
    await begin_survey(ada)
    await ada.tap_button("Burglary")
    await ada.next_reply()
    await ada.tap_button("Something else")
    await ada.next_reply()
    await ada.tap_button("Done")
    asked = await ada.next_reply()
    assert "What else should your local police team focus on?" in (asked.text or "")
    assert "300 characters" in (asked.text or "")
    assert asked.labels == ["Back", "Skip"]
    await ada.send("x" * 301)
    assert "301 characters" in ((await ada.next_reply()).text or "")
    await ada.send("Broken street lights on Amhurst Road")
    scale = await ada.next_reply()
    assert "Question 2 of 6" in (scale.text or "")
    await ada.tap_button("3")
    await ada.next_reply()
    for label in ("Agree", "Disagree", "Don't know"):
        await ada.tap_button(label)
        await ada.next_reply()
    await ada.tap_button("Skip")
    summary = await ada.next_reply()
    assert "Something else: Broken street lights on Amhurst Road" in (summary.text or "")
    # The summary names each question by its short name, and only the answers are long.
    assert "1. Priorities\n→ Burglary and Something else" in (summary.text or "")
    assert "How safe do you feel" not in (summary.text or "")
    await ada.tap_button("Confirm and send")
    await ada.next_reply()
    async with stored(settings) as uow:
        resident = await resident_behind(uow, ada.id)
        (response,) = await uow.responses.for_respondent(resident.respondent_id)
    priorities = [(a.choice_id, a.text) for a in response.answers if a.question_id == "priorities"]
    assert priorities == [
        ("burglary", None),
        ("other", None),
        ("other", "Broken street lights on Amhurst Road"),
    ]


async def test_a_skipped_follow_up_stores_only_the_choice(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    ada = emulator.user(15_007, first_name="Ada")
    await onboard(ada)
    await begin_survey(ada)
    await ada.tap_button("Something else")
    await ada.next_reply()
    await ada.tap_button("Done")
    await ada.next_reply()
    await ada.tap_button("Back")  # back to the ticks, still ticked
    back = await ada.next_reply()
    assert "✅ Something else" in back.labels
    await ada.tap_button("Done")
    await ada.next_reply()
    await ada.tap_button("Skip")
    assert "Question 2 of 6" in ((await ada.next_reply()).text or "")


async def test_change_an_answer_names_the_questions_and_ticks_the_current_answer(
    bot: BotApplication, emulator: BotApiEmulator
) -> None:
    ada = emulator.user(15_008, first_name="Ada")
    await onboard(ada)
    await begin_survey(ada)
    await answer_until_comment(ada)
    await ada.tap_button("Skip")
    await ada.next_reply()
    await ada.tap_button("Change an answer")
    menu = await ada.next_reply()
    assert menu.labels == [
        "1. Priorities",
        "2. Safety after dark",
        "3. Police can be trusted",
        "4. Police treat everyone fairly",
        "5. Police listen to local people",
        "6. Anything else",
        "Back",
    ]
    await ada.tap_button("Safety after dark")
    reopened = await ada.next_reply()
    assert "✅ 2" in reopened.labels
    await ada.tap_button("4")
    await ada.next_reply()
    await ada.tap_button("Change an answer")
    await ada.next_reply()
    await ada.tap_button("Police treat everyone fairly")
    assert "✅ Disagree" in (await ada.next_reply()).labels


async def test_after_answering_the_bot_does_not_offer_the_same_survey_as_new(
    bot: BotApplication, emulator: BotApiEmulator
) -> None:
    ada = emulator.user(15_009, first_name="Ada")
    await onboard(ada)
    await begin_survey(ada)
    await answer_survey(ada, comment="More lighting on the estate")
    await ada.send("hello")
    home = await ada.next_reply()
    assert "not asking anything" in (home.text or "")
    assert "You answered the survey on" in (home.text or "")
    assert not home.buttons
    await ada.command("/survey")
    question = await ada.next_reply()
    assert "You last answered on" in (question.text or "")
    assert "nobody is counted twice" in (question.text or "")
    assert "Question 1 of 6" in (question.text or "")


async def test_rsvp_replies_mention_reminders_and_cards_show_places_left(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    now = datetime.now(UTC)
    async with stored(settings) as uow:
        await uow.events.add(
            Event(
                title="Cuppa with a copper",
                description="Tea and questions.",
                starts_at=now + timedelta(days=3),
                ends_at=now + timedelta(days=3, hours=2),
                place_name="Library",
                place_address="1 Mare Street",
                capacity=2,
            )
        )
    ada = emulator.user(15_010, first_name="Ada")
    await onboard(ada)
    await ada.command("/events")
    card = await ada.next_reply()
    assert "Places: 2 of 2 left." in (card.text or "")
    await ada.tap_button("Going")
    answered = await ada.next_reply()
    assert "Places: 1 of 2 left." in (answered.text or "")
    assert "remind you a day before and an hour before" in ada.callback_answers[-1]["text"]
    await ada.tap_button("Maybe")
    await ada.next_reply()
    assert "Reminders go to those who tap Going" in ada.callback_answers[-1]["text"]

    bob = emulator.user(15_011, first_name="Bob")
    await onboard(bob)
    await bob.command("/events")
    await bob.next_reply()
    await bob.tap_button("Going")
    await bob.next_reply()
    ada.mark_read()
    await ada.command("/events")
    assert "Places: 1 of 2 left." in ((await ada.next_reply()).text or "")


async def test_someone_who_has_not_agreed_is_told_how_to_begin(
    bot: BotApplication, emulator: BotApiEmulator
) -> None:
    ada = emulator.user(15_012, first_name="Ada")
    await ada.command("/start")
    welcome = await ada.next_reply()
    # The consent asks for the privacy notice's first layer; /privacy gives the whole.
    assert len(welcome.text or "") < 700 and "/privacy tells you more" in (welcome.text or "")
    await ada.send("what is this?")
    hint = await ada.next_reply()
    assert "tap “I agree” under the welcome message" in (hint.text or "")
    await ada.command("/survey")
    assert "I agree" in ((await ada.next_reply()).text or "")
