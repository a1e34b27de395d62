"""Neighbourhood Voice: run the bot by long polling.

python bot.py           run the bot (settings from the environment or .env)
python bot.py --help    every setting, with its default
python bot.py demo      the real bot in a terminal chat, against the built-in Bot API
                        emulator and a throw-away database (no token, no Telegram)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.errors import ConfigError, UnreachableError
from bot.settings import SETTINGS
from storage.database import StoreUnavailable


def _parser() -> argparse.ArgumentParser:
    lines = ["settings (environment variables, or a .env file in the project folder):"]
    for setting in SETTINGS:
        default = (
            "required" if setting.default is None else f"default: {setting.default or '(empty)'}"
        )
        lines.append(f"  {setting.name}\n      {setting.help} [{default}]")
    parser = argparse.ArgumentParser(
        prog="python bot.py",
        description="Neighbourhood Voice: a Telegram bot for residents' views on local policing.",
        epilog="\n".join(lines),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="{demo}")
    demo = commands.add_parser(
        "demo",
        help="try the bot in this terminal: no token, no Telegram, throw-away data",
        description=(
            "Run the real bot against the built-in Telegram Bot API emulator with a throw-away "
            "database of made-up residents, and chat with it here as a resident, an officer "
            "or an admin. Needs no token and never reads .env or the real database."
        ),
    )
    demo.add_argument(
        "--lang",
        default="en",
        metavar="CODE",
        help="your Telegram language: en, tr, pl, es, pt, fr, bn, so, ar, ur or ro [en]",
    )
    demo.add_argument(
        "--keep",
        type=Path,
        metavar="PATH",
        help="on exit, copy the demo database to PATH (a new file, or a folder) instead of "
        "deleting everything",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if arguments.command == "demo":
        from bot.devtools.demo.run import DemoOptions
        from bot.devtools.demo.run import main as demo_main

        return demo_main(DemoOptions(lang=arguments.lang, keep=arguments.keep))
    from bot.app import ALLOWED_UPDATES, build_application, check_telegram, prepare
    from bot.logs import configure_logging
    from bot.settings import load_settings

    try:
        settings = load_settings()
        prepared = prepare(settings)
        asyncio.run(check_telegram(settings, prepared.flood_paused_until))
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    except (UnreachableError, StoreUnavailable) as error:
        print(f"cannot start: {error}", file=sys.stderr)
        return 1
    configure_logging(settings.log_level)
    application = build_application(prepared)
    logging.getLogger("neighbourhood_voice").info("starting long polling")
    try:
        application.run_polling(
            poll_interval=settings.poll_interval, allowed_updates=ALLOWED_UPDATES
        )
    except StoreUnavailable as error:  # the store opens in start-up, inside run_polling
        print(f"cannot start: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
