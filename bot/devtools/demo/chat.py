"""The demo's personas (resident, officer, admin) and what each typed line does.

The chat sits between the terminal and the emulated Telegram users: it prints what the bot
sends each persona, turns numbers into taps, and runs the demo-only step that lets the officer
see the resident's answers. It needs the store and settings, never :mod:`bot.app` itself.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.areas import AreaDirectory
from bot.devtools.demo.lines import _LineReader
from bot.devtools.demo.terminal import Terminal, _rows
from bot.devtools.emulator import BotApiEmulator, EmulatedUser, SentMessage
from bot.devtools.seed import DEMO_OFFICER_ID, latest_closed_period
from bot.digests.disclosure import BlockLength, Period
from bot.settings import Settings
from storage.models import Officer
from storage.repositories import Store

__all__ = ["ADMIN_ID", "OFFICER_ID", "RESIDENT_ID", "DemoChat", "Persona", "banner_help"]

RESIDENT_ID = 7001
OFFICER_ID = DEMO_OFFICER_ID
ADMIN_ID = 7003

HINTS = {
    "resident": "you are a resident: answer with the numbers; /survey, /events, /mydata, /help",
    "officer": "you are the neighbourhood officer: /digest shows a ward's digest and its chart",
    "admin": (
        "you are an admin: /broadcast, /newevent, /broadcasts, /export, /digest "
        "(quiet hours are off in the demo)"
    ),
}


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
