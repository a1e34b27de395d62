"""/admins, /addadmin ID and /removeadmin ID: who else may act as an admin."""

from __future__ import annotations

from bot.i18n import _, use_locale
from bot.messages import Incoming, Outgoing, StaffReply
from bot.staff.access import StaffAccess
from bot.staff.menus import StaffMenus
from storage.repositories import Store

__all__ = ["AdminDesk"]


class AdminDesk:
    def __init__(self, store: Store, access: StaffAccess, menus: StaffMenus) -> None:
        self.store = store
        self.access = access
        self.menus = menus

    async def command(self, who: Incoming, command: str, argument: str) -> StaffReply:
        """/admins lists; /addadmin ID and /removeadmin ID change the list, and with it the
        command menu of the one added or removed."""
        locale = self.access.locale(who)
        async with self.store.unit() as uow:
            with use_locale(locale):
                if not await self.access.is_admin(uow, who.chat_id):
                    return self.access.refused(locale)
                if command in ("addadmin", "removeadmin"):
                    if not argument.strip().isdigit():
                        return StaffReply(
                            locale,
                            (
                                Outgoing(
                                    _(
                                        "Please give a Telegram user id, like /{command} 12345."
                                    ).format(command=command)
                                ),
                            ),
                        )
                    target = int(argument.strip())
                    before = await self.menus.role(uow, target)
                    if command == "addadmin":
                        await uow.staff.add_admin(target, who.chat_id)
                        done = _("{id} is now an admin.").format(id=target)
                    elif target in self.access.config_admins:
                        done = _(
                            "{id} is an admin by configuration (NV_ADMIN_IDS) and cannot be "
                            "removed here."
                        ).format(id=target)
                    elif await uow.staff.remove_admin(target):
                        done = _("{id} is no longer an admin.").format(id=target)
                    else:
                        done = _("{id} was not an admin.").format(id=target)
                    after = await self.menus.role(uow, target)
                    menus = self.menus.change(target, before, after)
                    return StaffReply(locale, (Outgoing(done),), menus=menus)
                added = sorted(await uow.staff.admin_ids())
                text = _(
                    "Admins by configuration: {configured}\nAdded by admins: {added}\n\n"
                    "Add one with /addadmin ID, remove with /removeadmin ID."
                ).format(
                    configured=", ".join(map(str, sorted(self.access.config_admins))) or "–",
                    added=", ".join(map(str, added)) or "–",
                )
                return StaffReply(locale, (Outgoing(text),))
