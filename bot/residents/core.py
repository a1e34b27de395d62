"""What every resident update shares: the session, the flows, and where a resident was.

The commands (:mod:`bot.residents.commands`) and the conversation itself
(:mod:`bot.residents.conversation`) both open their unit of work through here, walk the same
runner and repeat the same current question, so one resident has one place in one flow
whichever way their update came in.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, tzinfo

from bot.areas import AreaDirectory
from bot.digests.scrubber import Scrubber
from bot.flows import (
    Applied,
    Erase,
    Flow,
    FlowContext,
    FlowRunner,
    Input,
    Ran,
    SaveResponse,
    Transition,
)
from bot.flows.onboarding import OnboardingFlow, home_screen
from bot.flows.slots import ResidentSlot
from bot.flows.survey import SurveyFlow
from bot.i18n import _, data_text, format_date, use_locale
from bot.messages import CallbackData, Incoming, Outgoing, Reply, Screen
from bot.residents.data_rights import DataRights
from bot.residents.language_detect import LanguageDetector
from bot.residents.safeguarding import Safeguarding
from bot.residents.session import EventCard, resident_in
from bot.surveys import Survey
from storage.models import Resident
from storage.repositories import Store, UnitOfWork

__all__ = ["DEFAULT_SURVEY", "ResidentCore"]

DEFAULT_SURVEY = "local-priorities"

# Chats whose language the urgent answer knows without the database (about 10 MB at most).
_LOCALES_KEPT = 100_000


class ResidentCore:
    """The store, the flows and the settings a resident's updates are handled with."""

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
        self.rights = DataRights(areas, area_name, timezone, clock, surveys)
        self.locales: dict[int, str] = {}
        # The configured admins type event texts and notices, which are no call for help.
        self.staff_chats = staff_chats

    # -- one update's session ------------------------------------------------------------
    @asynccontextmanager
    async def session(
        self, who: Incoming
    ) -> AsyncIterator[tuple[UnitOfWork, Resident | None, str]]:
        """A unit of work with the resident loaded (update claimed) and their locale set."""
        async with self.store.unit() as uow, self.session_in(uow, who) as (resident, locale):
            yield uow, resident, locale

    @asynccontextmanager
    async def session_in(
        self, uow: UnitOfWork, who: Incoming
    ) -> AsyncIterator[tuple[Resident | None, str]]:
        """:meth:`session` in a unit already open (see :mod:`bot.routing`)."""
        async with resident_in(uow, who, self.default_locale) as (resident, locale):
            if resident is not None:
                self.remember_locale(who.chat_id, locale)
            yield resident, locale

    def remember_locale(self, chat_id: int, locale: str | None) -> None:
        """The language for the urgent answer, kept in memory; forgotten with the resident."""
        self.locales.pop(chat_id, None)
        if locale is None:
            return
        self.locales[chat_id] = locale
        if len(self.locales) > _LOCALES_KEPT:  # the least recently seen go first
            del self.locales[next(iter(self.locales))]

    async def finish_erase(self, reply: Reply, who: Incoming) -> Reply:
        """After an erasing unit has committed: forget the chat's language, checkpoint."""
        if reply.erased:
            self.remember_locale(who.chat_id, None)
            await self.store.checkpoint()
        return reply

    # -- where a resident is -------------------------------------------------------------
    def ctx(self, resident: Resident, telegram_locale: str | None) -> FlowContext:
        return FlowContext(
            resident=resident,
            areas=self.areas,
            surveys=self.surveys,
            area_name=self.area_name,
            telegram_locale=telegram_locale,
        )

    async def current_screen(
        self, uow: UnitOfWork, resident: Resident, telegram_locale: str | None
    ) -> Screen | None:
        state = await uow.conversations.get(resident.respondent_id)
        if state is None:
            return None
        flow = self.flows.get(state.flow)
        if flow is None:
            return None
        return flow.screen(self.ctx(resident, telegram_locale), state)

    async def where_you_were(
        self, uow: UnitOfWork, resident: Resident | None, telegram_locale: str | None
    ) -> tuple[Outgoing, ...]:
        """Repeat the question a resident is on, so the conversation stays where it was."""
        if resident is None:
            return ()
        screen = await self.current_screen(uow, resident, telegram_locale)
        return (Outgoing.of(screen),) if screen else ()

    async def home(self, uow: UnitOfWork, resident: Resident) -> tuple[Outgoing, ...]:
        """What a resident with nothing in progress is offered: the survey, or, once they
        have answered it, a word that it is done rather than the same offer again."""
        last = await uow.responses.last_submitted(resident.respondent_id)
        if last is None:
            return (Outgoing.of(home_screen()),)
        text = _(
            "You answered the survey on {date}. Thank you! Send /survey if you would like to "
            "answer it again."
        ).format(date=format_date(last, self.timezone))
        return (Outgoing(text),)

    async def start_survey(
        self, uow: UnitOfWork, resident: Resident, telegram_locale: str | None
    ) -> tuple[Outgoing, ...]:
        survey = self.surveys.get(DEFAULT_SURVEY) or next(iter(self.surveys.values()))
        last = await uow.responses.last_submitted(resident.respondent_id)
        state = SurveyFlow.start(survey)
        await uow.conversations.put(resident.respondent_id, state)
        screen = self.survey_flow.screen(self.ctx(resident, telegram_locale), state)
        intro = data_text(survey.intro)
        if last is not None:
            # The digest counts each resident's newest response in a period (one voice each).
            again = _(
                "You last answered on {date}. If you answer again, summaries count only your "
                "newest answers for this period, so nobody is counted twice."
            ).format(date=format_date(last, self.timezone))
            intro = f"{again}\n\n{intro}"
        return (Outgoing(intro), Outgoing.of(screen))

    async def show_event(
        self, uow: UnitOfWork, resident: Resident, event_id: int | None
    ) -> tuple[Outgoing, ...]:
        """The card of the event a poster linked to, or why it cannot be shown."""
        if event_id is None or self.event_card is None:
            return ()
        card = await self.event_card(uow, resident, event_id)
        return (card,) if card else (Outgoing(_("Sorry, that event is no longer available.")),)

    # -- the runner ----------------------------------------------------------------------
    async def walk(
        self,
        uow: UnitOfWork,
        resident: Resident,
        telegram_locale: str | None,
        event: Input,
        tapped: CallbackData | None = None,
    ) -> Ran[FlowContext]:
        """One input through the runner (the update was claimed by its session)."""

        async def context(flow: Flow[FlowContext], _state: object) -> FlowContext:
            ctx = self.ctx(resident, telegram_locale)
            if flow is self.survey_flow:  # a comment is scrubbed as it is given
                ctx = replace(ctx, kept=tuple(await uow.events.names()))
            return ctx

        slot = ResidentSlot(uow, resident.respondent_id)
        return await self.runner.run(uow, slot, context, event, tapped=tapped)

    @staticmethod
    def reply(ran: Ran[FlowContext]) -> Reply:
        return Reply(
            ran.locale,
            ran.messages,
            toast=ran.toast,
            toast_alert=ran.toast is not None,
            erased=ran.erased,
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
                extra = await self.show_event(uow, resident, resident.referred_by_event)
        return Applied(replace(ctx, resident=resident), extra=extra)
