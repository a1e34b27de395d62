"""The one staff gate: who is an admin, who is an officer, and the language to answer in.

Every staff action checks, on every update (commands, text and button taps alike), that the
sender may do it: an admin is configured in ``NV_ADMIN_IDS`` or added by another admin; an
officer redeemed an invite and has not been revoked. An update is claimed only once the sender
is known to be staff, so a resident's forged tap leaves no Telegram id behind.
"""

from __future__ import annotations

from bot.i18n import _, resolve_locale
from bot.messages import Incoming, Outgoing, StaffReply
from storage.models import Officer
from storage.repositories import UnitOfWork

__all__ = ["StaffAccess"]


class StaffAccess:
    def __init__(self, config_admins: frozenset[int], default_locale: str) -> None:
        self.config_admins = config_admins
        self.default_locale = default_locale

    def locale(self, who: Incoming) -> str:
        """The language Telegram reports for the sender, if we have it, else the default."""
        return resolve_locale(None, who.telegram_locale, self.default_locale)

    async def is_admin(self, uow: UnitOfWork, user_id: int) -> bool:
        return user_id in self.config_admins or user_id in await uow.staff.admin_ids()

    @staticmethod
    async def officer(uow: UnitOfWork, user_id: int) -> Officer | None:
        """The sender as an active officer, or None."""
        officer = await uow.officers.get(user_id)
        return officer if officer is not None and officer.active else None

    async def officer_and_locale(
        self, uow: UnitOfWork, who: Incoming
    ) -> tuple[Officer | None, str]:
        """The officer, if the user is one, and the language to answer in: theirs, else the
        one Telegram reports."""
        officer = await self.officer(uow, who.chat_id)
        return officer, officer.locale if officer else self.locale(who)

    @staticmethod
    async def claim(uow: UnitOfWork, who: Incoming) -> bool:
        """False for an update handled before a crash (Telegram redelivers what the process
        had not confirmed); the claim commits or rolls back with the unit of work."""
        if who.update_id is None:
            return True
        return await uow.updates.claim(who.update_id)

    @staticmethod
    def refused(locale: str, *, tap: bool = False) -> StaffReply:
        text = _("Sorry, only admins can do that.")
        if tap:
            return StaffReply(locale, toast=text, toast_alert=True)
        return StaffReply(locale, (Outgoing(text),))
