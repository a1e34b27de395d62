"""The user's typed lines, read from stdin without blocking the demo's event loop."""

from __future__ import annotations

import asyncio
import codecs
import os
import threading


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
