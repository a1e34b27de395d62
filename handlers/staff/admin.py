"""Admin commands and buttons: events, broadcasts and admins. Every one checks the sender.

A reply that changes who is staff (an officer joins or is revoked, an admin is added or
removed) carries the command menus to change; they are changed after the reply is sent, the
change itself being committed by then (:mod:`handlers.menus`)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.digests.service import DIGEST_BUTTONS
from bot.flows.staff_common import STAFF_FLOW_BUTTONS
from bot.messages import StaffReply, tap_pattern
from bot.staff.events import MANAGER_BUTTONS
from bot.staff.officers import OFFICER_BUTTONS
from bot.staff.service import StaffService
from handlers.menus import apply_menus
from handlers.replies import (
    RESIDENT_MESSAGES,
    deliver,
    deliver_staff,
    incoming,
    our_tap,
    text_of,
)

__all__ = ["build"]


def build(service: StaffService) -> list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]]:
    async def staff_reply(
        update: Update, context: ContextTypes.DEFAULT_TYPE, reply: StaffReply
    ) -> None:
        """Send the reply, then change the menus it carries, even if the reply failed: the
        change of role is committed either way."""
        try:
            await deliver_staff(update, context, service.broadcasts.attach_report, reply)
        finally:
            await apply_menus(context.bot, reply.menus)

    async def new_event(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Start creating an event."""
        reply = await service.flows.start_new_event(incoming(update))
        await deliver_staff(update, context, service.broadcasts.attach_report, reply)

    async def broadcast(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Start a broadcast."""
        reply = await service.flows.start_broadcast(incoming(update))
        await deliver_staff(update, context, service.broadcasts.attach_report, reply)

    async def broadcasts(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Recent broadcasts with their figures."""
        await deliver(update, context, await service.broadcasts.recent(incoming(update)))

    async def manage(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Upcoming events with Change and Cancel buttons."""
        await deliver(update, context, await service.events.manage(incoming(update)))

    async def admins(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """List, add or remove admins."""
        command, _, argument = (text_of(update) or "").partition(" ")
        name = command.lstrip("/").split("@")[0].lower()
        await staff_reply(
            update, context, await service.admins.command(incoming(update), name, argument)
        )

    async def officer_commands(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/officer CODE, /mywards, /action, /invite, /officers, /audit."""
        command, _, argument = (text_of(update) or "").partition(" ")
        name = command.lstrip("/").split("@")[0].lower()
        reply = await service.officers.command(incoming(update), name, argument)
        await staff_reply(update, context, reply)

    async def digest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Choose a ward and a period; officers see only their wards."""
        await deliver(update, context, await service.digests.menu(incoming(update)))

    async def export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Suppressed aggregates as CSV, for admins."""
        await deliver(update, context, await service.digests.export(incoming(update)))

    async def digest_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A digest scope or period button."""
        data = our_tap(update)
        if (
            data is not None
        ):  # anything else was answered by handlers.residents.conversation.foreign_taps
            await deliver(update, context, await service.digests.tap(incoming(update), data))

    async def tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A staff flow's button or an event manager's button."""
        data = our_tap(update)
        if (
            data is not None
        ):  # anything else was answered by handlers.residents.conversation.foreign_taps
            await staff_reply(update, context, await service.tap(incoming(update), data))

    return [
        CommandHandler("newevent", new_event, filters=RESIDENT_MESSAGES),
        CommandHandler("broadcast", broadcast, filters=RESIDENT_MESSAGES),
        CommandHandler("broadcasts", broadcasts, filters=RESIDENT_MESSAGES),
        CommandHandler("manageevents", manage, filters=RESIDENT_MESSAGES),
        CommandHandler(["admins", "addadmin", "removeadmin"], admins, filters=RESIDENT_MESSAGES),
        CommandHandler(
            ["officer", "mywards", "action", "invite", "officers", "audit"],
            officer_commands,
            filters=RESIDENT_MESSAGES,
        ),
        CommandHandler("digest", digest, filters=RESIDENT_MESSAGES),
        CommandHandler("export", export, filters=RESIDENT_MESSAGES),
        CallbackQueryHandler(digest_tap, pattern=tap_pattern(DIGEST_BUTTONS)),
        CallbackQueryHandler(
            tap, pattern=tap_pattern(STAFF_FLOW_BUTTONS, MANAGER_BUTTONS, OFFICER_BUTTONS)
        ),
    ]
