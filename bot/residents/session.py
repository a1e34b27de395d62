"""One resident update's session: load the resident, claim the update, set their language.

Every resident service opens its unit of work through here, so each update is claimed once
(a redelivered one raises :class:`~bot.messages.AlreadyHandled`, answered by nothing) and
read in the resident's language.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Concatenate, ParamSpec, TypeVar

from bot.i18n import SOURCE_LOCALE, resolve_locale, use_locale
from bot.messages import AlreadyHandled, Incoming, Outgoing, Reply
from storage.models import Resident
from storage.repositories import Store, UnitOfWork

__all__ = ["EventCard", "answered_once", "load_resident", "resident_in", "resident_session"]


async def load_resident(uow: UnitOfWork, who: Incoming) -> Resident | None:
    """Load the resident and claim the update; raise AlreadyHandled for a redelivery.

    A resident who writes to the bot is reachable again, whatever an earlier 403 said.
    """
    resident = await uow.residents.by_chat(who.chat_id)
    if resident is None:
        return None
    if who.update_id is not None and not await uow.updates.claim(who.update_id):
        raise AlreadyHandled
    if resident.unreachable:
        resident = replace(resident, unreachable=False)
        await uow.residents.save(resident)
    return resident


EventCard = Callable[[UnitOfWork, Resident, int], Awaitable["Outgoing | None"]]


@asynccontextmanager
async def resident_session(
    store: Store, who: Incoming, default_locale: str
) -> AsyncIterator[tuple[UnitOfWork, Resident | None, str]]:
    """One update's transaction: the resident (update claimed) and their locale in force."""
    async with store.unit() as uow, resident_in(uow, who, default_locale) as (resident, locale):
        yield uow, resident, locale


@asynccontextmanager
async def resident_in(
    uow: UnitOfWork, who: Incoming, default_locale: str
) -> AsyncIterator[tuple[Resident | None, str]]:
    """The resident (update claimed) and their locale in force, in a unit already open."""
    resident = await load_resident(uow, who)
    locale = resolve_locale(
        resident.locale if resident else None, who.telegram_locale, default_locale
    )
    with use_locale(locale):
        yield resident, locale


P = ParamSpec("P")
S = TypeVar("S")


def answered_once(
    method: Callable[Concatenate[S, Incoming, P], Awaitable[Reply]],
) -> Callable[Concatenate[S, Incoming, P], Awaitable[Reply]]:
    """A redelivered update gets no second answer (and changes nothing: its unit rolled back)."""

    @functools.wraps(method)
    async def guarded(self: S, who: Incoming, *args: P.args, **kwargs: P.kwargs) -> Reply:
        try:
            return await method(self, who, *args, **kwargs)
        except AlreadyHandled:
            return Reply(SOURCE_LOCALE)

    return guarded
