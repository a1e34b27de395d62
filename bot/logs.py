"""Logging set-up that keeps tokens and residents' words out of the logs.

httpx logs every request URL at INFO, and the URL holds the bot token, so it is held at
WARNING. python-telegram-bot logs whole updates at DEBUG and aiosqlite logs statements with
their parameters at DEBUG, both of which carry residents' messages, so those loggers never go
below INFO, whatever ``NV_LOG_LEVEL`` says. Our own loggers never format message text, names
or chat ids.
"""

from __future__ import annotations

import logging

__all__ = ["configure_logging"]

_QUIET = ("httpx", "httpcore", "apscheduler")
_NEVER_DEBUG = ("telegram", "aiosqlite", "bot.devtools.emulator", "aiohttp")


def configure_logging(level: str) -> None:
    numeric = getattr(logging, level)
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=numeric)
    logging.getLogger().setLevel(numeric)
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in _NEVER_DEBUG:
        logging.getLogger(name).setLevel(max(numeric, logging.INFO))
