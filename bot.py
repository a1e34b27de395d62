"""Neighbourhood Voice: run the bot by long polling.

python bot.py           run the bot (settings from the environment or .env)
python bot.py --help    every setting, with its default
"""

from __future__ import annotations

import argparse
import logging
import sys

from bot.errors import ConfigError
from bot.settings import SETTINGS


def _parser() -> argparse.ArgumentParser:
    lines = ["settings (environment variables, or a .env file in the project folder):"]
    for setting in SETTINGS:
        default = (
            "required" if setting.default is None else f"default: {setting.default or '(empty)'}"
        )
        lines.append(f"  {setting.name}\n      {setting.help} [{default}]")
    return argparse.ArgumentParser(
        prog="python bot.py",
        description="Neighbourhood Voice: a Telegram bot for residents' views on local policing.",
        epilog="\n".join(lines),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def main(argv: list[str] | None = None) -> int:
    _parser().parse_args(argv)
    from bot.app import build_application, prepare
    from bot.logs import configure_logging
    from bot.settings import load_settings

    try:
        settings = load_settings()
        prepared = prepare(settings)
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    application = build_application(prepared)
    logging.getLogger("neighbourhood_voice").info("starting long polling")
    application.run_polling(allowed_updates=["message", "edited_message", "callback_query"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
