"""Update ids as Telegram hands them out: restarted lower after a quiet week, and out of order
under webhooks. Each update is answered once, whatever its id says about the others.

The watermark these replace (the newest id per chat) failed both: it took the restarted ids,
and a text overtaken by a tap, for updates already handled and answered nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from aiohttp import web
from telegram import Update

from bot.app import BotApplication, build_application, prepare
from bot.devtools.emulator import BotApiEmulator
from bot.settings import Settings
from tests.helpers import SURVEY_CHOICES, begin_survey, job, onboard, stored, webhook_receiver

SECRET = "nv-webhook-secret"


async def test_after_ids_restart_lower_a_returning_resident_is_answered(
    bot: BotApplication, emulator: BotApiEmulator, settings: Settings
) -> None:
    ada = emulator.user(1101, first_name="Ada")
    await onboard(ada)
    await begin_survey(ada)
    for label in SURVEY_CHOICES * 3:  # on, off, on: enough updates for a restart well below
        await ada.tap_button(label)
        await ada.next_reply()
    await emulator.wait_idle()
    highest = max(await _handled(settings))
    # A quiet week: the hourly job forgets ids handled more than 48 hours ago, and only then
    # does Telegram restart its numbering.
    async with stored(settings) as uow:
        await uow.updates.backdate_all(datetime.now(UTC) - timedelta(days=7))
    await job(bot, "update-ledger").run(bot)
    assert await _handled(settings) == []
    restarted = emulator.restart_update_ids()
    assert restarted < highest

    await ada.send("hello")  # a lower id than any the bot has handled
    reply = await ada.next_reply()
    assert "Please answer with the buttons below." in (reply.text or "")
    await ada.tap_button("Done")
    second = await ada.next_reply()
    assert "Question 2 of 6" in (second.text or "")
    assert {restarted, restarted + 1} <= set(await _handled(settings))


async def _handled(settings: Settings) -> list[int]:
    async with stored(settings) as uow:
        return await uow.updates.handled()


@asynccontextmanager
async def fed_by_webhook(
    application: BotApplication, emulator: BotApiEmulator
) -> AsyncIterator[None]:
    """The production application fed as PTB's own webhook server feeds it: each POST's update
    goes on ``update_queue`` and is answered 200 (PTB ``_utils/webhookhandler.py``). The bot
    has no webhook mode of its own yet; this stands in for PTB's, not for our code."""

    async def receive(request: web.Request) -> web.Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != SECRET:
            return web.Response(status=403)
        update = Update.de_json(await request.json(), application.bot)
        await application.update_queue.put(update)
        return web.Response(status=200)

    async with webhook_receiver(receive) as url:
        await application.initialize()
        try:
            if application.post_init is not None:
                await application.post_init(application)
            await application.start()
            await application.bot.set_webhook(url, secret_token=SECRET)
            try:
                yield
            finally:
                await application.bot.delete_webhook()
                await application.stop()
        finally:
            await application.shutdown()
            if application.post_shutdown is not None:
                await application.post_shutdown(application)


async def test_under_webhooks_a_tap_that_overtakes_a_text_leaves_both_answered(
    emulator: BotApiEmulator, settings: Settings
) -> None:
    application = build_application(prepare(settings))
    async with fed_by_webhook(application, emulator):
        ada = emulator.user(1102, first_name="Ada")
        await onboard(ada)
        await begin_survey(ada)
        ada.mark_read()
        with emulator.holding_chat(ada.id):
            text = await ada.send("hello")  # typed first: waits in the chat's queue
            tap = await ada.tap_button(SURVEY_CHOICES[0])  # travels in the user's queue
            ticked = await ada.next_reply()
            assert ticked.event == "edited" and "Question 1 of 6" in (ticked.text or "")
        answer = await ada.next_reply()
        assert "Please answer with the buttons below." in (answer.text or "")
        await emulator.wait_idle()
        delivered = [update_id for update_id, status in emulator.webhook_deliveries]
        assert delivered.index(tap["update_id"]) < delivered.index(text["update_id"])
        assert text["update_id"] < tap["update_id"]
        # The tap took: Done moves on to question 2.
        await ada.tap_button("Done")
        assert "Question 2 of 6" in ((await ada.next_reply()).text or "")
