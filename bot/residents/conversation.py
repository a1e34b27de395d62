"""The conversation service: every resident update goes through here, one transaction each.

Handlers call one method per kind of update and get back a :class:`Reply` of plain data. Each
method reads the resident and their flow state, runs the flow, and writes the new state and any
answers in the same transaction; only after the commit does the handler send anything, so a
resident who sees "thank you" has their answers on disk.

The slash commands are :attr:`ConversationService.commands`
(:class:`~bot.residents.commands.ResidentCommands`); this module holds what is not a command:
the urgent safeguarding answer, typed text and button taps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from bot.areas import AreaDirectory
from bot.flows import ButtonInput, TextInput
from bot.flows.onboarding import OnboardingFlow
from bot.flows.runner import Outcome
from bot.i18n import (
    _,
    language_name,
    pgettext,
    resolve_locale,
    supported_locales,
    use_locale,
)
from bot.messages import Button, CallbackData, Incoming, Outgoing, Reply
from bot.residents.commands import ResidentCommands
from bot.residents.core import ResidentCore
from bot.residents.session import answered_once
from bot.residents.wording import gentle_safeguarding_text, not_signed_up_text, safeguarding_text
from bot.surveys import Survey
from storage.models import Resident
from storage.repositories import Store, UnitOfWork

__all__ = ["ConversationService"]


class ConversationService:
    """Runs flows for residents; plain Python around the store, no Telegram objects."""

    def __init__(self, core: ResidentCore) -> None:
        self.core = core
        self.commands = ResidentCommands(self.core)

    @property
    def store(self) -> Store:
        return self.core.store

    @property
    def surveys(self) -> Mapping[str, Survey]:
        return self.core.surveys

    @property
    def areas(self) -> AreaDirectory:
        return self.core.areas

    def locale_for_error(self, telegram_locale: str | None) -> str:
        return resolve_locale(None, telegram_locale, self.core.default_locale)

    # -- free text -----------------------------------------------------------------------
    def urgent(self, who: Incoming, text: str | None) -> Reply | None:
        """The safeguarding answer to a message, or ``None``: sent before anything else, and
        made from memory and the message alone, so it never waits for the database.

        It is in the language the resident last used with the bot in this process, or else
        their Telegram language. A redelivered message is answered again: better twice than
        not at all.
        """
        if not text or self.core.safeguarding is None or who.chat_id in self.core.staff_chats:
            return None
        assessment = self.core.safeguarding.assess(text)
        if not assessment.concerns and not assessment.gentle:
            return None
        locale = self.core.locales.get(who.chat_id) or resolve_locale(
            None, who.telegram_locale, self.core.default_locale
        )
        with use_locale(locale):
            messages = [Outgoing(safeguarding_text(c), apart=True) for c in assessment.concerns]
            if assessment.gentle:
                messages.append(Outgoing(gentle_safeguarding_text(), apart=True))
        return Reply(locale, tuple(messages))

    def _switch_offer(self, resident: Resident | None, text: str) -> tuple[Outgoing, ...]:
        """Offer, in the language detected, to switch to it; never switch silently.

        Not during sign-up: there the resident has just chosen a language, and types postcodes.
        """
        if resident is None or self.core.detector is None or resident.onboarded_at is None:
            return ()
        suggested = self.core.detector.suggest_switch(text, resident.locale)
        if suggested is None or suggested not in supported_locales():
            return ()
        with use_locale(suggested):
            name = language_name(suggested)
            rows = (
                (
                    Button(
                        pgettext("button", "Yes, switch"),
                        CallbackData("x", "lang", "set", suggested),
                    ),
                    Button(
                        pgettext("button", "No, thanks"),
                        CallbackData("x", "lang", "keep", suggested),
                    ),
                ),
            )
            offer = _(
                "It looks like you wrote in {language}. Would you like me to use {language} "
                "from now on?"
            ).format(language=name)
        return (Outgoing(offer, rows, locale=suggested),)

    @answered_once
    async def text(self, who: Incoming, text: str, *, urgent: bool = False) -> Reply:
        async with self.core.store.unit() as uow:
            return await self.text_in(uow, who, text, urgent=urgent)

    async def text_in(
        self, uow: UnitOfWork, who: Incoming, text: str, *, urgent: bool = False
    ) -> Reply:
        """Typed text in a unit already open (see :mod:`bot.routing`); a redelivered update
        raises :class:`AlreadyHandled`, so the unit rolls back.

        ``urgent``: the message was just answered with 999. Someone in an emergency is not
        asked which language they would like; the answer came in the one they already use.
        """
        async with self.core.session_in(uow, who) as (resident, locale):
            telegram_locale = who.telegram_locale
            if resident is None:
                if urgent:  # the 999 answer was all they needed; no word of signing up
                    return Reply(locale)
                return Reply(locale, (Outgoing(not_signed_up_text()),))
            ran = await self.core.walk(uow, resident, telegram_locale, TextInput(text))
            if ran.outcome is Outcome.NO_FLOW:
                note = _("I'm not asking anything right now. Send /help to see what I can do.")
                reply = Reply(locale, (Outgoing(note), *await self.core.home(uow, resident)))
            else:
                reply = self.core.reply(ran)
        if urgent:
            return reply
        return replace(reply, messages=reply.messages + self._switch_offer(resident, text))

    # -- button taps ---------------------------------------------------------------------
    @answered_once
    async def tap(self, who: Incoming, raw_data: str | None) -> Reply:
        data = CallbackData.decode(raw_data)
        async with self.core.session(who) as (uow, resident, locale):
            telegram_locale = who.telegram_locale
            if data is None:
                return Reply(locale, toast=_("Sorry, I didn't understand that button."))
            if data.flow == "c":
                reply = await self._consent(uow, who, resident, locale, data)
            elif data.flow == "x":
                reply = await self._instant(uow, resident, locale, telegram_locale, data)
            elif resident is None:
                reply = Reply(
                    locale,
                    (Outgoing(not_signed_up_text()),),
                    toast=_("That button has expired."),
                )
            elif data.flow == "home":
                reply = await self._home(uow, resident, locale, telegram_locale, data)
            else:
                reply = await self._flow_tap(uow, resident, locale, telegram_locale, data)
        if resident is not None:  # a tap may have changed their language ("x:lang:set")
            self.core.remember_locale(who.chat_id, reply.locale)
        return await self.core.finish_erase(reply, who)

    async def _stale(
        self, uow: UnitOfWork, resident: Resident, locale: str, telegram_locale: str | None
    ) -> Reply:
        where = await self.core.where_you_were(uow, resident, telegram_locale)
        return Reply(
            locale,
            where,
            toast=_("That button belongs to an earlier message. Please use the latest one."),
            toast_alert=True,
        )

    async def _flow_tap(
        self,
        uow: UnitOfWork,
        resident: Resident,
        locale: str,
        telegram_locale: str | None,
        data: CallbackData,
    ) -> Reply:
        if data.flow not in self.core.runner.prefixes:
            return Reply(locale, toast=_("Sorry, I didn't understand that button."))
        ran = await self.core.walk(
            uow, resident, telegram_locale, ButtonInput(data.action, data.arg), data
        )
        if ran.outcome is not Outcome.DONE:  # nothing in progress, or an earlier message
            return await self._stale(uow, resident, locale, telegram_locale)
        return self.core.reply(ran)

    async def _home(
        self,
        uow: UnitOfWork,
        resident: Resident,
        locale: str,
        telegram_locale: str | None,
        data: CallbackData,
    ) -> Reply:
        if data.action == "later":
            text = _("All right. Send /survey whenever you like, or /help to see what else I do.")
            return Reply(locale, (Outgoing(text, edit=True),))
        if data.action != "survey":
            return Reply(locale, toast=_("Sorry, I didn't understand that button."))
        state = await uow.conversations.get(resident.respondent_id)
        if state is not None:
            return await self._stale(uow, resident, locale, telegram_locale)
        return Reply(locale, await self.core.start_survey(uow, resident, telegram_locale))

    async def _consent(
        self,
        uow: UnitOfWork,
        who: Incoming,
        resident: Resident | None,
        locale: str,
        data: CallbackData,
    ) -> Reply:
        telegram_locale = who.telegram_locale
        if data.action not in ("yes", "no"):
            return Reply(locale, toast=_("Sorry, I didn't understand that button."))
        if resident is not None:
            where = await self.core.where_you_were(uow, resident, telegram_locale)
            return Reply(locale, where, toast=_("You have already agreed."))
        if data.action == "no":
            text = _("That's fine. Nothing has been stored. If you change your mind, send /start.")
            return Reply(locale, (Outgoing(text),))
        resident = await uow.residents.create(who.chat_id, locale)
        referral = int(data.arg) if data.arg.isdigit() else None
        if referral is not None and await uow.events.get(referral) is not None:
            resident = replace(resident, referred_by_event=referral)
            await uow.residents.save(resident)
        if who.update_id is not None:
            await uow.updates.claim(who.update_id)
        state = OnboardingFlow.start()
        if resident.referred_by_event is not None:
            state = replace(state, data={"event": resident.referred_by_event})
        await uow.conversations.put(resident.respondent_id, state)
        screen = self.core.onboarding.screen(self.core.ctx(resident, telegram_locale), state)
        return Reply(locale, (Outgoing(_("Thank you.")), Outgoing.of(screen)))

    async def _instant(
        self,
        uow: UnitOfWork,
        resident: Resident | None,
        locale: str,
        telegram_locale: str | None,
        data: CallbackData,
    ) -> Reply:
        """One-tap actions that are not part of a flow and leave any flow where it was."""
        if resident is None:
            return Reply(locale, toast=_("That button has expired."))
        if data.step == "lang" and data.action == "set" and data.arg in supported_locales():
            updated = replace(resident, locale=data.arg, locale_chosen=True)
            await uow.residents.save(updated)
            with use_locale(data.arg):
                done = Outgoing(
                    _("I will use {language} from now on.").format(
                        language=language_name(data.arg)
                    ),
                    edit=True,
                )
                where = await self.core.where_you_were(uow, updated, telegram_locale)
                return Reply(data.arg, (done, *where))
        if data.step == "lang" and data.action == "keep":
            text = _("All right, I will keep using {language}.").format(
                language=language_name(resident.locale)
            )
            return Reply(locale, (Outgoing(text, edit=True),))
        if data.step == "forget" and data.action in ("yes", "no") and data.arg.isdigit():
            if not self.core.rights.forget_answer_fresh(int(data.arg)):
                return Reply(
                    locale,
                    toast=_("That button has expired. Send /forget again."),
                    toast_alert=True,
                )
            if data.action == "no":
                # Edit the question away, so its "Yes" cannot be tapped later by mistake.
                where = await self.core.where_you_were(uow, resident, telegram_locale)
                return Reply(locale, (Outgoing(_("Nothing was erased."), edit=True), *where))
            return Reply(locale, (await self.core.rights.erase(uow, resident),), erased=True)
        return Reply(locale, toast=_("Sorry, I didn't understand that button."))
