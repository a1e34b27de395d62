"""A resident's first conversation, end to end through the emulator and the real Application."""

from __future__ import annotations

import sqlite3

from bot.app import BotApplication
from bot.areas import AreaDirectory
from bot.devtools.emulator import BotApiEmulator
from bot.digests.scrubber import Scrubber
from bot.flows import ButtonInput, FlowContext, SaveResponse
from bot.flows.survey import SurveyFlow
from bot.settings import PROJECT_ROOT, Settings
from bot.surveys import load_surveys
from storage.models import AnswerRecord, FlowState, Resident
from storage.repositories import Store
from tests.conftest import BotRunner
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
    assert "Cancelled" in (cancelled.text or "")
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
        "call me on [phone]" in (summary.text or "")
    )
    drafts = rows(settings, "SELECT data FROM conversations")
    assert drafts and all("07700" not in str(d) and "Mehmet" not in str(d) for d in drafts)
    await ada.tap_button("Confirm and send")
    await ada.next_reply()
    stored = rows(settings, "SELECT text FROM answers WHERE text IS NOT NULL")
    assert stored == [("My neighbour [name] sells drugs, call me on [phone]",)]


async def test_comments_stored_before_the_upgrade_are_scrubbed_once_at_start(
    bot_runner: BotRunner, settings: Settings
) -> None:
    store = Store(settings.database_path)
    await store.open()
    try:
        async with store.unit() as uow:
            resident = await uow.residents.create(1004, "en")
            await uow.responses.add(
                resident.respondent_id,
                survey_id="local-priorities",
                survey_version=1,
                ward_id="dalston",
                locale="en",
                answers=[AnswerRecord("anything_else", text="Ring Mehmet Yilmaz on 07700 900123")],
            )
    finally:
        await store.close()
    async with bot_runner():
        pass
    assert rows(settings, "SELECT text FROM answers") == [("Ring [name] on [phone]",)]
    assert rows(settings, "SELECT name FROM chores_done") == [("scrub-stored-comments",)]


async def test_a_draft_begun_before_the_upgrade_is_scrubbed_when_confirmed() -> None:
    """Its comment was stored as typed; confirming it stores only the scrubbed text."""
    survey = load_surveys(PROJECT_ROOT / "surveys")["local-priorities"]
    scrubber = Scrubber()
    flow = SurveyFlow(scrub=lambda text, kept: scrubber.keeping(kept).scrub(text).text)
    state = FlowState(
        "survey",
        "summary",
        {
            "survey": survey.id,
            "answers": {"anything_else": {"text": "Call me on 07700 900123", "lang": "en"}},
        },
    )
    ctx = FlowContext(
        resident=Resident("r", "en"),
        areas=AreaDirectory.load(
            PROJECT_ROOT / "data" / "wards.csv", PROJECT_ROOT / "data" / "postcode_wards.csv"
        ),
        surveys={survey.id: survey},
        area_name="Hackney",
    )
    transition = await flow.handle(ctx, state, ButtonInput("confirm", ""))
    assert isinstance(transition.effect, SaveResponse)
    assert [a.text for a in transition.effect.answers] == ["Call me on [phone]"]
