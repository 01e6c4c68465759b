"""Zalo Bot events → Inbound. Untrusted payloads are read through one pydantic model.

A webhook body and a getUpdates result have the same shape, with or without the
``{ok, result}`` envelope. Images arrive as URLs that may expire, so they are downloaded here,
before the event reaches the engine. The de-duplication key is ``event_name:message_id``
(Zalo has no update id); the engine's inbound log drops a key it has already processed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.inbound import file_event, text_event
from handlers.types import Channel, FileRef, Inbound, InboundKind

log = logging.getLogger(__name__)

TEXT = "message.text.received"
IMAGE = "message.image.received"
STICKER = "message.sticker.received"
VOICE = "message.voice.received"
UNSUPPORTED = "message.unsupported.received"

#: The most the bot downloads for one photo (the engine's FileRef limit).
MAX_IMAGE_BYTES = 20 * 1024 * 1024

#: Downloads an image URL; returns None when the image cannot be had (expired, too big, down).
ImageFetcher = Callable[[str], Awaitable[FileRef | None]]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class ZaloUser(_Model):
    id: str = ""
    display_name: str = ""


class ZaloChat(_Model):
    id: str = ""
    chat_type: str = ""


class ZaloMessage(_Model):
    message_id: str = ""
    chat: ZaloChat = Field(default_factory=ZaloChat)
    sender: ZaloUser = Field(default_factory=ZaloUser, alias="from")
    text: str = ""
    caption: str = ""
    photo_url: str = ""
    photo: str = ""
    message_type: str = ""


class ZaloUpdate(_Model):
    event_name: str = ""
    message: ZaloMessage | None = None

    @property
    def key(self) -> str:
        """The de-duplication key; empty (no de-duplication) when there is no message id."""
        if self.message is None or not self.message.message_id:
            return ""
        return f"{self.event_name}:{self.message.message_id}"[:128]


def read_zalo_update(payload: Any) -> ZaloUpdate | None:
    """The update in ``payload`` (enveloped or bare); None when it is not one."""
    if isinstance(payload, dict) and "event_name" not in payload and "result" in payload:
        payload = payload["result"]
    if not isinstance(payload, dict):
        return None
    try:
        return ZaloUpdate.model_validate(payload)
    except ValidationError as exc:
        log.warning("zalo: malformed update ignored (%d problems)", exc.error_count())
        return None


async def parse_zalo_update(payload: Any, fetch: ImageFetcher) -> Inbound | None:
    """The Inbound event for a Zalo payload, images downloaded; None for what the bot ignores."""
    update = read_zalo_update(payload)
    if update is None:
        return None
    message = update.message
    user = (message.sender.id or message.chat.id) if message else ""
    if message is None or not user:
        # message.unsupported.received may come without a message (protected senders).
        log.info("zalo: %s without a sender accepted and ignored", update.event_name or "event")
        return None
    common: dict[str, Any] = {
        "update_id": update.key,
        "display_name": message.sender.display_name,
        "chat_id": message.chat.id or user,
    }
    name = update.event_name
    if name == TEXT:
        if not message.text.strip():
            return _plain(InboundKind.UNSUPPORTED, user, common)
        return text_event(Channel.ZALO, user, message.text, **common)
    if name == IMAGE:
        url = message.photo_url or message.photo
        file = await fetch(url) if url else None
        if file is None:
            log.warning("zalo: image of %s could not be downloaded", update.key or "an event")
            return _plain(InboundKind.UNSUPPORTED, user, common)
        return file_event(
            Channel.ZALO, user, InboundKind.PHOTO, file, caption=message.caption, **common
        )
    if message.chat.chat_type == "GROUP":
        return None  # a sticker or a voice note in a group needs no "cannot read this"
    if name == STICKER:
        return _plain(InboundKind.STICKER, user, common)
    if name == VOICE:
        return _plain(InboundKind.VOICE, user, common)
    if name == UNSUPPORTED:
        log.info("zalo: unsupported content from a user (no content is passed on)")
        return _plain(InboundKind.UNSUPPORTED, user, common)
    # Undocumented events (reactions, links...): ignoring beats answering "cannot read".
    log.info("zalo: event %r ignored", name)
    return None


def _plain(kind: InboundKind, user: str, common: dict[str, Any]) -> Inbound:
    return Inbound(Channel.ZALO, user, kind, **common)


class ImageDownloader:
    """Fetches images sent by users over one long-lived httpx client (no token needed)."""

    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 20.0,
        max_bytes: int = MAX_IMAGE_BYTES,
        attempts: int = 2,
    ) -> None:
        self._http = httpx.AsyncClient(transport=transport, timeout=timeout, follow_redirects=True)
        self.max_bytes = max_bytes
        self.attempts = attempts

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __call__(self, url: str) -> FileRef | None:
        if urlsplit(url).scheme not in ("http", "https"):
            log.warning("zalo: image URL with scheme %r refused", urlsplit(url).scheme)
            return None
        for attempt in range(1, self.attempts + 1):
            try:
                return await self._download(url)
            except _TooBigError:
                log.warning("zalo: image over %d bytes refused", self.max_bytes)
                return None
            except httpx.HTTPStatusError as exc:
                log.warning("zalo: image download answered %d", exc.response.status_code)
                if exc.response.status_code < 500:
                    return None  # expired or gone: asking again will not bring it back
            except httpx.HTTPError as exc:
                log.warning(
                    "zalo: image download failed (%s), attempt %d", type(exc).__name__, attempt
                )
        return None

    async def _download(self, url: str) -> FileRef:
        async with self._http.stream("GET", url) as response:
            response.raise_for_status()
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise _TooBigError
                chunks.append(chunk)
            mime = response.headers.get("content-type", "").split(";")[0].strip() or None
        return FileRef(b"".join(chunks), _file_name(url, mime), mime)


class _TooBigError(Exception):
    pass


def _file_name(url: str, mime: str | None) -> str:
    name = PurePosixPath(urlsplit(url).path).name
    if "." in name and len(name) <= 100:
        return name
    return "zalo-photo.png" if mime == "image/png" else "zalo-photo.jpg"
