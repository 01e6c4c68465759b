"""What ``python -m bot run`` shares with each channel it starts: the app, the webhook routes,
the senders and the background tasks, all closed in reverse order by one AsyncExitStack."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Collection, Coroutine
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.app import App
from bot.inbox import Inbox, Keys, Process
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
    #: The background tasks (receivers) by name, for /healthz.
    tasks: dict[str, TaskHealth] = field(default_factory=dict)
    #: Webhook updates are stored here first and processed after (bot/inbox.py).
    inbox: Inbox | None = None
    _secret: str = ""

    def store_first_route(
        self, channel: str, path: str, *, header: str, keys: Keys, process: Process
    ) -> None:
        """A webhook route that stores each update and acknowledges it; this process also
        processes stored updates of ``channel`` (with any other worker on the database)."""
        from bot.webhook import secret_route

        assert self.app is not None
        if self.inbox is None:
            self.inbox = Inbox(self.app.engine.batch, self.app.engine.clock)
            self.add_task(self.inbox.run, "inbox")
        self.inbox.register(channel, keys, process)
        self.routes.append(
            secret_route(
                path, header=header, secret=self.webhook_secret, handle=self.inbox.handler(channel)
            )
        )

    def notify(self, replies: Collection[tuple[str, str]] = ()) -> None:
        """Rows were committed (``replies``: the engine's chats, see ``Sender.notify``): wake
        every sender."""
        for sender in self.senders:
            sender.notify(replies)

    def expect_reply(self, channel: str) -> Callable[[], None]:
        """A message arrived on ``channel``: its sender keeps a place for the reply (see
        ``Sender.expect_reply``). Returns the call that withdraws the notice."""
        withdraws = [s.expect_reply() for s in self.senders if s.channel.value == channel]

        def withdraw() -> None:
            for each in withdraws:
                each()

        return withdraw

    def add_sender(self, sender: Sender) -> None:
        """Run ``sender`` in the background; on shutdown it finishes its in-flight sends."""
        self.senders.append(sender)
        task = asyncio.create_task(sender.run(), name=f"sender:{sender.channel}")
        self.stack.push_async_callback(_finish, task, sender.stop)

    def add_task(self, work: Callable[[], Coroutine[Any, Any, None]], name: str) -> None:
        """Run ``work()`` until shutdown (then cancelled); if it crashes or ends, it is logged
        and started again after a pause (see ``supervise``)."""
        health = self.tasks[name] = TaskHealth()
        task = asyncio.create_task(supervise(name, work, health), name=name)
        self.stack.push_async_callback(_finish, task, None)

    def health(self) -> dict[str, Any]:
        """What /healthz says: "ok" while every background task runs."""
        down = [name for name, h in self.tasks.items() if not h.running]
        return {
            "status": "degraded" if down else "ok",
            "tasks": {name: h.as_json() for name, h in self.tasks.items()},
        }

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


@dataclass
class TaskHealth:
    running: bool = False
    restarts: int = 0
    last_error: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"running": self.running, "restarts": self.restarts, "last_error": self.last_error}


async def supervise(
    name: str,
    work: Callable[[], Coroutine[Any, Any, None]],
    health: TaskHealth,
    *,
    backoff_base: float = 1.0,
    backoff_max: float = 60.0,
) -> None:
    """Run ``work()`` again whenever it crashes or returns, after a pause that doubles up to
    ``backoff_max`` (and starts over after a run that lasted longer than that): a receiver that
    dies must not leave the bot deaf until someone restarts it."""
    loop = asyncio.get_running_loop()
    pause = backoff_base
    while True:
        health.running = True
        started = loop.time()
        try:
            await work()
            log.warning("background task %s ended; starting it again in %.0f s", name, pause)
        except Exception as exc:
            health.last_error = type(exc).__name__
            log.error("background task %s crashed; restarting in %.0f s", name, pause, exc_info=exc)
        health.running = False
        health.restarts += 1
        if loop.time() - started > backoff_max:
            pause = backoff_base
        await asyncio.sleep(pause)
        pause = min(pause * 2, backoff_max)
