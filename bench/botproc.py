"""A bot in its own process, polling the benchmark's emulator: ours, or the bare baseline.

    python -m bench.botproc ours --base-url http://127.0.0.1:PORT/bot --token T --db FILE
    python -m bench.botproc bare --base-url http://127.0.0.1:PORT/bot --token T

``ours`` is the production application exactly as ``bot.py`` builds it
(``build_application(prepare(Settings(...)))`` run with ``running``), changed only in the token,
the base URL and the database file. ``bare`` is the baseline the issue asks for: a plain
python-telegram-bot ``Application`` with a three-step ``ConversationHandler``, no storage, the
same number of concurrent updates and the same polling, answering every tap the way ours does
(``answerCallbackQuery`` then ``editMessageText`` with an inline keyboard).

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

from bot.app import build_application, prepare, running
from bot.settings import Settings

__all__ = ["BARE_STEPS", "bare_application", "main"]

BARE_STEPS = 3
CONCURRENT_UPDATES = Settings(bot_token="1:x").max_concurrent_updates

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
        .concurrent_updates(CONCURRENT_UPDATES)
        .build()
    )
    application.add_handler(conversation)
    return application


def _record_lock_times(path: Path) -> None:
    """Diagnosis only: time every unit of work's wait for, and hold of, the database lock.

    Wraps ``Database.transaction`` in this process (the product code is unchanged) and writes
    percentiles to ``path`` at exit.
    """
    import atexit
    import json
    import time
    from collections.abc import AsyncIterator
    from contextlib import asynccontextmanager

    import aiosqlite

    from storage.database import Database

    original = Database.transaction
    waits: list[float] = []
    holds: list[float] = []
    calls = {"execute": 0}
    original_execute = aiosqlite.Connection._execute

    async def counting_execute(self: aiosqlite.Connection, fn: Any, *args: Any) -> Any:
        calls["execute"] += 1
        return await original_execute(self, fn, *args)

    @asynccontextmanager
    async def timed(self: Database) -> AsyncIterator[aiosqlite.Connection]:
        asked = time.perf_counter()
        async with original(self) as conn:
            got = time.perf_counter()
            waits.append(got - asked)
            try:
                yield conn
            finally:
                holds.append(time.perf_counter() - got)

    def dump() -> None:
        def pct(values: list[float], q: float) -> float:
            ordered = sorted(values)
            return 1000 * ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]

        summary = {
            "transactions": len(holds),
            "sqlite_calls": calls["execute"],
            "hold_ms": {q: pct(holds, q) for q in (50, 90, 99)} if holds else {},
            "wait_ms": {q: pct(waits, q) for q in (50, 90, 99)} if waits else {},
            "hold_total_s": sum(holds),
        }
        path.write_text(json.dumps(summary, indent=1), encoding="utf-8")

    Database.transaction = timed  # type: ignore[method-assign,assignment]
    aiosqlite.Connection._execute = counting_execute  # type: ignore[method-assign]
    atexit.register(dump)


async def _serve(application: AnyApplication) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with running(application):
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
    args = parser.parse_args(argv)
    if args.lock_stats is not None:
        _record_lock_times(args.lock_stats)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    warnings.simplefilter("ignore")
    if args.kind == "ours":
        if args.db is None:
            parser.error("ours needs --db")
        settings = Settings(bot_token=args.token, database_path=args.db, api_base_url=args.base_url)
        application: AnyApplication = build_application(prepare(settings))
    else:
        application = bare_application(args.token, args.base_url)
    profiler = cProfile.Profile() if args.profile else None
    if profiler is not None:
        profiler.enable()
    try:
        asyncio.run(_serve(application))
    finally:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(str(args.profile))


if __name__ == "__main__":
    main()
