"""python-telegram-bot's rate-limiter seam, held to :class:`bot.broadcasting.flood.FloodGate`.

Every Bot API request but ``getUpdates`` passes through ``process_request`` (PTB ``ExtBot``),
so replies, taps' answers, edits, broadcasts and digests share one budget and one pause.
Callers mark what no one is waiting for with ``rate_limit_args=Priority.BULK``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram import Bot
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter, ExtBot

from bot.broadcasting.flood import FloodGate, Priority

__all__ = ["GateLimiter", "bulk", "seconds"]

JSONDict = dict[str, Any]


def seconds(value: float | timedelta) -> float:
    """``RetryAfter.retry_after``, which PTB gives as seconds or as a timedelta."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class GateLimiter(BaseRateLimiter[Priority]):
    def __init__(self, gate: FloodGate) -> None:
        self.gate = gate

    async def initialize(self) -> None:
        """Nothing to open: the gate lives as long as the application."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Priority | None,
    ) -> bool | JSONDict | list[JSONDict]:
        await self.gate.acquire(rate_limit_args or Priority.REPLY)
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as error:
            # Before the caller hears of it, so that its own retry already finds the pause.
            await self.gate.pause(seconds(error.retry_after))
            raise


def bulk(bot: Bot) -> dict[str, Any]:
    """Keyword arguments that mark a call as bulk, for a bot that has our gate (a bare
    ``Bot``, as the engine's tests use, takes no ``rate_limit_args``)."""
    if isinstance(bot, ExtBot) and isinstance(bot.rate_limiter, GateLimiter):
        return {"rate_limit_args": Priority.BULK}
    return {}
