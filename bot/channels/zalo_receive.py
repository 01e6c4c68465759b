"""Receiving from Zalo: the receiver, the long-polling loop, and the switch polling ↔ webhook.

Polling and the webhook route (bot/webhook.py ``secret_route`` with ``SECRET_HEADER``: constant-
time check, 403 otherwise, 200 only once ``handle_payload`` returned) both end in
``ZaloReceiver.handle_payload``: parse (downloading images), then ``engine.handle``, which stores
the event, its state change and its replies in one transaction.
Polling and a webhook are exclusive on Zalo (getUpdates gets nothing while a webhook is set), so
``use_polling`` deletes a webhook and ``use_webhook`` sets one, and both say what they did.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from bot.channels.zalo import IMAGE, ImageFetcher, parse_zalo_update, read_zalo_update
from bot.channels.zalo_client import ZaloClient, ZaloError, ZaloUnauthorized
from bot.engine import Engine
from bot.webhook import MalformedUpdateError
from messages import t

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/webhook/zalo"
#: Zalo's rule for secret_token.
SECRET_LENGTHS = range(8, 257)


def update_keys(payload: dict[str, Any]) -> tuple[str, str]:
    """(de-duplication key, sender id) of a raw Zalo update ("" when it has none); a payload
    that is no update at all raises MalformedUpdateError (the webhook's 400, nothing stored)."""
    update = read_zalo_update(payload)
    if update is None or not update.event_name:
        raise MalformedUpdateError("not a Zalo update")
    if update.message is None:
        return "", ""
    message = update.message
    return update.key, message.sender.id or message.chat.id


class ZaloSetupError(Exception):
    """The webhook cannot be used as configured (message is for the operator)."""


class ZaloReceiver:
    """Zalo payload → stored event. Shared by the polling loop and the webhook."""

    def __init__(self, engine: Engine, client: ZaloClient, fetch: ImageFetcher) -> None:
        self.engine = engine
        self.client = client
        self.fetch = fetch

    async def handle_payload(self, payload: Any) -> None:
        """Parse and process one update; returns once the engine has committed it. A payload
        that is no update at all (``{}``) raises MalformedUpdateError (the webhook's 400)."""
        update = read_zalo_update(payload)
        if update is None or not update.event_name:
            raise MalformedUpdateError("not a Zalo update")
        if update.event_name == IMAGE and update.message is not None:
            # Downloading takes a moment on a rural connection: show the user we are on it.
            await self._typing(update.message.chat.id or update.message.sender.id)
        event = await parse_zalo_update(payload, self.fetch)
        if event is not None:
            await self.engine.handle(event)

    async def _typing(self, chat_id: str) -> None:
        if not chat_id:
            return
        try:
            await self.client.send_chat_action(chat_id, "typing")
        except ZaloError as exc:
            log.info("zalo: typing indicator not shown (%s)", self.client.redact(str(exc)))


async def run_polling(
    client: ZaloClient,
    receiver: ZaloReceiver,
    *,
    stop: asyncio.Event | None = None,
    poll_seconds: int = 30,
    backoff_base: float = 1.0,
    backoff_max: float = 60.0,
) -> None:
    """Long-poll until ``stop`` is set. A failed update is logged and the loop goes on; an empty
    poll (408) is normal; API errors back off; only a refused token ends the loop (it raises)."""
    stop = stop or asyncio.Event()
    failures = 0
    while not stop.is_set():
        try:
            updates = await client.get_updates(poll_seconds)
        except ZaloUnauthorized:
            log.error("zalo: the token was refused; polling stops")
            raise
        except ZaloError as exc:
            failures += 1
            delay = min(backoff_max, backoff_base * 2.0 ** (failures - 1))
            log.warning("zalo: getUpdates failed (%s); next try in %.0f s", exc, delay)
            await _sleep_unless(stop, delay)
            continue
        failures = 0
        for payload in updates:
            try:
                await receiver.handle_payload(payload)
            except MalformedUpdateError:
                log.warning("zalo: getUpdates returned something that is not an update; skipped")
            except Exception:
                # Unlike python-zalo-bot's loop, one bad update must not end the bot.
                log.exception("zalo: an update could not be processed; polling goes on")


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def use_polling(client: ZaloClient, say: Callable[[str], None]) -> None:
    """Make getUpdates work: remove a webhook if one is set, and say so."""
    info = await client.get_webhook_info()
    url = str(info.get("url") or "")
    if url:
        await client.delete_webhook()
        say(t("zalo.cli.webhook_deleted", url=url))
    say(t("zalo.cli.polling"))


async def use_webhook(
    client: ZaloClient, url: str, secret: str, say: Callable[[str], None]
) -> None:
    """Point Zalo at our webhook ``url`` (HTTPS, checked first), and say so."""
    if not url.startswith("https://"):
        raise ZaloSetupError(t("zalo.cli.need_https"))
    if len(secret) not in SECRET_LENGTHS:
        raise ZaloSetupError(t("zalo.cli.bad_secret"))
    # Always set: the secret may have changed, and Zalo never tells which one it holds.
    await client.set_webhook(url, secret)
    say(t("zalo.cli.webhook_set", url=url))
