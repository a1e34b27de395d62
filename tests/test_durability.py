"""Nothing lost: restarts and SIGKILL mid-survey resume at the same question, and a response the
resident saw "thank you" for is on disk even if the process dies straight after."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.app import BotApplication
from bot.devtools.emulator import BotApiEmulator
from bot.settings import PROJECT_ROOT, Settings
from storage.models import AnswerRecord
from storage.repositories import UnitOfWork
from tests.conftest import BotRunner
from tests.helpers import answer_survey, begin_survey, onboard, resident_behind, stored


async def answers_to(uow: UnitOfWork, chat_id: int, question: str) -> list[AnswerRecord]:
    """Every stored answer a resident gave to one question, over all their responses."""
    resident = await resident_behind(uow, chat_id)
    responses = await uow.responses.for_respondent(resident.respondent_id)
    return [a for r in responses for a in r.answers if a.question_id == question]


async def test_a_tap_made_while_the_bot_was_down_is_answered_after_its_query_expired(
    bot_runner: BotRunner, emulator: BotApiEmulator
) -> None:
    """Telegram no longer takes an answer to the tap; the resident still gets the next screen."""
    ada = emulator.user(2004, first_name="Ada")
    async with bot_runner():
        await onboard(ada)
    await ada.tap_button("Start the survey")
    emulator.expire_callback_queries()
    async with bot_runner():
        first = await ada.next_reply()
        assert "Question 1 of 6" in (first.text or "")
        await emulator.wait_idle()
    assert not ada.unread  # and no "something went wrong" after it


async def test_restart_mid_survey_resumes_at_the_same_question(
    bot_runner: BotRunner, emulator: BotApiEmulator, settings: Settings
) -> None:
    ada = emulator.user(2001, first_name="Ada")
    async with bot_runner():
        await onboard(ada)
        await begin_survey(ada)
        await ada.tap_button("Burglary")
        await ada.next_reply()
        await ada.tap_button("Done")
        question_2 = await ada.next_reply()
        assert "Question 2 of 6" in (question_2.text or "")

    async with bot_runner():
        await ada.command("/survey")
        again = await ada.next_reply()
        assert "middle of the survey" in (again.text or "")
        assert "Question 2 of 6" in (again.text or "")
        await ada.tap_button("4")
        question_3 = await ada.next_reply()
        assert "Question 3 of 6" in (question_3.text or "")

    async with stored(settings) as uow:
        resident = await resident_behind(uow, ada.id)
        state = await uow.conversations.get(resident.respondent_id)
    assert state is not None and state.step == "trust_police"
    assert state.data["answers"] == {"priorities": ["burglary"], "safety_after_dark": 4}


@asynccontextmanager
async def bot_process(
    emulator: BotApiEmulator, database: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """The real ``python bot.py`` in a child process, configured only through the environment."""
    env = {
        **os.environ,
        "NV_BOT_TOKEN": emulator.token,
        "NV_API_BASE_URL": emulator.base_url,
        "NV_DATABASE": str(database),
        "NV_LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(PROJECT_ROOT / "bot.py"), env=env, cwd=PROJECT_ROOT
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


def kill_now(process: asyncio.subprocess.Process) -> None:
    os.kill(process.pid, signal.SIGKILL)


async def test_sigkill_mid_survey_resumes_at_the_same_question(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    database = tmp_path / "killed.sqlite3"
    ada = emulator.user(2002, first_name="Ada")
    async with bot_process(emulator, database) as process:
        await onboard(ada)
        await begin_survey(ada)
        await ada.tap_button("Drug dealing")
        await ada.next_reply()
        await ada.tap_button("Done")
        await ada.next_reply()
        await ada.tap_button("1")
        question_3 = await ada.next_reply()
        assert "Question 3 of 6" in (question_3.text or "")
        kill_now(process)
        assert await process.wait() == -signal.SIGKILL

    async with bot_process(emulator, database):
        await ada.tap_button("Strongly agree")
        question_4 = await ada.next_reply(timeout=15)
        assert "Question 4 of 6" in (question_4.text or "")


async def test_sigkill_right_after_thank_you_keeps_the_response(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    database = tmp_path / "thanks.sqlite3"
    ada = emulator.user(2003, first_name="Ada")
    async with bot_process(emulator, database) as process:
        await onboard(ada)
        await begin_survey(ada)
        await answer_survey(ada)  # returns as soon as "thank you" has reached the resident
        kill_now(process)
        await process.wait()

    async with stored(database) as uow:
        assert await uow.responses.count() == 1
        assert len(await answers_to(uow, ada.id, "priorities")) == 2


async def test_replies_telegram_holds_back_or_loses_on_the_way_still_arrive(
    bot: BotApplication, emulator: BotApiEmulator
) -> None:
    """A 429 is waited out for its retry_after, a 5xx or a dropped connection tried again; the
    resident sees each screen once and never "something went wrong"."""
    ada = emulator.user(2005, first_name="Ada")
    await onboard(ada)
    emulator.inject_fault("answerCallbackQuery", kind="429", retry_after=1)
    emulator.inject_fault("editMessageText", chat_id=ada.id, kind="502")
    await ada.tap_button("Start the survey")
    first = await ada.next_reply(timeout=10)
    assert "Question 1 of 6" in (first.text or "")
    emulator.inject_fault("sendMessage", chat_id=ada.id, kind="429", retry_after=1)
    emulator.inject_fault("sendMessage", chat_id=ada.id, kind="drop")
    await ada.command("/help")
    help_text = await ada.next_reply(timeout=10)
    assert "999" in (help_text.text or "")
    await emulator.wait_idle()
    assert not ada.unread
    assert not [m for m in ada.messages if "went wrong" in (m.text or "")]


async def test_the_bot_starts_without_its_command_menu_when_telegram_will_not_take_it(
    bot_runner: BotRunner, emulator: BotApiEmulator
) -> None:
    emulator.inject_fault("setMyCommands", kind="500", times=None)
    async with bot_runner():
        ada = emulator.user(2006, first_name="Ada")
        await ada.command("/start")
        assert "999" in ((await ada.next_reply()).text or "")
    assert emulator.count("setMyCommands") == 2  # one language, tried twice, then left

    emulator.clear_faults()
    emulator.inject_fault("setMyCommands", kind="429", retry_after=1)
    async with bot_runner():  # a 429 is waited out: every language gets its menu
        pass
    assert {c["command"] for c in emulator.commands} >= {"survey", "privacy"}
    assert emulator.count("setMyCommands") == 2 + 1 + 11
