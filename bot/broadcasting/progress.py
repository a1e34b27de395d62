"""How a broadcast is going, as the engine reports it, and how long the rest will take.

The estimate is a decision in plain Python (tested directly). Its inputs are what the engine
knows for certain: the rows still to send, the configured pace (``NV_BROADCAST_RATE``, which
the engine never exceeds) and what this process has observed since it began sending the
broadcast. The first report comes after one message, so a rate measured over it says nothing
(one message in a second's floor read as one a second: "about 999 seconds left" for a
46-second broadcast); the configured pace is used until the observation is long enough to
trust, and then what was observed, never faster than the pace. Rows held for the morning or
for a retry are not in it: they go when their time comes, whatever the rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from storage.models import BroadcastStats

__all__ = ["MIN_OBSERVED_MESSAGES", "MIN_OBSERVED_SECONDS", "Progress", "time_left"]

# Below these, an observed rate is noise (the first messages go at once, in_flight together).
MIN_OBSERVED_SECONDS = 5.0
MIN_OBSERVED_MESSAGES = 20


@dataclass(frozen=True, slots=True)
class Progress:
    """One report: the outbox's figures, and what this process has seen of the sending."""

    broadcast_id: int
    stats: BroadcastStats
    done: bool
    rate: float  # the configured pace, messages a second
    observed: int = 0  # rows this process finished since it began sending this broadcast
    seconds: float = 0.0  # over this long

    @property
    def observed_rate(self) -> float | None:
        """Messages a second as observed, once there is enough to go on; else None."""
        if self.seconds < MIN_OBSERVED_SECONDS or self.observed < MIN_OBSERVED_MESSAGES:
            return None
        return self.observed / self.seconds


def time_left(progress: Progress) -> timedelta | None:
    """How long the rows waiting to go now will take; None when none are (all sent, or the
    rest held for the morning or a retry), so no figure would mean anything."""
    waiting = progress.stats.pending + progress.stats.sending
    if progress.done or waiting <= 0 or progress.rate <= 0:
        return None
    observed = progress.observed_rate
    rate = progress.rate if observed is None else min(observed, progress.rate)
    return timedelta(seconds=waiting / rate)
