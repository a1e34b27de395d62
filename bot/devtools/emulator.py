"""A local stand-in for the Telegram Bot API, so the real bot can be driven end to end offline.

Tests, the demo and the benchmarks run the *production* python-telegram-bot ``Application``
(long polling over real HTTP) against this server instead of api.telegram.org. Only the base
URLs and the token differ from production, so every request the bot makes goes through PTB's
own serialisation, HTTP client, error mapping and retry logic — the parts a mocked ``Bot``
would hide.

Usage::

    async with BotApiEmulator(token="123456:TEST-TOKEN", bot_username="nv_test_bot") as emu:
        app = (
            ApplicationBuilder()
            .token(emu.token)
            .base_url(emu.base_url)
            .base_file_url(emu.base_file_url)
            .build()
        )
        ...  # add handlers, initialize, start, updater.start_polling(poll_interval=0, timeout=1)
        ada = emu.user(1001, first_name="Ada", language_code="en")
        await ada.command("/start", "event_5")
        reply = await ada.next_reply()
        assert "Welcome" in reply.text
        await ada.tap_button("Yes")
        edited = await ada.next_reply()        # in-place edits are events too

What it models, and why:

* Updates: a queue with the real ``getUpdates`` contract (``offset`` confirms, ``limit``,
  long polling that wakes as soon as an update arrives, 409 for a competing poll), so the
  Updater's bookkeeping is exercised exactly as in production.
* Messages: per-chat increasing ``message_id``; edits, deletions, uploads and inline
  keyboards are stored, and the real API's common ``400 Bad Request`` answers are produced
  (``message is not modified``, ``message to edit not found``, ``chat not found``, …), so a
  bot that would fail against Telegram fails here too. As in the real API, ``editMessageText``
  without ``reply_markup`` removes the message's inline keyboard.
* Failures: injected faults (429/403/400/500/502/dropped connection), blocked users and
  optional flood limits, answered with the error bodies PTB maps to its exceptions.
* Command menus: one list per scope and language code, scopes checked as the Bot API server
  checks them, and :meth:`BotApiEmulator.menu_for` picking the list a user sees in the order
  the Bot API documents.

It is deliberately small: formatting (``parse_mode``) is stored, never rendered; only private
chats with users registered through :meth:`BotApiEmulator.user` exist; methods it does not
implement answer ``404 Not Found`` like an unknown method would (PTB turns that into
``InvalidToken``). Message texts are only ever logged at DEBUG level.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import math
import mimetypes
import random
import re
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, NamedTuple, get_args

from aiohttp import web

__all__ = [
    "ApiCall",
    "ApiError",
    "BotApiEmulator",
    "CallRecord",
    "EmulatedUser",
    "Fault",
    "FaultKind",
    "MessageEdit",
    "SentMessage",
]

_LOGGER = logging.getLogger(__name__)

JSONDict = dict[str, Any]
FaultKind = Literal["429", "403", "400", "500", "502", "drop", "drop_after"]
_FAULT_KINDS: frozenset[str] = frozenset(get_args(FaultKind))

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_BLOCKED = "Forbidden: bot was blocked by the user"
_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_QUERY_INVALID = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)

# Form fields always arrive as strings; these say how to read them back. Anything not listed
# stays a string, so free text such as "123" is never mistaken for a number.
_INT_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "reply_to_message_id",
        "message_thread_id",
        "cache_time",
        "user_id",
        "from_chat_id",
        "max_connections",
    }
)
_FLOAT_FIELDS = frozenset({"timeout", "latitude", "longitude"})
_BOOL_FIELDS = frozenset(
    {
        "show_alert",
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "has_spoiler",
        "disable_content_type_detection",
        "show_caption_above_media",
        "allow_paid_broadcast",
    }
)
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "menu_button",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
    }
)
# Sends that count against flood limits (chat actions are not messages).
_LIMITED_METHODS = frozenset({"sendmessage", "sendphoto", "senddocument"})
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_MAX_TEXT = 4096
_MAX_CAPTION = 1024


class ApiError(Exception):
    """An error answer of the emulated API; raised inside handlers to short-circuit them."""

    def __init__(self, code: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


class ApiCall(NamedTuple):
    """One request as the bot made it; unpacks as ``(method, params)``."""

    method: str
    params: JSONDict


@dataclass(frozen=True, slots=True)
class CallRecord:
    """When a call arrived and when it was answered (wall clock, so a bot restarted as another
    process is measured on the same clock), how, and for a 429 the ``retry_after`` given."""

    method: str
    chat_id: int | None
    arrived: float
    answered: float
    status: int
    retry_after: int | None = None


@dataclass
class MessageEdit:
    """The state a message was edited *to*, kept so tests can check every intermediate step."""

    method: str
    date: int
    text: str | None
    caption: str | None
    parse_mode: str | None
    reply_markup: JSONDict | None


@dataclass
class SentMessage:
    """A message the bot sent to a chat.

    Objects in :attr:`EmulatedUser.messages` are live and follow later edits; those returned by
    :meth:`EmulatedUser.next_reply` are snapshots of the state right after that event, so a
    test reads what the user saw at that moment even if the bot edits again before it looks.
    """

    message_id: int
    chat_id: int
    method: str
    date: int
    text: str | None = None
    caption: str | None = None
    entities: list[Any] | None = None
    parse_mode: str | None = None
    reply_markup: JSONDict | None = None
    document: bytes | None = None
    photo: bytes | None = None
    filename: str | None = None
    mime_type: str | None = None
    edits: list[MessageEdit] = field(default_factory=list)
    deleted: bool = False
    event: Literal["sent", "edited"] = "sent"
    raw: JSONDict = field(default_factory=dict)

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Keyboard rows as ``(label, callback_data)``; reply-keyboard buttons have ``None``."""
        markup = self.reply_markup or {}
        if "inline_keyboard" in markup:
            return [
                [(str(b.get("text", "")), b.get("callback_data")) for b in row]
                for row in markup["inline_keyboard"]
            ]
        if "keyboard" in markup:
            return [
                [(b if isinstance(b, str) else str(b.get("text", "")), None) for b in row]
                for row in markup["keyboard"]
            ]
        return []

    @property
    def labels(self) -> list[str]:
        """All button labels, flattened, for quick ``in`` checks."""
        return [label for row in self.buttons for label, _ in row]

    @property
    def has_inline_keyboard(self) -> bool:
        return bool(self.reply_markup and "inline_keyboard" in self.reply_markup)

    @property
    def is_edited(self) -> bool:
        return bool(self.edits)

    def snapshot(self) -> SentMessage:
        clone = copy.copy(self)
        clone.reply_markup = copy.deepcopy(self.reply_markup)
        clone.entities = copy.deepcopy(self.entities)
        clone.edits = list(self.edits)
        clone.raw = copy.deepcopy(self.raw)
        return clone

    def describe(self) -> str:
        """One line for failure messages; never logged."""
        body = self.text if self.text is not None else self.caption
        parts = [f"#{self.message_id} {self.method}"]
        if self.edits:
            parts.append(f"(edited x{len(self.edits)})")
        if self.deleted:
            parts.append("(deleted)")
        if body is not None:
            parts.append(repr(body if len(body) <= 80 else body[:77] + "..."))
        if self.filename:
            parts.append(f"[file {self.filename}]")
        if self.labels:
            parts.append("buttons: " + " | ".join(self.labels))
        return " ".join(parts)


@dataclass
class Fault:
    """An injected failure; ``times=None`` keeps it active until cleared."""

    method: str | None
    chat_id: int | None
    kind: FaultKind
    times: int | None = 1
    retry_after: int = 1
    description: str | None = None
    hits: int = 0

    def matches(self, method: str, chat_id: int | None) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id


@dataclass
class _Webhook:
    url: str
    secret_token: str | None
    max_connections: int


def _queue_key(update: JSONDict) -> tuple[str, int]:
    """The delivery queue an update waits in, as the Bot API server keeps them: a chat's
    messages in order, but a user's taps in a queue of their own."""
    query = update.get("callback_query")
    if query is not None:
        return ("user", int(query["from"]["id"]))
    for kind in ("message", "edited_message"):
        if kind in update:
            return ("chat", int(update[kind]["chat"]["id"]))
    return ("other", 0)


@dataclass
class _Upload:
    filename: str
    content: bytes
    content_type: str | None


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    content: bytes
    file_name: str | None
    mime_type: str | None
    file_path: str


class _Signal:
    """Wakes every waiter on change; unlike ``asyncio.Condition`` it needs no lock dance."""

    __slots__ = ("_waiters",)

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        if not self._waiters:
            return
        waiters, self._waiters = self._waiters, set()
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def wait(self, timeout: float) -> None:  # noqa: ASYNC109  # a test deadline
        """Until the next :meth:`notify`, or ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        self._waiters.add(fut)
        try:
            await asyncio.wait((fut,), timeout=timeout)
        finally:
            self._waiters.discard(fut)
            if not fut.done():
                fut.cancel()

    async def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:  # noqa: ASYNC109  # a test deadline
        """Wait until ``predicate()`` holds; ``False`` if ``timeout`` seconds pass first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            fut: asyncio.Future[None] = loop.create_future()
            self._waiters.add(fut)
            try:
                await asyncio.wait((fut,), timeout=remaining)
            finally:
                self._waiters.discard(fut)
                if not fut.done():
                    fut.cancel()
        return True


class _RateWindow:
    """Sliding-window limit of ``rate`` events per second.

    A rate below 1 becomes one event per ``1/rate`` seconds, so ``per_chat_rate=0.5`` works.
    """

    def __init__(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.capacity = max(1, int(rate))
        self.window = self.capacity / rate

    def retry_after(self, stamps: deque[float], now: float) -> int | None:
        while stamps and stamps[0] <= now - self.window:
            stamps.popleft()
        if len(stamps) < self.capacity:
            return None
        return max(1, math.ceil(stamps[0] + self.window - now))


def _now() -> int:
    return int(time.time())


def _to_int(value: Any) -> Any:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return int(value)
    return value


def _to_float(value: Any) -> Any:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return float(value)
    return value


def _normalize(raw: Mapping[str, Any]) -> JSONDict:
    """Give form/query strings the types a JSON body would have had."""
    out: JSONDict = {}
    for key, value in raw.items():
        if isinstance(value, str):
            if key in _JSON_FIELDS:
                try:
                    value = json.loads(value)
                except ValueError:
                    what = "reply keyboard markup" if key == "reply_markup" else key
                    raise _bad(f"can't parse {what} JSON object") from None
            elif key in _INT_FIELDS:
                value = _to_int(value)
            elif key in _FLOAT_FIELDS:
                value = _to_float(value)
            elif key in _BOOL_FIELDS:
                value = value.strip().lower() in ("true", "1")
        out[key] = value
    return out


def _validate_markup(markup: Any) -> JSONDict | None:
    """Reject keyboards the real API rejects, so the bot cannot rely on leniency here."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array')
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise _bad(
                        "can't parse inline keyboard button: Text buttons are unallowed "
                        "in the inline keyboard"
                    )
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise _bad("BUTTON_DATA_INVALID")
                if len(button) < 2:
                    raise _bad(
                        "can't parse inline keyboard button: Text buttons are unallowed "
                        "in the inline keyboard"
                    )
    return markup


def _inline(markup: JSONDict | None) -> JSONDict | None:
    return markup if markup and "inline_keyboard" in markup else None


_Handler = Callable[[JSONDict, dict[str, _Upload]], Awaitable[Any]]


class EmulatedUser:
    """A person in a private chat with the bot; the chat id equals the user id.

    Every ``send``-like coroutine enqueues exactly one update and returns it; the read side
    (:attr:`messages`, :meth:`next_reply`) shows what the bot did in this chat.
    """

    def __init__(
        self,
        emulator: BotApiEmulator,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> None:
        self.emulator = emulator
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.messages: list[SentMessage] = []
        self.callback_answers: list[JSONDict] = []
        self.chat_actions: list[str] = []
        self.own_messages: dict[int, JSONDict] = {}
        self._by_id: dict[int, SentMessage] = {}
        self._events: list[SentMessage] = []
        self._cursor = 0
        self._answer_cursor = 0
        self._last_message_id = 0
        self._signal = _Signal()

    def __repr__(self) -> str:
        return f"EmulatedUser(id={self.id}, first_name={self.first_name!r})"

    # -- identity -----------------------------------------------------------------------------

    @property
    def user_dict(self) -> JSONDict:
        user: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    @property
    def chat_dict(self) -> JSONDict:
        chat: JSONDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        return chat

    def _next_message_id(self) -> int:
        self._last_message_id += 1
        return self._last_message_id

    # -- acting as the user -------------------------------------------------------------------

    def _own_message(self, extra: JSONDict, reply_to: int | None = None) -> JSONDict:
        message: JSONDict = {
            "message_id": self._next_message_id(),
            "from": self.user_dict,
            "chat": self.chat_dict,
            "date": _now(),
            **extra,
        }
        if reply_to is not None:
            target = self._by_id.get(reply_to)
            if target is not None:
                message["reply_to_message"] = copy.deepcopy(target.raw)
            elif reply_to in self.own_messages:
                message["reply_to_message"] = copy.deepcopy(self.own_messages[reply_to])
        self.own_messages[message["message_id"]] = message
        return message

    async def send(
        self, text: str, *, entities: list[JSONDict] | None = None, reply_to: int | None = None
    ) -> JSONDict:
        extra: JSONDict = {"text": text}
        if entities:
            extra["entities"] = entities
        return self.emulator._enqueue("message", self._own_message(extra, reply_to))

    async def command(self, command: str, *args: str) -> JSONDict:
        """Send ``/command arg …`` with the ``bot_command`` entity PTB's CommandHandler needs."""
        if not command.startswith("/"):
            command = "/" + command
        text = " ".join((command, *args))
        entity = {"type": "bot_command", "offset": 0, "length": len(command)}
        return await self.send(text, entities=[entity])

    async def send_sticker(self, emoji: str = "\N{THUMBS UP SIGN}") -> JSONDict:
        stored = self.emulator._store_file(
            b"RIFF-sticker", "sticker.webp", "image/webp", "stickers"
        )
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(stored.content),
        }
        return self.emulator._enqueue("message", self._own_message({"sticker": sticker}))

    async def send_photo(
        self, content: bytes = b"\xff\xd8\xff-photo", *, caption: str | None = None
    ) -> JSONDict:
        stored = self.emulator._store_file(content, "photo.jpg", "image/jpeg", "photos")
        extra: JSONDict = {"photo": self.emulator._photo_sizes(stored)}
        if caption is not None:
            extra["caption"] = caption
        return self.emulator._enqueue("message", self._own_message(extra))

    async def send_voice(self, content: bytes = b"OggS-voice", *, duration: int = 3) -> JSONDict:
        stored = self.emulator._store_file(content, "voice.ogg", "audio/ogg", "voice")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(content),
        }
        return self.emulator._enqueue("message", self._own_message({"voice": voice}))

    async def send_document(
        self,
        content: bytes = b"%PDF-1.4 document",
        *,
        file_name: str = "document.pdf",
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> JSONDict:
        mime = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        stored = self.emulator._store_file(content, file_name, mime, "documents")
        extra: JSONDict = {"document": self.emulator._document_dict(stored)}
        if caption is not None:
            extra["caption"] = caption
        return self.emulator._enqueue("message", self._own_message(extra))

    async def send_location(
        self, latitude: float = 51.5072, longitude: float = -0.1276
    ) -> JSONDict:
        location = {"latitude": latitude, "longitude": longitude}
        return self.emulator._enqueue("message", self._own_message({"location": location}))

    async def edit(self, message_id: int, text: str) -> JSONDict:
        """Edit one of this user's earlier text messages (an ``edited_message`` update)."""
        original = self.own_messages.get(message_id)
        if original is None:
            raise LookupError(
                f"user {self.id} has no message {message_id}; "
                f"their messages are {sorted(self.own_messages)}"
            )
        original["text"] = text
        original.pop("entities", None)
        original["edit_date"] = _now()
        return self.emulator._enqueue("edited_message", copy.deepcopy(original))

    async def tap(self, callback_data: str | None, message_id: int | None = None) -> JSONDict:
        """Press an inline button carrying ``callback_data`` (a ``callback_query`` update).

        The data is not checked against the keyboard, so stale or forged presses can be tested.
        ``None`` sends a query without ``data``, as Telegram does for a game's button (Bot API,
        CallbackQuery: "data: Optional").
        """
        if message_id is None:
            live = [m for m in self.messages if not m.deleted]
            if not live:
                raise LookupError(f"the bot has sent no message to user {self.id} to tap on")
            message = live[-1]
        else:
            found = self._by_id.get(message_id)
            if found is None or found.deleted:
                raise LookupError(f"no bot message {message_id} in chat {self.id}")
            message = found
        return self.emulator._callback_query(self, message, callback_data)

    async def tap_button(self, label: str) -> JSONDict:
        """Press the button whose label contains ``label`` in the newest inline keyboard."""
        for message in reversed(self.messages):
            if message.deleted or not message.has_inline_keyboard:
                continue
            for row in message.buttons:
                for text, data in row:
                    if label in text and data is not None:
                        return self.emulator._callback_query(self, message, data)
            raise LookupError(
                f"no button containing {label!r} in message #{message.message_id} "
                f"to user {self.id}; available: {message.labels}"
            )
        raise LookupError(f"the bot has sent user {self.id} no message with an inline keyboard")

    # -- reading what the bot did -------------------------------------------------------------

    @property
    def last(self) -> SentMessage:
        """The newest message the bot sent here that still exists, as currently edited."""
        for message in reversed(self.messages):
            if not message.deleted:
                return message
        raise LookupError(f"the bot has sent no (undeleted) message to user {self.id}")

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Buttons of the newest inline keyboard in this chat (``[]`` if there is none)."""
        for message in reversed(self.messages):
            if not message.deleted and message.has_inline_keyboard:
                return message.buttons
        return []

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """Labels of the reply keyboard currently shown; ``None`` if removed or never set."""
        for message in reversed(self.messages):
            markup = message.reply_markup or {}
            if "keyboard" in markup:
                return [[label for label, _ in row] for row in message.buttons]
            if markup.get("remove_keyboard"):
                return None
        return None

    @property
    def unread(self) -> list[SentMessage]:
        """Events not yet consumed by :meth:`next_reply` / :meth:`expect`."""
        return self._events[self._cursor :]

    def mark_read(self) -> list[SentMessage]:
        """Consume every pending event at once, e.g. to skip a greeting."""
        skipped = self._events[self._cursor :]
        self._cursor = len(self._events)
        return skipped

    def _push_event(self, message: SentMessage) -> None:
        self._events.append(message.snapshot())
        self._signal.notify()

    def _notify(self) -> None:
        self._signal.notify()

    async def next_reply(self, timeout: float = 5.0, *, include_edits: bool = True) -> SentMessage:  # noqa: ASYNC109  # a test deadline
        """Wait for the next message sent *or edited* in this chat after the read cursor."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            ok = await self._signal.wait_for(lambda: self._cursor < len(self._events), remaining)
            if not ok:
                raise TimeoutError(self._timeout_message("next_reply", timeout))
            event = self._events[self._cursor]
            self._cursor += 1
            if include_edits or event.event == "sent":
                return event

    async def expect(self, n: int, timeout: float = 5.0) -> list[SentMessage]:  # noqa: ASYNC109  # a test deadline
        """The next ``n`` events; ``timeout`` covers all of them together."""
        got = await self._signal.wait_for(lambda: len(self._events) - self._cursor >= n, timeout)
        if not got:
            have = len(self._events) - self._cursor
            raise TimeoutError(self._timeout_message(f"expect({n}) got only {have}", timeout))
        events = self._events[self._cursor : self._cursor + n]
        self._cursor += n
        return events

    async def wait_for_callback_answer(self, timeout: float = 5.0) -> JSONDict:  # noqa: ASYNC109  # a test deadline
        """The next ``answerCallbackQuery`` for this user's taps not yet returned here."""
        ok = await self._signal.wait_for(
            lambda: self._answer_cursor < len(self.callback_answers), timeout
        )
        if not ok:
            raise TimeoutError(self._timeout_message("wait_for_callback_answer", timeout))
        answer = self.callback_answers[self._answer_cursor]
        self._answer_cursor += 1
        return answer

    def _timeout_message(self, what: str, timeout: float) -> str:
        lines = [
            f"{what}: nothing new for chat {self.id} ({self.first_name}) within {timeout}s "
            f"({self._cursor} event(s) already consumed)."
        ]
        if self.messages:
            lines.append("The bot sent this chat (newest last):")
            lines.extend("  " + m.describe() for m in self.messages[-8:])
        else:
            lines.append("The bot has sent nothing to this chat.")
        errors = [e for e in self.emulator.errors if e[1].get("chat_id") == self.id][-5:]
        if errors:
            lines.append("API errors answered for this chat:")
            lines.extend(f"  {method}: {code} {desc}" for method, _, code, desc in errors)
        if self.emulator.pending_updates:
            lines.append(
                f"{self.emulator.pending_updates} update(s) are still unconfirmed — "
                "is the bot polling?"
            )
        return "\n".join(lines)


class BotApiEmulator:
    """An in-process HTTP server speaking enough of the Bot API for the bot's flows."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "nv_test_bot",
        *,
        bot_first_name: str = "Neighbourhood Voice",
        host: str = "127.0.0.1",
        port: int = 0,
        global_rate: float | None = None,
        per_chat_rate: float | None = None,
        record_requests: bool = True,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.host = host
        self.port = port
        head = token.split(":", 1)[0]
        self.bot_id = int(head) if head.isdigit() else 123456
        self.record_requests = record_requests
        self.requests: list[ApiCall] = []
        # (method, params, code, description) of every error answer, for failure messages
        self.errors: list[tuple[str, JSONDict, int, str]] = []
        # The default scope's list without a language code (what everyone without a narrower
        # list sees), and every list by (scope as JSON, language code): see menu_for.
        self.commands: list[JSONDict] = []
        self.commands_by_scope: dict[tuple[str, str], list[JSONDict]] = {}
        self.menu_buttons: dict[int | None, JSONDict] = {}
        self.count_429 = 0  # every 429 answered: flood limits and injected "429" faults
        self.faults: list[Fault] = []
        self.blocked: set[int] = set()
        self._users: dict[int, EmulatedUser] = {}
        self._counts: Counter[str] = Counter()
        self._pending: deque[JSONDict] = deque()
        self._last_update_id = 0
        self._poll_generation = 0
        self._update_signal = _Signal()
        self._changed = _Signal()
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._file_seq = 0
        self._callback_seq = 0
        self._open_queries: dict[str, tuple[EmulatedUser, str | None]] = {}
        self._global_window: _RateWindow | None = None
        self._chat_window: _RateWindow | None = None
        self._global_stamps: deque[float] = deque()
        self._chat_stamps: dict[int, deque[float]] = {}
        self._limit_all_methods = False
        self._hold_pauses = False
        self._paused_until = 0.0
        self.calls: list[CallRecord] = []
        self._last_chat_ids: dict[int, int | None] = {}
        self.set_limits(global_rate=global_rate, per_chat_rate=per_chat_rate)
        self._webhook: _Webhook | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._held_queues: set[tuple[str, int]] = set()
        self._webhook_wake = _Signal()
        self.webhook_retry_scale = 1.0  # tests shorten Telegram's 2 s, 4 s, … retry waits
        self.webhook_deliveries: list[tuple[int, int]] = []  # (update_id, HTTP status)
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._methods: dict[str, tuple[str, _Handler]] = {
            name.lower(): (name, handler)
            for name, handler in (
                ("getMe", self._get_me),
                ("logOut", self._true),
                ("close", self._true),
                ("setWebhook", self._set_webhook),
                ("deleteWebhook", self._delete_webhook),
                ("getWebhookInfo", self._get_webhook_info),
                ("setMyCommands", self._set_my_commands),
                ("getMyCommands", self._get_my_commands),
                ("deleteMyCommands", self._delete_my_commands),
                ("setChatMenuButton", self._set_chat_menu_button),
                ("getChatMenuButton", self._get_chat_menu_button),
                ("getUpdates", self._get_updates),
                ("sendMessage", self._send_message),
                ("editMessageText", self._edit_message_text),
                ("editMessageCaption", self._edit_message_caption),
                ("editMessageReplyMarkup", self._edit_message_reply_markup),
                ("deleteMessage", self._delete_message),
                ("answerCallbackQuery", self._answer_callback_query),
                ("sendPhoto", self._send_photo),
                ("sendDocument", self._send_document),
                ("sendChatAction", self._send_chat_action),
                ("getFile", self._get_file),
            )
        }

    # -- lifecycle ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url``; PTB appends the token itself."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("emulator already started")
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("GET", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("POST", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        # access_log=None: the access log would write the token (and query strings) at INFO.
        # handler_cancellation: a long poll the client gave up on must stop waiting at once.
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self._closing = False
        server = site._server
        sockets = getattr(server, "sockets", None)
        if self.port == 0 and sockets:
            self.port = int(sockets[0].getsockname()[1])
        _LOGGER.info("Bot API emulator listening on %s", self.url)

    async def stop(self) -> None:
        """Answer pending long polls at once, then close, so bot shutdown is never held up."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._closing = True
        self._update_signal.notify()
        self._changed.notify()
        await self._stop_webhook()
        await runner.cleanup()
        _LOGGER.info("Bot API emulator on %s stopped", self.url)

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- users and updates --------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "User",
        *,
        last_name: str | None = None,
        language_code: str | None = "en",
        username: str | None = None,
    ) -> EmulatedUser:
        """Register (or fetch, if already known) a user with a private chat to the bot."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        created = EmulatedUser(
            self,
            user_id,
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self._users[user_id] = created
        return created

    @property
    def users(self) -> Mapping[int, EmulatedUser]:
        return self._users

    def enqueue(self, update: Mapping[str, Any]) -> JSONDict:
        """Queue a hand-made update (any type); its ``update_id`` is assigned here."""
        body = {k: copy.deepcopy(v) for k, v in update.items() if k != "update_id"}
        if len(body) != 1:
            raise ValueError("an update carries exactly one field besides update_id")
        ((kind, payload),) = body.items()
        return self._enqueue(kind, payload)

    def restart_update_ids(self, next_id: int | None = None) -> int:
        """Number the next update from a new, lower starting point, as after a quiet week.

        Bot API (Update): "If there are no new updates for at least a week, then identifier
        of the next update will be chosen randomly instead of sequentially." The restart that
        hurts a bot is one below the ids it has seen, so that is what this makes: at random,
        more than 10 below the last id (within 10 the server would take a poll's old offset as
        confirming the new updates, a loss Telegram's random pick over hundreds of millions
        makes unlikely), unless ``next_id`` is given. Only while no update is pending, as in
        the Bot API server, whose queue is empty when it restarts its numbering.
        """
        if self._pending:
            raise RuntimeError("ids restart only while no update is pending")
        if next_id is None:
            if self._last_update_id < 13:
                raise RuntimeError("a restart below the last id needs more than 12 updates first")
            next_id = random.randint(1, self._last_update_id - 12)
        self._last_update_id = next_id - 1
        return next_id

    def _enqueue(self, kind: str, payload: JSONDict) -> JSONDict:
        self._last_update_id += 1
        update = {"update_id": self._last_update_id, kind: payload}
        self._pending.append(update)
        self._update_signal.notify()
        self._webhook_wake.notify()
        self._changed.notify()
        return update

    def _callback_query(
        self, user: EmulatedUser, message: SentMessage, data: str | None
    ) -> JSONDict:
        self._callback_seq += 1
        query_id = f"{self.bot_id}{self._callback_seq:08d}"
        self._open_queries[query_id] = (user, data)
        query: JSONDict = {
            "id": query_id,
            "from": user.user_dict,
            "message": copy.deepcopy(message.raw),
            "chat_instance": f"-{user.id}{self.bot_id}",
        }
        if data is not None:
            query["data"] = data
        return self._enqueue("callback_query", query)

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by a later ``getUpdates`` offset."""
        return len(self._pending)

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109  # a test deadline
        """Re-check ``predicate`` after every API call or update until it holds."""
        if not await self._changed.wait_for(predicate, timeout):
            raise TimeoutError(f"condition not met within {timeout}s")

    async def wait_idle(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109  # a test deadline
        """Until every queued update has been fetched and confirmed by the bot."""
        if not await self._changed.wait_for(lambda: not self._pending, timeout):
            raise TimeoutError(
                f"{len(self._pending)} update(s) still unconfirmed after {timeout}s — "
                "is the bot polling?"
            )

    def count(self, method: str) -> int:
        return self._counts[method.lower()]

    # -- faults and limits --------------------------------------------------------------------

    def inject_fault(
        self,
        method: str | None = None,
        chat_id: int | None = None,
        kind: FaultKind = "429",
        times: int | None = 1,
        retry_after: int = 1,
        description: str | None = None,
    ) -> Fault:
        """Make matching calls fail. ``drop_after`` performs the call, then drops the answer."""
        if kind not in _FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(_FAULT_KINDS)}")
        fault = Fault(method, chat_id, kind, times, retry_after, description)
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self.faults.clear()

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: every call aimed at the chat answers 403."""
        self.blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self.blocked.discard(chat_id)

    def expire_callback_queries(self) -> None:
        """Telegram stops taking answers to a tap after a short while (as when the bot was
        down): from now on every open query answers "query is too old"."""
        self._open_queries.clear()

    def set_limits(
        self,
        global_rate: float | None = None,
        per_chat_rate: float | None = None,
        *,
        all_methods: bool = False,
        hold_pauses: bool = False,
    ) -> None:
        """Flood limits in messages per second; ``None`` switches a limit off.

        By default only sends count (``sendMessage``, ``sendPhoto``, ``sendDocument``).
        ``all_methods`` counts every call but ``getUpdates`` against the global limit, edits,
        answers to taps and command menus included: Telegram documents no exact limits ("the
        API will not allow more than 30 messages per second or so", Bots FAQ), so a bot must
        hold to one budget for everything it sends. ``hold_pauses`` keeps refusing: after any
        429, every call but ``getUpdates`` until its ``retry_after`` has passed is answered 429
        with the seconds still left (Bot API, ResponseParameters: "the number of seconds left
        to wait before the request can be repeated").
        """
        self._global_window = _RateWindow(global_rate) if global_rate else None
        self._chat_window = _RateWindow(per_chat_rate) if per_chat_rate else None
        self._limit_all_methods = all_methods
        self._hold_pauses = hold_pauses
        self._paused_until = 0.0
        self._global_stamps.clear()
        self._chat_stamps.clear()

    def calls_inside_pauses(self, on_the_wire: float = 0.05) -> list[CallRecord]:
        """Calls that reached the API while a 429's ``retry_after`` was still running.

        A call counts only if it arrived more than ``on_the_wire`` seconds after the 429 was
        answered: a request sent before the client had read the 429 could not have known.
        ``getUpdates`` is not a message and is never limited.
        """
        pauses = [
            (c.answered + on_the_wire, c.answered + c.retry_after)
            for c in self.calls
            if c.status == 429 and c.retry_after
        ]
        return [
            c
            for c in self.calls
            if c.method.lower() != "getupdates"
            and any(start < c.arrived < end for start, end in pauses)
        ]

    def _take_fault(self, method: str, chat_id: int | None) -> Fault | None:
        for fault in self.faults:
            if fault.matches(method, chat_id):
                fault.hits += 1
                return fault
        return None

    def _check_rate(self, chat_id: int | None) -> None:
        now = time.monotonic()
        if self._hold_pauses and now < self._paused_until:
            self.count_429 += 1
            raise _too_many(max(1, math.ceil(self._paused_until - now)))
        waits: list[int] = []
        if self._global_window is not None:
            wait = self._global_window.retry_after(self._global_stamps, now)
            if wait is not None:
                waits.append(wait)
        chat_stamps: deque[float] | None = None
        if self._chat_window is not None and chat_id is not None:
            chat_stamps = self._chat_stamps.setdefault(chat_id, deque())
            wait = self._chat_window.retry_after(chat_stamps, now)
            if wait is not None:
                waits.append(wait)
        if waits:
            self.count_429 += 1
            self._paused_until = max(self._paused_until, now + max(waits))
            raise _too_many(max(waits))
        if self._global_window is not None:
            self._global_stamps.append(now)
        if chat_stamps is not None:
            chat_stamps.append(now)

    # -- HTTP plumbing ------------------------------------------------------------------------

    async def _handle_unknown(self, request: web.Request) -> web.StreamResponse:
        return _json_response(ApiError(404, "Not Found").body(), 404)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _json_response(ApiError(401, "Unauthorized").body(), 401)
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None:
            return _json_response(ApiError(404, "Not Found").body(), 404)
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        arrived = time.time()
        response = await self._answer_api(request)
        method = request.match_info["method"]
        retry_after: int | None = None
        if response.status == 429 and isinstance(response, web.Response) and response.text:
            with contextlib.suppress(ValueError, AttributeError):
                retry_after = json.loads(response.text)["parameters"]["retry_after"]
        chat_id = self._last_chat_ids.pop(id(request), None)
        self.calls.append(
            CallRecord(method, chat_id, arrived, time.time(), response.status, retry_after)
        )
        return response

    async def _answer_api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _json_response(ApiError(401, "Unauthorized").body(), 401)
        entry = self._methods.get(request.match_info["method"].lower())
        if entry is None:
            return _json_response(ApiError(404, "Not Found").body(), 404)
        name, handler = entry
        self._counts[name.lower()] += 1
        params: JSONDict = {}
        fault: Fault | None = None
        try:
            params, files = await _read_params(request)
            if self.record_requests:
                self.requests.append(ApiCall(name, _loggable(params, files)))
            self._changed.notify()  # lets wait_until see a call that is still in progress
            chat_id = params.get("chat_id") if isinstance(params.get("chat_id"), int) else None
            # A command menu's chat is named inside its scope; faults aimed at the chat hit it.
            target = chat_id if chat_id is not None else self._scope_chat(params)
            self._last_chat_ids[id(request)] = target
            _LOGGER.debug("%s chat_id=%s", name, target)
            fault = self._take_fault(name, target)
            if fault is not None and fault.kind != "drop_after":
                return self._fault_response(request, name, params, fault)
            if chat_id is not None and chat_id in self.blocked:
                raise ApiError(403, _BLOCKED)
            lower = name.lower()
            if lower in _LIMITED_METHODS or (self._limit_all_methods and lower != "getupdates"):
                self._check_rate(chat_id)
            result = await handler(params, files)
        except ApiError as err:
            self.errors.append((name, params, err.code, err.description))
            _LOGGER.debug("%s -> %s %s", name, err.code, err.description)
            return _json_response(err.body(), err.code)
        finally:
            self._changed.notify()
        if fault is not None:  # drop_after: the call took effect, the answer is lost
            return _drop(request)
        return _json_response({"ok": True, "result": result}, 200)

    def _fault_response(
        self, request: web.Request, name: str, params: JSONDict, fault: Fault
    ) -> web.StreamResponse:
        _LOGGER.debug("injected fault %s", fault.kind)
        if fault.kind in ("drop", "500", "502"):
            self.errors.append(
                (
                    name,
                    params,
                    0 if fault.kind == "drop" else int(fault.kind),
                    f"injected {fault.kind}",
                )
            )
        if fault.kind == "drop":
            return _drop(request)
        if fault.kind == "500":
            return _json_response(
                ApiError(500, fault.description or "Internal Server Error").body(), 500
            )
        if fault.kind == "502":
            # Telegram's front end answers 502 with an HTML page, not JSON.
            html = (
                "<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>"
            )
            return web.Response(status=502, text=html, content_type="text/html")
        if fault.kind == "429":
            self.count_429 += 1
            self._paused_until = max(self._paused_until, time.monotonic() + fault.retry_after)
            err = _too_many(fault.retry_after)
        elif fault.kind == "403":
            err = ApiError(403, fault.description or _BLOCKED)
        else:
            err = ApiError(400, fault.description or "Bad Request: injected fault")
        self.errors.append((name, params, err.code, err.description))
        return _json_response(err.body(), err.code)

    # -- shared pieces of method handlers -----------------------------------------------------

    def _chat(self, params: JSONDict) -> EmulatedUser:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        user = self._users.get(chat_id) if isinstance(chat_id, int) else None
        if user is None:
            raise _bad("chat not found")
        return user

    @staticmethod
    def _int(params: JSONDict, name: str, default: int | None = None) -> int | None:
        value = params.get(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bad(f"invalid {name} specified")
        return value

    @staticmethod
    def _message_id(params: JSONDict) -> int:
        value = params.get("message_id")
        if value is None:
            raise _bad("message identifier is not specified")
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bad("invalid message identifier specified")
        return value

    @staticmethod
    def _text(params: JSONDict) -> str:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _bad("message text is empty")
        if len(text) > _MAX_TEXT:
            raise _bad("message is too long")
        return text

    @staticmethod
    def _caption(params: JSONDict) -> str | None:
        caption = params.get("caption")
        if caption is None:
            return None
        caption = str(caption)
        if len(caption) > _MAX_CAPTION:
            raise _bad("message caption is too long")
        return caption

    def _reply_target(self, user: EmulatedUser, params: JSONDict) -> JSONDict | None:
        reply = params.get("reply_parameters")
        target_id: Any = reply.get("message_id") if isinstance(reply, dict) else None
        allow = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply, dict):
            allow = allow or bool(reply.get("allow_sending_without_reply"))
        if target_id is None:
            target_id = params.get("reply_to_message_id")
        if target_id is None:
            return None
        target_id = _to_int(target_id)
        sent = user._by_id.get(target_id)
        if sent is not None and not sent.deleted:
            return copy.deepcopy({k: v for k, v in sent.raw.items() if k != "reply_to_message"})
        own = user.own_messages.get(target_id)
        if own is not None:
            return copy.deepcopy({k: v for k, v in own.items() if k != "reply_to_message"})
        if allow:
            return None
        raise _bad("message to be replied not found")

    def _bot_user(self) -> JSONDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _new_message(
        self,
        user: EmulatedUser,
        method: str,
        params: JSONDict,
        content: JSONDict,
        **fields: Any,
    ) -> SentMessage:
        markup = _validate_markup(params.get("reply_markup"))
        reply_to = self._reply_target(user, params)
        raw: JSONDict = {
            "message_id": user._next_message_id(),
            "from": self._bot_user(),
            "chat": user.chat_dict,
            "date": _now(),
        }
        if reply_to is not None:
            raw["reply_to_message"] = reply_to
        raw.update(content)
        # Only inline keyboards belong to the message; reply keyboards are chat state.
        if _inline(markup) is not None:
            raw["reply_markup"] = markup
        message = SentMessage(
            message_id=raw["message_id"],
            chat_id=user.id,
            method=method,
            date=raw["date"],
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
            raw=raw,
            **fields,
        )
        user.messages.append(message)
        user._by_id[message.message_id] = message
        user._push_event(message)
        return message

    def _editable(self, params: JSONDict) -> tuple[EmulatedUser, SentMessage]:
        if params.get("chat_id") is None and params.get("inline_message_id") is not None:
            raise _bad("message to edit not found")
        user = self._chat(params)
        message_id = self._message_id(params)
        message = user._by_id.get(message_id)
        if message is None or message.deleted:
            if message_id in user.own_messages:
                raise _bad("message can't be edited")
            raise _bad("message to edit not found")
        return user, message

    def _apply_edit(
        self, user: EmulatedUser, message: SentMessage, method: str, markup: JSONDict | None
    ) -> JSONDict:
        message.reply_markup = markup
        if markup is None:
            message.raw.pop("reply_markup", None)
        else:
            message.raw["reply_markup"] = markup
        message.raw["edit_date"] = _now()
        message.event = "edited"
        message.edits.append(
            MessageEdit(
                method=method,
                date=message.raw["edit_date"],
                text=message.text,
                caption=message.caption,
                parse_mode=message.parse_mode,
                reply_markup=copy.deepcopy(markup),
            )
        )
        user._push_event(message)
        return message.raw

    def _store_file(
        self, content: bytes, file_name: str | None, mime_type: str | None, folder: str
    ) -> _StoredFile:
        self._file_seq += 1
        seq = self._file_seq
        suffix = ""
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1]
        stored = _StoredFile(
            file_id=f"EMU{folder[:3].upper()}{seq:06d}{self.bot_id}",
            file_unique_id=f"U{seq:06d}",
            content=content,
            file_name=file_name,
            mime_type=mime_type,
            file_path=f"{folder}/file_{seq}{suffix}",
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    @staticmethod
    def _document_dict(stored: _StoredFile) -> JSONDict:
        doc: JSONDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }
        if stored.file_name:
            doc["file_name"] = stored.file_name
        if stored.mime_type:
            doc["mime_type"] = stored.mime_type
        return doc

    def _photo_sizes(self, stored: _StoredFile) -> list[JSONDict]:
        # Real photos come in several sizes; two are enough for "largest is last" logic.
        thumb: JSONDict = {
            "file_id": stored.file_id + "s",
            "file_unique_id": stored.file_unique_id + "s",
            "width": 90,
            "height": 68,
            "file_size": min(len(stored.content), 1024),
        }
        self._files[stored.file_id + "s"] = stored
        full: JSONDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": 800,
            "height": 600,
            "file_size": len(stored.content),
        }
        return [thumb, full]

    def _input_file(
        self, params: JSONDict, files: dict[str, _Upload], name: str
    ) -> tuple[_StoredFile | None, _Upload | None]:
        """An upload (multipart, possibly via attach://) or a previously returned file_id."""
        if name in files:
            return None, files[name]
        value = params.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value[len("attach://") :])
            if upload is None:
                raise _bad(f"there is no {name} in the request")
            return None, upload
        if value is None or value == "":
            raise _bad(f"there is no {name} in the request")
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            raise _bad("failed to get HTTP URL content")
        stored = self._files.get(str(value))
        if stored is None:
            raise _bad("wrong file identifier/HTTP URL specified")
        return stored, None

    # -- method handlers ----------------------------------------------------------------------

    async def _true(self, params: JSONDict, files: dict[str, _Upload]) -> bool:
        return True

    async def _get_me(self, params: JSONDict, files: dict[str, _Upload]) -> JSONDict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _set_webhook(self, params: JSONDict, files: dict[str, _Upload]) -> bool:
        """Deliver updates by POST instead of getUpdates.

        Plain ``http://`` and any port are accepted, as a local Bot API server accepts them
        (Bot API, "Using a Local Bot API Server"); api.telegram.org wants HTTPS on 443, 80, 88
        or 8443.
        """
        url = str(params.get("url") or "")
        if not url:
            await self._stop_webhook()
            return True
        if not url.startswith(("http://", "https://")):
            raise _bad("bad webhook: Invalid URL specified")
        raw_max = params.get("max_connections", 40)
        max_connections = int(raw_max) if str(raw_max).isdigit() else 40
        if params.get("drop_pending_updates"):
            self._pending.clear()
        await self._stop_webhook()
        self._webhook = _Webhook(
            url, params.get("secret_token") or None, min(max(max_connections, 1), 100)
        )
        self._poll_generation += 1  # a waiting long poll ends
        self._update_signal.notify()
        self._webhook_task = asyncio.create_task(self._deliver_webhook(self._webhook))
        return True

    async def _delete_webhook(self, params: JSONDict, files: dict[str, _Upload]) -> bool:
        await self._stop_webhook()
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _get_webhook_info(self, params: JSONDict, files: dict[str, _Upload]) -> JSONDict:
        info: JSONDict = {
            "url": self._webhook.url if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self._webhook is not None:
            info["max_connections"] = self._webhook.max_connections
        return info

    # -- webhook delivery ---------------------------------------------------------------------

    @contextlib.contextmanager
    def holding_chat(self, chat_id: int) -> Iterator[None]:
        """Keep the chat's messages from being delivered by webhook until the block ends.

        Under webhooks a user's taps travel in a queue of their own (telegram-bot-api
        ``Client::add_new_update``: callback queries are queued by user, messages by chat), so
        a tap made after a text can reach the bot first whenever the text is slow on its way;
        this makes that happen on purpose.
        """
        key = ("chat", chat_id)
        self._held_queues.add(key)
        try:
            yield
        finally:
            self._held_queues.discard(key)
            self._webhook_wake.notify()

    async def _stop_webhook(self) -> None:
        task, self._webhook_task, self._webhook = self._webhook_task, None, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _deliver_webhook(self, hook: _Webhook) -> None:
        """Post each queue's front update, one in flight per queue, up to ``max_connections``
        at once; a 2xx confirms it, anything else is tried again (at once, then after 2 s,
        doubling to a minute: telegram-bot-api ``WebhookActor``), honouring ``Retry-After``."""
        import aiohttp  # the client side; the emulator's server is aiohttp's too

        loop = asyncio.get_running_loop()
        in_flight: dict[tuple[str, int], asyncio.Task[None]] = {}
        retry_at: dict[int, float] = {}
        failures: Counter[int] = Counter()

        async def post(session: aiohttp.ClientSession, update: JSONDict) -> None:
            update_id = int(update["update_id"])
            headers = {"Content-Type": "application/json"}
            if hook.secret_token:
                headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
            status, wait = 0, None
            try:
                async with session.post(hook.url, data=json.dumps(update), headers=headers) as r:
                    status = r.status
                    wait = r.headers.get("Retry-After")
                    await r.read()
            except (aiohttp.ClientError, TimeoutError):
                status = 0
            self.webhook_deliveries.append((update_id, status))
            if 200 <= status < 300:
                with contextlib.suppress(ValueError):
                    self._pending.remove(update)
                retry_at.pop(update_id, None)
                self._changed.notify()
            else:
                failures[update_id] += 1
                tries = failures[update_id]
                delay = 0.0 if tries == 1 else min(60.0, 2.0 ** (tries - 1))
                if wait is not None and wait.isdigit():
                    delay = max(delay, float(wait))
                retry_at[update_id] = loop.time() + delay * self.webhook_retry_scale
            self._webhook_wake.notify()

        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            try:
                while True:
                    for key in [k for k, t in in_flight.items() if t.done()]:
                        del in_flight[key]
                    now = loop.time()
                    seen: set[tuple[str, int]] = set()
                    next_retry: float | None = None
                    for update in list(self._pending):
                        key = _queue_key(update)
                        if key in seen:  # only the front of each queue
                            continue
                        seen.add(key)
                        if key in in_flight or key in self._held_queues:
                            continue
                        due = retry_at.get(int(update["update_id"]), 0.0)
                        if due > now:
                            next_retry = due if next_retry is None else min(next_retry, due)
                            continue
                        if len(in_flight) >= hook.max_connections:
                            break
                        in_flight[key] = asyncio.create_task(post(session, update))
                    wait = 1.0 if next_retry is None else max(0.0, next_retry - now)
                    await self._webhook_wake.wait(min(wait, 1.0))
            finally:
                for task in in_flight.values():
                    task.cancel()

    # -- command menus ------------------------------------------------------------------------
    # Bot API, setMyCommands / deleteMyCommands / getMyCommands: one list of commands per
    # ``scope`` (a BotCommandScope, ``default`` when left out) and ``language_code`` ("A
    # two-letter ISO 639-1 language code. If empty, commands will be applied to all users
    # from the given scope, for whose language there are no dedicated commands"); at most 100
    # commands a list; BotCommand: a command of 1-32 lowercase English letters, digits and
    # underscores, a description of 1-256 characters. The scope is read as TDLib's
    # BotCommandScope::get_bot_command_scope reads it: seven types, the three chat ones with
    # a ``chat_id`` of a chat the bot can read (else "chat not found"), and in a private chat
    # (the only kind here) only the ``chat`` type. TDLib asks for read access to the chat,
    # not for the right to write to it, so a user who blocked the bot does not make these
    # calls fail: blocked users do not change the answers here (faults aimed at the chat do).

    _SCOPE_TYPES = frozenset(
        {
            "default",
            "all_private_chats",
            "all_group_chats",
            "all_chat_administrators",
            "chat",
            "chat_administrators",
            "chat_member",
        }
    )
    _CHAT_SCOPES = frozenset({"chat", "chat_administrators", "chat_member"})
    _MAX_COMMANDS = 100

    @staticmethod
    def _scope_chat(params: JSONDict) -> int | None:
        """The chat a scope names, for faults aimed at a chat (``chat_id`` inside ``scope``)."""
        scope = params.get("scope")
        if isinstance(scope, dict):
            chat_id = scope.get("chat_id")
            if isinstance(chat_id, int) and not isinstance(chat_id, bool):
                return chat_id
        return None

    def _scope_key(self, params: JSONDict) -> tuple[str, str]:
        """The list a call addresses: its scope (validated) and language code."""
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict):
            raise _bad("can't parse BotCommandScope JSON object")
        kind = scope.get("type")
        if kind not in self._SCOPE_TYPES:
            raise _bad("unsupported type specified")
        key: JSONDict = {"type": kind}
        if kind in self._CHAT_SCOPES:
            chat_id = scope.get("chat_id")
            if chat_id is None or chat_id == "":
                raise _bad("empty chat_id specified")
            self._chat({"chat_id": chat_id})  # "chat not found" for a chat the bot never had
            if kind != "chat":
                raise _bad("can't use specified scope in private chats")
            key["chat_id"] = chat_id
        language = params.get("language_code") or ""
        if not isinstance(language, str) or not re.fullmatch(r"(?:[a-z]{2})?", language):
            raise _bad("invalid language code specified")
        return json.dumps(key, sort_keys=True), language

    @staticmethod
    def _scope_json(kind: str, chat_id: int | None = None) -> str:
        key: JSONDict = {"type": kind} if chat_id is None else {"type": kind, "chat_id": chat_id}
        return json.dumps(key, sort_keys=True)

    def chat_commands(self, chat_id: int, language_code: str = "") -> list[JSONDict] | None:
        """The chat's own list (``BotCommandScopeChat``) for that language code, or ``None``
        when the bot set none."""
        return self.commands_by_scope.get((self._scope_json("chat", chat_id), language_code))

    def menu_for(self, chat_id: int, language_code: str | None = None) -> list[JSONDict]:
        """The command menu a user sees in their private chat with the bot, by the Bot API's
        "Determining list of commands" (BotCommandScope): the first list that is set of
        chat + language_code, chat, all_private_chats + language_code, all_private_chats,
        default + language_code, default. ``language_code`` defaults to the user's own, cut
        to its two letters ("pt-br" → "pt")."""
        if language_code is None:
            user = self._users.get(chat_id)
            language_code = (user.language_code or "") if user is not None else ""
        language = language_code[:2].lower()
        for scope in (
            self._scope_json("chat", chat_id),
            self._scope_json("all_private_chats"),
            self._scope_json("default"),
        ):
            for code in dict.fromkeys((language, "")):
                found = self.commands_by_scope.get((scope, code))
                if found is not None:
                    return found
        return []

    async def _set_my_commands(self, params: JSONDict, files: dict[str, _Upload]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad('parameter "commands" is required')
        key = self._scope_key(params)
        if len(commands) > self._MAX_COMMANDS:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        for item in commands:
            if not isinstance(item, dict) or not _COMMAND_RE.match(str(item.get("command", ""))):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(item.get("description", ""))) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        if key == (self._scope_json("default"), ""):
            self.commands = commands
        if commands:
            self.commands_by_scope[key] = commands
        else:  # TDLib's set_commands removes the list when given none, like deleteMyCommands
            self.commands_by_scope.pop(key, None)
        return True

    async def _get_my_commands(self, params: JSONDict, files: dict[str, _Upload]) -> Any:
        return self.commands_by_scope.get(self._scope_key(params), [])

    async def _delete_my_commands(self, params: JSONDict, files: dict[str, _Upload]) -> bool:
        key = self._scope_key(params)
        self.commands_by_scope.pop(key, None)
        if key == (self._scope_json("default"), ""):
            self.commands = []
        return True

    async def _set_chat_menu_button(self, params: JSONDict, files: dict[str, _Upload]) -> bool:
        chat_id = params.get("chat_id")
        if chat_id is not None:
            self._chat(params)
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or "type" not in button:
            raise _bad("can't parse menu button JSON object")
        self.menu_buttons[chat_id] = button
        return True

    async def _get_chat_menu_button(self, params: JSONDict, files: dict[str, _Upload]) -> Any:
        chat_id = params.get("chat_id")
        default = self.menu_buttons.get(None, {"type": "commands"})
        return self.menu_buttons.get(chat_id, default)

    async def _get_updates(self, params: JSONDict, files: dict[str, _Upload]) -> Any:
        offset = self._int(params, "offset", 0) or 0
        limit = self._int(params, "limit", 100) or 100
        limit = min(max(limit, 1), 100)
        raw_timeout = params.get("timeout", 0)
        if isinstance(raw_timeout, bool) or not isinstance(raw_timeout, int | float):
            raise _bad("invalid timeout specified")
        timeout = max(0.0, float(raw_timeout))
        # A newer poll supersedes an older one still waiting, which then answers 409.
        self._poll_generation += 1
        generation = self._poll_generation
        self._update_signal.notify()
        if self._webhook is not None:
            raise ApiError(409, _WEBHOOK_ACTIVE)
        # The Bot API server takes an offset more than 10 beyond the next id as "in the
        # future" and answers from the head of the queue instead, confirming nothing
        # (telegram-bot-api Client::do_get_updates, td TQueue::get): that is how a bot still
        # polling with an old offset receives updates whose ids restarted lower.
        if offset > self._last_update_id + 1 + 10:
            offset = 0
        if offset > 0:
            while self._pending and self._pending[0]["update_id"] < offset:
                self._pending.popleft()
        elif offset < 0:
            while len(self._pending) > -offset:
                self._pending.popleft()
        if not self._pending and timeout > 0 and not self._closing:
            await self._update_signal.wait_for(
                lambda: (
                    bool(self._pending) or self._poll_generation != generation or self._closing
                ),
                timeout,
            )
            if self._poll_generation != generation:
                raise ApiError(409, _CONFLICT)
        return [self._pending[i] for i in range(min(limit, len(self._pending)))]

    async def _send_message(self, params: JSONDict, files: dict[str, _Upload]) -> JSONDict:
        user = self._chat(params)
        text = self._text(params)
        content: JSONDict = {"text": text}
        entities = params.get("entities")
        if entities:
            content["entities"] = entities
        message = self._new_message(
            user, "sendMessage", params, content, text=text, entities=entities or None
        )
        return message.raw

    async def _edit_message_text(self, params: JSONDict, files: dict[str, _Upload]) -> JSONDict:
        user, message = self._editable(params)
        text = self._text(params)
        if message.text is None:
            raise _bad("there is no text in the message to edit")
        markup = _validate_markup(params.get("reply_markup"))
        entities = params.get("entities") or None
        parse_mode = params.get("parse_mode")
        if (
            text == message.text
            and entities == message.entities
            and parse_mode == message.parse_mode
            and _inline(markup) == _inline(message.reply_markup)
        ):
            raise _bad(_NOT_MODIFIED[len("Bad Request: ") :])
        message.text = text
        message.entities = entities
        message.parse_mode = parse_mode
        message.raw["text"] = text
        if entities:
            message.raw["entities"] = entities
        else:
            message.raw.pop("entities", None)
        return self._apply_edit(user, message, "editMessageText", _inline(markup))

    async def _edit_message_caption(self, params: JSONDict, files: dict[str, _Upload]) -> JSONDict:
        user, message = self._editable(params)
        if message.text is not None:
            raise _bad("there is no caption in the message to edit")
        caption = self._caption(params)
        markup = _validate_markup(params.get("reply_markup"))
        parse_mode = params.get("parse_mode")
        if (
            caption == message.caption
            and parse_mode == message.parse_mode
            and _inline(markup) == _inline(message.reply_markup)
        ):
            raise _bad(_NOT_MODIFIED[len("Bad Request: ") :])
        message.caption = caption
        message.parse_mode = parse_mode
        if caption:
            message.raw["caption"] = caption
        else:
            message.raw.pop("caption", None)
        return self._apply_edit(user, message, "editMessageCaption", _inline(markup))

    async def _edit_message_reply_markup(
        self, params: JSONDict, files: dict[str, _Upload]
    ) -> JSONDict:
        user, message = self._editable(params)
        markup = _inline(_validate_markup(params.get("reply_markup")))
        if markup == _inline(message.reply_markup):
            raise _bad(_NOT_MODIFIED[len("Bad Request: ") :])
        return self._apply_edit(user, message, "editMessageReplyMarkup", markup)

    async def _delete_message(self, params: JSONDict, files: dict[str, _Upload]) -> bool:
        user = self._chat(params)
        message_id = self._message_id(params)
        message = user._by_id.get(message_id)
        if message is not None and not message.deleted:
            message.deleted = True
            user._notify()
            return True
        if user.own_messages.pop(message_id, None) is not None:
            return True
        raise _bad("message to delete not found")

    async def _answer_callback_query(self, params: JSONDict, files: dict[str, _Upload]) -> bool:
        query_id = params.get("callback_query_id")
        opened = self._open_queries.pop(str(query_id), None) if query_id is not None else None
        if opened is None:
            raise _bad(_QUERY_INVALID[len("Bad Request: ") :])
        user, data = opened
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        user.callback_answers.append(
            {
                "callback_query_id": str(query_id),
                "data": data,
                "text": text,
                "show_alert": bool(params.get("show_alert", False)),
                "url": params.get("url"),
                "cache_time": params.get("cache_time"),
            }
        )
        user._notify()
        return True

    async def _send_photo(self, params: JSONDict, files: dict[str, _Upload]) -> JSONDict:
        user = self._chat(params)
        stored, upload = self._input_file(params, files, "photo")
        caption = self._caption(params)
        if stored is None:
            assert upload is not None
            stored = self._store_file(
                upload.content, upload.filename, upload.content_type or "image/jpeg", "photos"
            )
        content: JSONDict = {"photo": self._photo_sizes(stored)}
        if caption:
            content["caption"] = caption
            if params.get("caption_entities"):
                content["caption_entities"] = params["caption_entities"]
        message = self._new_message(
            user,
            "sendPhoto",
            params,
            content,
            caption=caption,
            photo=stored.content,
            filename=stored.file_name,
            mime_type=stored.mime_type,
        )
        return message.raw

    async def _send_document(self, params: JSONDict, files: dict[str, _Upload]) -> JSONDict:
        user = self._chat(params)
        stored, upload = self._input_file(params, files, "document")
        caption = self._caption(params)
        if stored is None:
            assert upload is not None
            mime = (
                upload.content_type
                or mimetypes.guess_type(upload.filename)[0]
                or "application/octet-stream"
            )
            stored = self._store_file(upload.content, upload.filename, mime, "documents")
        content: JSONDict = {"document": self._document_dict(stored)}
        if caption:
            content["caption"] = caption
            if params.get("caption_entities"):
                content["caption_entities"] = params["caption_entities"]
        message = self._new_message(
            user,
            "sendDocument",
            params,
            content,
            caption=caption,
            document=stored.content,
            filename=stored.file_name,
            mime_type=stored.mime_type,
        )
        return message.raw

    async def _send_chat_action(self, params: JSONDict, files: dict[str, _Upload]) -> bool:
        user = self._chat(params)
        action = params.get("action")
        if action not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        user.chat_actions.append(str(action))
        return True

    async def _get_file(self, params: JSONDict, files: dict[str, _Upload]) -> JSONDict:
        stored = self._files.get(str(params.get("file_id", "")))
        if stored is None:
            raise _bad("invalid file_id")
        return {
            "file_id": str(params["file_id"]),
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }


def _too_many(retry_after: int) -> ApiError:
    retry_after = max(1, int(retry_after))
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def _json_response(body: JSONDict, status: int) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        content_type="application/json",
    )


def _drop(request: web.Request) -> web.StreamResponse:
    """Abort the TCP connection so the client sees a network error rather than any answer."""
    transport = request.transport
    if transport is not None:
        transport.abort()
    return web.Response(status=204)


async def _read_params(request: web.Request) -> tuple[JSONDict, dict[str, _Upload]]:
    """Merge query string and body (JSON, urlencoded or multipart) like the real API does."""
    raw: JSONDict = dict(request.query)
    files: dict[str, _Upload] = {}
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise _bad("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise _bad("can't parse JSON object")
            raw.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    try:
                        content = value.file.read()
                    finally:
                        value.file.close()
                    files[key] = _Upload(value.filename or key, content, value.content_type)
                else:
                    raw[key] = value
    return _normalize(raw), files


def _loggable(params: JSONDict, files: Mapping[str, _Upload]) -> JSONDict:
    logged = dict(params)
    for name, upload in files.items():
        logged[name] = f"<upload {upload.filename}, {len(upload.content)} bytes>"
    return logged
