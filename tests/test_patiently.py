"""The Bot API error contract for one call (handlers/replies.py ``patiently``), called directly:
what is retried, after how long, and what is raised at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from handlers.replies import ATTEMPTS, patiently


class Flaky:
    """A Bot API call that fails with the given errors, then answers."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "sent"


class Clock:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)


async def test_a_429_waits_its_retry_after_and_network_errors_back_off() -> None:
    call, clock = Flaky(RetryAfter(timedelta(seconds=7)), TimedOut(), NetworkError("502")), Clock()
    assert await patiently(call, sleep=clock.sleep) == "sent"
    assert call.calls == 4
    assert clock.waits == [7.0, 1.0, 2.0]


@pytest.mark.parametrize("error", [BadRequest("chat not found"), Forbidden("blocked")])
async def test_a_400_or_403_is_raised_at_once(error: Exception) -> None:
    call, clock = Flaky(error), Clock()
    with pytest.raises(type(error)):
        await patiently(call, sleep=clock.sleep)
    assert call.calls == 1 and clock.waits == []


async def test_the_last_failure_is_raised_after_every_attempt() -> None:
    call, clock = Flaky(*[NetworkError("down")] * ATTEMPTS), Clock()
    with pytest.raises(NetworkError):
        await patiently(call, sleep=clock.sleep)
    assert call.calls == ATTEMPTS
    assert clock.waits == [0.5, 1.0, 2.0]
