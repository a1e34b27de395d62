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
import contextlib
import io
import logging
import os
import shutil
import signal
import sys
import tempfile
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import TextIO

from bot.app import services
from bot.devtools.demo.chat import ADMIN_ID, DemoChat, _chat_loop, banner_help
from bot.devtools.demo.keep import _keep_data, _resolve_keep
from bot.devtools.demo.lines import _LineReader
from bot.devtools.demo.terminal import BOT_NAME, Terminal
from bot.devtools.emulator import BotApiEmulator
from bot.devtools.seed import SeedSummary, seed_demo
from bot.digests.disclosure import BlockLength
from bot.errors import ConfigError
from bot.i18n import load_catalogs, supported_locales
from bot.settings import Settings
from storage.repositories import Store

__all__ = ["DemoOptions", "main", "run_demo"]

DEMO_TOKEN = "700000:NEIGHBOURHOOD-VOICE-DEMO"
DATABASE_NAME = "demo.sqlite3"


@dataclass(frozen=True, slots=True)
class DemoOptions:
    """What ``python bot.py demo`` was asked for."""

    lang: str = "en"
    keep: Path | None = None
    residents: int = 300


# ---------------------------------------------------------------------------------------------
# Start, run, stop


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
