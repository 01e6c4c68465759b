"""One aiohttp server for every channel's webhook, plus ``/healthz``.

A channel adds itself with one route, ``secret_route(path, header=, secret=, handle=)``: the
request is refused (403, logged) unless the header carries the secret, compared in constant time;
the JSON body goes to ``handle``; an exception there answers 500 so the platform retries (the
engine's inbound log drops what was already processed).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

BodyHandler = Callable[[dict[str, Any]], Awaitable[None]]

#: Updates are small JSON documents; files are fetched separately.
MAX_BODY_BYTES = 1024 * 1024


def secret_route(path: str, *, header: str, secret: str, handle: BodyHandler) -> web.RouteDef:
    """POST ``path``: check ``header`` == ``secret``, then pass the JSON body to ``handle``."""
    expected = secret.encode()

    async def endpoint(request: web.Request) -> web.Response:
        given = request.headers.get(header, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning(
                "webhook %s: %s %s from %s refused (403)",
                path,
                header,
                "wrong" if given else "missing",
                request.remote,
            )
            return web.Response(status=403, text="forbidden")
        try:
            body = await request.json()
        except ValueError:
            return web.Response(status=400, text="bad json")
        if not isinstance(body, dict):
            return web.Response(status=400, text="bad json")
        try:
            await handle(body)
        except Exception:
            log.exception("webhook %s: update failed; the platform will retry", path)
            return web.Response(status=500, text="error")
        return web.Response(text="ok")

    return web.post(path, endpoint)


async def _healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def build_webhook_app(routes: Iterable[web.RouteDef]) -> web.Application:
    """The web application: ``/healthz`` and the given channel routes."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.add_routes([web.get("/healthz", _healthz), *routes])
    return app


@asynccontextmanager
async def serve_webhooks(
    routes: Iterable[web.RouteDef], host: str, port: int
) -> AsyncIterator[int]:
    """Listen on host:port while inside; yields the bound port (useful with port 0)."""
    runner = web.AppRunner(build_webhook_app(routes), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    server = site._server
    sockets = getattr(server, "sockets", None) or []
    bound = sockets[0].getsockname()[1] if sockets else port
    log.info("webhook server listening on %s:%s", host, bound)
    try:
        yield int(bound)
    finally:
        await runner.cleanup()
