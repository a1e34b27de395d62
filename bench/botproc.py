"""A bot in its own process, polling the benchmark's emulator: ours, or the bare baseline.

    python -m bench.botproc ours --base-url http://127.0.0.1:PORT/bot --token T --db FILE
    python -m bench.botproc bare --base-url http://127.0.0.1:PORT/bot --token T

``ours`` is the production application exactly as ``bot.py`` builds it
(``build_application(prepare(Settings.defaults(...)))`` run with ``running``), changed only in the
token, the base URL and the database file. ``bare`` is the baseline the issue asks for: a plain
python-telegram-bot ``Application`` with a three-step ``ConversationHandler``, no storage, the same
number of concurrent updates with each chat's updates in order (as ours), the same polling,
answering every tap the way ours does (``answerCallbackQuery`` then ``editMessageText`` with an
inline keyboard).

The process runs until SIGTERM or SIGINT. The parent reads its memory and CPU time from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import signal
import sys
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
)

from bot.update_processor import PerChatUpdateProcessor

__all__ = ["BARE_STEPS", "CONCURRENT_UPDATES", "bare_application", "main"]

BARE_STEPS = 3
CONCURRENT_UPDATES = 32  # NV_MAX_CONCURRENT_UPDATES's default, checked in ``main``
POLL_TIMEOUT = 10  # bot.app.running's default

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def _keyboard(step: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(f"Choice {c}", callback_data=f"b:{step}:{c}")] for c in "abc"]
    )


def bare_application(token: str, base_url: str) -> AnyApplication:
    """A three-step ConversationHandler and nothing else: no storage, no i18n, no checks."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.effective_chat is not None
        await context.bot.send_message(
            update.effective_chat.id, "Question 1 of 3", reply_markup=_keyboard(1)
        )
        return 1

    def step(number: int) -> Any:
        async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
            query = update.callback_query
            assert query is not None
            await query.answer()
            if number == BARE_STEPS:
                await query.edit_message_text("Thank you.")
                return ConversationHandler.END
            await query.edit_message_text(
                f"Question {number + 1} of {BARE_STEPS}", reply_markup=_keyboard(number + 1)
            )
            return number + 1

        return answer

    with warnings.catch_warnings():
        # PTB warns that per_message=False tracks CallbackQueryHandlers per chat: intended.
        warnings.simplefilter("ignore")
        conversation = ConversationHandler(
            entry_points=[CommandHandler("start", start)],
            states={n: [CallbackQueryHandler(step(n))] for n in range(1, BARE_STEPS + 1)},
            fallbacks=[CommandHandler("start", start)],
        )
    application: AnyApplication = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .concurrent_updates(PerChatUpdateProcessor(CONCURRENT_UPDATES))
        .build()
    )
    application.add_handler(conversation)
    return application


def _record_lock_times(path: Path) -> None:
    """Diagnosis only: database lock wait and hold times, written to ``path`` at exit."""
    import atexit
    import json

    from bench.diagnose import install

    times = install()
    atexit.register(
        lambda: path.write_text(json.dumps(times.summary(), indent=1), encoding="utf-8")
    )


@asynccontextmanager
async def _bare_running(application: AnyApplication) -> AsyncIterator[None]:
    """What ``bot.app.running`` does, without importing the product into the baseline."""
    await application.initialize()
    try:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0.0, timeout=POLL_TIMEOUT, allowed_updates=Update.ALL_TYPES
        )
        try:
            yield
        finally:
            await application.updater.stop()
            await application.stop()
    finally:
        await application.shutdown()


def _heap_snapshots(folder: Path) -> None:
    """Diagnosis only: trace Python allocations; each SIGUSR1 writes a snapshot to ``folder``."""
    import tracemalloc

    tracemalloc.start(10)
    taken = 0

    def dump() -> None:
        nonlocal taken
        import gc

        gc.collect()
        tracemalloc.take_snapshot().dump(str(folder / f"{taken:02d}.snapshot"))
        taken += 1
        print(f"snapshot {taken - 1}", flush=True)

    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, dump)


async def _serve(application: AnyApplication, kind: str, heap: Path | None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if heap is not None:
        _heap_snapshots(heap)
    if kind == "ours":
        from bot.app import running

        context = running(application, poll_timeout=POLL_TIMEOUT)
    else:
        context = _bare_running(application)
    async with context:
        print("ready", flush=True)
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.botproc")
    parser.add_argument("kind", choices=("ours", "bare"))
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--db", type=Path, help="database file (ours only)")
    parser.add_argument("--profile", type=Path, help="write cProfile statistics here")
    parser.add_argument(
        "--lock-stats", type=Path, help="diagnosis: write database lock wait/hold times here"
    )
    parser.add_argument(
        "--heap-snapshots",
        type=Path,
        help="diagnosis: trace allocations and write a snapshot here on each SIGUSR1",
    )
    args = parser.parse_args(argv)
    if args.lock_stats is not None:
        _record_lock_times(args.lock_stats)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    warnings.simplefilter("ignore")
    if args.kind == "ours":
        if args.db is None:
            parser.error("ours needs --db")
        from bot.app import build_application, prepare
        from bot.settings import Settings

        settings = Settings.defaults(
            bot_token=args.token, database_path=args.db, api_base_url=args.base_url
        )
        assert settings.max_concurrent_updates == CONCURRENT_UPDATES
        application: AnyApplication = build_application(prepare(settings))
    else:
        application = bare_application(args.token, args.base_url)
    profiler = cProfile.Profile() if args.profile else None
    if profiler is not None:
        profiler.enable()
    try:
        asyncio.run(_serve(application, args.kind, args.heap_snapshots))
    finally:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(str(args.profile))


if __name__ == "__main__":
    main()
