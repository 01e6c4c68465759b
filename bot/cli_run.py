"""``python -m bot run [telegram|zalo] [--webhook]``: every configured channel, its sender and
(with --webhook) one web server, in one process, until Ctrl-C or SIGTERM.

Channels are a registry: a channel adds one ``ChannelStarter`` to ``CHANNELS`` (the setting that
holds its token, and an ``async start(rt)`` that opens its client, registers its sender and
either a webhook route or a polling task on the Runtime).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

from bot.app import build_app, settle_memory
from bot.file_links import file_route
from bot.runtime import Runtime
from bot.settings import Settings, SettingsError
from bot.webhook import serve_webhooks
from messages import t
from scheduler.broadcasts import Dispatcher, DispatchPolicy
from scheduler.runtime import start_scheduler

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChannelStarter:
    token_setting: str
    start: Callable[[Runtime], Awaitable[None]]


async def start_zalo(rt: Runtime) -> None:
    from bot.channels.zalo_run import start_zalo as start

    await start(rt)


async def start_telegram(rt: Runtime) -> None:
    """Telegram: getMe + commands, the outbox sender, then polling or the webhook route."""
    from telegram.error import InvalidToken, TelegramError

    from bot.channels.telegram import (
        ALLOWED_UPDATES,
        TelegramChannel,
        build_application,
        update_keys,
    )
    from bot.channels.telegram_transport import TelegramTransport
    from bot.rate_limits import limits_for
    from bot.sender import Sender
    from handlers.types import Channel

    assert rt.app is not None
    settings = rt.settings
    application = build_application(settings.telegram_token, settings.telegram_api_url)
    channel = TelegramChannel(application, rt.app, on_commit=rt.notify)
    try:
        await channel.start()
    except InvalidToken:
        raise SettingsError(
            t("telegram.run.token_rejected", platform="Telegram", setting="TELEGRAM_TOKEN")
        ) from None
    except TelegramError as exc:
        raise SettingsError(
            t(
                "telegram.run.unreachable",
                platform="Telegram",
                url=settings.telegram_api_url,
                reason=exc.message,
            )
        ) from None
    rt.stack.push_async_callback(channel.close)
    transport = TelegramTransport(channel.bot, rt.app.files)
    limits = limits_for(Channel.TELEGRAM, settings)
    rt.add_sender(Sender(rt.app.db, transport, limits, batch=rt.app.engine.batch))
    if not rt.webhook:
        rt.add_task(channel.poll, "telegram:poll")
        return
    path = "/webhook/telegram"
    url, secret = rt.public_url(path), rt.webhook_secret
    rt.store_first_route(
        "telegram",
        path,
        header="X-Telegram-Bot-Api-Secret-Token",
        keys=update_keys,
        process=channel.handle_raw,
    )

    async def register() -> None:
        # One connection keeps each person's updates in the order they were sent.
        await channel.bot.set_webhook(
            url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
            max_connections=1,
        )

    rt.after_listen.append(register)


#: Every channel ``run`` knows, by name. Zalo: add ``"zalo": ChannelStarter("zalo_token", ...)``.
CHANNELS: dict[str, ChannelStarter] = {
    "telegram": ChannelStarter("telegram_token", start_telegram),
    "zalo": ChannelStarter("zalo_token", start_zalo),
}


def chosen_channels(settings: Settings, named: str | None) -> list[str]:
    """The channels to start: the named one (its token must be set) or all with a token."""
    if named is not None:
        setting = CHANNELS[named].token_setting
        if not getattr(settings, setting):
            raise SettingsError(t("telegram.run.missing_token", setting=setting.upper()))
        return [named]
    found = [name for name, c in CHANNELS.items() if getattr(settings, c.token_setting)]
    if not found:
        raise SettingsError(t("telegram.run.no_channel"))
    return found


async def run(settings: Settings, named: str | None, webhook: bool, stop: asyncio.Event) -> None:
    """Start the channels and serve until ``stop`` is set; everything closes in reverse."""
    names = chosen_channels(settings, named)
    if not webhook:
        # Officers' file links need the webhook server; without it the bot says where to ask.
        settings = settings.model_copy(update={"file_link_secret": ""})
    async with AsyncExitStack() as stack:
        rt = Runtime(settings=settings, webhook=webhook, stack=stack)
        rt.app = await stack.enter_async_context(
            build_app(settings, on_commit=rt.notify, on_arrival=rt.expect_reply)
        )
        for name in names:
            await CHANNELS[name].start(rt)
        scheduler = await start_scheduler(
            settings.scheduler_config(), rt.app.db, rt.app.files, on_commit=rt.notify
        )
        stack.callback(scheduler.shutdown, False)
        start_dispatcher(rt)
        if webhook:
            if settings.file_link_secret:
                rt.routes.append(file_route(rt.app.db, rt.app.files, settings.file_link_secret))
            await stack.enter_async_context(
                serve_webhooks(
                    rt.routes, settings.webhook_host, settings.webhook_port, health=rt.health
                )
            )
            for after in rt.after_listen:
                await after()
        elif settings.health_port:
            await stack.enter_async_context(
                serve_webhooks([], settings.webhook_host, settings.health_port, health=rt.health)
            )
        settle_memory()
        print(t("telegram.run.listening", channels=", ".join(names)), file=sys.stderr)
        await stop.wait()


def start_dispatcher(rt: Runtime) -> None:
    """Announcements: due broadcasts become outbox rows, batch by batch (scheduler/broadcasts).
    On shutdown its pass is let finish: cancelling it inside a database call would leave a
    connection to close after the database is gone."""
    assert rt.app is not None
    s = rt.settings
    policy = DispatchPolicy(s.zone, s.quiet_start, s.quiet_end)
    dispatcher = Dispatcher(rt.app.db, policy, on_commit=rt.notify)
    task = asyncio.create_task(dispatcher.run(), name="broadcasts")

    async def finish() -> None:
        dispatcher.stop()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(task), 10)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    rt.stack.push_async_callback(finish)


def _cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await run(settings, args.channel, args.webhook, stop)

    asyncio.run(main())
    return 0


def register(sub: Any) -> None:
    parser = sub.add_parser("run", help="run the bot on Telegram/Zalo (polling or --webhook)")
    parser.add_argument("channel", nargs="?", choices=sorted(CHANNELS), default=None)
    parser.add_argument(
        "--webhook", action="store_true", help="serve webhooks on WEBHOOK_HOST:WEBHOOK_PORT"
    )
    parser.set_defaults(handler=_cmd_run)
