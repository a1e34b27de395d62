"""Resident or staff: decided once per update, in the update's one unit of work.

A staff member in the middle of a staff flow (creating an event, writing a notice) types text
that belongs to that flow; everyone else's text belongs to their resident conversation. The
decision is one read in the same unit that then handles the update, so a resident's message
costs one transaction, not a staff transaction before its own. The urgent safeguarding answer
is decided before this, without the database (``ConversationService.urgent``).
"""

from __future__ import annotations

from bot.i18n import SOURCE_LOCALE
from bot.messages import AlreadyHandled, Incoming, Reply
from bot.residents.conversation import ConversationService
from bot.staff.service import StaffService
from storage.repositories import Store

__all__ = ["Router"]


class Router:
    def __init__(self, store: Store, residents: ConversationService, staff: StaffService) -> None:
        self.store = store
        self.residents = residents
        self.staff = staff

    async def text(self, who: Incoming, text: str, *, urgent: bool = False) -> Reply:
        """A :class:`~bot.messages.StaffReply` when a staff flow took the text."""
        try:
            async with self.store.unit() as uow:
                taken = await self.staff.text_in(uow, who, text)
                if taken is not None:
                    return taken
                return await self.residents.text_in(uow, who, text, urgent=urgent)
        except AlreadyHandled:  # redelivered: the unit rolled back, nothing is said twice
            return Reply(SOURCE_LOCALE)

    async def cancel(self, who: Incoming) -> Reply:
        """/cancel drops a staff flow if there is one, else the resident's."""
        try:
            async with self.store.unit() as uow:
                staff_reply = await self.staff.cancel_in(uow, who)
                if staff_reply is not None:
                    return staff_reply
                reply = await self.residents.commands.cancel_in(uow, who)
        except AlreadyHandled:
            return Reply(SOURCE_LOCALE)
        return await self.residents.core.finish_erase(reply, who)
