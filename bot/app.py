"""Wiring: settings, data files, storage and handlers into one PTB ``Application``.

Everything that can be wrong in configuration (settings, survey files, ward tables) is checked
in :func:`prepare` before the event loop starts, so a mistake costs one line, not a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Bot, BotCommand
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from bot.areas import AreaDirectory
from bot.broadcasting.engine import BroadcastEngine, BroadcastPolicy
from bot.broadcasting.flood import FloodGate
from bot.broadcasting.notices import render_broadcast
from bot.broadcasting.reminders import Reminders
from bot.digests.disclosure import BlockLength, DisclosurePolicy
from bot.digests.scrubber import Scrubber
from bot.digests.service import DigestService
from bot.errors import ConfigError, UnreachableError
from bot.i18n import load_catalogs, set_region, supported_locales, use_locale
from bot.residents.conversation import ConversationService
from bot.residents.core import ResidentCore
from bot.residents.events import EventsService
from bot.residents.language_detect import LanguageDetector, detector_for
from bot.residents.menu import resident_menu
from bot.residents.safeguarding import Safeguarding
from bot.routing import Router
from bot.settings import Settings
from bot.staff.officers import OfficerRegistry
from bot.staff.service import StaffService
from bot.surveys import Survey, load_surveys
from bot.update_processor import PerChatUpdateProcessor
from handlers import errors
from handlers.delivery import TelegramDelivery, progress_reporter, send_scheduled
from handlers.menus import MenuOutcome, apply_menu, bot_commands
from handlers.ratelimit import GateLimiter
from handlers.replies import patiently
from handlers.residents import conversation, onboarding, privacy, survey
from handlers.residents import events as events_handlers
from handlers.staff import admin
from storage.database import probe_lock
from storage.flood import recorded_pause
from storage.postgres import recorded_pause as recorded_pause_pg
from storage.repositories import Store

__all__ = [
    "ALLOWED_UPDATES",
    "PerChatUpdateProcessor",
    "Prepared",
    "build_application",
    "prepare",
    "running",
]

# What the handlers use; Telegram then holds back every other kind of update.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
# Telegram gives up on an update it could not deliver within 24 hours; ids are kept twice that.
UPDATE_LEDGER_KEEP = timedelta(hours=48)

logger = logging.getLogger("neighbourhood_voice")

# PTB 22 reports durations such as RetryAfter.retry_after as timedelta when this is set, the
# behaviour of its next major version, and warns on every such error otherwise.
os.environ.setdefault("PTB_TIMEDELTA", "true")

BotApplication = Application[Any, ContextTypes.DEFAULT_TYPE, Any, Any, Any, Any]


@dataclass(frozen=True, slots=True)
class Prepared:
    """Everything validated before start: what the application is built from."""

    settings: Settings
    surveys: dict[str, Survey]
    areas: AreaDirectory
    safeguarding: Safeguarding
    detector: LanguageDetector
    # The end of a flood pause recorded before this start (Unix seconds), to be waited out.
    flood_paused_until: float | None = None


@dataclass(frozen=True, slots=True)
class Services:
    """What the wiring built, typed, for the tests, the demo and the benchmarks.

    Handlers are given their service when they are built; nothing else reads the application's
    ``bot_data``, and :func:`services` is the one place that does."""

    settings: Settings
    store: Store
    conversation: ConversationService
    staff: StaffService
    events: EventsService
    engine: BroadcastEngine
    reminders: Reminders
    digests: DigestService


_SERVICES = "neighbourhood_voice.services"


def services(application: BotApplication) -> Services:
    """The services an application was built with (see :class:`Services`)."""
    found = application.bot_data.get(_SERVICES)
    if not isinstance(found, Services):
        raise TypeError("this application was not built by build_application")
    return found


def _check_database(settings: Settings) -> None:
    """Open the database file once before start, so a bad path costs one line, not a traceback.

    A file another process has open raises :class:`storage.database.DatabaseInUse` here, one
    line too (``bot.py`` prints it). A PostgreSQL server is first reached when the store opens,
    which reports an unreachable server in one line as well."""
    if settings.database_url is not None:
        return
    path = settings.database_path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        probe_lock(path)
        with contextlib.closing(sqlite3.connect(path)) as connection:
            connection.execute("PRAGMA schema_version").fetchone()
    except (OSError, sqlite3.Error) as error:
        raise ConfigError(f"NV_DATABASE: cannot open {path} ({error})") from None


def prepare(settings: Settings) -> Prepared:
    """Load and validate data files; raises ConfigError with one line on any mistake."""
    languages = load_catalogs()
    set_region(settings.region)
    _check_database(settings)
    return Prepared(
        settings=settings,
        surveys=load_surveys(settings.surveys_dir),
        areas=AreaDirectory.load(settings.wards_csv, settings.postcodes_csv),
        safeguarding=Safeguarding.load(),
        detector=detector_for(languages),
        flood_paused_until=(
            recorded_pause_pg(settings.database_url)
            if settings.database_url
            else recorded_pause(settings.database_path)
        ),
    )


def _menu() -> list[BotCommand]:
    return bot_commands(resident_menu())


async def _set_menu(bot: Bot, commands: list[BotCommand], language: str | None) -> bool:
    """The command menu in one language; False if Telegram would not take it.

    The menu is a convenience: the bot starts without it rather than wait out an outage.
    """
    try:
        await patiently(lambda: bot.set_my_commands(commands, language_code=language), attempts=2)
    except TelegramError as error:
        logger.warning("command menu not set, starting without it: %s", error.message)
        return False
    return True


async def check_telegram(settings: Settings, paused_until: float | None = None) -> None:
    """Ask the Bot API who the bot is before starting, so that a token Telegram refuses or an
    API that does not answer is one line for the operator, not a traceback from inside
    python-telegram-bot's start-up. A flood pause recorded before a restart is waited out
    first: Telegram asked for no calls until then."""
    wait = (paused_until or 0.0) - time.time()
    if wait > 0:
        logger.warning("Telegram asked for a pause before the restart: waiting %.1f s", wait)
        await asyncio.sleep(wait)
    try:
        async with Bot(settings.bot_token, base_url=settings.api_base_url):
            pass
    except InvalidToken as error:
        raise ConfigError(
            "Telegram does not accept NV_BOT_TOKEN: copy the bot's token from @BotFather"
        ) from error
    except TelegramError as error:
        raise UnreachableError(
            f"the Telegram Bot API at {settings.api_base_url} did not answer ({error.message}); "
            "check the network and NV_API_BASE_URL"
        ) from error


def build_application(prepared: Prepared) -> BotApplication:
    """The production application; tests change only the base URL and the token."""
    settings = prepared.settings
    store = Store(settings.database)

    async def record_pause(until_epoch: float) -> None:
        """Kept in the database so a restart inside the pause waits out the rest of it."""
        try:
            async with store.unit() as uow:
                await uow.flood.extend(until_epoch)
        except RuntimeError:  # a 429 before the store opened (the getMe at start)
            logger.warning("flood pause until %.0f not recorded: the store is closed", until_epoch)

    gate = FloodGate(settings.broadcast_rate, on_pause=record_pause)
    if prepared.flood_paused_until is not None:
        gate.resume(prepared.flood_paused_until)
    application: BotApplication = (
        ApplicationBuilder()
        .token(settings.bot_token)
        .rate_limiter(GateLimiter(gate))
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_base_file_url)
        .concurrent_updates(PerChatUpdateProcessor(settings.max_concurrent_updates))
        # On stop PTB cancels the long poll and at once polls again to confirm the last offset;
        # with one connection the cancelled one is still held and that confirmation times out.
        .get_updates_connection_pool_size(2)
        .build()
    )
    events = EventsService(
        store, timezone=settings.timezone, default_locale=settings.default_locale
    )
    scrubber = Scrubber(keep=[w.name for w in prepared.areas.wards])
    service = ConversationService(
        ResidentCore(
            store,
            prepared.surveys,
            prepared.areas,
            area_name=settings.area_name,
            default_locale=settings.default_locale,
            retention_days=settings.retention_days,
            detector=prepared.detector,
            safeguarding=prepared.safeguarding,
            timezone=settings.timezone,
            event_card=events.card,
            scrubber=scrubber,
            staff_chats=frozenset(settings.admin_ids),
        )
    )
    policy = BroadcastPolicy(
        rate=settings.broadcast_rate,
        in_flight=settings.broadcast_in_flight,
        quiet_start=settings.quiet_hours[0],
        quiet_end=settings.quiet_hours[1],
        weekly_cap=settings.weekly_cap,
        timezone=settings.timezone,
    )
    engine = BroadcastEngine(
        store,
        TelegramDelivery(application.bot),
        lambda resident, broadcast, event: render_broadcast(
            resident, broadcast, event, settings.timezone
        ),
        policy,
        reporter=progress_reporter(application.bot, store, settings.default_locale),
    )
    reminders = Reminders(store, engine)
    survey_for_digests = prepared.surveys.get("local-priorities") or next(
        iter(prepared.surveys.values())
    )
    digests = DigestService(
        prepared.areas,
        survey_for_digests,
        DisclosurePolicy(
            k=settings.disclosure_k,
            rounding=settings.disclosure_rounding,
            block=BlockLength(settings.digest_period),
        ),
        settings.timezone,
        scrubber,
        schedule=(settings.digest_day, settings.digest_time),
    )
    staff = StaffService(
        store,
        prepared.areas,
        engine,
        config_admins=settings.admin_ids,
        timezone=settings.timezone,
        default_locale=settings.default_locale,
        resident_menu=resident_menu,
        on_event_changed=reminders.schedule_for,
        officers=OfficerRegistry(
            prepared.areas, survey_for_digests, invite_hours=settings.invite_hours
        ),
        digests=digests,
    )

    async def on_start(app: BotApplication) -> None:
        await store.open()
        await scrub_stored_comments()
        for code in supported_locales():
            with use_locale(code):
                language = None if code == settings.default_locale else code
                commands = _menu()
            if not await _set_menu(app.bot, commands, language):
                break
        else:
            await set_staff_menus(app.bot)
        assert app.job_queue is not None
        app.job_queue.run_repeating(purge_expired, interval=86400, first=30, name="retention")
        app.job_queue.run_repeating(
            prune_update_ledger, interval=3600, first=60, name="update-ledger"
        )
        # Daily, and once soon after start: each run sends only what is due and not yet sent,
        # so a digest that fell due while the bot was down goes when it is back.
        app.job_queue.run_daily(
            send_weekly_digests,
            time=settings.digest_time.replace(tzinfo=settings.timezone),
            name="weekly-digests",
        )
        app.job_queue.run_once(send_weekly_digests, when=20, name="weekly-digests-catch-up")
        reminders.job_queue = app.job_queue
        await reminders.rebuild()
        await engine.start()
        logger.info(
            "bot started: %d survey(s), %d wards", len(service.surveys), len(service.areas.wards)
        )

    async def set_staff_menus(bot: Bot) -> None:
        """Every officer's and admin's own command menu (bot/staff/menus.py), before polling
        starts. A chat Telegram refuses (blocked, never wrote to the bot) is skipped; when
        Telegram stops answering, the rest wait for the next start."""
        async with store.unit() as uow:
            changes = await staff.menus.everyone(uow)
        outcomes = Counter[MenuOutcome]()
        for change in changes:
            outcome = await apply_menu(bot, change)
            outcomes[outcome] += 1
            if outcome is MenuOutcome.UNREACHABLE:
                break
        if changes:
            logger.info(
                "staff command menus: %d set, %d refused, %d not tried",
                outcomes[MenuOutcome.DONE],
                outcomes[MenuOutcome.REFUSED],
                len(changes) - outcomes[MenuOutcome.DONE] - outcomes[MenuOutcome.REFUSED],
            )

    async def on_stop(app: BotApplication) -> None:
        await engine.stop()
        await store.close()

    # The daily run and the run after start can meet (a start just before the digest time):
    # one at a time, so the second finds the first's deliveries recorded.
    digest_runs = asyncio.Lock()

    async def send_weekly_digests(context: ContextTypes.DEFAULT_TYPE) -> None:
        """Each officer's digest of their wards, in their language."""
        sent = undelivered = 0
        async with digest_runs:
            for digest in await staff.digests.scheduled():
                if await send_scheduled(
                    context.bot, digest.officer_id, digest.messages, digest.locale
                ):
                    await staff.digests.scheduled_sent(digest)
                    sent += 1
                else:
                    undelivered += 1
        if sent or undelivered:
            logger.info("weekly digests: %d sent, %d not delivered", sent, undelivered)

    async def purge_expired(context: ContextTypes.DEFAULT_TYPE) -> None:
        """Delete responses older than the retention period."""
        cutoff = datetime.now(UTC) - timedelta(days=settings.retention_days)
        async with store.unit() as uow:
            removed = await uow.responses.purge_before(cutoff.isoformat(timespec="seconds"))
        if removed:
            logger.info("retention: deleted %d expired response(s)", removed)

    async def scrub_stored_comments() -> None:
        """Comments stored before they were scrubbed as given are scrubbed once, at the first
        start after the upgrade: no third party's name or number stays for the retention
        period. The unit of work holds the lock for this one pass, before polling starts."""
        async with store.unit() as uow:
            if await uow.responses.chore_done("scrub-stored-comments"):
                return
            names = tuple(await uow.events.names())
            keeping = scrubber.keeping(names)
            changed = await uow.responses.rewrite_texts(lambda text: keeping.scrub(text).text)
            await uow.responses.mark_chore_done("scrub-stored-comments")
        if changed:
            logger.info("scrubbed %d comment(s) stored before comments were scrubbed", changed)

    async def prune_update_ledger(context: ContextTypes.DEFAULT_TYPE) -> None:
        """Forget handled update ids once Telegram can no longer redeliver them."""
        cutoff = datetime.now(UTC) - UPDATE_LEDGER_KEEP
        async with store.unit() as uow:
            await uow.updates.prune_before(cutoff.isoformat(timespec="seconds"))

    application.post_init = on_start
    application.post_shutdown = on_stop
    application.add_handler(conversation.foreign_taps(service))
    application.add_handlers(onboarding.build(service.commands))
    router = Router(store, service, staff)
    application.add_handlers(survey.build(service.commands, router))
    application.add_handlers(privacy.build(service.commands))
    application.add_handlers(events_handlers.build(events))
    application.add_handlers(admin.build(staff))
    application.add_handlers(conversation.build(service, router, staff))
    application.add_error_handler(errors.build(service))
    application.bot_data[_SERVICES] = Services(
        settings=settings,
        store=store,
        conversation=service,
        staff=staff,
        events=events,
        engine=engine,
        reminders=reminders,
        digests=digests,
    )
    return application


@asynccontextmanager
async def running(
    application: BotApplication, *, poll_timeout: int = 10, poll_interval: float | None = None
) -> AsyncIterator[None]:
    """Run the application with long polling inside an already running event loop.

    ``run_polling`` owns the loop and suits ``bot.py``; tests, the demo and the benchmarks
    need the same start-up inside their own loop. ``poll_interval`` defaults to the settings'.
    """
    if poll_interval is None:
        poll_interval = services(application).settings.poll_interval
    await application.initialize()
    try:
        # run_polling calls these hooks itself; outside it they are ours to call.
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=poll_interval, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES
        )
        try:
            yield
        finally:
            await application.updater.stop()
            await application.stop()
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
