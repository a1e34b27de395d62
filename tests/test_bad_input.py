"""Bad input at every state: a short clear answer, and the conversation stays where it was.

The requirement: at every state, stickers, photos, voice notes, documents, locations, edited
messages, 4096-character text, right-to-left text, emoji only, a command from another flow, a
tap on a button of an old message and forged callback data get a short clear answer; the
conversation stays where it was, and nothing a resident sends can crash a handler.

Every (state, bad input) pair is a test of its own: a fresh resident is brought to the state
through the real bot, the database row is read, the bad input is sent, and then the test checks
the answer, reads the row again and carries on with the flow. One bot serves the whole module
(each test has its own resident), because starting one per pair would cost more than the pairs.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio

from bot.app import build_application, prepare, running
from bot.areas import AreaDirectory
from bot.devtools.emulator import BotApiEmulator, EmulatedUser, SentMessage
from bot.settings import Settings
from storage.models import FlowState, Resident, ResponseRecord
from tests.helpers import begin_survey, start_and_consent, stored

pytestmark = pytest.mark.asyncio(loop_scope="module")

ERROR_REPLY = "something went wrong"
# Long enough to be a real comment, 4096 characters (Telegram's limit), no edge whitespace.
LONG_TEXT = ("The streetlights on our road have been out for weeks. " * 80)[:4095] + "!"
RTL_TEXT = "الإنارة في شارعنا معطلة منذ 3 أسابيع، رقم المنزل ١٢"
EMOJI_TEXT = "👍🏽🔥😀"
# A valid postcode and a valid comment: an edit must not be taken as an answer anywhere.
EDITED_TEXT = "E8 1DY"
SHORT = 300  # a "short" answer, in characters; toasts are held to Telegram's 200

MEDIA_KINDS = ("sticker", "photo", "voice", "document", "location")
TEXT_KINDS = ("long_text", "rtl_text", "emoji")
MESSAGE_KINDS = (*MEDIA_KINDS, "edited", *TEXT_KINDS, "other_command")
TAP_KINDS = ("old_button", "forged")
BAD_KINDS = (*MESSAGE_KINDS, *TAP_KINDS)


# -- one bot for the module ---------------------------------------------------------------------


@dataclass
class World:
    emulator: BotApiEmulator
    settings: Settings
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(20_001))
    barriers: Iterator[int] = field(default_factory=itertools.count)

    def new_user(self) -> EmulatedUser:
        return self.emulator.user(next(self.ids), first_name="Resident", language_code="en")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    async with BotApiEmulator() as emulator:
        settings = Settings.defaults(
            bot_token=emulator.token,
            database_path=tmp_path_factory.mktemp("bad-input") / "nv.sqlite3",
            api_base_url=emulator.base_url,
        )
        async with running(build_application(prepare(settings)), poll_timeout=1, poll_interval=0):
            yield World(emulator, settings)


# -- reading what happened ----------------------------------------------------------------------


async def settle(world: World, user: EmulatedUser) -> None:
    """Return once the bot has finished with everything this resident sent so far.

    The bot handles one chat's updates strictly in arrival order, so when it has answered a tap
    sent last, every reply to what came before has been sent: no sleeping and no guessing how
    many messages an answer takes. The tap's data is nothing the bot ever wrote, so it only
    gets a toast and changes nothing.
    """
    update = await user.tap(f"barrier-{next(world.barriers)}")
    query_id = update["callback_query"]["id"]
    await world.emulator.wait_until(
        lambda: any(a["callback_query_id"] == query_id for a in user.callback_answers)
    )


@dataclass
class Outcome:
    messages: list[SentMessage]  # sent or edited in answer, in order
    toast: str | None  # answerCallbackQuery text, for a tap
    answered: bool  # for a tap: whether the spinner was stopped at all


async def respond(world: World, user: EmulatedUser, act: Awaitable[dict[str, Any]]) -> Outcome:
    """Do one thing as the resident and collect the bot's whole answer to it."""
    assert not user.unread, [m.describe() for m in user.unread]
    update = await act
    await settle(world, user)
    messages = user.mark_read()
    query = update.get("callback_query")
    answer = None
    if query is not None:
        answer = next(
            (a for a in user.callback_answers if a["callback_query_id"] == query["id"]), None
        )
    return Outcome(messages, answer["text"] if answer else None, answer is not None)


@dataclass(frozen=True)
class Stored:
    """Everything stored for a chat: the resident, their flow state, their responses."""

    resident: Resident
    state: FlowState | None
    responses: list[ResponseRecord]

    def comments(self) -> list[str | None]:
        """The free-text answers to the last question, in every confirmed response."""
        return [
            a.text for r in self.responses for a in r.answers if a.question_id == "anything_else"
        ]


async def where(settings: Settings, chat_id: int) -> Stored | None:
    async with stored(settings) as uow:
        resident = await uow.residents.by_chat(chat_id)
        if resident is None:
            return None
        state = await uow.conversations.get(resident.respondent_id)
        responses = await uow.responses.for_respondent(resident.respondent_id)
    return Stored(resident, state, responses)


def position(stored: Stored | None) -> tuple[str, str] | None:
    if stored is None or stored.state is None:
        return None
    return stored.state.flow, stored.state.step


def assert_no_failures(
    world: World, user: EmulatedUser, errors_from: int, caplog: pytest.LogCaptureFixture
) -> None:
    """No error reply, no failed Bot API call and no logged exception."""
    sorry = [m.describe() for m in user.messages if ERROR_REPLY in (m.text or "")]
    assert not sorry, sorry
    failed = [
        (method, code, description)
        for method, _params, code, description in world.emulator.errors[errors_from:]
        if code == 400 and "not modified" not in description
    ]
    assert not failed, failed
    logged = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]
    assert not logged, logged


def button(message: SentMessage, label: str) -> tuple[int, str]:
    """(message id, callback data) of the button whose label contains ``label``."""
    for row in message.buttons:
        for text, data in row:
            if label in text and data:
                return message.message_id, data
    raise LookupError(f"no {label!r} in {message.describe()}")


async def tap_label(user: EmulatedUser, label: str) -> dict[str, Any]:
    """Tap ``label`` on the newest message that shows it.

    Not simply the newest keyboard: the bot may add a message with buttons of its own after a
    screen (an offer to switch language after text in another language).
    """
    for message in reversed(user.messages):
        if message.deleted:
            continue
        for row in message.buttons:
            for text, data in row:
                if label in text and data:
                    return await user.tap(data, message_id=message.message_id)
    raise LookupError(f"no button {label!r} in chat {user.id}")


def shows(messages: list[SentMessage], screen: SentMessage) -> bool:
    """The screen again: its buttons, and its question (last paragraph) at the end of the text.

    What led to the screen ("Thank you.") or to its repeat ("I can't use that.") shares the
    message as paragraphs before the question.
    """
    question = (screen.text or "").split("\n\n")[-1]
    return any(m.buttons == screen.buttons and (m.text or "").endswith(question) for m in messages)


def last_own_text(user: EmulatedUser) -> int:
    return max(mid for mid, message in user.own_messages.items() if "text" in message)


# -- the states, reached through the real bot ---------------------------------------------------


@dataclass
class Reached:
    screen: SentMessage  # what the resident is looking at
    old_button: tuple[int, str]  # a button of an earlier message: (message id, callback data)


async def reach_before_consent(user: EmulatedUser) -> Reached:
    """Consent, leave with /cancel (nothing kept), /start again: no resident, old buttons."""
    language = await start_and_consent(user)
    await user.command("/cancel")
    assert "Nothing was kept" in ((await user.next_reply()).text or "")
    await user.command("/start")
    welcome = await user.next_reply()
    return Reached(welcome, button(language, "English"))


async def reach_language(user: EmulatedUser) -> Reached:
    language = await start_and_consent(user)
    welcome = next(m for m in user.messages if "I agree" in m.labels)
    return Reached(language, button(welcome, "I agree"))


async def reach_area(user: EmulatedUser) -> Reached:
    language = (await reach_language(user)).screen
    await user.tap_button("English")
    area = await user.next_reply()
    assert "postcode" in (area.text or "")
    return Reached(area, button(language, "English"))


async def reach_ward_list(user: EmulatedUser) -> Reached:
    area = (await reach_area(user)).screen
    await user.tap_button("Choose from the list")
    wards = await user.next_reply()
    assert "Choose your ward" in (wards.text or "")
    return Reached(wards, button(area, "I don't live in"))


async def reach_ward_pick(user: EmulatedUser) -> Reached:
    """E8 1DY is shared by four wards in data/postcode_wards.csv."""
    area = (await reach_area(user)).screen
    await user.send("E8 1DY")
    pick = await user.next_reply()
    assert "more than one ward" in (pick.text or "")
    assert {"Dalston", "Hackney Central"} <= set(pick.labels)
    return Reached(pick, button(area, "Choose from the list"))


async def reach_age(user: EmulatedUser) -> Reached:
    wards = (await reach_ward_list(user)).screen
    await user.tap_button("Hackney Central")
    age = await user.next_reply()
    assert "How old" in (age.text or "")
    return Reached(age, button(wards, "Dalston"))


async def reach_notices(user: EmulatedUser) -> Reached:
    """The last sign-up step: which notices to receive; Safety notices already switched on."""
    age = (await reach_age(user)).screen
    await user.tap_button("25 to 34")
    assert "Which messages" in ((await user.next_reply()).text or "")
    await user.tap_button("Safety notices")
    notices = await user.next_reply()
    assert "✅ Safety notices" in notices.labels
    return Reached(notices, button(age, "18 to 24"))


async def reach_idle(user: EmulatedUser) -> Reached:
    notices = (await reach_notices(user)).screen
    await user.tap_button("Done")
    home = await user.next_reply()
    assert "all set" in (home.text or "")
    return Reached(home, button(notices, "Community events"))


async def reach_q_multi(user: EmulatedUser) -> Reached:
    """Question 1 with Burglary already ticked, so the ticks must survive too."""
    home = (await reach_idle(user)).screen
    await begin_survey(user)
    await user.tap_button("Burglary")
    question = await user.next_reply()
    assert "✅ Burglary" in question.labels
    return Reached(question, button(home, "Start the survey"))


async def reach_q_scale(user: EmulatedUser) -> Reached:
    first = (await reach_q_multi(user)).screen
    await user.tap_button("Done")
    question = await user.next_reply()
    assert "Question 2 of 6" in (question.text or "")
    return Reached(question, button(first, "Robbery"))


async def reach_q_agree(user: EmulatedUser) -> Reached:
    scale = (await reach_q_scale(user)).screen
    await user.tap_button("2")
    question = await user.next_reply()
    assert "Question 3 of 6" in (question.text or "")
    return Reached(question, button(scale, "5"))


async def reach_q_text(user: EmulatedUser) -> Reached:
    await reach_q_agree(user)
    await user.tap_button("Agree")
    await user.next_reply()
    await user.tap_button("Disagree")
    fifth = await user.next_reply()
    assert "Question 5 of 6" in (fifth.text or "")
    await user.tap_button("Don't know")
    question = await user.next_reply()
    assert "Question 6 of 6" in (question.text or "")
    return Reached(question, button(fifth, "Agree"))


async def reach_summary(user: EmulatedUser) -> Reached:
    comment = (await reach_q_text(user)).screen
    await user.send("More lighting on the estate")
    summary = await user.next_reply()
    assert "check your answers" in (summary.text or "")
    return Reached(summary, button(comment, "Skip"))


# -- carrying on afterwards ---------------------------------------------------------------------


async def resume_before_consent(user: EmulatedUser, settings: Settings) -> None:
    await tap_label(user, "I agree")
    language = await user.next_reply()
    assert "language" in (language.text or "")
    assert position(await where(settings, user.id)) == ("onboarding", "language")


async def resume_language(user: EmulatedUser, settings: Settings) -> None:
    await tap_label(user, "English")
    assert "postcode" in ((await user.next_reply()).text or "")
    assert position(await where(settings, user.id)) == ("onboarding", "area")


async def resume_area(user: EmulatedUser, settings: Settings) -> None:
    await tap_label(user, "Choose from the list")
    assert "Choose your ward" in ((await user.next_reply()).text or "")
    assert position(await where(settings, user.id)) == ("onboarding", "ward_list")


async def resume_ward_list(user: EmulatedUser, settings: Settings) -> None:
    await tap_label(user, "Hackney Central")
    assert "How old" in ((await user.next_reply()).text or "")
    stored = await where(settings, user.id)
    assert position(stored) == ("onboarding", "age")
    assert stored is not None and stored.resident.ward_id == "hackney-central"


async def resume_ward_pick(user: EmulatedUser, settings: Settings) -> None:
    await tap_label(user, "Dalston")
    assert "How old" in ((await user.next_reply()).text or "")
    stored = await where(settings, user.id)
    assert position(stored) == ("onboarding", "age")
    assert stored is not None and stored.resident.ward_id == "dalston"


async def resume_age(user: EmulatedUser, settings: Settings) -> None:
    await tap_label(user, "25 to 34")
    assert "Which messages" in ((await user.next_reply()).text or "")
    stored = await where(settings, user.id)
    assert position(stored) == ("onboarding", "notices")
    assert stored is not None and stored.resident.age_band == "25_34"


async def resume_notices(user: EmulatedUser, settings: Settings) -> None:
    await tap_label(user, "Done")
    done = await user.next_reply()
    assert "all set" in (done.text or "")
    stored = await where(settings, user.id)
    assert stored is not None and stored.state is None
    assert stored.resident.onboarded_at is not None
    assert (stored.resident.notify_safety, stored.resident.notify_events) == (True, False)


async def resume_q_multi(user: EmulatedUser, settings: Settings) -> None:
    await tap_label(user, "Done")
    assert "Question 2 of 6" in ((await user.next_reply()).text or "")
    stored = await where(settings, user.id)
    assert stored is not None and stored.state is not None
    assert stored.state.data["answers"] == {"priorities": ["burglary"]}


async def resume_q_scale(user: EmulatedUser, settings: Settings) -> None:
    await tap_label(user, "2")
    assert "Question 3 of 6" in ((await user.next_reply()).text or "")
    assert position(await where(settings, user.id)) == ("survey", "trust_police")


async def resume_q_agree(user: EmulatedUser, settings: Settings) -> None:
    await tap_label(user, "Agree")
    assert "Question 4 of 6" in ((await user.next_reply()).text or "")
    assert position(await where(settings, user.id)) == ("survey", "trust_fair")


async def resume_q_text(user: EmulatedUser, settings: Settings) -> None:
    await tap_label(user, "Skip")
    assert "check your answers" in ((await user.next_reply()).text or "")
    stored = await where(settings, user.id)
    assert position(stored) == ("survey", "summary")
    assert stored is not None and stored.state is not None
    assert stored.state.data["answers"]["anything_else"] is None


async def resume_summary(user: EmulatedUser, settings: Settings) -> None:
    await tap_label(user, "Confirm and send")
    assert "Thank you" in ((await user.next_reply()).text or "")
    stored = await where(settings, user.id)
    assert stored is not None and stored.state is None
    assert stored.comments() == ["More lighting on the estate"]


async def resume_idle(user: EmulatedUser, settings: Settings) -> None:
    await tap_label(user, "Start the survey")
    first = await user.next_reply()
    assert "Question 1 of 6" in (first.text or "")
    assert position(await where(settings, user.id)) == ("survey", "priorities")


# -- the table ----------------------------------------------------------------------------------

CONVERSATION_REPEATS = frozenset({*MESSAGE_KINDS, "old_button"})


@dataclass(frozen=True)
class State:
    reach: Callable[[EmulatedUser], Awaitable[Reached]]
    resume: Callable[[EmulatedUser, Settings], Awaitable[None]]
    position: tuple[str, str] | None  # the conversations row; None: no row
    other_command: str  # a command belonging to another flow
    text_answer: str  # part of the clear answer to text that is no use here
    old_button_answer: str
    forged: str  # right-shaped callback data that is not valid here
    forged_answer: str
    repeats: frozenset[str]  # bad inputs after which the current screen is shown again
    resident: bool = True


def onboarding(step: str, reach: Any, resume: Any, forged: str, **kw: Any) -> State:
    values: dict[str, Any] = {
        "position": ("onboarding", step),
        "other_command": "/survey",
        "text_answer": "buttons",
        "old_button_answer": "earlier message",
        "forged_answer": "didn't understand",
        "repeats": CONVERSATION_REPEATS,
    }
    values.update(kw)
    return State(reach, resume, forged=forged, **values)


def survey(step: str, reach: Any, resume: Any, forged: str, **kw: Any) -> State:
    values: dict[str, Any] = {
        "position": ("survey", step),
        "other_command": "/start",
        "text_answer": "buttons",
        "old_button_answer": "earlier message",
        "forged_answer": "didn't understand",
        "repeats": CONVERSATION_REPEATS,
    }
    values.update(kw)
    return State(reach, resume, forged=forged, **values)


STATES: dict[str, State] = {
    "before_consent": State(
        reach_before_consent,
        resume_before_consent,
        position=None,
        other_command="/survey",
        text_answer="/start",
        old_button_answer="expired",
        forged="c::maybe:",
        forged_answer="didn't understand",
        repeats=frozenset(),
        resident=False,
    ),
    "language": onboarding(
        "language",
        reach_language,
        resume_language,
        "o:language:lang:xx",
        old_button_answer="already agreed",
    ),
    "area": onboarding(
        "area",
        reach_area,
        resume_area,
        "o:area:ward:hackney-central",  # a ward without going through the list
        text_answer="postcode",
        forged_answer="postcode",
    ),
    "ward_list": onboarding(
        "ward_list", reach_ward_list, resume_ward_list, "o:ward_list:ward:atlantis"
    ),
    "ward_pick": onboarding(
        "ward_pick",
        reach_ward_pick,
        resume_ward_pick,
        "o:ward_pick:ward:springfield",  # a real ward, but not one of E8 1DY's
    ),
    "age": onboarding("age", reach_age, resume_age, "o:age:age:99_plus"),
    "notices": onboarding("notices", reach_notices, resume_notices, "o:notices:toggle:weather"),
    "q_multi": survey("priorities", reach_q_multi, resume_q_multi, "s:0:pick:unicorns"),
    "q_scale": survey("safety_after_dark", reach_q_scale, resume_q_scale, "s:1:scale:6"),
    "q_agree": survey("trust_police", reach_q_agree, resume_q_agree, "s:2:pick:totally"),
    "q_text": survey(
        "anything_else",
        reach_q_text,
        resume_q_text,
        "s:5:pick:burglary",
        forged_answer="type your answer",
    ),
    "summary": survey("summary", reach_summary, resume_summary, "s:sum:goto:0"),
    "idle": State(
        reach_idle,
        resume_idle,
        position=None,
        other_command="/start",
        text_answer="not asking anything",
        old_button_answer="earlier message",
        forged="home::explode:",
        forged_answer="didn't understand",
        repeats=frozenset({*TEXT_KINDS, "other_command"}),
    ),
}

OTHER_COMMAND_ANSWERS = {"/survey": ("/start", "finish setting up"), "/start": ("Welcome back",)}
TEXT_ANSWERS = {("q_text", "long_text"): "4096 characters", ("q_text", "emoji"): "few words"}
# An Arabic comment is a valid answer to the free-text question: see test_rtl_comment_*.
MATRIX = [
    (state, kind)
    for state in STATES
    for kind in BAD_KINDS
    if (state, kind) != ("q_text", "rtl_text")
]


def bad_input(kind: str, user: EmulatedUser, state: State, reached: Reached) -> Any:
    if kind == "sticker":
        return user.send_sticker()
    if kind == "photo":
        return user.send_photo(caption="The broken streetlight")
    if kind == "voice":
        return user.send_voice()
    if kind == "document":
        return user.send_document()
    if kind == "location":
        return user.send_location()
    if kind == "edited":
        return user.edit(last_own_text(user), EDITED_TEXT)
    if kind == "long_text":
        return user.send(LONG_TEXT)
    if kind == "rtl_text":
        return user.send(RTL_TEXT)
    if kind == "emoji":
        return user.send(EMOJI_TEXT)
    if kind == "other_command":
        return user.command(state.other_command)
    if kind == "old_button":
        message_id, data = reached.old_button
        return user.tap(data, message_id=message_id)
    assert kind == "forged"
    return user.tap(state.forged)


def expected_answer(name: str, state: State, kind: str) -> tuple[str, ...]:
    """Words the clear answer must contain (any one of them)."""
    if kind in MEDIA_KINDS:
        return ("can't use that",)
    if kind == "edited":
        return ("edited messages",)
    if kind in TEXT_KINDS:
        return (TEXT_ANSWERS.get((name, kind), state.text_answer),)
    if kind == "other_command":
        return OTHER_COMMAND_ANSWERS[state.other_command]
    if kind == "old_button":
        return (state.old_button_answer,)
    return (state.forged_answer,)


@pytest.mark.parametrize(("name", "kind"), MATRIX, ids=[f"{s}-{k}" for s, k in MATRIX])
async def test_bad_input_gets_a_clear_answer_and_the_conversation_stays(
    world: World, caplog: pytest.LogCaptureFixture, name: str, kind: str
) -> None:
    """One bad input at one state: clear answer, same database row, the flow carries on."""
    state = STATES[name]
    user = world.new_user()
    reached = await state.reach(user)
    await settle(world, user)
    assert not user.mark_read(), "the set-up left replies unread"
    errors_from = len(world.emulator.errors)
    before = await where(world.settings, user.id)
    assert (before is not None) == state.resident
    assert position(before) == state.position

    outcome = await respond(world, user, bad_input(kind, user, state, reached))

    wanted = expected_answer(name, state, kind)
    if kind in TAP_KINDS:
        assert outcome.answered, "the tap was never answered (the spinner keeps turning)"
        assert outcome.toast, f"a tap got no toast; messages: {outcome.messages}"
        assert len(outcome.toast) <= 200
        assert any(w in outcome.toast for w in wanted), (wanted, outcome.toast)
    else:
        assert outcome.messages, "no answer at all"
        # The answer comes first; the screen it shows again may follow in the same message.
        first = (outcome.messages[0].text or "").split("\n\n")[0]
        assert len(first) <= SHORT, first
        assert any(w in first for w in wanted), (wanted, first)
    assert all(m.event == "sent" for m in outcome.messages), (
        "a bad input rewrote an earlier message: "
        + "; ".join(m.describe() for m in outcome.messages)
    )
    if kind in state.repeats:
        assert shows(outcome.messages, reached.screen), (
            "expected the current screen again, got: "
            + "; ".join(m.describe() for m in outcome.messages)
        )
    assert await where(world.settings, user.id) == before

    await state.resume(user, world.settings)
    await settle(world, user)
    assert not user.mark_read()
    assert_no_failures(world, user, errors_from, caplog)


# -- forged callback data, one kind at a time ---------------------------------------------------

FORGED_COMMON = {
    "garbage": ("hello?", None),
    # Telegram leaves data out of a game's tap; PTB then matches every patterned handler.
    "no_data": (None, "didn't understand"),
    "empty_string": ("", "didn't understand"),
    "empty_fields": (":::", None),
    "consent_again": ("c::yes:", "already agreed"),
    "decline_after_consent": ("c::no:", "already agreed"),
    "old_forget": ("x:forget:yes:{old}", "expired"),
    "future_forget": ("x:forget:yes:{future}", "expired"),
    "unknown_language": ("x:lang:set:xx", None),
    "home_mid_flow": ("home::survey:", "earlier message"),
}
FORGED_BY_STATE = {
    "ward_list": {
        "too_long": ("o:ward_list:ward:" + "hackney-central-" * 4, None),
        "non_ascii": ("o:ward_list:ward:dalstön", None),
        "unknown_flow": ("q:ward_list:ward:dalston", None),
        "wrong_step": ("o:age:age:25_34", "earlier message"),
        "unknown_action": ("o:ward_list:teleport:", None),
        "unknown_choice": ("o:ward_list:ward:atlantis", None),
    },
    "q_multi": {
        "too_long": ("s:0:pick:" + "burglary" * 8, None),
        "non_ascii": ("s:0:pick:бurglary", None),
        "unknown_flow": ("q:0:pick:burglary", None),
        "wrong_step": ("s:3:pick:agree", "earlier message"),
        "unknown_action": ("s:0:teleport:", None),
        "unknown_choice": ("s:0:pick:unicorns", None),
    },
}
FORGED_CASES = [
    (state, kind) for state, kinds in FORGED_BY_STATE.items() for kind in (*FORGED_COMMON, *kinds)
]


@pytest.mark.parametrize(("name", "kind"), FORGED_CASES, ids=[f"{s}-{k}" for s, k in FORGED_CASES])
async def test_forged_callback_data_changes_nothing(
    world: World, caplog: pytest.LogCaptureFixture, name: str, kind: str
) -> None:
    """Callback data comes from the client and can be anything; none of it may move a resident.

    In particular an expired (or future) /forget confirmation must not erase anyone, and a
    second consent must not create a second resident for the chat.
    """
    state = STATES[name]
    data, wanted = {**FORGED_COMMON, **FORGED_BY_STATE[name]}[kind]
    now = int(time.time())
    if data is not None:
        data = data.format(old=now - 3600, future=now + 86_400)
    user = world.new_user()
    await state.reach(user)
    await settle(world, user)
    user.mark_read()
    errors_from = len(world.emulator.errors)
    before = await where(world.settings, user.id)
    async with stored(world.settings) as uow:
        residents = await uow.residents.count()

    outcome = await respond(world, user, user.tap(data))

    assert outcome.answered
    assert outcome.toast, "a forged tap got no answer the resident can see"
    assert len(outcome.toast) <= 200
    if wanted is not None:
        assert wanted in outcome.toast
    assert all(m.event == "sent" for m in outcome.messages)
    assert await where(world.settings, user.id) == before
    async with stored(world.settings) as uow:  # the forged tap signed nobody up twice
        assert await uow.residents.count() == residents
    await state.resume(user, world.settings)
    await settle(world, user)
    assert not user.mark_read()
    assert_no_failures(world, user, errors_from, caplog)


# -- the free-text question ---------------------------------------------------------------------


async def test_overlong_comment_gets_a_length_answer_and_stores_nothing(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """4096 characters get "keep it to 1000"; 1001 is refused, exactly 1000 is kept."""
    user = world.new_user()
    reached = await reach_q_text(user)
    await settle(world, user)
    user.mark_read()
    errors_from = len(world.emulator.errors)
    before = await where(world.settings, user.id)

    outcome = await respond(world, user, user.send(LONG_TEXT))
    assert outcome.messages[0].text is not None
    assert "4096" in outcome.messages[0].text and "1000" in outcome.messages[0].text
    assert shows(outcome.messages, reached.screen)
    assert await where(world.settings, user.id) == before

    too_long = ("Lighting " * 120)[:1000] + "x"
    outcome = await respond(world, user, user.send(too_long))
    assert "1001" in (outcome.messages[0].text or "")
    assert await where(world.settings, user.id) == before

    exactly = ("Lighting " * 120)[:999] + "x"
    outcome = await respond(world, user, user.send(exactly))
    assert "check your answers" in (outcome.messages[0].text or "")
    await tap_label(user, "Confirm and send")
    assert "Thank you" in ((await user.next_reply()).text or "")
    stored = await where(world.settings, user.id)
    assert stored is not None
    assert stored.comments() == [exactly]
    await settle(world, user)
    assert_no_failures(world, user, errors_from, caplog)


def offered_languages(messages: list[SentMessage]) -> set[str]:
    """Languages the bot offered to switch to (its "Yes, switch" buttons)."""
    return {
        data.split(":")[3]
        for m in messages
        for row in m.buttons
        for _label, data in row
        if data and data.startswith("x:lang:set:")
    }


@pytest.mark.parametrize(
    ("comment", "languages", "kept"),
    [
        (RTL_TEXT, {"ar"}, RTL_TEXT),
        ("الشارع 24 مظلم بعد الساعة ٩ مساءً", {"ar"}, "الشارع 24 مظلم بعد الساعة ٩ مساءً"),
        # Hebrew has no catalog, so nothing may be offered and no other language recorded.
        (
            "הרחוב שלנו חשוך אחרי 22:00, בבקשה עוד תאורה",
            {"he"},
            "הרחוב שלנו חשוך אחרי 22:00, בבקשה עוד תאורה",
        ),
        # A house number and its street are someone's address: kept as the team reads it.
        (
            "Mixed: الإضاءة sucks near 12 Mare St",
            {"ar", "en"},
            "Mixed: الإضاءة sucks near [address]",
        ),
    ],
    ids=["arabic-indic-digits", "arabic", "hebrew", "mixed-direction"],
)
async def test_rtl_comment_is_accepted_and_stored_as_the_team_will_read_it(
    world: World,
    caplog: pytest.LogCaptureFixture,
    comment: str,
    languages: set[str],
    kept: str,
) -> None:
    """Right-to-left comments with digits are ordinary answers: kept as typed, but for
    personal details, which are stored only as the scrubber leaves them.

    The comment's language is recorded with it and may prompt an offer to switch language;
    either must name the language the comment is written in, never an unrelated one.
    """
    user = world.new_user()
    await reach_q_text(user)
    await settle(world, user)
    user.mark_read()
    errors_from = len(world.emulator.errors)

    outcome = await respond(world, user, user.send(comment))
    summaries = [m for m in outcome.messages if "check your answers" in (m.text or "")]
    assert len(summaries) == 1, [m.describe() for m in outcome.messages]
    assert kept in (summaries[0].text or "")
    stored = await where(world.settings, user.id)
    assert stored is not None and stored.state is not None
    answer = stored.state.data["answers"]["anything_else"]
    assert answer["text"] == kept
    assert answer["lang"] in {*languages, "unknown"}, answer["lang"]
    assert offered_languages(outcome.messages) <= languages

    await tap_label(user, "Confirm and send")
    assert "Thank you" in ((await user.next_reply()).text or "")
    stored = await where(world.settings, user.id)
    assert stored is not None
    assert stored.comments() == [kept]
    await settle(world, user)
    assert not user.mark_read()
    assert_no_failures(world, user, errors_from, caplog)


@pytest.mark.parametrize(
    "emoji",
    [
        "😀",
        "👍🏽👍🏽👍🏽",
        "👨‍👩‍👧",  # a ZWJ family
        "🇬🇧",
        "❤️",
        "  🙂  🙂  ",
        "#️⃣",
        "1️⃣",  # keycap one: an emoji, though it contains the digit 1
        "ℹ️",  # information source: an emoji, though U+2139 is a letter
    ],
    ids=[
        "face",
        "skin-tone",
        "zwj",
        "flag",
        "variation",
        "spaced",
        "keycap-hash",
        "keycap-1",
        "info",
    ],
)
async def test_emoji_only_comment_is_refused(
    world: World, caplog: pytest.LogCaptureFixture, emoji: str
) -> None:
    """An emoji says nothing the local team can read: ask for words, keep the question."""
    user = world.new_user()
    reached = await reach_q_text(user)
    await settle(world, user)
    user.mark_read()
    errors_from = len(world.emulator.errors)
    before = await where(world.settings, user.id)

    outcome = await respond(world, user, user.send(emoji))

    assert outcome.messages, "no answer at all"
    assert "few words" in (outcome.messages[0].text or ""), outcome.messages[0].describe()
    assert shows(outcome.messages, reached.screen)
    assert await where(world.settings, user.id) == before
    assert_no_failures(world, user, errors_from, caplog)


async def test_ward_pick_postcode_is_ambiguous_in_bundled_data() -> None:
    """The ward_pick state above relies on E8 1DY having several wards in the bundled table."""
    wards = [w.id for w in AreaDirectory.bundled().candidates("E8 1DY")]
    assert len(wards) > 1
    assert "dalston" in wards and "springfield" not in wards
