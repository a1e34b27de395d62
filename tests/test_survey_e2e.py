"""A resident's first conversation, end to end through the emulator and the real Application."""

from __future__ import annotations

import sqlite3

from bot.app import BotApplication
from bot.emulator import BotApiEmulator
from bot.settings import Settings
from tests.helpers import answer_survey, answer_until_comment, begin_survey, onboard


def rows(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(settings.database_path) as conn:
        return list(conn.execute(sql))


async def test_full_survey_stores_exactly_one_response(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    ada = emulator.user(1001, first_name="Ada", language_code="en")
    await onboard(ada)
    await begin_survey(ada)
    await answer_survey(ada, comment="More lighting on the estate")

    responses = rows(settings, "SELECT survey_id, ward_id, locale FROM responses")
    assert responses == [("local-priorities", "hackney-central", "en")]
    answers = rows(
        settings,
        "SELECT question_id, choice_id, value, text FROM answers ORDER BY rowid",
    )
    assert answers == [
        ("priorities", "burglary", None, None),
        ("priorities", "road_safety", None, None),
        ("safety_after_dark", None, 2, None),
        ("trust_police", "agree", None, None),
        ("trust_fair", "disagree", None, None),
        ("trust_listen", "dont_know", None, None),
        ("anything_else", None, None, "More lighting on the estate"),
    ]
    assert rows(settings, "SELECT COUNT(*) FROM conversations") == [(0,)]


async def test_cancel_mid_survey_stores_nothing(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    ada = emulator.user(1002, first_name="Ada")
    await onboard(ada)
    await begin_survey(ada)
    await answer_until_comment(ada)
    await ada.command("/cancel")
    cancelled = await ada.next_reply()
    assert "Cancelled" in cancelled.text
    assert rows(settings, "SELECT COUNT(*) FROM responses") == [(0,)]
    assert rows(settings, "SELECT COUNT(*) FROM conversations") == [(0,)]
    assert rows(settings, "SELECT COUNT(*) FROM respondents") == [(1,)]


async def test_the_comment_is_stored_and_shown_as_the_team_will_read_it(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    """No third party's name or number is kept: not in the draft, not in the response."""
    ada = emulator.user(1003, first_name="Ada")
    await onboard(ada)
    await begin_survey(ada)
    await answer_until_comment(ada)
    await ada.send("My neighbour Mehmet Yilmaz sells drugs, call me on 07700 900123")
    summary = await ada.next_reply()
    assert (
        "This is how your team will see your comment: My neighbour [name] sells drugs, "
        "call me on [phone]" in summary.text
    )
    drafts = rows(settings, "SELECT data FROM conversations")
    assert drafts and all("07700" not in str(d) and "Mehmet" not in str(d) for d in drafts)
    await ada.tap_button("Confirm and send")
    await ada.next_reply()
    stored = rows(settings, "SELECT text FROM answers WHERE text IS NOT NULL")
    assert stored == [("My neighbour [name] sells drugs, call me on [phone]",)]
