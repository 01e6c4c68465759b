"""A fake Telegram Bot API server for the tests: aiohttp.web on 127.0.0.1, an ephemeral port.

Enough of the API for the bot: getMe, getUpdates (offsets, long poll), setWebhook/deleteWebhook,
sendMessage, sendPhoto, sendDocument, getFile + file download, answerCallbackQuery,
editMessageReplyMarkup, setMyCommands, deleteMessage (of a message it sent to that chat and did not
delete yet; otherwise 400 as Telegram answers). It records what the bot sent, injects updates,
enforces Telegram's limits (≤ 30 sends in any 1 s, ≤ 20 in any 60 s per group, about 1/s per
private chat with a short burst) with 429 + retry_after, and can be told to fail (5xx, timeouts,
403 blocked).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = {"id": 777000, "is_bot": True, "first_name": "Ham Yen", "username": "hamyen_bot"}
SENDS = {"sendMessage", "sendPhoto", "sendDocument"}


@dataclass
class Sent:
    method: str
    chat_id: int
    text: str
    buttons: list[list[tuple[str, str]]]
    file_name: str
    data: bytes
    message_id: int
    at: float


class Window:
    """At most ``count`` events in any ``period`` seconds."""

    def __init__(self, count: int, period: float) -> None:
        self.count, self.period, self.times = count, period, deque[float]()

    def wait(self, now: float) -> float:
        while self.times and now - self.times[0] >= self.period:
            self.times.popleft()
        return 0.0 if len(self.times) < self.count else self.times[0] + self.period - now

    def take(self, now: float) -> None:
        self.times.append(now)


class Bucket:
    """A token bucket: ``burst`` at once, refilled at ``rate`` per second."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst, self.level, self.last = rate, burst, burst, 0.0

    def wait(self, now: float) -> float:
        self.level = (
            min(self.burst, self.level + (now - self.last) * self.rate) if self.last else self.level
        )
        self.last = now
        return 0.0 if self.level >= 1 else (1 - self.level) / self.rate

    def take(self, now: float) -> None:
        self.level -= 1


@dataclass
class FakeTelegram:
    token: str = "123456:TEST-fake-token"
    overall_per_second: int = 30
    group_per_minute: int = 20
    private_rate: float = 1.0
    private_burst: float = 3.0
    #: How long a "timeout" failure keeps the request hanging (the client gives up first).
    hang_seconds: float = 3.0
    sent: list[Sent] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    rate_limited: int = 0
    failed: int = 0
    webhook_url: str = ""
    webhook_secret: str = ""
    commands: list[dict[str, str]] = field(default_factory=list)
    #: Commands set for one chat only (BotCommandScopeChat), by chat id.
    chat_commands: dict[int, list[dict[str, str]]] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    #: The highest ``offset`` getUpdates was called with: every update below it was confirmed.
    confirmed: int = 0
    #: The clock the limits are checked on (a send's ``at``): the event loop's by default; the
    #: sender's virtual timer in pacing tests, so that a send arrives at a moment between the
    #: sender's start of the request and its receipt of the answer, as on the real platform.
    clock: Callable[[], float] | None = None
    #: Told of each message accepted: (chat id, its ``at``) (bench.broadcast's chatters).
    on_send: Callable[[int, float], None] | None = None
    #: Messages deleted by deleteMessage: (chat id, message id), in order.
    deleted: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._next_update = 1000
        self._new = asyncio.Event()
        self._files: dict[str, bytes] = {}
        self._message_id = 0
        #: The messages sent to each chat and not deleted: what deleteMessage may delete.
        self._shown: dict[int, set[int]] = {}
        self._overall = Window(self.overall_per_second, 1.0)
        self._chats: dict[int, Window | Bucket] = {}
        self._failures: list[str] = []
        self._storm: tuple[str, float, random.Random] | None = None
        self._runner: web.AppRunner | None = None
        self.url = ""

    # --- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.add_routes(
            [
                web.route("*", "/bot{token}/{method}", self._api),
                web.get("/file/bot{token}/{path:.*}", self._file),
            ]
        )
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        self._new.set()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests do -----------------------------------------------------------------------
    def inject(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates (an update_id is given if it has none)."""
        if "update_id" not in update:
            self._next_update += 1
            update = {"update_id": self._next_update, **update}
        self._updates.append(update)
        self._new.set()
        return update

    def add_file(self, data: bytes, *, file_id: str = "") -> str:
        file_id = file_id or f"file{len(self._files) + 1}"
        self._files[file_id] = data
        return file_id

    def fail(self, kind: str, times: int = 1) -> None:
        """The next ``times`` sends fail: "5xx", "timeout", "blocked" or "bad_request"."""
        self._failures += [kind] * times

    def storm(self, kind: str, ratio: float, seed: int = 7) -> None:
        """From now on, each send fails with probability ``ratio`` (ratio 0 ends the storm)."""
        self._storm = (kind, ratio, random.Random(seed)) if ratio > 0 else None

    def texts_to(self, chat_id: int) -> list[str]:
        return [s.text for s in self.sent if s.chat_id == chat_id]

    # --- the API -----------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params, files = await _params(request)
        self.calls.append((method, params))
        if method in SENDS:
            return await self._send(method, params, files)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        result: web.Response = await handler(params)
        return result

    async def _m_getMe(self, params: dict[str, Any]) -> web.Response:
        return _ok(BOT_USER)

    async def _m_getUpdates(self, params: dict[str, Any]) -> web.Response:
        if self.webhook_url:
            return _error(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        self.confirmed = max(self.confirmed, offset)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and float(params.get("timeout") or 0) > 0:
            self._new.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new.wait(), float(params["timeout"]))
        limit = int(params.get("limit") or 100)
        return _ok(self._updates[:limit])

    async def _m_setWebhook(self, params: dict[str, Any]) -> web.Response:
        self.webhook_url = str(params.get("url", ""))
        self.webhook_secret = str(params.get("secret_token", ""))
        return _ok(True)

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> web.Response:
        self.webhook_url = self.webhook_secret = ""
        return _ok(True)

    async def _m_setMyCommands(self, params: dict[str, Any]) -> web.Response:
        scope = json.loads(params["scope"]) if params.get("scope") else {}
        if scope.get("type") == "chat":
            self.chat_commands[int(scope["chat_id"])] = json.loads(params["commands"])
        else:
            self.commands = json.loads(params["commands"])
        return _ok(True)

    async def _m_deleteMyCommands(self, params: dict[str, Any]) -> web.Response:
        scope = json.loads(params["scope"]) if params.get("scope") else {}
        if scope.get("type") == "chat":
            self.chat_commands.pop(int(scope["chat_id"]), None)
        else:
            self.commands = []
        return _ok(True)

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> web.Response:
        return _ok(True)

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> web.Response:
        return _ok(True)

    async def _m_deleteMessage(self, params: dict[str, Any]) -> web.Response:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        shown = self._shown.get(chat_id, set())
        if message_id not in shown:
            return _error(400, "Bad Request: message to delete not found")
        shown.discard(message_id)
        self.deleted.append((chat_id, message_id))
        return _ok(True)

    async def _m_getFile(self, params: dict[str, Any]) -> web.Response:
        file_id = str(params.get("file_id", ""))
        if file_id not in self._files:
            return _error(400, "Bad Request: invalid file_id")
        size = len(self._files[file_id])
        if size > 20 * 1024 * 1024:
            return _error(400, "Bad Request: file is too big")
        return _ok(
            {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_size": size,
                "file_path": f"documents/{file_id}",
            }
        )

    async def _file(self, request: web.Request) -> web.Response:
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        if request.match_info["token"] != self.token or file_id not in self._files:
            return web.Response(status=404)
        return web.Response(body=self._files[file_id])

    async def _send(
        self, method: str, params: dict[str, Any], files: dict[str, tuple[str, bytes]]
    ) -> web.Response:
        chat_id = int(params["chat_id"])
        failure = self._next_failure()
        if failure == "timeout":
            await asyncio.sleep(self.hang_seconds)
            return _error(504, "Gateway Timeout")
        if failure == "5xx":
            return _error(500, "Internal Server Error")
        if failure == "bad_request":
            return _error(400, "Bad Request: message is too long")
        if failure == "blocked" or chat_id in self.blocked:
            return _error(403, "Forbidden: bot was blocked by the user")
        now = self.clock() if self.clock is not None else asyncio.get_running_loop().time()
        chat = self._chat_limit(chat_id)
        wait = max(self._overall.wait(now), chat.wait(now))
        if wait > 0:
            self.rate_limited += 1
            retry = max(1, math.ceil(wait))
            return _error(429, f"Too Many Requests: retry after {retry}", retry_after=retry)
        self._overall.take(now)
        chat.take(now)
        return _ok(self._record(method, chat_id, params, files, now))

    def _next_failure(self) -> str:
        if self._failures:
            self.failed += 1
            return self._failures.pop(0)
        if self._storm is not None:
            kind, ratio, rng = self._storm
            if rng.random() < ratio:
                self.failed += 1
                return kind
        return ""

    def _chat_limit(self, chat_id: int) -> Window | Bucket:
        if chat_id not in self._chats:
            self._chats[chat_id] = (
                Window(self.group_per_minute, 60.0)
                if chat_id < 0
                else Bucket(self.private_rate, self.private_burst)
            )
        return self._chats[chat_id]

    def _record(
        self,
        method: str,
        chat_id: int,
        params: dict[str, Any],
        files: dict[str, tuple[str, bytes]],
        now: float,
    ) -> dict[str, Any]:
        self._message_id += 1
        markup = json.loads(params["reply_markup"]) if params.get("reply_markup") else {}
        buttons = [
            [(b["callback_data"], b["text"]) for b in row]
            for row in markup.get("inline_keyboard", [])
        ]
        key = {"sendPhoto": "photo", "sendDocument": "document"}.get(method, "")
        name, data = files.get(key, ("", b""))
        text = str(params.get("text") or params.get("caption") or "")
        self.sent.append(Sent(method, chat_id, text, buttons, name, data, self._message_id, now))
        self._shown.setdefault(chat_id, set()).add(self._message_id)
        if self.on_send is not None:
            self.on_send(chat_id, now)
        chat = {"id": chat_id, "type": "group" if chat_id < 0 else "private", "title": "Nhóm"}
        message: dict[str, Any] = {
            "message_id": self._message_id,
            "date": 1_780_000_000,
            "chat": chat,
            "from": BOT_USER,
        }
        if key == "photo":
            message["photo"] = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
        elif key == "document":
            message["document"] = {"file_id": "d", "file_unique_id": "d", "file_name": name}
        else:
            message["text"] = text
        return message


async def _params(request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    params: dict[str, Any] = {}
    files: dict[str, tuple[str, bytes]] = {}
    if request.content_type == "application/json":
        body = await request.json()
        return (body if isinstance(body, dict) else {}), files
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            files[key] = (value.filename, value.file.read())
        else:
            params[key] = value
    return params, files


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(code: int, description: str, *, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=code)


# --- update factories ------------------------------------------------------------------------
def user(uid: int, name: str = "") -> dict[str, Any]:
    return {"id": uid, "is_bot": False, "first_name": name or f"Người {uid}"}


def _message(uid: int, message_id: int, **content: Any) -> dict[str, Any]:
    chat = {"id": uid, "type": "private", "first_name": f"Người {uid}"}
    return {
        "message_id": message_id,
        "date": 1_780_000_000,
        "chat": chat,
        "from": user(uid),
        **content,
    }


def text_update(
    uid: int, text: str, *, message_id: int = 1, reply_to: int | None = None
) -> dict[str, Any]:
    content: dict[str, Any] = {"text": text}
    if reply_to is not None:
        content["reply_to_message"] = _message(uid, reply_to, text="…")
    if text.startswith("/"):
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"message": _message(uid, message_id, **content)}


def callback_update(uid: int, data: str, *, message_id: int = 1) -> dict[str, Any]:
    return {
        "callback_query": {
            "id": f"cq{uid}{message_id}{data}",
            "from": user(uid),
            "chat_instance": "ci",
            "data": data,
            "message": _message(uid, message_id, text="…"),
        }
    }


def photo_update(uid: int, file_id: str, size: int, *, message_id: int = 1) -> dict[str, Any]:
    sizes = [
        {
            "file_id": f"{file_id}_small",
            "file_unique_id": "s",
            "width": 90,
            "height": 90,
            "file_size": 100,
        },
        {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "width": 1280,
            "height": 960,
            "file_size": size,
        },
    ]
    return {"message": _message(uid, message_id, photo=sizes)}


def document_update(
    uid: int, file_id: str, size: int, *, name: str = "giay.pdf", message_id: int = 1
) -> dict[str, Any]:
    doc = {
        "file_id": file_id,
        "file_unique_id": f"u{file_id}",
        "file_name": name,
        "mime_type": "application/pdf",
        "file_size": size,
    }
    return {"message": _message(uid, message_id, document=doc)}
