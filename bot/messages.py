"""The bot's message vocabulary: what services say and what handlers send.

Services take an :class:`Incoming` (who wrote) and return a :class:`Reply` of
:class:`Outgoing` messages; screens carry :class:`Button` rows whose :class:`CallbackData` is a
language-neutral id, never translated text. Plain data, no Telegram imports: handlers translate
between these and the Bot API, and every service, resident or staff, speaks the same words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bot.errors import NeighbourhoodVoiceError

__all__ = [
    "CALLBACK_DATA_LIMIT",
    "MERGED_TEXT_LIMIT",
    "AlreadyHandled",
    "Button",
    "ButtonFamily",
    "CallbackData",
    "Document",
    "Incoming",
    "MenuChange",
    "MenuCommand",
    "Outgoing",
    "Reply",
    "Screen",
    "StaffReply",
    "fewest_messages",
    "tap_pattern",
]

CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit


@dataclass(frozen=True, slots=True)
class CallbackData:
    """The parsed form of a button's callback data."""

    flow: str
    step: str
    action: str
    arg: str = ""

    def encode(self) -> str:
        data = f"{self.flow}:{self.step}:{self.action}:{self.arg}"
        if len(data.encode()) > CALLBACK_DATA_LIMIT:
            raise ValueError(f"callback data over {CALLBACK_DATA_LIMIT} bytes: {data!r}")
        return data

    @classmethod
    def decode(cls, data: str | None) -> CallbackData | None:
        """``None`` for anything we did not write ourselves (forged or foreign data)."""
        if not data or len(data) > CALLBACK_DATA_LIMIT:
            return None
        parts = data.split(":")
        if len(parts) != 4 or not all(p.isascii() and p.isprintable() for p in parts):
            return None
        flow, step, action, arg = parts
        if not flow or not action:
            return None
        return cls(flow, step, action, arg)


@dataclass(frozen=True, slots=True)
class ButtonFamily:
    """The buttons of one feature, which owns their prefix (the first field of the data).

    The feature builds its buttons' data with it and its handler matches them with
    :func:`tap_pattern`, so no prefix or pattern is written twice.
    """

    prefix: str

    def __call__(self, step: str, action: str, arg: str = "") -> CallbackData:
        return CallbackData(self.prefix, step, action, arg)


def tap_pattern(*families: ButtonFamily) -> Callable[[object], bool]:
    """A ``CallbackQueryHandler`` pattern: data of our shape from one of ``families``."""
    prefixes = frozenset(family.prefix for family in families)

    def matches(data: object) -> bool:
        decoded = CallbackData.decode(data) if isinstance(data, str) else None
        return decoded is not None and decoded.flow in prefixes

    return matches


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: CallbackData


@dataclass(frozen=True, slots=True)
class Screen:
    """A message with optional inline buttons, already translated."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Incoming:
    """Who sent an update: the chat, Telegram's language for the user, and the update id."""

    chat_id: int
    telegram_locale: str | None = None
    update_id: int | None = None


class AlreadyHandled(NeighbourhoodVoiceError):
    """A redelivered update (the process died before confirming it); it is answered once only."""


@dataclass(frozen=True, slots=True)
class Document:
    filename: str
    content: bytes


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to send; ``edit`` replaces the message whose button was tapped."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    edit: bool = False
    document: Document | None = None
    locale: str | None = None  # when it differs from the reply's (a language-switch offer)
    photo: bool = False  # the document is a picture (a chart), shown inline
    apart: bool = False  # edited later on its own (a progress report): never merged

    @classmethod
    def of(cls, screen: Screen, *, edit: bool = False) -> Outgoing:
        return cls(screen.text, screen.buttons, edit=edit)


# Telegram allows 4096 characters; right-to-left layout adds a mark per line and isolates
# around numbers, so merged text stays well below.
MERGED_TEXT_LIMIT = 3500


def fewest_messages(messages: tuple[Outgoing, ...]) -> tuple[Outgoing, ...]:
    """Fold each plain text message into the one after it, as paragraphs of one message.

    A reply often says something ("Thank you.", "Welcome back.", the 999 line) before the next
    screen. As one message it is one notification on the resident's phone and one Bot API call
    instead of two, which matters at Telegram's 30 messages a second. The text moves into the
    next message, which keeps its buttons; a message that edits the tapped one keeps that edit.
    Documents, messages in another language and progress reports stay apart, and the next
    message must be a new one (folding into an edit would reorder the chat).
    """
    folded: list[Outgoing] = []
    for message in messages:
        previous = folded[-1] if folded else None
        if (
            previous is not None
            and not previous.buttons
            and previous.document is None
            and message.document is None
            and not (previous.apart or message.apart)
            and not message.edit
            and previous.locale == message.locale
            and len(previous.text) + 2 + len(message.text) <= MERGED_TEXT_LIMIT
        ):
            folded[-1] = replace(
                message, text=f"{previous.text}\n\n{message.text}", edit=previous.edit
            )
        else:
            folded.append(message)
    return tuple(folded)


@dataclass(frozen=True, slots=True)
class Reply:
    """What the bot says back: messages in order and, for a tap, a short toast."""

    locale: str
    messages: tuple[Outgoing, ...] = ()
    toast: str | None = None
    toast_alert: bool = False
    erased: bool = field(default=False)


@dataclass(frozen=True, slots=True)
class MenuCommand:
    """One line of Telegram's command menu: the command without its slash, and what it does."""

    command: str
    description: str


@dataclass(frozen=True, slots=True)
class MenuChange:
    """One chat's own command menu, as the Bot API calls to make: every list in ``lists`` is
    set for its ``language_code`` (``None``: the chat's list for every language without one of
    its own), then every language code in ``delete`` is deleted. No lists and no deletions
    leave the chat with the menu every resident sees."""

    chat_id: int
    lists: tuple[tuple[str | None, tuple[MenuCommand, ...]], ...] = ()
    delete: tuple[str | None, ...] = ()


@dataclass(frozen=True, slots=True)
class StaffReply(Reply):
    """A reply that may start a broadcast whose progress message the handler must register,
    and may change staff members' command menus (after the reply, once the change that made
    them is committed)."""

    broadcast_id: int | None = None
    menus: tuple[MenuChange, ...] = ()
