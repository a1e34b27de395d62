"""The conversation service: every resident update goes through here, one transaction each.

Handlers call one method per kind of update and get back a :class:`Reply` of plain data. Each
method reads the resident and their flow state, runs the flow, and writes the new state and any
answers in the same transaction; only after the commit does the handler send anything, so a
resident who sees "thank you" has their answers on disk.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, tzinfo

from bot.areas import AreaDirectory
from bot.digests.scrubber import Scrubber
from bot.flows import (
    Applied,
    ButtonInput,
    Erase,
    Flow,
    FlowContext,
    FlowRunner,
    Input,
    Ran,
    SaveResponse,
    TextInput,
    Transition,
)
from bot.flows.onboarding import OnboardingFlow, home_screen
from bot.flows.runner import Outcome
from bot.flows.slots import ResidentSlot
from bot.flows.survey import SurveyFlow
from bot.i18n import (
    _,
    data_text,
    language_name,
    pgettext,
    resolve_locale,
    supported_locales,
    use_locale,
)
from bot.messages import (
    Button,
    CallbackData,
    Incoming,
    Outgoing,
    Reply,
    Screen,
)
from bot.residents.data_rights import DataRights
from bot.residents.language_detect import LanguageDetector
from bot.residents.safeguarding import Safeguarding
from bot.residents.session import EventCard, answered_once, resident_in
from bot.residents.wording import (
    emergency_text,
    gentle_safeguarding_text,
    privacy_text,
    safeguarding_text,
)
from bot.surveys import Survey
from storage.models import Resident
from storage.repositories import Store, UnitOfWork

__all__ = ["ConversationService"]

DEFAULT_SURVEY = "local-priorities"

# Chats whose language the urgent answer knows without the database (about 10 MB at most).
_LOCALES_KEPT = 100_000


class ConversationService:
    """Runs flows for residents; plain Python around the store, no Telegram objects."""

    def __init__(
        self,
        store: Store,
        surveys: Mapping[str, Survey],
        areas: AreaDirectory,
        *,
        area_name: str,
        default_locale: str,
        retention_days: int,
        detector: LanguageDetector | None = None,
        safeguarding: Safeguarding | None = None,
        timezone: tzinfo = UTC,
        event_card: EventCard | None = None,
        clock: Callable[[], float] = time.time,
        scrubber: Scrubber | None = None,
        staff_chats: frozenset[int] = frozenset(),
    ) -> None:
        self.event_card = event_card
        self.timezone = timezone
        self.store = store
        self.surveys = surveys
        self.areas = areas
        self.area_name = area_name
        self.default_locale = default_locale
        self.retention_days = retention_days
        self.onboarding = OnboardingFlow()
        self.detector = detector
        self.safeguarding = safeguarding
        self.survey_flow = SurveyFlow(
            detector.language_of if detector else None,
            scrub=(lambda text, kept: scrubber.keeping(kept).scrub(text).text)
            if scrubber
            else None,
        )
        self.runner: FlowRunner[FlowContext] = FlowRunner(
            (self.onboarding, self.survey_flow), self._apply
        )
        self.flows = self.runner.flows
        self._clock = clock
        self.rights = DataRights(areas, area_name, timezone, clock)
        self._locales: dict[int, str] = {}
        # The configured admins type event texts and notices, which are no call for help.
        self.staff_chats = staff_chats

    # -- helpers -------------------------------------------------------------------------
    @asynccontextmanager
    async def _session(
        self, who: Incoming
    ) -> AsyncIterator[tuple[UnitOfWork, Resident | None, str]]:
        async with self.store.unit() as uow, self._session_in(uow, who) as (resident, locale):
            yield uow, resident, locale

    @asynccontextmanager
    async def _session_in(
        self, uow: UnitOfWork, who: Incoming
    ) -> AsyncIterator[tuple[Resident | None, str]]:
        async with resident_in(uow, who, self.default_locale) as (resident, locale):
            if resident is not None:
                self._remember_locale(who.chat_id, locale)
            yield resident, locale

    def _remember_locale(self, chat_id: int, locale: str | None) -> None:
        """The language for :meth:`urgent`, kept in memory; forgotten with the resident."""
        self._locales.pop(chat_id, None)
        if locale is None:
            return
        self._locales[chat_id] = locale
        if len(self._locales) > _LOCALES_KEPT:  # the least recently seen go first
            del self._locales[next(iter(self._locales))]

    def _ctx(self, resident: Resident, telegram_locale: str | None) -> FlowContext:
        return FlowContext(
            resident=resident,
            areas=self.areas,
            surveys=self.surveys,
            area_name=self.area_name,
            telegram_locale=telegram_locale,
        )

    async def _current_screen(
        self, uow: UnitOfWork, resident: Resident, telegram_locale: str | None
    ) -> Screen | None:
        state = await uow.conversations.get(resident.respondent_id)
        if state is None:
            return None
        flow = self.flows.get(state.flow)
        if flow is None:
            return None
        return flow.screen(self._ctx(resident, telegram_locale), state)

    async def _where_you_were(
        self, uow: UnitOfWork, resident: Resident | None, telegram_locale: str | None
    ) -> tuple[Outgoing, ...]:
        """Repeat the question a resident is on, so the conversation stays where it was."""
        if resident is None:
            return ()
        screen = await self._current_screen(uow, resident, telegram_locale)
        return (Outgoing.of(screen),) if screen else ()

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
                ).format(area=self.area_name)
            ),
            Outgoing(emergency_text()),
            Outgoing(
                _("{privacy}\n\nDo you agree to this?").format(
                    privacy=privacy_text(self.retention_days)
                ),
                consent,
            ),
        )

    async def _apply(
        self, uow: UnitOfWork, ctx: FlowContext, flow: Flow[FlowContext], transition: Transition
    ) -> Applied[FlowContext]:
        """Write what a resident's flow decided; the runner then writes the state."""
        resident = ctx.resident
        if isinstance(transition.effect, Erase):
            await uow.residents.erase(resident.respondent_id)
            return Applied(None)
        if transition.resident is not None and transition.resident != resident:
            resident = transition.resident
            await uow.residents.save(resident)
        if isinstance(transition.effect, SaveResponse):
            await uow.responses.add(
                resident.respondent_id,
                survey_id=transition.effect.survey.id,
                survey_version=transition.effect.survey.version,
                ward_id=resident.ward_id,
                locale=resident.locale,
                answers=transition.effect.answers,
            )
        extra: tuple[Outgoing, ...] = ()
        if transition.state is None and flow is self.onboarding:
            # Signed up from a poster's link: now show the event that brought them.
            with use_locale(resident.locale):
                extra = await self._event_card(uow, resident, resident.referred_by_event)
        return Applied(replace(ctx, resident=resident), extra=extra)

    async def _start_survey(
        self, uow: UnitOfWork, resident: Resident, telegram_locale: str | None
    ) -> tuple[Outgoing, ...]:
        survey = self.surveys.get(DEFAULT_SURVEY) or next(iter(self.surveys.values()))
        state = SurveyFlow.start(survey)
        await uow.conversations.put(resident.respondent_id, state)
        screen = self.survey_flow.screen(self._ctx(resident, telegram_locale), state)
        return (Outgoing(data_text(survey.intro)), Outgoing.of(screen))

    async def finish_erase(self, reply: Reply, who: Incoming) -> Reply:
        """After an erasing unit has committed: forget the chat's language, checkpoint."""
        if reply.erased:
            self._remember_locale(who.chat_id, None)
            await self.store.checkpoint()
        return reply

    # -- commands ------------------------------------------------------------------------
    @answered_once
    async def start(self, who: Incoming, payload: str | None = None) -> Reply:
        """Welcome; ``event_<id>`` (a poster's deep link) opens that event straight away."""
        match = re.fullmatch(r"event_(\d{1,9})", payload or "")
        event_id = int(match[1]) if match else None
        async with self._session(who) as (uow, resident, locale):
            telegram_locale = who.telegram_locale
            if resident is None:
                return Reply(locale, self._welcome(event_id))
            back = Outgoing(_("Welcome back."))
            where = await self._where_you_were(uow, resident, telegram_locale)
            card = await self._event_card(uow, resident, event_id)
            if where:
                return Reply(locale, (back, Outgoing(emergency_text()), *card, *where))
            rest = card or (Outgoing.of(home_screen()),)
            return Reply(locale, (back, Outgoing(emergency_text()), *rest))

    async def _event_card(
        self, uow: UnitOfWork, resident: Resident, event_id: int | None
    ) -> tuple[Outgoing, ...]:
        if event_id is None or self.event_card is None:
            return ()
        card = await self.event_card(uow, resident, event_id)
        return (card,) if card else (Outgoing(_("Sorry, that event is no longer available.")),)

    @answered_once
    async def begin_survey(self, who: Incoming) -> Reply:
        async with self._session(who) as (uow, resident, locale):
            telegram_locale = who.telegram_locale
            if resident is None:
                return Reply(locale, (Outgoing(_("Please send /start to begin.")),))
            state = await uow.conversations.get(resident.respondent_id)
            if state is not None and state.flow == "onboarding":
                note = Outgoing(_("Let's finish setting up first."))
                return Reply(locale, (note, *await self._where_you_were(uow, resident, None)))
            if state is not None:
                note = Outgoing(_("You are in the middle of the survey. Here is where you were."))
                return Reply(locale, (note, *await self._where_you_were(uow, resident, None)))
            return Reply(locale, await self._start_survey(uow, resident, telegram_locale))

    @answered_once
    async def cancel(self, who: Incoming) -> Reply:
        async with self.store.unit() as uow:
            reply = await self.cancel_in(uow, who)
        return await self.finish_erase(reply, who)

    async def cancel_in(self, uow: UnitOfWork, who: Incoming) -> Reply:
        """/cancel in a unit already open; the caller runs :meth:`finish_erase` after it."""
        async with self._session_in(uow, who) as (resident, locale):
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
        async with self._session(who) as (uow, resident, locale):
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
            ).format(area=self.area_name)
            where = await self._where_you_were(uow, resident, telegram_locale)
            return Reply(locale, (Outgoing(text), *where))

    @answered_once
    async def privacy(self, who: Incoming) -> Reply:
        async with self._session(who) as (uow, resident, locale):
            telegram_locale = who.telegram_locale
            where = await self._where_you_were(uow, resident, telegram_locale)
            return Reply(locale, (Outgoing(privacy_text(self.retention_days)), *where))

    @answered_once
    async def language_menu(self, who: Incoming) -> Reply:
        async with self._session(who) as (_uow, resident, locale):
            if resident is None:
                return Reply(locale, (Outgoing(_("Please send /start to begin.")),))
            rows = tuple(
                (Button(language_name(code), CallbackData("x", "lang", "set", code)),)
                for code in supported_locales()
            )
            return Reply(locale, (Outgoing(_("Which language would you like me to use?"), rows),))

    @answered_once
    async def my_data(self, who: Incoming) -> Reply:
        async with self._session(who) as (uow, resident, locale):
            if resident is None:
                return Reply(locale, (Outgoing(_("I don't hold anything about you.")),))
            return Reply(locale, await self.rights.my_data(uow, resident))

    @answered_once
    async def forget(self, who: Incoming) -> Reply:
        async with self._session(who) as (_uow, resident, locale):
            if resident is None:
                return Reply(
                    locale,
                    (
                        Outgoing(
                            _("I don't hold anything about you, so there is nothing to erase.")
                        ),
                    ),
                )
            return Reply(locale, (self.rights.forget_question(),))

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
        async with self._session(who) as (uow, resident, locale):
            telegram_locale = who.telegram_locale
            if resident is None:
                hint = Outgoing(_("Send /start to begin."))
                return Reply(locale, (Outgoing(text()), hint))
            where = await self._where_you_were(uow, resident, telegram_locale)
            return Reply(locale, (Outgoing(text()), *where))

    def locale_for_error(self, telegram_locale: str | None) -> str:
        return resolve_locale(None, telegram_locale, self.default_locale)

    # -- free text -----------------------------------------------------------------------
    def urgent(self, who: Incoming, text: str | None) -> Reply | None:
        """The safeguarding answer to a message, or ``None``: sent before anything else, and
        made from memory and the message alone, so it never waits for the database.

        It is in the language the resident last used with the bot in this process, or else
        their Telegram language. A redelivered message is answered again: better twice than
        not at all.
        """
        if not text or self.safeguarding is None or who.chat_id in self.staff_chats:
            return None
        assessment = self.safeguarding.assess(text)
        if not assessment.concerns and not assessment.gentle:
            return None
        locale = self._locales.get(who.chat_id) or resolve_locale(
            None, who.telegram_locale, self.default_locale
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
        if resident is None or self.detector is None or resident.onboarded_at is None:
            return ()
        suggested = self.detector.suggest_switch(text, resident.locale)
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
    async def text(self, who: Incoming, text: str) -> Reply:
        async with self.store.unit() as uow:
            return await self.text_in(uow, who, text)

    async def text_in(self, uow: UnitOfWork, who: Incoming, text: str) -> Reply:
        """Typed text in a unit already open (see :mod:`bot.routing`); a redelivered update
        raises :class:`AlreadyHandled`, so the unit rolls back."""
        async with self._session_in(uow, who) as (resident, locale):
            telegram_locale = who.telegram_locale
            if resident is None:
                return Reply(locale, (Outgoing(_("Send /start to begin.")),))
            ran = await self._walk(uow, resident, telegram_locale, TextInput(text))
            if ran.outcome is Outcome.NO_FLOW:
                note = _("I'm not asking anything right now. Send /help to see what I can do.")
                reply = Reply(locale, (Outgoing(note), Outgoing.of(home_screen())))
            else:
                reply = self._reply(ran)
        return replace(reply, messages=reply.messages + self._switch_offer(resident, text))

    async def _walk(
        self,
        uow: UnitOfWork,
        resident: Resident,
        telegram_locale: str | None,
        event: Input,
        tapped: CallbackData | None = None,
    ) -> Ran[FlowContext]:
        """One input through the runner (the update was claimed by :func:`answered_once`)."""

        async def context(flow: Flow[FlowContext], _state: object) -> FlowContext:
            ctx = self._ctx(resident, telegram_locale)
            if flow is self.survey_flow:  # a comment is scrubbed as it is given
                ctx = replace(ctx, kept=tuple(await uow.events.names()))
            return ctx

        slot = ResidentSlot(uow, resident.respondent_id)
        return await self.runner.run(uow, slot, context, event, tapped=tapped)

    @staticmethod
    def _reply(ran: Ran[FlowContext]) -> Reply:
        return Reply(
            ran.locale,
            ran.messages,
            toast=ran.toast,
            toast_alert=ran.toast is not None,
            erased=ran.erased,
        )

    # -- button taps ---------------------------------------------------------------------
    @answered_once
    async def tap(self, who: Incoming, raw_data: str | None) -> Reply:
        data = CallbackData.decode(raw_data)
        async with self._session(who) as (uow, resident, locale):
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
                    (Outgoing(_("Send /start to begin.")),),
                    toast=_("That button has expired."),
                )
            elif data.flow == "home":
                reply = await self._home(uow, resident, locale, telegram_locale, data)
            else:
                reply = await self._flow_tap(uow, resident, locale, telegram_locale, data)
        return await self.finish_erase(reply, who)

    async def _stale(
        self, uow: UnitOfWork, resident: Resident, locale: str, telegram_locale: str | None
    ) -> Reply:
        where = await self._where_you_were(uow, resident, telegram_locale)
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
        if data.flow not in self.runner.prefixes:
            return Reply(locale, toast=_("Sorry, I didn't understand that button."))
        ran = await self._walk(
            uow, resident, telegram_locale, ButtonInput(data.action, data.arg), data
        )
        if ran.outcome is not Outcome.DONE:  # nothing in progress, or an earlier message
            return await self._stale(uow, resident, locale, telegram_locale)
        return self._reply(ran)

    async def _home(
        self,
        uow: UnitOfWork,
        resident: Resident,
        locale: str,
        telegram_locale: str | None,
        data: CallbackData,
    ) -> Reply:
        if data.action != "survey":
            return Reply(locale, toast=_("Sorry, I didn't understand that button."))
        state = await uow.conversations.get(resident.respondent_id)
        if state is not None:
            return await self._stale(uow, resident, locale, telegram_locale)
        return Reply(locale, await self._start_survey(uow, resident, telegram_locale))

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
            where = await self._where_you_were(uow, resident, telegram_locale)
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
        screen = self.onboarding.screen(self._ctx(resident, telegram_locale), state)
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
                where = await self._where_you_were(uow, updated, telegram_locale)
                return Reply(data.arg, (done, *where))
        if data.step == "lang" and data.action == "keep":
            text = _("All right, I will keep using {language}.").format(
                language=language_name(resident.locale)
            )
            return Reply(locale, (Outgoing(text, edit=True),))
        if data.step == "forget" and data.action in ("yes", "no") and data.arg.isdigit():
            if not self.rights.forget_answer_fresh(int(data.arg)):
                return Reply(
                    locale,
                    toast=_("That button has expired. Send /forget again."),
                    toast_alert=True,
                )
            if data.action == "no":
                # Edit the question away, so its "Yes" cannot be tapped later by mistake.
                where = await self._where_you_were(uow, resident, telegram_locale)
                return Reply(locale, (Outgoing(_("Nothing was erased."), edit=True), *where))
            return Reply(locale, (await self.rights.erase(uow, resident),), erased=True)
        return Reply(locale, toast=_("Sorry, I didn't understand that button."))
