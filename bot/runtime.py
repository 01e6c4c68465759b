"""What ``python -m bot run`` shares with each channel it starts: the app, the webhook routes,
the senders and the background tasks, all closed in reverse order by one AsyncExitStack."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.app import App
from bot.sender import Sender
from bot.settings import Settings, SettingsError
from messages import t

log = logging.getLogger(__name__)

_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass
class Runtime:
    settings: Settings
    webhook: bool
    stack: AsyncExitStack
    app: App | None = None
    #: Webhook routes of the started channels, served together by bot/webhook.py.
    routes: list[web.RouteDef] = field(default_factory=list)
    #: Run once the webhook server listens (e.g. setWebhook, so the first call finds us up).
    after_listen: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    senders: list[Sender] = field(default_factory=list)
    _secret: str = ""

    def notify(self) -> None:
        """The engine committed replies: wake every sender."""
        for sender in self.senders:
            sender.notify()

    def add_sender(self, sender: Sender) -> None:
        """Run ``sender`` in the background; on shutdown it finishes its in-flight sends."""
        self.senders.append(sender)
        task = asyncio.create_task(sender.run(), name=f"sender:{sender.channel}")
        self.stack.push_async_callback(_finish, task, sender.stop)

    def add_task(self, work: Coroutine[Any, Any, None], name: str) -> None:
        """Run ``work`` until shutdown (then cancelled); a crash is logged."""
        task = asyncio.create_task(work, name=name)
        task.add_done_callback(_log_crash)
        self.stack.push_async_callback(_finish, task, None)

    @property
    def webhook_secret(self) -> str:
        """WEBHOOK_SECRET, or a random one for this run (each start registers it again)."""
        if not self._secret:
            given = self.settings.webhook_secret
            if given and not _SECRET.fullmatch(given):
                raise SettingsError(t("telegram.run.bad_secret"))
            self._secret = given or secrets.token_urlsafe(32)
        return self._secret

    def public_url(self, path: str) -> str:
        base = self.settings.webhook_public_url.rstrip("/")
        if not base:
            raise SettingsError(t("telegram.run.missing_public_url"))
        return base + path


async def _finish(task: asyncio.Task[None], stop: Callable[[], Awaitable[None]] | None) -> None:
    if stop is not None:
        await stop()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def _log_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("background task %s crashed", task.get_name(), exc_info=task.exception())
