"""Conversation steps shared by the end-to-end tests: a resident's taps and messages."""

from __future__ import annotations

from bot.emulator import EmulatedUser, SentMessage

SURVEY_CHOICES = ("Burglary", "Road safety")


async def start_and_consent(user: EmulatedUser) -> SentMessage:
    """/start, agree; returns the language question."""
    await user.command("/start")
    welcome = await user.next_reply()
    assert "999" in welcome.text
    await user.tap_button("I agree")
    language = await user.next_reply()
    assert "language" in language.text
    return language


async def onboard(
    user: EmulatedUser, ward_label: str = "Hackney Central", topics: tuple[str, ...] = ()
) -> None:
    """Consent, English, a ward from the list, age 25 to 34, notice topics (by label)."""
    await start_and_consent(user)
    await user.tap_button("English")
    area = await user.next_reply()
    assert "postcode" in area.text
    await user.tap_button("Choose from the list")
    await user.next_reply()
    await user.tap_button(ward_label)
    age = await user.next_reply()
    assert "How old" in age.text
    await user.tap_button("25 to 34")
    notices = await user.next_reply()
    assert "Which messages" in notices.text
    for topic in topics:
        await user.tap_button(topic)
        await user.next_reply()
    await user.tap_button("Done")
    home = await user.next_reply()
    assert "all set" in home.text
    assert home.buttons


async def begin_survey(user: EmulatedUser) -> SentMessage:
    await user.tap_button("Start the survey")
    first = await user.next_reply()
    assert "Question 1 of 6" in first.text
    return first


async def answer_until_comment(user: EmulatedUser) -> SentMessage:
    """From question 1 to the free-text question, with fixed answers."""
    for label in SURVEY_CHOICES:
        await user.tap_button(label)
        await user.next_reply()
    await user.tap_button("Done")
    await user.next_reply()
    await user.tap_button("2")  # safety after dark
    await user.next_reply()
    for label in ("Agree", "Disagree", "Don't know"):
        await user.tap_button(label)
        await user.next_reply()
    comment = user.last
    assert "Question 6 of 6" in comment.text
    return comment


async def answer_survey(user: EmulatedUser, comment: str = "More lighting on the estate") -> None:
    """Question 1 to the summary, then Confirm; returns after the thank-you."""
    await answer_until_comment(user)
    await user.send(comment)
    summary = await user.next_reply()
    assert "check your answers" in summary.text
    await user.tap_button("Confirm and send")
    thanks = await user.next_reply()
    assert "Thank you" in thanks.text
