"""PTB's network backend for the Bot API calls the bot makes (sends, file downloads): aiohttp.

Why not PTB's default (httpx): each request cost the event loop about 1.1-1.4 ms against 0.35-0.4
ms here (measured through ``TelegramTransport.send`` against the in-process fake server, which
both figures include). httpcore checks every idle pooled connection for expiry, with a poll()
system call each, on every request and on every response closed; a broadcast keeps about twenty
connections warm, and that scan was the largest single part of the event loop's work per
announcement (bench.broadcast), work that people's replies queue behind. aiohttp is already a
dependency (the webhook server). PTB documents ``BaseRequest`` as the way to bring another
HTTP library.

Timeouts: ``connect_timeout`` bounds the connection, ``read_timeout`` each read of the answer,
``pool_timeout`` the wait for a free connection. aiohttp has no write timeout: a send whose
upload stalls ends at the read timeout instead. Errors become PTB's ``TimedOut`` and
``NetworkError``, whose text names the error's type only: aiohttp's texts may carry the URL,
and the URL carries the bot token.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """One aiohttp session for a PTB Bot's requests (``initialize()`` opens it)."""

    def __init__(
        self,
        *,
        connection_pool_size: int = 128,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                # PTB reads the status and the body itself (errors included): never raise here.
                raise_for_status=False,
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=_seconds(pool_timeout, self._pool_timeout),
            sock_connect=_seconds(connect_timeout, self._connect_timeout),
            sock_read=_seconds(read_timeout, self._read_timeout),
        )
        try:
            async with session.request(
                method,
                url,
                data=_body(request_data),
                headers={"User-Agent": self.USER_AGENT},
                timeout=timeout,
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}") from None


def _seconds(value: object, default: float | None) -> float | None:
    """A per-call timeout; PTB's DEFAULT_NONE (and any other default marker) means ours."""
    if value is None or isinstance(value, int | float):
        return None if value is None else float(value)
    return default


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """The parameters as a form (as PTB's own backend sends them); multipart with files."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        return request_data.json_parameters
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (file_name, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=file_name, content_type=mime_type)
    return form

