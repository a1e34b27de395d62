"""The Bot API emulator, checked through the real PTB client so its answers are PTB-compatible."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import logging
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommandScope,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatAdministrators,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from bot.devtools.emulator import BotApiEmulator, EmulatedUser, FaultKind
from tests.helpers import webhook_receiver

TOKEN = "123456:TEST-TOKEN"


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without it PTB 22 warns (PTBDeprecationWarning) whenever it builds a RetryAfter, and the
    # suite turns warnings into errors.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=TOKEN, bot_username="nv_test_bot") as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url) as b:
        yield b


@pytest.fixture
def ada(emu: BotApiEmulator) -> EmulatedUser:
    return emu.user(1001, first_name="Ada", language_code="en")


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=f"cb:{label}")] for label in labels]
    )


# -- basics -----------------------------------------------------------------------------------


async def test_get_me_shape(emu: BotApiEmulator, bot: Bot, http: httpx.AsyncClient) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert me.username == "nv_test_bot"
    raw = (await http.get(f"{emu.base_url}{TOKEN}/getMe")).json()
    assert raw["ok"] is True
    assert raw["result"]["is_bot"] is True
    assert emu.base_url.startswith("http://127.0.0.1:")
    assert emu.base_file_url == emu.base_url.replace("/bot", "/file/bot")


async def test_wrong_token_is_invalid_token(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    wrong = Bot("999:WRONG", base_url=emu.base_url, base_file_url=emu.base_file_url)
    with pytest.raises(InvalidToken):
        await wrong.initialize()
    await wrong.shutdown()
    answer = await http.post(f"{emu.base_url}999:WRONG/getMe")
    assert answer.status_code == 401
    assert answer.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_methods_are_case_insensitive_and_unknown_is_404(
    emu: BotApiEmulator, http: httpx.AsyncClient
) -> None:
    ok = await http.get(f"{emu.base_url}{TOKEN}/GETME")
    assert ok.json()["ok"] is True
    missing = await http.post(f"{emu.base_url}{TOKEN}/sendTelepathy")
    assert missing.status_code == 404
    assert missing.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert emu.count("getme") == 1


async def test_parameters_in_json_form_and_query(
    emu: BotApiEmulator, ada: EmulatedUser, http: httpx.AsyncClient
) -> None:
    url = f"{emu.base_url}{TOKEN}/sendMessage"
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    r1 = await http.post(url, json={"chat_id": 1001, "text": "json", "reply_markup": markup})
    r2 = await http.post(
        url, data={"chat_id": "1001", "text": "123", "reply_markup": json.dumps(markup)}
    )
    r3 = await http.get(url, params={"chat_id": "1001", "text": "query"})
    assert [r.json()["ok"] for r in (r1, r2, r3)] == [True, True, True]
    assert [m.text for m in ada.messages] == ["json", "123", "query"]
    assert ada.messages[0].reply_markup == markup
    assert ada.messages[1].reply_markup == markup
    assert emu.requests[1].params["chat_id"] == 1001
    assert emu.requests[1].params["text"] == "123"  # free text is never coerced


async def test_bad_requests_use_real_wording(
    emu: BotApiEmulator, ada: EmulatedUser, bot: Bot, http: httpx.AsyncClient
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(4242, "hello?")
    raw = await http.post(f"{emu.base_url}{TOKEN}/sendMessage", json={"chat_id": 1001})
    assert raw.status_code == 400
    assert raw.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message text is empty",
    }
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(1001, 77)
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(
            1001,
            "x",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("long", callback_data="x" * 65)]]
            ),
        )


# -- messages, keyboards, edits ---------------------------------------------------------------


async def test_inline_keyboard_round_trips(bot: Bot, ada: EmulatedUser) -> None:
    markup = keyboard("Yes", "No")
    sent = await bot.send_message(1001, "Come to the meeting?", reply_markup=markup)
    assert sent.message_id == 1
    assert sent.chat.id == 1001
    assert sent.chat.first_name == "Ada"
    assert sent.from_user is not None and sent.from_user.is_bot
    assert sent.reply_markup == markup
    assert isinstance(sent.date, dtm.datetime)
    assert ada.buttons == [[("Yes", "cb:Yes")], [("No", "cb:No")]]
    assert ada.last.text == "Come to the meeting?"
    assert ada.last.reply_markup == markup.to_dict()
    reply = await ada.next_reply()
    assert reply.text == "Come to the meeting?"
    assert reply.labels == ["Yes", "No"]


async def test_reply_keyboard_is_chat_state_not_message_markup(
    bot: Bot, ada: EmulatedUser
) -> None:
    sent = await bot.send_message(
        1001, "Pick", reply_markup=ReplyKeyboardMarkup([["Left", "Right"]])
    )
    assert sent.reply_markup is None  # like the real API: only inline keyboards come back
    assert ada.reply_keyboard == [["Left", "Right"]]
    assert ada.buttons == []


async def test_message_ids_are_shared_per_chat(
    emu: BotApiEmulator, bot: Bot, ada: EmulatedUser
) -> None:
    bob = emu.user(1002, first_name="Bob")
    await ada.send("hi")
    first = await bot.send_message(1001, "one")
    other = await bot.send_message(1002, "for bob")
    assert first.message_id == 2  # ada's own message took id 1
    assert other.message_id == 1
    assert [m.text for m in bob.messages] == ["for bob"]


async def test_edits_count_as_replies_and_not_modified(bot: Bot, ada: EmulatedUser) -> None:
    sent = await bot.send_message(1001, "Question 1", reply_markup=keyboard("A", "B"))
    await bot.edit_message_text("Question 1 — thanks!", chat_id=1001, message_id=sent.message_id)
    first, edited = await ada.expect(2)
    assert first.text == "Question 1" and first.labels == ["A", "B"]  # snapshot, not live
    assert edited.event == "edited"
    assert edited.text == "Question 1 — thanks!"
    assert edited.reply_markup is None  # an edit without markup drops the inline keyboard
    assert ada.last.is_edited
    assert [e.text for e in ada.last.edits] == ["Question 1 — thanks!"]

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "Question 1 — thanks!", chat_id=1001, message_id=sent.message_id
        )
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("nope", chat_id=1001, message_id=999)

    await bot.edit_message_reply_markup(
        chat_id=1001, message_id=sent.message_id, reply_markup=keyboard("C")
    )
    assert (await ada.next_reply()).labels == ["C"]
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(
            chat_id=1001, message_id=sent.message_id, reply_markup=keyboard("C")
        )


async def test_replies_reference_their_target(
    emu: BotApiEmulator, bot: Bot, ada: EmulatedUser
) -> None:
    own = await ada.send("What time is the meeting?")
    sent = await bot.send_message(1001, "At 7pm", reply_to_message_id=own["message"]["message_id"])
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.text == "What time is the meeting?"
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(1001, "x", reply_to_message_id=404)
    assert emu.user(1001) is ada


async def test_read_cursor_helpers(bot: Bot, ada: EmulatedUser) -> None:
    first = await bot.send_message(1001, "greeting")
    await bot.edit_message_text("greeting!", chat_id=1001, message_id=first.message_id)
    await bot.send_message(1001, "question")
    assert [m.event for m in ada.unread] == ["sent", "edited", "sent"]
    assert (await ada.next_reply(include_edits=False)).text == "greeting"
    assert (await ada.next_reply(include_edits=False)).text == "question"
    await bot.send_message(1001, "skipped")
    assert [m.text for m in ada.mark_read()] == ["skipped"]
    assert ada.unread == []


async def test_delete_message(bot: Bot, ada: EmulatedUser) -> None:
    keep = await bot.send_message(1001, "keep")
    gone = await bot.send_message(1001, "gone")
    assert await bot.delete_message(1001, gone.message_id)
    assert ada.messages[-1].deleted
    assert ada.last.message_id == keep.message_id
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=1001, message_id=gone.message_id)


async def test_send_document_and_photo_store_uploads(
    emu: BotApiEmulator, bot: Bot, ada: EmulatedUser
) -> None:
    payload = b"area,responses\nNorth,12\n"
    sent = await bot.send_document(1001, document=payload, filename="report.csv", caption="CSV")
    assert sent.document is not None
    assert sent.document.file_name == "report.csv"
    assert sent.document.file_size == len(payload)
    assert sent.caption == "CSV"
    assert ada.last.document == payload
    assert ada.last.filename == "report.csv"
    assert "<upload report.csv" in emu.requests[-1].params["document"]
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == payload

    photo = await bot.send_photo(1001, photo=b"\x89PNG fake", filename="chart.png")
    assert photo.photo and photo.photo[-1].width == 800
    assert ada.last.photo == b"\x89PNG fake"
    assert ada.last.method == "sendPhoto"

    again = await bot.send_document(1001, document=sent.document.file_id)
    assert ada.last.document == payload
    assert again.document is not None and again.document.file_name == "report.csv"


async def test_commands_menu_and_chat_action(emu: BotApiEmulator, bot: Bot) -> None:
    ada = emu.user(1001, first_name="Ada")
    assert await bot.set_my_commands([("start", "Begin"), ("help", "How it works")])
    assert emu.commands == [
        {"command": "start", "description": "Begin"},
        {"command": "help", "description": "How it works"},
    ]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Bad Command", "x")])
    assert await bot.set_chat_menu_button()
    assert await bot.send_chat_action(1001, "typing")
    assert ada.chat_actions == ["typing"]
    assert emu.count("sendChatAction") == 1


async def test_command_lists_by_scope_and_language_as_telegram_picks_them(
    emu: BotApiEmulator, bot: Bot
) -> None:
    """Bot API, BotCommandScope, "Determining list of commands" in a private chat: chat +
    language, chat, all private chats + language, all private chats, default + language,
    default; the first that is set."""
    ada = emu.user(1001, first_name="Ada", language_code="fr")
    emu.user(1002, first_name="Bea", language_code="fr")
    assert emu.menu_for(ada.id) == []
    await bot.set_my_commands([("help", "Help")])
    assert [c["command"] for c in emu.menu_for(ada.id)] == ["help"]
    await bot.set_my_commands([("aide", "Aide")], language_code="fr")
    assert [c["command"] for c in emu.menu_for(ada.id)] == ["aide"]
    assert [c["command"] for c in emu.menu_for(ada.id, "en")] == ["help"]
    await bot.set_my_commands([("private", "P")], scope=BotCommandScopeAllPrivateChats())
    assert [c["command"] for c in emu.menu_for(ada.id)] == ["private"]
    await bot.set_my_commands([("staff", "S")], scope=BotCommandScopeChat(ada.id))
    assert [c["command"] for c in emu.menu_for(ada.id)] == ["staff"]
    assert [c["command"] for c in emu.menu_for(1002)] == ["private"]  # not Bea's chat
    await bot.set_my_commands(
        [("equipe", "E")], scope=BotCommandScopeChat(ada.id), language_code="fr"
    )
    assert [c["command"] for c in emu.menu_for(ada.id)] == ["equipe"]
    assert [c["command"] for c in emu.menu_for(ada.id, "en")] == ["staff"]
    assert emu.chat_commands(ada.id, "fr") == [{"command": "equipe", "description": "E"}]
    own = await bot.get_my_commands(scope=BotCommandScopeChat(ada.id))
    assert [c.command for c in own] == ["staff"]
    assert [c["command"] for c in emu.commands] == ["help"]  # the default list only

    assert await bot.delete_my_commands(scope=BotCommandScopeChat(ada.id), language_code="fr")
    assert await bot.delete_my_commands(scope=BotCommandScopeChat(ada.id))
    assert emu.chat_commands(ada.id) is None
    assert [c["command"] for c in emu.menu_for(ada.id)] == ["private"]
    assert await bot.set_my_commands([], scope=BotCommandScopeAllPrivateChats())  # deletes
    assert [c["command"] for c in emu.menu_for(ada.id)] == ["aide"]


async def test_command_scopes_are_checked_as_the_bot_api_server_checks_them(
    emu: BotApiEmulator, bot: Bot
) -> None:
    ada = emu.user(1001, first_name="Ada")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.set_my_commands([("help", "Help")], scope=BotCommandScopeChat(4242))
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.delete_my_commands(scope=BotCommandScopeChat(4242))
    with pytest.raises(BadRequest, match=r"(?i)unsupported type"):
        await bot.set_my_commands([("help", "Help")], scope=BotCommandScope("everyone"))
    with pytest.raises(BadRequest, match=r"(?i)private chats"):
        await bot.set_my_commands(
            [("help", "Help")], scope=BotCommandScopeChatAdministrators(ada.id)
        )
    with pytest.raises(BadRequest, match=r"(?i)language code"):
        await bot.set_my_commands([("help", "Help")], language_code="eng")
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMANDS_TOO_MUCH"):
        await bot.set_my_commands([(f"c{n}", "x") for n in range(101)])
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_DESCRIPTION_INVALID"):
        await bot.set_my_commands([("help", "x" * 257)])
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("c" * 33, "x")])
    assert await bot.set_my_commands([(f"c{n}", "x" * 256) for n in range(100)])
    assert emu.commands_by_scope.keys() == {(json.dumps({"type": "default"}), "")}

    # TDLib asks only for read access to the chat: a user who blocked the bot still gets the
    # list. A fault aimed at the chat hits the scope's chat.
    emu.block(ada.id)
    assert await bot.set_my_commands([("help", "Help")], scope=BotCommandScopeChat(ada.id))
    emu.inject_fault("setMyCommands", chat_id=ada.id, kind="403")
    with pytest.raises(Forbidden):
        await bot.set_my_commands([("help", "Help")], scope=BotCommandScopeChat(ada.id))
    assert emu.calls[-1].chat_id == ada.id


# -- updates ----------------------------------------------------------------------------------


async def test_get_updates_offset_and_limit(
    emu: BotApiEmulator, bot: Bot, ada: EmulatedUser
) -> None:
    for text in ("one", "two", "three"):
        await ada.send(text)
    assert emu.pending_updates == 3
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [1, 2, 3]
    assert updates[0].message is not None and updates[0].message.text == "one"
    assert emu.pending_updates == 3  # nothing confirmed yet
    assert [u.update_id for u in await bot.get_updates(offset=2, limit=1)] == [2]
    assert emu.pending_updates == 2
    assert [u.update_id for u in await bot.get_updates(offset=4)] == []
    assert emu.pending_updates == 0
    await ada.send("four")
    await ada.send("five")
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == [5]


async def test_long_poll_wakes_when_an_update_arrives(
    emu: BotApiEmulator, bot: Bot, ada: EmulatedUser
) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await emu.wait_until(lambda: emu.count("getUpdates") == 1)
    await asyncio.sleep(0.05)
    assert not poll.done()
    await ada.send("hello")
    updates = await poll
    assert [u.message.text for u in updates if u.message] == ["hello"]
    assert time.monotonic() - started < 2


async def test_long_poll_timeout_returns_empty(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 3


async def test_competing_polls_get_409(emu: BotApiEmulator, bot: Bot) -> None:
    older = asyncio.create_task(bot.get_updates(timeout=5))
    await emu.wait_until(lambda: emu.count("getUpdates") == 1)
    async with Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url) as rival:
        newer = asyncio.create_task(rival.get_updates(timeout=0))
        with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates request"):
            await older
        assert await newer == ()


async def test_stop_answers_a_pending_long_poll_promptly(emu: BotApiEmulator, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await emu.wait_until(lambda: emu.count("getUpdates") == 1)
    started = time.monotonic()
    await emu.stop()
    assert await poll == ()
    assert time.monotonic() - started < 2


async def test_callback_queries_and_answers(bot: Bot, ada: EmulatedUser) -> None:
    sent = await bot.send_message(1001, "Pick", reply_markup=keyboard("Housing", "Parking"))
    update = await ada.tap_button("Park")
    query = update["callback_query"]
    assert query["data"] == "cb:Parking"
    assert query["message"]["message_id"] == sent.message_id
    parsed = Update.de_json(update, bot)
    assert parsed.callback_query is not None
    assert parsed.callback_query.message is not None
    assert parsed.callback_query.message.chat.id == 1001
    assert await bot.answer_callback_query(query["id"], text="Saved", show_alert=True)
    answer = await ada.wait_for_callback_answer()
    assert answer["text"] == "Saved" and answer["show_alert"] is True
    assert ada.callback_answers == [answer]
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query["id"])
    with pytest.raises(LookupError, match="Housing"):
        await ada.tap_button("Transport")
    tapped = await ada.tap("raw-data")
    assert tapped["callback_query"]["message"]["message_id"] == sent.message_id


async def test_user_side_updates(emu: BotApiEmulator, ada: EmulatedUser, bot: Bot) -> None:
    cmd = await ada.command("/start", "event_5")
    assert cmd["message"]["text"] == "/start event_5"
    assert cmd["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    for make in (
        ada.send_sticker,
        ada.send_photo,
        ada.send_voice,
        ada.send_document,
        ada.send_location,
    ):
        await make()
    edited = await ada.edit(cmd["message"]["message_id"], "/start event_6")
    assert edited["edited_message"]["text"] == "/start event_6"
    updates = await bot.get_updates()
    assert len(updates) == 7
    kinds = [
        next(
            k
            for k in ("text", "sticker", "photo", "voice", "document", "location")
            if getattr(u.effective_message, k, None)
        )
        for u in updates
    ]
    assert kinds == ["text", "sticker", "photo", "voice", "document", "location", "text"]
    assert updates[-1].edited_message is not None
    assert updates[0].message is not None
    assert updates[0].message.from_user is not None
    assert updates[0].message.from_user.language_code == "en"
    with pytest.raises(LookupError):
        await ada.edit(999, "x")


async def test_next_reply_timeout_explains(
    emu: BotApiEmulator, bot: Bot, ada: EmulatedUser
) -> None:
    await bot.send_message(1001, "Welcome")
    await ada.next_reply()
    with pytest.raises(BadRequest):
        await bot.edit_message_text("x", chat_id=1001, message_id=50)
    with pytest.raises(TimeoutError) as info:
        await ada.next_reply(timeout=0.1)
    message = str(info.value)
    assert "'Welcome'" in message
    assert "message to edit not found" in message


async def test_wait_idle_and_wait_until(emu: BotApiEmulator, bot: Bot, ada: EmulatedUser) -> None:
    await ada.send("x")
    with pytest.raises(TimeoutError, match="unconfirmed"):
        await emu.wait_idle(timeout=0.05)
    updates = await bot.get_updates()
    await bot.get_updates(offset=updates[-1].update_id + 1)
    await emu.wait_idle(timeout=0.5)
    with pytest.raises(TimeoutError):
        await emu.wait_until(lambda: emu.count("sendMessage") > 0, timeout=0.05)


# -- faults, blocking, limits -----------------------------------------------------------------


async def test_fault_429_is_retry_after(emu: BotApiEmulator, bot: Bot, ada: EmulatedUser) -> None:
    emu.inject_fault("sendMessage", kind="429", retry_after=7)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(1001, "hi")
    assert info.value.retry_after == dtm.timedelta(seconds=7)
    assert emu.count_429 == 1
    assert (await bot.send_message(1001, "hi")).text == "hi"  # consumed after one use
    assert emu.errors[-1][2:] == (429, "Too Many Requests: retry after 7")


async def test_fault_raw_bodies(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    emu.user(1001)
    url = f"{emu.base_url}{TOKEN}/sendMessage"
    emu.inject_fault("sendmessage", kind="429", retry_after=3)
    assert (await http.post(url, json={"chat_id": 1001, "text": "x"})).json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    emu.inject_fault("sendMessage", kind="403")
    assert (await http.post(url, json={"chat_id": 1001, "text": "x"})).json() == {
        "ok": False,
        "error_code": 403,
        "description": "Forbidden: bot was blocked by the user",
    }
    emu.inject_fault("sendMessage", kind="500")
    assert (await http.post(url, json={"chat_id": 1001, "text": "x"})).status_code == 500


@pytest.mark.parametrize(
    ("kind", "error", "match"),
    [
        ("403", Forbidden, "blocked by the user"),
        ("400", BadRequest, r"(?i)injected fault"),
        ("500", NetworkError, "Internal Server Error"),
        ("502", NetworkError, "Bad Gateway"),
        ("drop", NetworkError, "httpx"),
    ],
)
async def test_fault_kinds_map_to_ptb_errors(
    emu: BotApiEmulator, bot: Bot, ada: EmulatedUser, kind: FaultKind, error: type, match: str
) -> None:
    emu.inject_fault("sendMessage", chat_id=1001, kind=kind)
    with pytest.raises(error, match=match) as info:
        await bot.send_message(1001, "hi")
    if error is NetworkError:  # BadRequest is a NetworkError subclass in PTB; be exact
        assert type(info.value) is NetworkError
    assert ada.messages == []
    assert (await bot.send_message(1001, "again")).text == "again"


async def test_drop_after_delivers_but_loses_the_answer(
    emu: BotApiEmulator, bot: Bot, ada: EmulatedUser
) -> None:
    emu.inject_fault("sendMessage", kind="drop_after")
    with pytest.raises(NetworkError):
        await bot.send_message(1001, "maybe")
    assert [m.text for m in ada.messages] == ["maybe"]


async def test_fault_matching_by_chat_and_times(
    emu: BotApiEmulator, bot: Bot, ada: EmulatedUser
) -> None:
    emu.user(1002, first_name="Bob")
    emu.inject_fault("sendMessage", chat_id=1002, kind="403", times=None)
    assert (await bot.send_message(1001, "ok")).text == "ok"
    for _ in range(3):
        with pytest.raises(Forbidden):
            await bot.send_message(1002, "no")
    emu.clear_faults()
    assert (await bot.send_message(1002, "yes")).text == "yes"
    emu.inject_fault("getMe", kind="500", times=2)
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.get_me()
    assert (await bot.get_me()).username == "nv_test_bot"


async def test_block_and_unblock(emu: BotApiEmulator, bot: Bot, ada: EmulatedUser) -> None:
    emu.block(1001)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(1001, "hi")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(1001, "typing")
    emu.unblock(1001)
    assert (await bot.send_message(1001, "hi again")).text == "hi again"


async def test_rate_limits_answer_429(emu: BotApiEmulator, bot: Bot) -> None:
    for uid in (1, 2, 3):
        emu.user(uid)
    emu.set_limits(per_chat_rate=1)
    await bot.send_message(1, "a")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(1, "b")
    assert info.value.retry_after == dtm.timedelta(seconds=1)
    await bot.send_message(2, "other chat is fine")
    assert emu.count_429 == 1

    emu.set_limits(global_rate=2)
    await bot.send_message(1, "x")
    await bot.send_message(2, "y")
    with pytest.raises(RetryAfter):
        await bot.send_message(3, "z")
    assert emu.count_429 == 2


async def test_limits_from_constructor() -> None:
    async with BotApiEmulator(per_chat_rate=1) as emu:
        emu.user(5)
        async with Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url) as b:
            await b.send_message(5, "a")
            with pytest.raises(RetryAfter):
                await b.send_message(5, "b")


async def test_texts_are_not_logged_at_info(
    caplog: pytest.LogCaptureFixture, bot: Bot, ada: EmulatedUser
) -> None:
    caplog.set_level(logging.INFO)
    await bot.send_message(1001, "very private answer")
    await ada.send("another private text")
    assert "private" not in caplog.text
    assert TOKEN not in "".join(
        r.getMessage() for r in caplog.records if r.name.startswith("bot.")
    )


# -- the real Application ---------------------------------------------------------------------


async def test_real_application_polls_the_emulator(
    emu: BotApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    async def ping(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("pong")

    app = (
        ApplicationBuilder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("ping", ping))
    user = emu.user(2001, first_name="Grace")
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        await user.command("/ping")
        reply = await user.next_reply()
        assert reply.text == "pong"
        await emu.wait_idle()
    finally:
        started = time.monotonic()
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        assert time.monotonic() - started < 2
    assert emu.pending_updates == 0
    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert problems == []


# -- update ids after a quiet week, webhooks, pauses -------------------------------------------


async def test_an_offset_from_before_a_restart_of_ids_gets_the_new_updates(
    emu: BotApiEmulator, bot: Bot, ada: EmulatedUser
) -> None:
    """The Bot API server answers an offset "in the future" (over 10 past its next id) from the
    head of its queue, so a bot polling with the offset it had is given the restarted ids."""
    for n in range(14):
        await ada.send(f"m{n}")
    offset = (await bot.get_updates())[-1].update_id + 1
    assert await bot.get_updates(offset=offset) == ()
    restarted = emu.restart_update_ids()
    assert restarted <= offset - 13
    await ada.send("back after a week")
    (update,) = await bot.get_updates(offset=offset)
    assert update.update_id == restarted
    assert update.message is not None and update.message.text == "back after a week"
    assert await bot.get_updates(offset=restarted + 1) == ()


async def test_webhook_posts_updates_with_the_secret_and_refuses_get_updates(
    emu: BotApiEmulator, bot: Bot, ada: EmulatedUser
) -> None:
    received: list[tuple[str | None, dict[str, object]]] = []
    answers = iter((500, 200, 200))

    async def hook(request: web.Request) -> web.Response:
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response(status=next(answers))

    emu.webhook_retry_scale = 0.01
    async with webhook_receiver(hook) as url:
        assert await bot.set_webhook(url, secret_token="s3cret", max_connections=5)
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        await ada.send("hello")
        await emu.wait_idle()
        info = await bot.get_webhook_info()
        assert (info.url, info.pending_update_count, info.max_connections) == (url, 0, 5)
        await ada.send("again")
        await emu.wait_idle()
        assert await bot.delete_webhook()
    # The 500 was retried: the same update twice, then the next one.
    assert [(secret, body["update_id"]) for secret, body in received] == [
        ("s3cret", 1),
        ("s3cret", 1),
        ("s3cret", 2),
    ]
    assert [status for _, status in emu.webhook_deliveries] == [500, 200, 200]
    await ada.send("polling again")
    assert len(await bot.get_updates()) == 1


async def test_webhook_taps_travel_apart_from_the_chats_messages(
    emu: BotApiEmulator, bot: Bot, ada: EmulatedUser
) -> None:
    order: list[str] = []

    async def hook(request: web.Request) -> web.Response:
        body = await request.json()
        order.append("tap" if "callback_query" in body else "text")
        return web.Response(status=200)

    sent = await bot.send_message(
        ada.id,
        "pick",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]]),
    )
    async with webhook_receiver(hook) as url:
        await bot.set_webhook(url)
        with emu.holding_chat(ada.id):
            await ada.send("typed first")
            await ada.tap("a", sent.message_id)
            await emu.wait_until(lambda: order == ["tap"])
        await emu.wait_idle()
    assert order == ["tap", "text"]


async def test_calls_inside_a_pause_are_refused_and_listed(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user(1)
    emu.set_limits(all_methods=True, hold_pauses=True)
    emu.inject_fault("sendMessage", kind="429", retry_after=2)
    with pytest.raises(RetryAfter):
        await bot.send_message(1, "refused")
    with pytest.raises(RetryAfter) as again:
        await bot.get_chat_menu_button(1)  # any method, while the pause runs
    assert again.value.retry_after == dtm.timedelta(seconds=2)
    inside = emu.calls_inside_pauses(on_the_wire=0.0)
    assert [c.method for c in inside] == ["getChatMenuButton"]
    assert all(c.status == 429 for c in inside)


async def test_a_global_limit_over_all_methods_counts_edits(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user(1)
    emu.set_limits(global_rate=2, all_methods=True)
    first = await bot.send_message(1, "a")
    await bot.edit_message_text("b", chat_id=1, message_id=first.message_id)
    with pytest.raises(RetryAfter):
        await bot.edit_message_text("c", chat_id=1, message_id=first.message_id)
