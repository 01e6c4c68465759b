"""A fake Zalo Bot API server on 127.0.0.1 (aiohttp), for end-to-end tests of the real client.

It answers the methods the bot uses the way the platform does (the ``{ok, result}`` envelope,
``ok: false`` with HTTP 200 for API errors, 408 when a long poll ends empty), checks what the
platform checks (token, text length 1–2,000), records every call, serves images the bot
downloads, and fails on request: ``fail("sendMessage", "429")`` makes the next such call fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from PIL import Image

TOKEN = "1234567890:fake-secret-token-XYZ"
MAX_TEXT = 2000


def jpeg_bytes(color: str = "white", size: tuple[int, int] = (60, 80)) -> bytes:
    """A small real JPEG (a "page" the user photographs)."""
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="JPEG")
    return buf.getvalue()


@dataclass
class Call:
    method: str
    payload: dict[str, Any]


@dataclass
class FakeZalo:
    """State of the fake platform; ``url`` is set once the server listens."""

    token: str = TOKEN
    url: str = ""
    #: How long an empty long poll lasts here (the real one lasts ``timeout`` seconds).
    poll_seconds: float = 0.05
    calls: list[Call] = field(default_factory=list)
    images: dict[str, bytes] = field(default_factory=dict)
    image_fetches: list[str] = field(default_factory=list)
    webhook_url: str = ""
    webhook_secret: str = ""
    _updates: deque[dict[str, Any]] = field(default_factory=deque)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _failures: dict[str, list[str]] = field(default_factory=dict)
    _next_id: int = 0
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    # --- what a test does -------------------------------------------------------------
    def push(self, update: dict[str, Any]) -> None:
        """Queue an event for the next getUpdates."""
        self._updates.append(update)
        self._arrived.set()

    def fail(self, method: str, *kinds: str) -> None:
        """The next calls of ``method`` fail, one per kind: "429", "ok_false", "5xx", "401"."""
        self._failures.setdefault(method, []).extend(kinds)

    def pending_failures(self) -> int:
        return sum(len(kinds) for kinds in self._failures.values())

    def image_url(self, name: str, data: bytes) -> str:
        self.images[name] = data
        return f"{self.url}/images/{name}"

    def sent(self, method: str | None = None) -> list[Call]:
        """Accepted calls of a send method (failed attempts are not "sent")."""
        names = {method} if method else {"sendMessage", "sendPhoto"}
        return [c for c in self.calls if c.method in names and "failed" not in c.payload]

    def sent_texts(self) -> list[str]:
        return [str(c.payload.get("text") or c.payload.get("caption") or "") for c in self.sent()]

    async def wait_sent(self, count: int, within: float = 5.0) -> list[Call]:
        """Wait until at least ``count`` messages were accepted."""
        await self.wait_until(lambda: len(self.sent()) >= count, within)
        return self.sent()

    async def wait_until(self, done: Callable[[], bool], within: float = 5.0) -> None:
        async with asyncio.timeout(within):
            while not done():
                self._changed.clear()
                await self._changed.wait()

    # --- the HTTP side --------------------------------------------------------------
    def _ok(self, result: Any = None) -> web.Response:
        body: dict[str, Any] = {"ok": True}
        if result is not None:
            body["result"] = result
        return web.json_response(body)

    @staticmethod
    def _error(code: int, description: str, status: int = 200) -> web.Response:
        body = {"ok": False, "error_code": code, "description": description}
        return web.json_response(body, status=status)

    def _message_result(self) -> dict[str, Any]:
        self._next_id += 1
        return {"message_id": f"m{self._next_id:06d}", "date": 1_750_316_131_602}

    async def api(self, request: web.Request) -> web.Response:
        response = await self._answer(request)
        self._changed.set()
        return response

    async def _answer(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        try:
            payload = await request.json()
        except json.JSONDecodeError:
            payload = {}
        failures = self._failures.get(method)
        if failures:
            kind = failures.pop(0)
            self.calls.append(Call(method, {**payload, "failed": kind}))
            if kind == "429":
                return self._error(429, "Quota exceeded", status=429)
            if kind == "ok_false":
                return self._error(400, "Bad request")
            if kind == "401":
                return self._error(401, "Unauthorized")
            return web.Response(status=502, text="<html>Bad gateway</html>")
        self.calls.append(Call(method, payload))
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._error(404, "Not found")
        result: web.Response = await handler(payload)
        return result

    async def _m_getMe(self, payload: dict[str, Any]) -> web.Response:
        return self._ok(
            {
                "id": "1234567890",
                "account_name": "bot.hamyen",
                "account_type": "BASIC",
                "can_join_groups": False,
            }
        )

    async def _m_getUpdates(self, payload: dict[str, Any]) -> web.Response:
        if self.webhook_url:
            return self._error(400, "Webhook is active")
        # Wait on an event, not on Queue.get(): a get() cancelled by a timeout at the wrong
        # moment loses its item on Python 3.11, and the platform does not lose events.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.poll_seconds
        while not self._updates:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return self._error(408, "Request timeout")
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)
        update = self._updates.popleft()
        # Tests push webhook-shaped bodies; getUpdates' result is the bare event.
        return self._ok(update.get("result", update))

    async def _m_setWebhook(self, payload: dict[str, Any]) -> web.Response:
        secret = str(payload.get("secret_token", ""))
        if not str(payload.get("url", "")).startswith("https://") or not 8 <= len(secret) <= 256:
            return self._error(400, "Invalid url or secret_token")
        self.webhook_url, self.webhook_secret = payload["url"], secret
        return self._ok({"url": self.webhook_url, "updated_at": 1_750_316_131_602})

    async def _m_deleteWebhook(self, payload: dict[str, Any]) -> web.Response:
        self.webhook_url = self.webhook_secret = ""
        return self._ok({"url": "", "updated_at": 1_750_316_131_602})

    async def _m_getWebhookInfo(self, payload: dict[str, Any]) -> web.Response:
        return self._ok({"url": self.webhook_url, "updated_at": 1_750_316_131_602})

    async def _m_sendMessage(self, payload: dict[str, Any]) -> web.Response:
        text = payload.get("text")
        if not payload.get("chat_id") or not isinstance(text, str) or not text:
            return self._error(400, "Bad request: chat_id and text are required")
        if len(text) > MAX_TEXT:
            return self._error(400, "Bad request: text is longer than 2000 characters")
        return self._ok(self._message_result())

    async def _m_sendPhoto(self, payload: dict[str, Any]) -> web.Response:
        if not payload.get("chat_id") or not str(payload.get("photo", "")).startswith("http"):
            return self._error(400, "Bad request: chat_id and photo URL are required")
        if len(str(payload.get("caption", ""))) > MAX_TEXT:
            return self._error(400, "Bad request: caption is longer than 2000 characters")
        return self._ok(self._message_result())

    async def _m_sendChatAction(self, payload: dict[str, Any]) -> web.Response:
        return self._ok()

    async def image(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        self.image_fetches.append(name)
        data = self.images.get(name)
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="image/jpeg")


@asynccontextmanager
async def running_fake_zalo(fake: FakeZalo | None = None) -> AsyncIterator[FakeZalo]:
    """Start the fake on a free port of 127.0.0.1; stop it on exit."""
    fake = fake or FakeZalo()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", fake.api)
    app.router.add_get("/images/{name}", fake.image)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    fake.url = f"http://{host}:{port}"
    try:
        yield fake
    finally:
        await runner.cleanup()


def text_update(
    text: str, *, user: str = "6ede9afa66b88fe6d6a9", message_id: str = "", name: str = "Ted"
) -> dict[str, Any]:
    """A message.text.received event shaped like the captured ones (with the envelope)."""
    return _update("message.text.received", user, message_id, name, {"text": text})


def image_update(
    photo_url: str, *, user: str = "6ede9afa66b88fe6d6a9", message_id: str = "", caption: str = ""
) -> dict[str, Any]:
    extra: dict[str, Any] = {"photo_url": photo_url, "message_type": "CHAT_PHOTO"}
    if caption:
        extra["caption"] = caption
    return _update("message.image.received", user, message_id, "Ted", extra)


_counter = iter(range(1, 10**9))


def _update(
    event: str, user: str, message_id: str, name: str, extra: dict[str, Any]
) -> dict[str, Any]:
    message = {
        "message_id": message_id or f"{next(_counter):020x}",
        "date": 1_750_316_131_602,
        "chat": {"id": user, "chat_type": "PRIVATE"},
        "from": {"id": user, "display_name": name, "is_bot": False},
        **extra,
    }
    return {"ok": True, "result": {"event_name": event, "message": message}}
