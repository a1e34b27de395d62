"""The demo's terminal: the bot's messages, buttons and saved files drawn as a chat.

Kept apart from the chat itself so that how things look can change without touching what a
typed line does, and so that it needs nothing of the product.
"""

from __future__ import annotations

import os
import re
import shutil
import textwrap
from pathlib import Path
from typing import TextIO

from bot.devtools.emulator import SentMessage

__all__ = ["BOT_NAME", "Terminal"]

BOT_NAME = "Neighbourhood Voice"

_COLUMN = re.compile(r"^\s+\S.*?\s{2,}(?=\S)")
_RESET, _BOLD, _DIM = "\x1b[0m", "\x1b[1m", "\x1b[2m"
_BLUE, _GREEN, _YELLOW, _MAGENTA = "\x1b[34m", "\x1b[32m", "\x1b[33m", "\x1b[35m"


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


def _rows(prompt: str, line: str, width: int) -> int:
    """Terminal rows the prompt and the echoed input took, to erase them."""
    length = len(prompt) + len(line)
    return max(1, -(-length // width))
