"""Zalo's part of ``python -m bot run``: check the token, start the sender, then poll or serve
the webhook. Polling and a webhook are exclusive on Zalo, so each mode undoes the other and says
so on stderr."""

from __future__ import annotations

import sys

from bot.channels.zalo import ImageDownloader
from bot.channels.zalo_client import ZaloClient, ZaloNetworkError, ZaloUnauthorized
from bot.channels.zalo_receive import (
    SECRET_HEADER,
    WEBHOOK_PATH,
    ZaloReceiver,
    ZaloSetupError,
    run_polling,
    update_keys,
    use_polling,
    use_webhook,
)
from bot.channels.zalo_transport import ZaloTransport
from bot.rate_limits import limits_for
from bot.runtime import Runtime
from bot.sender import Sender
from bot.settings import SettingsError
from handlers.types import Channel
from messages import t


def say(line: str) -> None:
    """A line for the operator: stderr, so stdout stays clean."""
    print(line, file=sys.stderr)


async def start_zalo(rt: Runtime) -> None:
    """getMe (a refused token stops the start), the outbox sender, then polling or the webhook."""
    assert rt.app is not None
    settings = rt.settings
    client = ZaloClient(settings.zalo_token, base_url=settings.zalo_api_url)
    rt.stack.push_async_callback(client.aclose)
    try:
        me = await client.get_me()
    except ZaloUnauthorized:
        raise SettingsError(
            t("telegram.run.token_rejected", platform="Zalo", setting="ZALO_TOKEN")
        ) from None
    except ZaloNetworkError as exc:
        reason = client.redact(str(exc))
        raise SettingsError(
            t("telegram.run.unreachable", platform="Zalo", url=settings.zalo_api_url, reason=reason)
        ) from None
    say(t("zalo.cli.started", name=me.get("account_name") or me.get("id") or "?"))
    downloader = ImageDownloader()
    rt.stack.push_async_callback(downloader.aclose)
    receiver = ZaloReceiver(rt.app.engine, client, downloader)
    limits = limits_for(Channel.ZALO, settings)
    rt.add_sender(Sender(rt.app.db, ZaloTransport(client), limits, batch=rt.app.engine.batch))
    if not rt.webhook:
        await use_polling(client, say)
        rt.add_task(lambda: run_polling(client, receiver), "zalo:poll")
        return
    url, secret = rt.public_url(WEBHOOK_PATH), rt.webhook_secret
    rt.store_first_route(
        "zalo",
        WEBHOOK_PATH,
        header=SECRET_HEADER,
        keys=update_keys,
        process=receiver.handle_payload,
    )

    async def register() -> None:
        # After the server listens: Zalo may probe the URL while setting it.
        try:
            await use_webhook(client, url, secret, say)
        except ZaloSetupError as exc:
            raise SettingsError(str(exc)) from None

    rt.after_listen.append(register)
