"""One aiohttp server for every channel's webhook, plus ``/healthz``.

A channel adds itself with one route, ``secret_route(path, header=, secret=, handle=)``: the
request is refused (403) unless the header carries the secret, compared in constant time (a flood
of refusals is logged as one line a minute with the count); a body over 1 MB gets 413, one that
is not a JSON object 400 (however deeply nested), and so does one the channel finds is not an
update (``MalformedUpdateError``); the JSON body goes to ``handle``; an exception there answers
500 so the platform retries (the engine's inbound log drops what was already processed; the
channel gives a failing update up after a few tries, recorded as failed, and answers 200).
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

BodyHandler = Callable[[dict[str, Any]], Awaitable[None]]
Health = Callable[[], dict[str, Any]]

#: Updates are small JSON documents; files are fetched separately.
MAX_BODY_BYTES = 1024 * 1024


class MalformedUpdateError(ValueError):
    """A webhook body that is JSON but not an update of the channel (answered 400)."""


class RefusalLog:
    """Refused requests counted, and logged at most once per ``every`` seconds with the count:
    a flood of bad secrets must not fill the log."""

    def __init__(
        self, path: str, *, every: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.path = path
        self.every = every
        self.clock = clock
        self.counts = {"missing": 0, "wrong": 0}
        self._last: float | None = None

    def refused(self, reason: str) -> None:
        self.counts[reason] += 1
        now = self.clock()
        if self._last is not None and now - self._last < self.every:
            return
        log.warning(
            "webhook %s: %d requests refused (403) since the last report: %d without the "
            "secret header, %d with a wrong secret",
            self.path,
            sum(self.counts.values()),
            self.counts["missing"],
            self.counts["wrong"],
        )
        self._last = now
        self.counts = dict.fromkeys(self.counts, 0)


def secret_route(
    path: str,
    *,
    header: str,
    secret: str,
    handle: BodyHandler,
    refusals: RefusalLog | None = None,
) -> web.RouteDef:
    """POST ``path``: check ``header`` == ``secret``, then pass the JSON body to ``handle``."""
    expected = secret.encode()
    refusals = refusals or RefusalLog(path)

    async def endpoint(request: web.Request) -> web.Response:
        given = request.headers.get(header, "").encode()
        if not hmac.compare_digest(given, expected):
            refusals.refused("wrong" if given else "missing")
            return web.Response(status=403, text="forbidden")
        try:
            body = await request.json()
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413, text="too large")
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deep
            return web.Response(status=400, text="bad json")
        if not isinstance(body, dict):
            return web.Response(status=400, text="bad json")
        try:
            await handle(body)
        except MalformedUpdateError:
            return web.Response(status=400, text="not an update")
        except Exception:
            log.exception("webhook %s: update failed; the platform will retry", path)
            return web.Response(status=500, text="error")
        return web.Response(text="ok")

    return web.post(path, endpoint)


def build_webhook_app(
    routes: Iterable[web.RouteDef], health: Health | None = None
) -> web.Application:
    """The web application: ``/healthz`` (503 while a background task is down) and the given
    channel routes."""

    async def healthz(_request: web.Request) -> web.Response:
        report = health() if health is not None else {"status": "ok"}
        return web.json_response(report, status=200 if report["status"] == "ok" else 503)

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.add_routes([web.get("/healthz", healthz), *routes])
    return app


@asynccontextmanager
async def serve_webhooks(
    routes: Iterable[web.RouteDef], host: str, port: int, *, health: Health | None = None
) -> AsyncIterator[int]:
    """Listen on host:port while inside; yields the bound port (useful with port 0)."""
    runner = web.AppRunner(build_webhook_app(routes, health), access_log=None)
    await runner.setup()
    # A burst opens many connections at once: a deep accept queue instead of resets. With
    # reuse_port, several worker processes can listen on the same port (docs/deploy.md).
    site = web.TCPSite(runner, host, port, backlog=1024, reuse_port=True)
    await site.start()
    server = site._server
    sockets = getattr(server, "sockets", None) or []
    bound = sockets[0].getsockname()[1] if sockets else port
    log.info("webhook server listening on %s:%s", host, bound)
    try:
        yield int(bound)
    finally:
        await runner.cleanup()
