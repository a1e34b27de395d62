"""Errors the bot reports to an operator in one line.

Hierarchy::

    NeighbourhoodVoiceError
    ├── ConfigError      bad settings, survey files or data tables; start-up stops with exit 2
    ├── UnreachableError the Bot API cannot be reached at start-up; exit 1 (try again later)
    ├── AlreadyHandled   (bot.messages) a redelivered update: its unit rolls back, no answer
    ├── DeliveryError    (bot.broadcasting.engine) one broadcast message could not be sent
    └── DisclosureError  (bot.digests.disclosure, also a ValueError) a table that may not be
                         published as asked

Storage imports nothing of the bot. It raises what its driver raises, and
``storage.database.StoreUnavailable`` when the database cannot be used at all (a SQLite file
another process holds, a PostgreSQL server that cannot be reached), which ``bot.py`` reports in
one line with exit status 1.
"""

from __future__ import annotations

__all__ = ["ConfigError", "NeighbourhoodVoiceError", "UnreachableError"]


class NeighbourhoodVoiceError(Exception):
    """Base of every error this project raises on purpose."""


class ConfigError(NeighbourhoodVoiceError):
    """A setting or data file is wrong; the message is one line naming what and where."""


class UnreachableError(NeighbourhoodVoiceError):
    """The Bot API did not answer at start-up: the network, or ``NV_API_BASE_URL``."""
