"""Random updates from a few residents never crash the bot or leave anyone in an impossible state.

Hypothesis writes a script of random updates (text of any script and length up to 4096,
commands, forged callback data, taps on buttons the bot really showed, media and edits) for a
handful of residents; the script is played through the real Application against the Bot API
emulator, and then the properties are checked:

* no "Sorry, something went wrong" reply and nothing logged at ERROR (the error handler's
  "update … failed" included);
* the bot made no Bot API call that was answered 400, except "message is not modified";
* every tap was answered exactly once (otherwise the resident's spinner keeps turning);
* the database holds no impossible state: known flows and steps only, every answer valid for
  its question, every respondent linked to exactly one chat, and so on (see
  :func:`check_database`).

Each example starts its own emulator, application and database inside ``asyncio.run``:
hypothesis and async fixtures do not mix, and a fresh database per example means a failing
script replays (and shrinks) exactly. Residents act concurrently, each one's updates in order.
Before a tap on a real button the test waits for the bot to finish with that resident, so the
button is chosen from what the resident actually sees and a script always means the same thing.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import sqlite3
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import Prepared, build_application, prepare, running
from bot.devtools.emulator import BotApiEmulator, EmulatedUser
from bot.flows.onboarding import AGE_BANDS
from bot.flows.survey import FOLLOW_UP_MAX, follow_up_key, has_words
from bot.i18n import supported_locales
from bot.settings import Settings
from bot.surveys import AGREE_CHOICE_IDS, SCALE_VALUES, Question, Survey

USERS = 3
LANGUAGE_CODES = ("en", None, "ar")  # what Telegram says about each resident
COMMANDS = (
    "/start",
    "/help",
    "/survey",
    "/cancel",
    "/privacy",
    "/mydata",
    "/forget",
    "/language",
    "/nonsense",
    "/events",
    "/notices",
    "/start ev_1",  # a poster's deep link to an event that does not exist
    "/newevent",  # staff only
)
MEDIA = ("sticker", "photo", "voice", "document", "location")
ONBOARDING_STEPS = frozenset({"language", "area", "ward_pick", "ward_list", "age", "notices"})
ERROR_REPLY = "something went wrong"

# -- the random script --------------------------------------------------------------------------

_chars = st.characters(exclude_categories=("Cs", "Cc"))  # Telegram carries neither
SAMPLE_TEXTS = (
    "E8 1DY",
    "e50aa",
    "N16 7AA",
    "SW1A 1AA",
    "\u200fE8 1DY",
    "Ｅ８ １ＤＹ",
    "More lighting on the estate, please",
    "الإنارة في شارعنا معطلة منذ 3 أسابيع ١٢",
    "הרחוב שלנו חשוך אחרי 22:00",
    "👍🏽",
    "👨‍👩‍👧🔥",
    "1️⃣",
    "2",
    "Hackney Central",
    "Someone is breaking into my neighbour's house right now",
    "x" * 1001,
    "Lights " * 585,
)


def _repeat(chunk: str, length: int) -> str:
    return (chunk * (length // len(chunk) + 1))[:length]


texts = (
    st.one_of(
        st.sampled_from(SAMPLE_TEXTS),
        st.text(_chars, min_size=1, max_size=40),
        st.builds(_repeat, st.text(_chars, min_size=1, max_size=10), st.integers(900, 4096)),
    )
    .map(str.strip)  # Telegram trims messages and never delivers an empty one
    .filter(bool)
)

FLOWS = ("o", "s", "c", "x", "home", "n", "v", "e:1", "a", "m", "r", "d", "q", "")
STEPS: tuple[str, ...] = ("", "language", "area", "ward_pick", "ward_list", "age")
STEPS += ("0", "1", "2", "3", "4", "5", "9", "sum", "edi", "lang", "forget")
ACTIONS: tuple[str, ...] = ("lang", "list", "outside", "ward", "back", "age", "pick", "done")
ACTIONS += ("scale", "skip", "confirm", "edit", "goto", "summary", "survey", "yes", "no", "set")
ACTIONS += ("keep", "", "toggle", "page", "rsvp", "ics", "scope", "show")
ARGS: tuple[str, ...] = ("", "en", "ar", "xx", "dalston", "atlantis", "25_34", "under_13")
ARGS += ("burglary", "agree", "3", "0", "6", "-1", "{now}", "{old}", "99999999999", "é")
ARGS += ("events", "safety", "going")
callback_data = st.one_of(
    st.builds(
        lambda *parts: ":".join(parts),
        st.sampled_from(FLOWS),
        st.sampled_from(STEPS),
        st.sampled_from(ACTIONS),
        st.sampled_from(ARGS),
    ),
    st.text(_chars, min_size=1, max_size=80),
)

# A button on the newest keyboard: a random one (index >= 0) or one that moves the resident on
# (index < 0, see progress_buttons), so that residents also get through sign-up and the survey.
real_tap = st.tuples(st.just("button"), st.integers(-64, 63))
steps = st.one_of(
    # Taps on what the bot shows are weighted up, so residents get deep into the flows.
    real_tap,
    real_tap,
    real_tap,
    real_tap,
    real_tap,
    real_tap,
    st.tuples(st.just("old_button"), st.integers(0, 10_000)),
    st.tuples(st.just("text"), texts),
    # /start and /survey weighted up: residents who erased themselves or cancelled come back.
    st.tuples(st.just("command"), st.sampled_from((*COMMANDS, "/start", "/survey", "/survey"))),
    st.tuples(st.just("tap"), callback_data),
    st.tuples(st.just("media"), st.sampled_from(MEDIA)),
    st.tuples(st.just("edit"), texts),
)
scripts = st.lists(st.tuples(st.integers(0, USERS - 1), steps), min_size=150, max_size=300)


# -- playing it ---------------------------------------------------------------------------------


class _ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name}: {record.getMessage()} {record.exc_info or ''}")


@dataclass
class Player:
    emulator: BotApiEmulator
    taps: Counter[int] = field(default_factory=Counter)
    barriers: Iterator[int] = field(default_factory=itertools.count)

    async def tap(self, user: EmulatedUser, data: str, message_id: int | None = None) -> str:
        self.taps[user.id] += 1
        update = await user.tap(data, message_id=message_id)
        return str(update["callback_query"]["id"])

    async def settle(self, user: EmulatedUser) -> None:
        """Until the bot has finished with everything this resident sent so far.

        One chat's updates are handled strictly in order, so once a tap sent last is answered,
        every earlier update has been handled and all its replies sent. The tap's data is
        nothing the bot wrote: it gets a toast and changes nothing.
        """
        query_id = await self.tap(user, f"settle-{next(self.barriers)}")
        await self.emulator.wait_until(
            lambda: any(a["callback_query_id"] == query_id for a in user.callback_answers),
            timeout=15,
        )

    async def play(self, user: EmulatedUser, script: list[tuple[str, Any]]) -> None:
        # Telegram opens every chat with /start; after it there is always a message to tap.
        await user.command("/start")
        await self.emulator.wait_until(lambda: bool(user.messages), timeout=15)
        for kind, arg in script:
            if kind in ("button", "old_button"):
                await self.settle(user)
                shown = visible_buttons(user, newest_only=kind == "button")
                if kind == "button" and arg < 0:
                    shown, arg = progress_buttons(shown), -arg - 1
                if shown:
                    message_id, data = shown[arg % len(shown)]
                    await self.tap(user, data, message_id)
            elif kind == "tap":
                now = int(time.time())
                data = arg.replace("{now}", str(now)).replace("{old}", str(now - 3600))
                keyboards = [m for m in user.messages if m.has_inline_keyboard]
                target = keyboards[-1] if keyboards else user.last
                await self.tap(user, data, target.message_id)
            elif kind == "text":
                await user.send(arg)
            elif kind == "command":
                await user.command(arg)
            elif kind == "media":
                await getattr(user, f"send_{arg}")()
            else:
                own = sorted(mid for mid, sent in user.own_messages.items() if "text" in sent)
                await user.edit(own[len(arg) % len(own)], arg)
        await self.settle(user)


def visible_buttons(user: EmulatedUser, *, newest_only: bool) -> list[tuple[int, str]]:
    """(message id, callback data) of buttons on screen: the newest keyboard, or all of them."""
    found: list[tuple[int, str]] = []
    for message in reversed(user.messages):
        if message.deleted or not message.has_inline_keyboard:
            continue
        found += [(message.message_id, d) for row in message.buttons for _l, d in row if d]
        if newest_only:
            break
    return found


FORWARD = frozenset({"done", "confirm", "skip", "survey", "yes"})
BACKWARD = frozenset({"back", "no", "edit", "summary", "keep"})


def progress_buttons(shown: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The buttons a resident who wants to get on would tap: Done, Confirm and the like first;
    never Back, "No, thanks", "Under 13" or "Yes, erase everything"."""
    onward = []
    for message_id, data in shown:
        parts = data.split(":")
        if len(parts) != 4 or parts[2] in BACKWARD or parts[3] == "under_13":
            continue
        if parts[:2] != ["x", "forget"]:
            onward.append((message_id, data))
    first = [(m, d) for m, d in onward if d.split(":")[2] in FORWARD]
    return first or onward or shown


@dataclass
class Played:
    database: Path
    prepared: Prepared
    users: list[EmulatedUser]
    taps: Counter[int]
    api_errors: list[tuple[str, int, str]]
    logged: list[str]


async def play(script: list[tuple[int, tuple[str, Any]]], folder: Path) -> Played:
    by_user: dict[int, list[tuple[str, Any]]] = defaultdict(list)
    for who, step in script:
        by_user[who].append(step)
    errors = _ErrorLog()
    logging.getLogger().addHandler(errors)
    try:
        async with BotApiEmulator() as emulator:
            config = Settings.defaults(
                bot_token=emulator.token,
                database_path=folder / "nv.sqlite3",
                api_base_url=emulator.base_url,
            )
            prepared = prepare(config)
            player = Player(emulator)
            users = [
                emulator.user(9001 + i, first_name=f"Resident {i}", language_code=code)
                for i, code in enumerate(LANGUAGE_CODES[:USERS])
            ]
            async with running(build_application(prepared), poll_timeout=1, poll_interval=0):
                await asyncio.gather(
                    *(player.play(user, by_user[i]) for i, user in enumerate(users))
                )
    finally:
        logging.getLogger().removeHandler(errors)
    api_errors = [(method, code, text) for method, _p, code, text in emulator.errors]
    return Played(config.database_path, prepared, users, player.taps, api_errors, errors.lines)


# -- the properties -----------------------------------------------------------------------------


def valid_answer(question: Question, value: Any) -> bool:
    """An answer as the survey flow keeps it in its state (see bot.flows.survey)."""
    if value is None:
        return question.optional
    if question.kind == "multi":
        return (
            isinstance(value, list)
            and 1 <= len(value) <= question.max_choices
            and len(set(value)) == len(value)
            and all(question.choice(c) for c in value)
        )
    if question.kind == "single":
        return isinstance(value, str) and question.choice(value) is not None
    if question.kind == "agree":
        return value in AGREE_CHOICE_IDS
    if question.kind == "scale":
        return type(value) is int and value in SCALE_VALUES
    text = value.get("text") if isinstance(value, dict) else None
    return (
        isinstance(text, str)
        and text == text.strip()
        and 1 <= len(text) <= question.max_length
        and has_words(text)
    )


def valid_follow_up(value: Any) -> bool:
    text = value.get("text") if isinstance(value, dict) else None
    return (
        isinstance(text, str)
        and text == text.strip()
        and 1 <= len(text) <= FOLLOW_UP_MAX
        and has_words(text)
    )


def follow_key(survey: Survey, step: str, choice_id: str) -> str:
    question = next((q for q in survey.questions if q.id == step), None)
    return follow_up_key(question, choice_id) if question else ""


def survey_state_problems(step: str, data: Any, surveys: dict[str, Survey]) -> list[str]:
    if not isinstance(data, dict) or data.get("survey") not in surveys:
        return [f"unknown survey in {data!r}"]
    survey = surveys[data["survey"]]
    ids = [q.id for q in survey.questions]
    problems: list[str] = []
    if step not in {*ids, "summary", "edit"}:
        return [f"step {step!r} is not a question, summary or edit"]
    answers = data.get("answers")
    if not isinstance(answers, dict):
        return [f"answers {answers!r}"]
    follow_ups = {
        follow_up_key(q, c.id): (q, c.id) for q in survey.questions for c in q.choices if c.ask
    }
    for qid, value in answers.items():
        if qid in follow_ups:  # words about a choice: only while that choice is chosen
            asked, choice_id = follow_ups[qid]
            chosen = answers.get(asked.id)
            if choice_id not in ([chosen] if isinstance(chosen, str) else chosen or []):
                problems.append(f"follow-up {qid} without its choice")
            if not valid_follow_up(value):
                problems.append(f"follow-up {qid}={value!r}")
            continue
        question = next((q for q in survey.questions if q.id == qid), None)
        if question is None or not valid_answer(question, value):
            problems.append(f"answer {qid}={value!r}")
    asking = data.get("asking", "")
    if asking and follow_key(survey, step, asking) not in follow_ups:
        problems.append(f"asking {asking!r} at {step}")
    picked = data.get("picked", [])
    question = next((q for q in survey.questions if q.id == step), None)
    if question is not None and question.kind == "multi":
        if not (
            isinstance(picked, list)
            and len(picked) <= question.max_choices
            and len(set(picked)) == len(picked)
            and all(question.choice(c) for c in picked)
        ):
            problems.append(f"picked {picked!r} at {step}")
    elif picked:
        problems.append(f"picked {picked!r} at {step}, not a multiple-choice question")
    editing = data.get("editing", False)
    if not isinstance(editing, bool) or (editing and question is None):
        problems.append(f"editing={editing!r} at {step}")
    if question is None and set(answers) - set(follow_ups) != set(ids):
        problems.append(f"at {step} with only {sorted(answers)} answered")
    if question is not None and not editing and not set(ids[: ids.index(step)]) <= set(answers):
        problems.append(f"at {step} without earlier answers ({sorted(answers)})")
    return problems


def onboarding_state_problems(
    step: str, data: Any, resident: sqlite3.Row, wards: set[str]
) -> list[str]:
    if step not in ONBOARDING_STEPS:
        return [f"onboarding step {step!r}"]
    problems: list[str] = []
    if not isinstance(data, dict) or set(data) - {"candidates", "event"}:
        return [f"onboarding data {data!r}"]
    candidates = data.get("candidates", [])
    if not isinstance(candidates, list) or not set(candidates) <= wards:
        problems.append(f"candidates {candidates!r}")
    if step == "ward_pick" and len(candidates) < 2:
        problems.append(f"ward_pick with candidates {candidates!r}")
    has_area = resident["ward_id"] is not None or bool(resident["outside_area"])
    if has_area != (step in ("age", "notices")):
        problems.append(f"at {step} with ward {resident['ward_id']!r}")
    if (resident["age_band"] is not None) != (step == "notices"):
        problems.append(f"at {step} with age band {resident['age_band']!r}")
    if resident["onboarded_at"] is not None:
        problems.append("in onboarding although set up")
    return problems


def response_problems(
    survey: Survey | None, version: int, answers: list[sqlite3.Row]
) -> list[str]:
    if survey is None:
        return ["unknown survey"]
    problems: list[str] = [] if version == survey.version else [f"version {version}"]
    rows: dict[str, list[sqlite3.Row]] = defaultdict(list)
    for row in answers:
        rows[row["question_id"]].append(row)
    for qid in set(rows) - {q.id for q in survey.questions}:
        problems.append(f"answer to unknown question {qid!r}")
    for question in survey.questions:
        got = rows.get(question.id, [])
        if not got:
            if not question.optional:
                problems.append(f"{question.id} unanswered")
            continue
        words = [r for r in got if r["text"] is not None and question.kind in ("single", "multi")]
        got = [r for r in got if r not in words]
        for row in words:  # a follow-up's words: a row beside its chosen choice
            choice = question.choice(row["choice_id"])
            if choice is None or not choice.ask or not valid_follow_up({"text": row["text"]}):
                problems.append(f"{question.id}: follow-up {tuple(row)!r}")
            elif row["choice_id"] not in [r["choice_id"] for r in got]:
                problems.append(f"{question.id}: follow-up without its choice")
        if question.kind == "multi":
            choices = [r["choice_id"] for r in got]
            if not valid_answer(question, choices) or any(
                r["value"] is not None or r["text"] is not None for r in got
            ):
                problems.append(f"{question.id}: {choices!r}")
            continue
        if len(got) != 1:
            problems.append(f"{question.id} answered {len(got)} times")
            continue
        row = got[0]
        if question.kind == "scale":
            ok = row["value"] in SCALE_VALUES and row["choice_id"] is None
        elif question.kind == "text":
            ok = row["choice_id"] is None and valid_answer(question, {"text": row["text"]})
        else:
            ok = row["value"] is None and valid_answer(question, row["choice_id"])
        if not ok:
            problems.append(f"{question.id}: {tuple(row)!r}")
    return problems


def check_database(path: Path, prepared: Prepared, chat_ids: set[int]) -> list[str]:
    """Every impossible state found, as one line each."""
    surveys = prepared.surveys
    wards = {w.id for w in prepared.areas.wards}
    problems: list[str] = []
    with closing(sqlite3.connect(path)) as conn:
        conn.row_factory = sqlite3.Row
        residents = {r["id"]: r for r in conn.execute("SELECT * FROM respondents")}
        links = Counter(r[0] for r in conn.execute("SELECT respondent_id FROM chat_links"))
        linked_chats = {r[0] for r in conn.execute("SELECT chat_id FROM chat_links")}
        states = {r["respondent_id"]: r for r in conn.execute("SELECT * FROM conversations")}
        responses = list(conn.execute("SELECT * FROM responses"))
        answers: dict[str, list[sqlite3.Row]] = defaultdict(list)
        for row in conn.execute("SELECT * FROM answers ORDER BY rowid"):
            answers[row["response_id"]].append(row)

    if not linked_chats <= chat_ids:
        problems.append(f"chat links for unknown chats {linked_chats - chat_ids}")
    for rid in set(links) | set(states) | {r["respondent_id"] for r in responses}:
        if rid not in residents:
            problems.append(f"rows for a respondent that does not exist: {rid}")
    for rid, resident in residents.items():
        where = f"respondent {rid[:8]}"
        if links[rid] != 1:
            problems.append(f"{where}: {links[rid]} chat links")
        if resident["locale"] not in supported_locales():
            problems.append(f"{where}: locale {resident['locale']!r}")
        if resident["ward_id"] is not None and (
            resident["ward_id"] not in wards or resident["outside_area"]
        ):
            problems.append(f"{where}: ward {resident['ward_id']!r}")
        if resident["age_band"] not in (None, *AGE_BANDS) or resident["age_band"] == "under_13":
            problems.append(f"{where}: age band {resident['age_band']!r}")
        onboarded = resident["onboarded_at"] is not None
        if onboarded and resident["age_band"] is None:
            problems.append(f"{where}: set up without an age band")
        if onboarded and resident["ward_id"] is None and not resident["outside_area"]:
            problems.append(f"{where}: set up without an area")
        state = states.get(rid)
        if state is None:
            if not onboarded:
                problems.append(f"{where}: neither set up nor setting up")
            continue
        try:
            data = json.loads(state["data"])
        except ValueError:
            problems.append(f"{where}: state data is not JSON")
            continue
        if state["flow"] == "onboarding":
            found = onboarding_state_problems(state["step"], data, resident, wards)
        elif state["flow"] == "survey":
            found = survey_state_problems(state["step"], data, surveys)
            if not onboarded:
                found.append("in the survey before being set up")
        else:
            found = [f"unknown flow {state['flow']!r}"]
        problems += [f"{where} ({state['flow']}:{state['step']}): {p}" for p in found]
    for response in responses:
        where = f"response {response['id'][:8]}"
        resident = residents.get(response["respondent_id"])
        if resident is not None and resident["onboarded_at"] is None:
            problems.append(f"{where}: from a resident who is not set up")
        if response["locale"] not in supported_locales():
            problems.append(f"{where}: locale {response['locale']!r}")
        if response["ward_id"] is not None and response["ward_id"] not in wards:
            problems.append(f"{where}: ward {response['ward_id']!r}")
        found = response_problems(
            surveys.get(response["survey_id"]),
            response["survey_version"],
            answers.get(response["id"], []),
        )
        problems += [f"{where}: {p}" for p in found]
    return problems


# Every row of every table, orphans and duplicate chat links included: rows no repository
# returns, so the check reads the SQLite file itself.
@pytest.mark.sqlite_only
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(script=scripts)
def test_random_updates_never_crash_or_corrupt_state(
    script: list[tuple[int, tuple[str, Any]]],
) -> None:
    """Whatever residents send, in whatever order: answers, never errors or broken state."""
    with tempfile.TemporaryDirectory() as folder:
        played = asyncio.run(play(script, Path(folder)))

        sorry = [
            (user.id, m.describe())
            for user in played.users
            for m in user.messages
            if ERROR_REPLY in (m.text or "")
        ]
        assert not sorry, sorry
        assert not played.logged, played.logged
        bad_requests = [e for e in played.api_errors if e[1] == 400 and "not modified" not in e[2]]
        assert not bad_requests, bad_requests
        unanswered = {
            user.id: (played.taps[user.id], len(user.callback_answers))
            for user in played.users
            if played.taps[user.id] != len(user.callback_answers)
        }
        assert not unanswered, f"taps vs answers per chat: {unanswered}"
        problems = check_database(played.database, played.prepared, {u.id for u in played.users})
        assert not problems, problems
