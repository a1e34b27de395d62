"""``python bot.py demo``: the real bot in a terminal chat, with no Telegram account or token.

A newcomer should see what residents, officers and admins get within two minutes, without
BotFather, a token or a phone. So the demo starts the project's own Bot API emulator
(:mod:`bot.devtools.emulator`), runs the production application against it exactly as the tests do
(``build_application(prepare(settings))`` inside :func:`bot.app.running`: the same handlers,
storage, catalogs, digests and broadcast engine), and turns the terminal into the chat: the
bot's messages are printed as they arrive, buttons become numbered choices, and what the user
types is sent as that persona's message or tap. Nothing here imitates the bot.

The database is a throw-away SQLite file in a temporary folder, seeded by
:func:`bot.devtools.seed.seed_demo` with 300 made-up residents, so officer digests have figures
from the first minute. It is deleted on exit unless ``--keep PATH`` asks for a copy. Settings are
the defaults (``.env`` and ``NV_*`` variables are not read, so the demo can never touch a real
database or need a token) except for three demo choices: the emulator's token and URL, the admin
persona in ``admin_ids``, and quiet hours switched off so that a broadcast goes out at any hour of
the day instead of waiting for the morning.

One step is demo-only, and says so when it happens: digests only cover closed calendar weeks,
and the user's own answers were given this week. When the user becomes the officer (or the
admin), their answers are moved into the latest closed week and their ward is added to the
officer's wards, so the digest they ask for next includes them. Once a ward's digest for a
week has been published it is shown as stored (the differencing rule in
:mod:`bot.digests.disclosure`), so answers given after that do not change it.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import io
import logging
import os
import re
import shutil
import signal
import sqlite3
import sys
import tempfile
import textwrap
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import TextIO

from bot.app import services
from bot.areas import AreaDirectory
from bot.devtools.emulator import BotApiEmulator, EmulatedUser, SentMessage
from bot.devtools.seed import DEMO_OFFICER_ID, SeedSummary, latest_closed_period, seed_demo
from bot.digests.disclosure import BlockLength, Period
from bot.errors import ConfigError
from bot.i18n import load_catalogs, supported_locales
from bot.settings import PROJECT_ROOT, Settings
from storage.models import Officer
from storage.repositories import Store

__all__ = ["ADMIN_ID", "RESIDENT_ID", "DemoOptions", "Terminal", "main", "run_demo"]

RESIDENT_ID = 7001
OFFICER_ID = DEMO_OFFICER_ID
ADMIN_ID = 7003
DEMO_TOKEN = "700000:NEIGHBOURHOOD-VOICE-DEMO"
BOT_NAME = "Neighbourhood Voice"
DATABASE_NAME = "demo.sqlite3"
KEEP_DEFAULT_NAME = "neighbourhood-voice-demo.sqlite3"

HINTS = {
    "resident": "you are a resident: answer with the numbers; /survey, /events, /mydata, /help",
    "officer": "you are the neighbourhood officer: /digest shows a ward's digest and its chart",
    "admin": (
        "you are an admin: /broadcast, /newevent, /broadcasts, /export, /digest "
        "(quiet hours are off in the demo)"
    ),
}

_COLUMN = re.compile(r"^\s+\S.*?\s{2,}(?=\S)")
_RESET, _BOLD, _DIM = "\x1b[0m", "\x1b[1m", "\x1b[2m"
_BLUE, _GREEN, _YELLOW, _MAGENTA = "\x1b[34m", "\x1b[32m", "\x1b[33m", "\x1b[35m"


@dataclass(frozen=True, slots=True)
class DemoOptions:
    """What ``python bot.py demo`` was asked for."""

    lang: str = "en"
    keep: Path | None = None
    residents: int = 300


# ---------------------------------------------------------------------------------------------
# The terminal


class Terminal:
    """Chat-like output: wrapped, coloured, buttons numbered, and a prompt kept at the bottom.

    Colour follows the usual conventions (only on a terminal, never with ``NO_COLOR`` or
    ``TERM=dumb``). On a real terminal the prompt line is cleared before a message is printed
    and drawn again after it, so the bot's messages never end up glued to the prompt.
    """

    def __init__(self, stream: TextIO, *, colour: bool, cursor: bool, prompt: bool) -> None:
        self.stream = stream
        self.colour = colour
        self.cursor = cursor
        self.prompt = prompt
        self.prompt_label: str | None = None
        self.echoed = True  # whether the terminal echoes what the user types (stdin is a tty)
        self._prompt_shown = False

    @classmethod
    def for_stream(cls, stream: TextIO) -> Terminal:
        tty = stream.isatty()
        dumb = os.environ.get("TERM", "") == "dumb"
        colour = tty and not dumb and not os.environ.get("NO_COLOR")
        return cls(stream, colour=colour, cursor=tty and not dumb, prompt=tty)

    @property
    def width(self) -> int:
        """The terminal width now (``COLUMNS`` wins), so a resized window is followed."""
        return max(40, shutil.get_terminal_size((80, 24)).columns)

    def _c(self, code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if self.colour and text else text

    def _write(self, text: str) -> None:
        try:
            if self._prompt_shown:
                self.stream.write("\r\x1b[2K" if self.cursor else "\n")
                self._prompt_shown = False
            self.stream.write(text)
            self._draw_prompt()
            self.stream.flush()
        except OSError:  # the terminal went away (SIGHUP); shutting down must still work
            pass

    def _draw_prompt(self) -> None:
        if self.prompt and self.prompt_label is not None:
            self.stream.write(self._c(_BOLD + _GREEN, f"{self.prompt_label} › "))
            self._prompt_shown = True

    def show_prompt(self, label: str) -> None:
        if self._prompt_shown and self.prompt_label == label:
            return
        self.prompt_label = label
        self._write("")

    def input_done(self, rows: int) -> None:
        """The user pressed Enter: their echoed line is replaced by the chat line we print."""
        shown, self._prompt_shown = self._prompt_shown, False
        if not self.echoed:
            if shown:
                self.stream.write("\n")
        elif self.cursor and rows > 0:
            self.stream.write(f"\x1b[{rows}A\x1b[J")

    def _wrap(self, text: str, indent: str) -> list[str]:
        """Wrap each line on its own; a "key   meaning" line keeps its meaning column."""
        width = max(20, self.width - len(indent) - 1)
        lines: list[str] = []
        for paragraph in text.split("\n"):
            column = _COLUMN.match(paragraph)
            hang = " " * (column.end() if column else len(paragraph) - len(paragraph.lstrip()))
            wrapped = textwrap.wrap(
                paragraph,
                width,
                subsequent_indent=hang if len(hang) < width // 2 else "",
                replace_whitespace=False,
            )
            lines.extend(wrapped or [""])
        return lines

    def message(
        self,
        message: SentMessage,
        *,
        to: str | None,
        saved: Path | None = None,
        note: str | None = None,
    ) -> None:
        """One message from the bot; ``to`` names the persona when it is not the active one."""
        bar = self._c(_BLUE, "│ ")
        title = BOT_NAME + (f" → {to}" if to else "")
        marks = [m for m in ("(edited)" if message.event == "edited" else "", note or "") if m]
        header = self._c(_BOLD + _BLUE, "╭ " + title)
        if marks:
            header += " " + self._c(_DIM, " ".join(marks))
        out = [header]
        body = message.text if message.text is not None else message.caption
        if body:
            out += [bar + line for line in self._wrap(body, "│ ")]
        if saved is not None:
            kind = "photo" if message.photo is not None else "file"
            out.append(bar + self._c(_MAGENTA, f"📎 {kind} saved: {saved}"))
        number = 0
        for row in message.buttons:
            line = ""
            for label, _data in row:
                number += 1
                cell = f"{self._c(_BOLD + _YELLOW, f'[{number}]')} {label}"
                plain = f"[{number}] {label}"
                if line and len(_plain(line)) + 3 + len(plain) > self.width - 4:
                    out.append(bar + "  " + line)
                    line = ""
                line = f"{line}   {cell}" if line else cell
            if line:
                out.append(bar + "  " + line)
        self._write("\n".join(out) + "\n\n")

    def you(self, persona: str, text: str) -> None:
        who = "you" if persona == "resident" else f"you ({persona})"
        lines = self._wrap(text, " " * (len(who) + 3))
        first = self._c(_BOLD + _GREEN, f"{who} › ") + lines[0]
        rest = [" " * (len(who) + 3) + line for line in lines[1:]]
        self._write("\n".join([first, *rest]) + "\n\n")

    def toast(self, text: str, *, alert: bool) -> None:
        mark = "⚠" if alert else "ⓘ"
        self._write(self._c(_YELLOW, f"  {mark} {text}") + "\n\n")

    def note(self, text: str) -> None:
        lines = self._wrap(text, "  ")
        self._write("\n".join(self._c(_MAGENTA, "  " + line) for line in lines) + "\n\n")

    def raw(self, text: str) -> None:
        self._write(text)


def _plain(text: str) -> str:
    """Text without ANSI colour codes, for measuring."""
    out, skip = [], False
    for ch in text:
        if ch == "\x1b":
            skip = True
        elif skip and ch == "m":
            skip = False
        elif not skip:
            out.append(ch)
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Personas and the chat loop


@dataclass(slots=True)
class Persona:
    name: str
    user: EmulatedUser
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


def latest_keyboard(user: EmulatedUser) -> SentMessage | None:
    """The newest message in the chat that still shows inline buttons: numbers tap these."""
    for message in reversed(user.messages):
        if not message.deleted and message.has_inline_keyboard:
            return message
    return None


def _flat(message: SentMessage) -> list[tuple[str, str | None]]:
    return [button for row in message.buttons for button in row]


class DemoChat:
    """The personas, their watchers, and what a typed line does."""

    def __init__(
        self,
        emulator: BotApiEmulator,
        store: Store,
        settings: Settings,
        terminal: Terminal,
        files_dir: Path,
        lang: str,
        stop: asyncio.Event,
        areas: AreaDirectory,
    ) -> None:
        self.emulator = emulator
        self.areas = areas
        self.store = store
        self.settings = settings
        self.terminal = terminal
        self.files_dir = files_dir
        self.stop = stop
        self.personas = {
            "resident": Persona(
                "resident", emulator.user(RESIDENT_ID, "Demo resident", language_code=lang)
            ),
            "officer": Persona(
                "officer", emulator.user(OFFICER_ID, "Demo officer", language_code=lang)
            ),
            "admin": Persona("admin", emulator.user(ADMIN_ID, "Demo admin", language_code=lang)),
        }
        self.active = "resident"
        self._saved = 0

    def ward_name(self, ward_id: str) -> str:
        ward = self.areas.ward(ward_id)
        return ward.name if ward is not None else ward_id

    # -- watchers ------------------------------------------------------------------------
    def start_watching(self) -> None:
        for persona in self.personas.values():
            persona.tasks = [
                asyncio.create_task(self._watch_messages(persona)),
                asyncio.create_task(self._watch_toasts(persona)),
            ]

    async def stop_watching(self) -> None:
        tasks = [t for p in self.personas.values() for t in p.tasks]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _watch_messages(self, persona: Persona) -> None:
        while True:
            try:
                message = await persona.user.next_reply(timeout=3600)
            except TimeoutError:
                continue
            saved = self._save_file(persona, message)
            to = None if persona.name == self.active else persona.name
            self.terminal.message(message, to=to, saved=saved)

    async def _watch_toasts(self, persona: Persona) -> None:
        while True:
            try:
                answer = await persona.user.wait_for_callback_answer(timeout=3600)
            except TimeoutError:
                continue
            if answer.get("text"):
                self.terminal.toast(str(answer["text"]), alert=bool(answer.get("show_alert")))

    def _save_file(self, persona: Persona, message: SentMessage) -> Path | None:
        """Photos and documents (digest charts, CSV exports, .ics files) become real files."""
        content = message.photo if message.photo is not None else message.document
        if content is None or message.event != "sent":
            return None
        self._saved += 1
        name = Path(message.filename or ("photo.jpg" if message.photo else "file")).name
        path = self.files_dir / f"{self._saved:02d}-{persona.name}-{name}"
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return path

    # -- input ---------------------------------------------------------------------------
    @property
    def user(self) -> EmulatedUser:
        return self.personas[self.active].user

    async def handle_line(self, line: str) -> None:
        text = line.strip()
        if not text:
            return
        command, _, argument = text.partition(" ")
        command = command.lower()
        if command in ("/quit", "/exit"):
            self.stop.set()
            return
        if command == "/as":
            await self.switch(argument.strip().lower())
            return
        if command == "/demo":
            self.terminal.note(banner_help())
            return
        if command == "/say":
            if argument:
                self.terminal.you(self.active, argument)
                await self.user.send(argument)
            return
        if text.isdigit():
            keyboard = latest_keyboard(self.user)
            buttons = _flat(keyboard) if keyboard is not None else []
            index = int(text)
            if keyboard is not None and 1 <= index <= len(buttons):
                label, data = buttons[index - 1]
                if data is not None:
                    self.terminal.you(self.active, f"[{index}] {label}")
                    await self.user.tap(data, keyboard.message_id)
                    return
        self.terminal.you(self.active, text)
        if text.startswith("/") and len(command) > 1:
            await self.user.command(text.partition(" ")[0], *([argument] if argument else []))
        else:
            await self.user.send(text)

    async def switch(self, name: str) -> None:
        matches = [p for p in self.personas if name and p.startswith(name)]
        if len(matches) != 1:
            self.terminal.note("Use /as resident, /as officer or /as admin.")
            return
        self.active = matches[0]
        if self.active in ("officer", "admin"):
            await self.count_resident_answers()
        self.terminal.note(f"Now {HINTS[self.active]}.")
        self.terminal.show_prompt(self.active)
        keyboard = latest_keyboard(self.user)
        if keyboard is not None:
            again = keyboard.snapshot()
            again.event = "sent"
            self.terminal.message(again, to=None, note="(still open)")

    async def count_resident_answers(self) -> None:
        """Demo-only: put the resident's answers of this (open) week into the latest closed one.

        Digests cover closed weeks only, so without this an officer would see the resident's
        answers next week. The moved answers get the last minutes of that week, and the
        resident's ward joins the officer's wards.
        """
        now = datetime.now(UTC)
        period = latest_closed_period(
            now, self.settings.timezone, BlockLength(self.settings.digest_period)
        )
        _start, end = period.utc_bounds(self.settings.timezone)
        async with self.store.unit() as uow:
            resident = await uow.residents.by_chat(RESIDENT_ID)
            if resident is None:
                return
            records = await uow.responses.for_respondent(resident.respondent_id)
            ward = resident.ward_id
            published = await uow.digests.published_periods(ward) if ward is not None else []
            officer = await uow.officers.get(OFFICER_ID)
            added = None
            if ward is not None and officer is not None and ward not in officer.wards:
                await uow.officers.save(
                    Officer(officer.user_id, (*officer.wards, ward), officer.locale),
                    invited_by=0,
                )
                added = ward
        after = end.isoformat(timespec="seconds")
        moving = [r for r in records if r.submitted_at >= after]
        if moving:
            async with self.store.unit() as uow:
                await uow.responses.backdate(
                    (r.response_id, end - timedelta(minutes=10, seconds=i))
                    for i, r in enumerate(moving)
                )
            self.terminal.note(
                f"(demo: your {_answers(len(moving))} now count in the digest of the last "
                f"closed week, {_period_text(period)}: digests only cover closed weeks)"
            )
        if added is not None:
            self.terminal.note(
                f"(demo: the officer now also covers your ward, {self.ward_name(added)})"
            )
        if moving and (period.start.isoformat(), period.end.isoformat()) in published:
            self.terminal.note(
                "(that week's digest for your ward was already published; it is shown as "
                "published, so it will not include these answers)"
            )


def _answers(n: int) -> str:
    return "answers" if n == 1 else f"{n} sets of answers"


def _period_text(period: Period) -> str:
    return f"{period.start:%d %b} to {period.last_day:%d %b %Y}"


# ---------------------------------------------------------------------------------------------
# Start, run, stop


def banner_help() -> str:
    return (
        "  1, 2, 3 …       tap that button of the latest message\n"
        "  anything else   goes to the bot as a message or a command (/help, /survey, /mydata)\n"
        "  /as officer     become the neighbourhood officer: /digest\n"
        "  /as admin       become an admin: /broadcast, /newevent, /broadcasts, /export\n"
        "  /as resident    back to the resident\n"
        "  /say TEXT       send TEXT as it is, e.g. a number\n"
        "  /demo           show this again\n"
        "  /quit, Ctrl-C   end the demo"
    )


def _banner(summary: SeedSummary, data_dir: Path, keep: Path | None) -> str:
    fate = f"copied to {keep} on exit" if keep else "deleted on exit"
    return (
        f"{BOT_NAME} demo: the real bot, talking to a local Telegram Bot API emulator, with a "
        f"throw-away database of {summary.residents} made-up residents in "
        f"{len(summary.wards)} wards.\n"
        f"{banner_help()}\n"
        f"Data: {data_dir} ({fate}).\n"
        "You are a resident; the bot's first messages follow."
    )


class _LineReader:
    """Lines from stdin without blocking the event loop or changing the terminal's settings.

    A terminal in its normal (canonical) mode only reports stdin readable once a whole line is
    typed, so one ``os.read`` then never blocks and the terminal's own line editing still
    works. Files, which cannot be watched, are read by a thread instead.
    """

    def __init__(self, fd: int, loop: asyncio.AbstractEventLoop) -> None:
        self.fd = fd
        self.loop = loop
        self.lines: asyncio.Queue[str | None] = asyncio.Queue()
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""
        self._watching = False

    def start(self) -> None:
        try:
            self.loop.add_reader(self.fd, self._readable)
            self._watching = True
        except (OSError, ValueError):
            threading.Thread(target=self._read_all, daemon=True).start()

    def close(self) -> None:
        if self._watching:
            self.loop.remove_reader(self.fd)
            self._watching = False

    def _feed(self, data: bytes) -> None:
        if not data:
            if self._pending:
                self.lines.put_nowait(self._pending)
            self.lines.put_nowait(None)
            self.close()
            return
        self._pending += self._decoder.decode(data)
        *complete, self._pending = self._pending.split("\n")
        for line in complete:
            self.lines.put_nowait(line.rstrip("\r"))

    def _readable(self) -> None:
        try:
            data = os.read(self.fd, 65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        self._feed(data)

    def _read_all(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                data = b""
            self.loop.call_soon_threadsafe(self._feed, data)
            if not data:
                return


def _rows(prompt: str, line: str, width: int) -> int:
    """Terminal rows the prompt and the echoed input took, to erase them."""
    length = len(prompt) + len(line)
    return max(1, -(-length // width))


def _resolve_keep(keep: Path | None) -> Path | None:
    """Where ``--keep`` puts the database; refuses to overwrite anything or a real database."""
    if keep is None:
        return None
    target = keep.expanduser().resolve()
    if target.is_dir():
        target = target / KEEP_DEFAULT_NAME
    if target.exists():
        raise ConfigError(f"--keep: {target} already exists; choose a new file name")
    real = {(PROJECT_ROOT / "data" / "neighbourhood-voice.sqlite3").resolve()}
    if os.environ.get("NV_DATABASE"):
        configured = Path(os.environ["NV_DATABASE"]).expanduser()
        real.add((configured if configured.is_absolute() else PROJECT_ROOT / configured).resolve())
    if target in real:
        raise ConfigError(f"--keep: {target} is where the real bot keeps its database")
    if not target.parent.is_dir():
        raise ConfigError(f"--keep: the folder {target.parent} does not exist")
    return target


def _keep_data(database: Path, files_dir: Path, target: Path) -> list[Path]:
    """Copy the database with SQLite's backup API (consistent even if a WAL is left)."""
    kept = [target]
    source = sqlite3.connect(database)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()
    if files_dir.is_dir() and any(files_dir.iterdir()):
        folder = target.with_name(target.stem + "-files")
        shutil.copytree(files_dir, folder, dirs_exist_ok=True)
        kept.append(folder)
    return kept


def _log_to(path: Path) -> logging.Handler:
    """The bot's log goes to a file in the demo folder, so it never garbles the chat."""
    from bot.logs import configure_logging

    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    configure_logging("INFO")
    return handler


async def run_demo(
    options: DemoOptions,
    *,
    stdin_fd: int = 0,
    stream: TextIO | None = None,
) -> int:
    """Run the demo until /quit, end of input, Ctrl-C, SIGTERM or SIGHUP; 0 when it ended.

    Every way out goes through the same shutdown: the application and the emulator stop, the
    database is copied if ``--keep`` asked for it, and the temporary folder is deleted.
    """
    from bot.app import build_application, prepare, running

    out = stream or sys.stdout
    terminal = Terminal.for_stream(out)
    terminal.echoed = os.isatty(stdin_fd)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def interrupted() -> None:
        # A second Ctrl-C falls back to Python's default and interrupts a stuck shutdown.
        with contextlib.suppress(ValueError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)
        stop.set()

    keep = _resolve_keep(options.keep)
    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    for number in signals:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(number, interrupted if number == signal.SIGINT else stop.set)

    data_dir = Path(tempfile.mkdtemp(prefix="nv-demo-"))
    files_dir = data_dir / "files"
    database = data_dir / DATABASE_NAME
    log = _log_to(data_dir / "demo.log")
    reader = _LineReader(stdin_fd, loop)
    try:
        async with BotApiEmulator(token=DEMO_TOKEN, bot_username="nv_demo_bot") as emulator:
            settings = Settings.defaults(
                bot_token=emulator.token,
                database_path=database,
                api_base_url=emulator.base_url,
                admin_ids=frozenset({ADMIN_ID}),
                quiet_hours=(time(0, 0), time(0, 0)),  # never quiet: see the module docstring
            )
            prepared = prepare(settings)
            store = Store(database)
            await store.open()
            try:
                summary = await seed_demo(
                    store,
                    residents=options.residents,
                    timezone=settings.timezone,
                    block=BlockLength(settings.digest_period),
                    officer_locale=options.lang,
                )
            finally:
                await store.close()
            for chat_id in summary.chat_ids:  # broadcasts reach the made-up residents too
                emulator.user(chat_id, "Resident", language_code=None)
            application = build_application(prepared)
            async with running(application, poll_timeout=1):
                chat = DemoChat(
                    emulator,
                    services(application).store,
                    settings,
                    terminal,
                    files_dir,
                    options.lang,
                    stop,
                    prepared.areas,
                )
                terminal.note(_banner(summary, data_dir, keep))
                chat.start_watching()
                reader.start()
                terminal.you("resident", "/start")
                await chat.user.command("/start")
                terminal.show_prompt(chat.active)
                await _chat_loop(chat, reader, terminal, stop)
                reader.close()
                await chat.stop_watching()
        kept = _keep_data(database, files_dir, keep) if keep is not None else []
        log.close()
        shutil.rmtree(data_dir, ignore_errors=True)
        if kept:
            terminal.note("Demo ended. Kept: " + ", ".join(str(p) for p in kept))
        else:
            terminal.note(f"Demo ended; {data_dir} is deleted.")
        return 0
    finally:
        reader.close()
        log.close()
        logging.getLogger().removeHandler(log)
        shutil.rmtree(data_dir, ignore_errors=True)
        for number in signals:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(number)


async def _chat_loop(
    chat: DemoChat, reader: _LineReader, terminal: Terminal, stop: asyncio.Event
) -> None:
    stopping = asyncio.create_task(stop.wait())
    try:
        while not stop.is_set():
            getting = asyncio.create_task(reader.lines.get())
            done, _pending = await asyncio.wait(
                {getting, stopping}, return_when=asyncio.FIRST_COMPLETED
            )
            if getting not in done:
                getting.cancel()
                break
            line = getting.result()
            if line is None:  # end of input (Ctrl-D)
                break
            prompt = f"{chat.active} › "
            terminal.input_done(_rows(prompt, line, terminal.width) if line.strip() else 1)
            await chat.handle_line(line)
            if not stop.is_set():
                terminal.show_prompt(chat.active)
    finally:
        stopping.cancel()
        terminal.prompt_label = None
        terminal.raw("\n")


def main(options: DemoOptions) -> int:
    """Entry point for ``python bot.py demo``: exit status 0, or 2 for a bad option."""
    try:
        load_catalogs()
        if options.lang not in supported_locales():
            raise ConfigError(
                f"--lang must be one of {', '.join(supported_locales())}, got {options.lang!r}"
            )
        if options.residents < 1:
            raise ConfigError(f"--residents must be at least 1, got {options.residents}")
        _resolve_keep(options.keep)
    except ConfigError as error:
        print(f"demo: {error}", file=sys.stderr)
        return 2
    if isinstance(sys.stdout, io.TextIOWrapper):  # a pipe or a terminal, not a test's capture
        with contextlib.suppress(ValueError):
            sys.stdout.reconfigure(errors="replace")
    try:
        return asyncio.run(run_demo(options))
    except KeyboardInterrupt:  # a second Ctrl-C during shutdown
        return 130
