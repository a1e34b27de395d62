"""Logging set-up that keeps tokens and residents' words out of the logs.

httpx logs every request URL at INFO, and the URL holds the bot token, so it is held at
WARNING. Our own loggers never format message text, names or chat ids.
"""

from __future__ import annotations

import logging

__all__ = ["configure_logging"]


def configure_logging(level: str) -> None:
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=getattr(logging, level)
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
