"""A small async client for the Zalo Bot Platform API (the Telegram-like "Zalo Bot", not the OA).

Every method is one POST of JSON to ``{base_url}/bot{token}/{method}`` through one long-lived
``httpx.AsyncClient`` (pass ``transport=`` to test against ``httpx.MockTransport`` or a fake
server). The answer ``{ok, result?, error_code?, description?}`` is judged on ``ok``, never on
the HTTP status: Zalo has answered HTTP 200 with ``ok: false``. Failures become::

    ZaloError                   anything below; carries ``error_code`` and ``description``
    ├── ZaloUnauthorized        401: the token is wrong or was reset in Bot Creator
    ├── ZaloRateLimited         429 "quota exceeded" (Zalo gives no retry-after)
    ├── ZaloBadRequest          400, 404 and other refusals: sending the same again will not help
    ├── ZaloNetworkError        no usable answer: connection error, timeout, non-JSON body, 408
    │   └── ZaloServerError     5xx, and 403 (which the docs call "internal server error")
    └── ZaloPollingTimeout      408 from getUpdates: the long poll ended without an event. Normal;
                                ``get_updates`` turns it into an empty list.

The token sits in the URL path, so it must never reach a log or an error message: this module
builds every message itself with the token replaced by ``<token>`` (httpx's own exception texts
included), chains no httpx exception, and keeps httpx's request log lines redacted too.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import httpx

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com"
#: getUpdates' long-poll length (seconds) when the caller does not say.
DEFAULT_POLL_SECONDS = 30
#: Extra time on top of a long poll before our side gives up on the HTTP request.
_POLL_GRACE = 10.0
_REDACTED = "<token>"


class ZaloError(Exception):
    """Base of every failure of a Zalo Bot API call."""

    def __init__(self, message: str, *, error_code: int | None = None, description: str = ""):
        super().__init__(message)
        self.error_code = error_code
        self.description = description


class ZaloUnauthorized(ZaloError):
    """401: the token is not (or no longer) valid."""


class ZaloRateLimited(ZaloError):
    """429: quota exceeded; back off before the next call."""


class ZaloBadRequest(ZaloError):
    """The platform refused the call itself (bad parameters, unknown method or chat)."""


class ZaloNetworkError(ZaloError):
    """No usable answer: worth retrying later."""


class ZaloServerError(ZaloNetworkError):
    """Zalo's side failed (5xx, or the 403 the docs describe as an internal server error)."""


class ZaloPollingTimeout(ZaloError):
    """getUpdates' long poll ended with no event (error_code 408)."""


class _RedactFilter(logging.Filter):
    """Replaces known tokens in log records of the HTTP libraries (they log request URLs)."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            for secret in self.secrets:
                message = message.replace(secret, _REDACTED)
            record.msg, record.args = message, None
        return True


_FILTER = _RedactFilter()
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).addFilter(_FILTER)


class ZaloClient:
    """One bot token, one connection pool. Use ``async with`` or call ``aclose()``."""

    def __init__(
        self,
        token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
    ) -> None:
        if not token:
            raise ValueError("a Zalo bot token is required")
        self._token = token
        self._base = base_url.rstrip("/")
        self._http = httpx.AsyncClient(transport=transport, timeout=timeout)
        _FILTER.secrets.add(token)

    async def __aenter__(self) -> ZaloClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def redact(self, text: str) -> str:
        """``text`` with this client's token replaced (for any message that may contain a URL)."""
        return text.replace(self._token, _REDACTED)

    async def _call(
        self,
        method: str,
        payload: Mapping[str, Any] | None = None,
        *,
        read_seconds: float | None = None,
    ) -> Any:
        """POST ``payload`` as JSON to ``method``; returns ``result`` or raises a ZaloError."""
        url = f"{self._base}/bot{self._token}/{method}"
        try:
            response = await self._http.post(
                url,
                json=dict(payload or {}),
                timeout=read_seconds if read_seconds is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.HTTPError as exc:
            # from None: a chained httpx exception would carry the URL (and the token) along.
            raise ZaloNetworkError(
                f"{method}: {type(exc).__name__}: {self.redact(str(exc))}"
            ) from None
        try:
            body = response.json()
        except (ValueError, RecursionError):  # not JSON, or nested too deep to read
            body = None
        if not isinstance(body, dict) or "ok" not in body:
            raise _error_for(method, response.status_code, f"HTTP {response.status_code}")
        if body["ok"] is True:
            return body.get("result")
        code = _as_int(body.get("error_code"))
        description = self.redact(str(body.get("description") or ""))
        if code == 408 and method == "getUpdates":
            raise ZaloPollingTimeout(f"{method}: no event", error_code=code)
        raise _error_for(method, code if code is not None else response.status_code, description)

    async def get_me(self) -> dict[str, Any]:
        """The bot's identity: ``{id, account_name, account_type, can_join_groups}``."""
        return _as_dict(await self._call("getMe"))

    async def get_updates(self, poll_seconds: int = DEFAULT_POLL_SECONDS) -> list[dict[str, Any]]:
        """Long-poll (Zalo's ``timeout`` parameter) for the next event; an empty list when the
        poll ended without one."""
        try:
            result = await self._call(
                "getUpdates", {"timeout": poll_seconds}, read_seconds=poll_seconds + _POLL_GRACE
            )
        except ZaloPollingTimeout:
            return []
        # The docs promise one update object; accept a list too in case that ever changes.
        if isinstance(result, list):
            return [u for u in result if isinstance(u, dict)]
        return [result] if isinstance(result, dict) else []

    async def set_webhook(self, url: str, secret_token: str) -> dict[str, Any]:
        return _as_dict(await self._call("setWebhook", {"url": url, "secret_token": secret_token}))

    async def delete_webhook(self) -> dict[str, Any]:
        return _as_dict(await self._call("deleteWebhook"))

    async def get_webhook_info(self) -> dict[str, Any]:
        """``{url, updated_at}``; ``url`` is empty when no webhook is set."""
        return _as_dict(await self._call("getWebhookInfo"))

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        """Sends 1–2,000 characters of plain text; returns ``{message_id, date}``."""
        return _as_dict(await self._call("sendMessage", {"chat_id": chat_id, "text": text}))

    async def send_photo(self, chat_id: str, photo_url: str, caption: str = "") -> dict[str, Any]:
        """Sends the image at a public URL, with an optional caption (≤ 2,000 characters)."""
        payload = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            payload["caption"] = caption
        return _as_dict(await self._call("sendPhoto", payload))

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self._call("sendChatAction", {"chat_id": chat_id, "action": action})


def _error_for(method: str, code: int, description: str) -> ZaloError:
    message = f"{method}: {code} {description}".rstrip()
    kind: type[ZaloError]
    if code == 401:
        kind = ZaloUnauthorized
    elif code == 429:
        kind = ZaloRateLimited
    elif code == 403 or code >= 500:
        kind = ZaloServerError
    elif code == 408:
        kind = ZaloNetworkError
    elif 400 <= code < 500:
        kind = ZaloBadRequest
    else:
        # An ok:false without a usable code: nothing says retrying helps, nothing says it does not.
        kind = ZaloNetworkError
    return kind(message, error_code=code, description=description)


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _as_dict(result: Any) -> dict[str, Any]:
    return result if isinstance(result, dict) else {}
