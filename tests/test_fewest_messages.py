"""Folding a reply's plain text messages into the next one: fewer calls, fewer notifications."""

from __future__ import annotations

from bot.messages import (
    MERGED_TEXT_LIMIT,
    Button,
    CallbackData,
    Document,
    Outgoing,
    fewest_messages,
)

BUTTONS = ((Button("Yes", CallbackData("c", "", "yes")),),)


def test_plain_text_joins_the_next_message_which_keeps_its_buttons() -> None:
    folded = fewest_messages((Outgoing("Thank you."), Outgoing("Which language?", BUTTONS)))
    assert folded == (Outgoing("Thank you.\n\nWhich language?", BUTTONS),)


def test_an_edit_of_the_tapped_message_stays_an_edit_and_takes_the_next_screen() -> None:
    folded = fewest_messages((Outgoing("All set.", edit=True), Outgoing("Survey?", BUTTONS)))
    assert folded == (Outgoing("All set.\n\nSurvey?", BUTTONS, edit=True),)


def test_three_in_a_row_become_one() -> None:
    folded = fewest_messages((Outgoing("Hello."), Outgoing("999."), Outgoing("Agree?", BUTTONS)))
    assert [m.text for m in folded] == ["Hello.\n\n999.\n\nAgree?"]


def test_what_must_stay_apart_does() -> None:
    chart = Outgoing("Chart", document=Document("c.png", b"png"), photo=True)
    cases = [
        (Outgoing("Has buttons", BUTTONS), Outgoing("Next")),  # buttons belong to their text
        (Outgoing("Note"), chart),  # a document has a caption, not a text
        (chart, Outgoing("Next")),
        (Outgoing("Posted.", edit=True), Outgoing("Starting…", apart=True)),  # edited later
        (Outgoing("Call 999 now.", apart=True), Outgoing("Question 1")),  # safeguarding
        (Outgoing("English"), Outgoing("Türkçe?", BUTTONS, locale="tr")),  # another language
        (Outgoing("Note"), Outgoing("Edited screen", BUTTONS, edit=True)),  # would reorder
    ]
    for pair in cases:
        assert fewest_messages(pair) == pair, pair


def test_text_that_would_pass_the_limit_stays_apart() -> None:
    long = Outgoing("x" * (MERGED_TEXT_LIMIT - 10))
    pair = (long, Outgoing("y" * 9))
    assert fewest_messages(pair) == pair
    assert len(fewest_messages((long, Outgoing("y" * 8)))) == 1
