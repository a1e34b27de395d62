"""A resident's first conversation, end to end through the emulator and the real Application."""

from __future__ import annotations

from bot.app import BotApplication
from bot.areas import AreaDirectory
from bot.devtools.emulator import BotApiEmulator
from bot.digests.scrubber import Scrubber
from bot.flows import ButtonInput, FlowContext, SaveResponse
from bot.flows.survey import SurveyFlow
from bot.settings import PROJECT_ROOT, Settings
from bot.surveys import load_surveys
from storage.models import AnswerRecord, FlowState, Resident, ResponseRecord
from storage.repositories import Store
from tests.conftest import BotRunner
from tests.helpers import (
    answer_survey,
    answer_until_comment,
    begin_survey,
    onboard,
    resident_behind,
    stored,
)


async def kept(settings: Settings, chat_id: int) -> tuple[FlowState | None, list[ResponseRecord]]:
    """A resident's flow state and confirmed responses, as the repositories return them."""
    async with stored(settings) as uow:
        resident = await resident_behind(uow, chat_id)
        state = await uow.conversations.get(resident.respondent_id)
        return state, await uow.responses.for_respondent(resident.respondent_id)


async def test_full_survey_stores_exactly_one_response(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    ada = emulator.user(1001, first_name="Ada", language_code="en")
    await onboard(ada)
    await begin_survey(ada)
    await answer_survey(ada, comment="More lighting on the estate")

    state, responses = await kept(settings, ada.id)
    assert state is None
    assert [(r.survey_id, r.ward_id, r.locale) for r in responses] == [
        ("local-priorities", "hackney-central", "en")
    ]
    answers = [(a.question_id, a.choice_id, a.value, a.text) for a in responses[0].answers]
    assert answers == [
        ("priorities", "burglary", None, None),
        ("priorities", "road_safety", None, None),
        ("safety_after_dark", None, 2, None),
        ("trust_police", "agree", None, None),
        ("trust_fair", "disagree", None, None),
        ("trust_listen", "dont_know", None, None),
        ("anything_else", None, None, "More lighting on the estate"),
    ]
    async with stored(settings) as uow:
        assert await uow.responses.count() == 1


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
    assert await kept(settings, ada.id) == (None, [])
    async with stored(settings) as uow:
        assert await uow.responses.count() == 0
        assert await uow.residents.count() == 1


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
    draft, _responses = await kept(settings, ada.id)
    assert draft is not None and draft.data["answers"]["anything_else"]
    assert "07700" not in str(draft.data) and "Mehmet" not in str(draft.data)
    await ada.tap_button("Confirm and send")
    await ada.next_reply()
    _state, responses = await kept(settings, ada.id)
    texts = [a.text for r in responses for a in r.answers if a.text is not None]
    assert texts == ["My neighbour [name] sells drugs, call me on [phone]"]


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
    _state, responses = await kept(settings, 1004)
    assert [a.text for r in responses for a in r.answers] == ["Ring [name] on [phone]"]
    async with stored(settings) as uow:
        assert await uow.responses.chore_done("scrub-stored-comments")


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


async def test_a_number_typed_on_the_scale_question_is_taken_as_the_tap(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    """A 1–5 question answers to "4" typed as well as tapped, in any script's digits."""
    ada = emulator.user(1005, first_name="Ada")
    await onboard(ada)
    await begin_survey(ada)
    await ada.tap_button("Burglary")
    await ada.next_reply()
    await ada.tap_button("Done")
    assert "Question 2 of 6" in ((await ada.next_reply()).text or "")
    await ada.send("9")  # not on the scale: refused, the question again
    assert "buttons below" in ((await ada.next_reply()).text or "")
    await ada.send(" \u0664 ")  # Arabic-Indic four
    assert "Question 3 of 6" in ((await ada.next_reply()).text or "")
    draft, _responses = await kept(settings, ada.id)
    assert draft is not None and draft.data["answers"]["safety_after_dark"] == 4
