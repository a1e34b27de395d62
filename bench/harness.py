"""Running a bot process against an emulator, and a resident's timed steps."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import ROOT, cpu_seconds, main_thread_cpu_seconds, rss_mib
from bot.devtools.emulator import BotApiEmulator, EmulatedUser

__all__ = ["BotProcess", "Steps", "bot_process", "find_data"]

START_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0


@dataclass
class BotProcess:
    """A running bot; its memory and CPU are read from /proc."""

    process: asyncio.subprocess.Process
    stderr_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_mib(self) -> float:
        return rss_mib(self.pid)

    def peak_rss_mib(self) -> float:
        return rss_mib(self.pid, "VmHWM")

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def loop_cpu_seconds(self) -> float:
        """The event loop's share of :meth:`cpu_seconds` (the process's first thread)."""
        return main_thread_cpu_seconds(self.pid)

    def stderr_tail(self, lines: int = 20) -> str:
        try:
            text = self.stderr_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


@asynccontextmanager
async def bot_process(
    kind: str,
    emulator: BotApiEmulator,
    *,
    db: Path | None = None,
    profile: Path | None = None,
    lock_stats: Path | None = None,
    heap_snapshots: Path | None = None,
) -> AsyncIterator[BotProcess]:
    """Start ``python -m bench.botproc KIND`` and wait until it polls; stop it on exit."""
    args = [kind, "--base-url", emulator.base_url, "--token", emulator.token]
    if db is not None:
        args += ["--db", str(db)]
    if profile is not None:
        args += ["--profile", str(profile)]
    if lock_stats is not None:
        args += ["--lock-stats", str(lock_stats)]
    if heap_snapshots is not None:
        args += ["--heap-snapshots", str(heap_snapshots)]
    # The bot's stderr goes to a file (shown if it fails to start); the file is closed here,
    # the child keeps its own descriptor.
    with tempfile.NamedTemporaryFile(
        prefix=f"nv-bench-{kind}-", suffix=".log", delete=False
    ) as stderr:
        stderr_path = Path(stderr.name)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.botproc",
            *args,
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
        )
    bot = BotProcess(process, stderr_path)
    try:
        assert process.stdout is not None
        try:
            line = await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT)
        except TimeoutError:
            line = b""
        if line.strip() != b"ready":
            raise RuntimeError(f"the {kind} bot did not start:\n{bot.stderr_tail()}")
        await emulator.wait_until(lambda: emulator.count("getUpdates") > 0, START_TIMEOUT)
        yield bot
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
            except TimeoutError:
                process.kill()
                await process.wait()
        with contextlib.suppress(OSError):
            os.unlink(stderr_path)


def find_data(user: EmulatedUser, action: str, arg: str = "") -> str:
    """The callback data of a button by its language-neutral action (``flow:step:action:arg``)."""
    for row in user.buttons:
        for _label, data in row:
            if data and data.split(":")[2:] == [action, arg]:
                return data
    raise LookupError(f"no button {action}:{arg} for user {user.id}: {user.buttons}")


@dataclass
class Steps:
    """One resident's timed steps: from the update being queued to the whole answer arriving."""

    user: EmulatedUser
    latencies: list[float] = field(default_factory=list)
    timeout: float = 120.0

    async def _timed(self, send: Callable[[], Awaitable[object]], replies: int) -> None:
        started = time.perf_counter()
        await send()
        await self.user.expect(replies, timeout=self.timeout)
        self.latencies.append(time.perf_counter() - started)

    async def command(self, command: str, replies: int = 1) -> None:
        await self._timed(lambda: self.user.command(command), replies)

    async def text(self, text: str, replies: int = 1) -> None:
        await self._timed(lambda: self.user.send(text), replies)

    async def tap(self, action: str, arg: str = "", replies: int = 1) -> None:
        data = find_data(self.user, action, arg)  # the resident reads before tapping
        await self._timed(lambda: self.user.tap(data), replies)

    async def tap_data(self, data: str, replies: int = 1) -> None:
        await self._timed(lambda: self.user.tap(data), replies)
