"""The resident's slash commands: /start, /survey, /cancel, /help, /privacy, /language,
/mydata, /forget, and the answers to commands and messages the bot cannot use.

Each command is one transaction through :class:`~bot.residents.core.ResidentCore`, and each
ends by repeating the question the resident was on, so a command never loses their place.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.i18n import _, language_name, pgettext, supported_locales
from bot.messages import Button, CallbackData, Incoming, Outgoing, Reply
from bot.residents.core import ResidentCore
from bot.residents.session import answered_once
from bot.residents.wording import (
    emergency_text,
    not_signed_up_text,
    privacy_summary_text,
    privacy_text,
)
from storage.repositories import UnitOfWork

__all__ = ["ResidentCommands"]


class ResidentCommands:
    """One method per command; plain data in, a :class:`~bot.messages.Reply` out."""

    def __init__(self, core: ResidentCore) -> None:
        self.core = core

    def _welcome(self, event_id: int | None = None) -> tuple[Outgoing, ...]:
        # The event a poster linked to rides on the consent button: nothing is stored before.
        referral = str(event_id) if event_id is not None else ""
        consent = (
            (
                Button(pgettext("button", "I agree"), CallbackData("c", "", "yes", referral)),
                Button(pgettext("button", "No, thanks"), CallbackData("c", "", "no")),
            ),
        )
        return (
            Outgoing(
                _(
                    "Hello! I am Neighbourhood Voice, run by your local council and police "
                    "to hear what matters to residents of {area}, for the Community and Police "
                    "Conversation meetings."
                ).format(area=self.core.area_name)
            ),
            Outgoing(emergency_text()),
            Outgoing(
                _("{privacy}\n\nDo you agree to this?").format(
                    privacy=privacy_summary_text(self.core.retention_days)
                ),
                consent,
            ),
        )

    @answered_once
    async def start(self, who: Incoming, payload: str | None = None) -> Reply:
        """Welcome; ``event_<id>`` (a poster's deep link) opens that event straight away."""
        match = re.fullmatch(r"event_(\d{1,9})", payload or "")
        event_id = int(match[1]) if match else None
        async with self.core.session(who) as (uow, resident, locale):
            telegram_locale = who.telegram_locale
            if resident is None:
                return Reply(locale, self._welcome(event_id))
            back = Outgoing(_("Welcome back."))
            where = await self.core.where_you_were(uow, resident, telegram_locale)
            card = await self.core.show_event(uow, resident, event_id)
            if where:
                return Reply(locale, (back, Outgoing(emergency_text()), *card, *where))
            rest = card or await self.core.home(uow, resident)
            return Reply(locale, (back, Outgoing(emergency_text()), *rest))

    @answered_once
    async def begin_survey(self, who: Incoming) -> Reply:
        async with self.core.session(who) as (uow, resident, locale):
            telegram_locale = who.telegram_locale
            if resident is None:
                return Reply(locale, (Outgoing(not_signed_up_text()),))
            state = await uow.conversations.get(resident.respondent_id)
            if state is not None and state.flow == "onboarding":
                note = Outgoing(_("Let's finish setting up first."))
                return Reply(locale, (note, *await self.core.where_you_were(uow, resident, None)))
            if state is not None:
                note = Outgoing(_("You are in the middle of the survey. Here is where you were."))
                return Reply(locale, (note, *await self.core.where_you_were(uow, resident, None)))
            return Reply(locale, await self.core.start_survey(uow, resident, telegram_locale))

    @answered_once
    async def cancel(self, who: Incoming) -> Reply:
        async with self.core.store.unit() as uow:
            reply = await self.cancel_in(uow, who)
        return await self.core.finish_erase(reply, who)

    async def cancel_in(self, uow: UnitOfWork, who: Incoming) -> Reply:
        """/cancel in a unit already open; the caller runs ``finish_erase`` after it."""
        async with self.core.session_in(uow, who) as (resident, locale):
            state = await uow.conversations.get(resident.respondent_id) if resident else None
            if resident is None or state is None:
                return Reply(locale, (Outgoing(_("There is nothing to cancel.")),))
            if state.flow == "onboarding" and resident.onboarded_at is None:
                await uow.residents.erase(resident.respondent_id)
                text = _("Cancelled. Nothing was kept. Send /start if you'd like to begin again.")
                return Reply(locale, (Outgoing(text),), erased=True)
            await uow.conversations.clear(resident.respondent_id)
            text = _("Cancelled. None of those answers were kept. Send /survey to start again.")
            return Reply(locale, (Outgoing(text),))

    @answered_once
    async def help(self, who: Incoming) -> Reply:
        async with self.core.session(who) as (uow, resident, locale):
            telegram_locale = who.telegram_locale
            text = _(
                "I collect residents' views for the Community and Police Conversation in "
                "{area}.\n\n"
                "/survey – answer six short questions\n"
                "/events – upcoming community events\n"
                "/notices – choose which notices you get\n"
                "/language – change the language\n"
                "/privacy – how your information is used\n"
                "/mydata – see everything I hold about you\n"
                "/forget – erase everything I hold about you\n"
                "/cancel – stop what you are doing\n\n"
                "I am not an emergency service. In an emergency call 999. To report a crime "
                "that is not an emergency, call 101."
            ).format(area=self.core.area_name)
            where = await self.core.where_you_were(uow, resident, telegram_locale)
            return Reply(locale, (Outgoing(text), *where))

    @answered_once
    async def privacy(self, who: Incoming) -> Reply:
        async with self.core.session(who) as (uow, resident, locale):
            telegram_locale = who.telegram_locale
            where = await self.core.where_you_were(uow, resident, telegram_locale)
            return Reply(locale, (Outgoing(privacy_text(self.core.retention_days)), *where))

    @answered_once
    async def language_menu(self, who: Incoming) -> Reply:
        async with self.core.session(who) as (_uow, resident, locale):
            if resident is None:
                return Reply(locale, (Outgoing(not_signed_up_text()),))
            rows = tuple(
                (
                    Button(
                        _("✅ {choice}").format(choice=language_name(code))
                        if code == resident.locale
                        else language_name(code),
                        CallbackData("x", "lang", "set", code),
                    ),
                )
                for code in supported_locales()
            )
            return Reply(locale, (Outgoing(_("Which language would you like me to use?"), rows),))

    @answered_once
    async def my_data(self, who: Incoming) -> Reply:
        async with self.core.session(who) as (uow, resident, locale):
            if resident is None:
                return Reply(locale, (Outgoing(_("I don't hold anything about you.")),))
            return Reply(locale, await self.core.rights.my_data(uow, resident))

    @answered_once
    async def forget(self, who: Incoming) -> Reply:
        async with self.core.session(who) as (_uow, resident, locale):
            if resident is None:
                return Reply(
                    locale,
                    (
                        Outgoing(
                            _("I don't hold anything about you, so there is nothing to erase.")
                        ),
                    ),
                )
            return Reply(locale, (self.core.rights.forget_question(),))

    @answered_once
    async def unknown_command(self, who: Incoming) -> Reply:
        return await self._notice(
            who,
            lambda: _("I don't know that command. Send /help to see what I can do."),
        )

    @answered_once
    async def unsupported(self, who: Incoming, *, edited: bool) -> Reply:
        if edited:
            return await self._notice(
                who,
                lambda: _(
                    "I can't use edited messages. Please send your answer again as a new message."
                ),
            )
        return await self._notice(
            who,
            lambda: _("I can only read text messages and button taps, so I can't use that."),
        )

    async def _notice(self, who: Incoming, text: Callable[[], str]) -> Reply:
        async with self.core.session(who) as (uow, resident, locale):
            telegram_locale = who.telegram_locale
            if resident is None:
                hint = Outgoing(not_signed_up_text())
                return Reply(locale, (Outgoing(text()), hint))
            where = await self.core.where_you_were(uow, resident, telegram_locale)
            return Reply(locale, (Outgoing(text()), *where))
