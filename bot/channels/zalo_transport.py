"""Delivery to Zalo: a rendered message → sendMessage/sendPhoto; errors → the DeliveryError tree.

Zalo has no buttons (the renderer already wrote them as a numbered list), sends no documents,
and sends a photo only from a public URL. An attachment without one is replaced by a line saying
where to see it. A single photo with a public URL carries the text as its caption, so the whole
message is one API call and a retry cannot repeat half of it.

Error mapping (the sender owns the retry policy):

- ZaloRateLimited → RetryLaterError; Zalo names no wait, so it doubles from ``backoff_base`` per
  consecutive 429 up to ``backoff_max`` and starts again after a success.
- ZaloNetworkError (timeouts, connection errors, 5xx and the 403 the docs call "internal
  server error") and ZaloUnauthorized (a reset token: every message fails until the operator
  fixes it, so nothing should be given up) → TransientError.
- ZaloBadRequest (400, 404, ...) → PermanentError. Zalo documents no "user blocked the bot"
  error, so nothing here marks a contact unreachable on a guess.
"""

from __future__ import annotations

import logging

from bot.channels.zalo_client import (
    ZaloBadRequest,
    ZaloClient,
    ZaloError,
    ZaloRateLimited,
    ZaloUnauthorized,
)
from bot.delivery import PermanentError, RetryLaterError, TransientError
from bot.render import LIMITS, Rendered
from handlers.types import Attachment, Channel
from messages import t

log = logging.getLogger(__name__)

MAX_TEXT = LIMITS[Channel.ZALO]


class ZaloTransport:
    """Implements bot.delivery.Transport for Zalo over a ZaloClient."""

    channel = Channel.ZALO

    def __init__(
        self, client: ZaloClient, *, backoff_base: float = 1.0, backoff_max: float = 60.0
    ) -> None:
        self.client = client
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._limited = 0

    async def send(self, chat_id: str, message: Rendered, *, is_group: bool = False) -> str:
        """Deliver one rendered message; returns the last platform message id ("" if none)."""
        photos = [a for a in message.attachments if a.kind == "photo" and a.url]
        elsewhere = [a for a in message.attachments if not (a.kind == "photo" and a.url)]
        texts = _with_notes(message.text, elsewhere)
        message_id = ""
        try:
            if len(photos) == 1 and len(texts) <= 1:
                caption = texts[0] if texts else photos[0].caption
                message_id = await self._photo(chat_id, photos[0].url, caption)
            else:
                for text in texts:
                    message_id = await self._text(chat_id, text)
                for photo in photos:
                    message_id = await self._photo(chat_id, photo.url, photo.caption)
        except ZaloError as exc:
            raise self._delivery_error(exc) from None
        self._limited = 0
        return message_id

    async def _text(self, chat_id: str, text: str) -> str:
        result = await self.client.send_message(chat_id, text)
        return str(result.get("message_id", ""))

    async def _photo(self, chat_id: str, url: str, caption: str) -> str:
        result = await self.client.send_photo(chat_id, url, caption[:MAX_TEXT])
        return str(result.get("message_id", ""))

    def _delivery_error(self, exc: ZaloError) -> Exception:
        reason = self.client.redact(str(exc))
        if isinstance(exc, ZaloRateLimited):
            wait = min(self.backoff_max, self.backoff_base * 2**self._limited)
            self._limited += 1
            return RetryLaterError(wait, reason)
        if isinstance(exc, ZaloUnauthorized):
            log.error("zalo: the token was refused; set a valid ZALO_TOKEN and restart")
            return TransientError(reason)
        if isinstance(exc, ZaloBadRequest):
            return PermanentError(reason)
        return TransientError(reason)


def _with_notes(text: str, elsewhere: list[Attachment]) -> list[str]:
    """The texts to send: ``text`` plus one line per attachment Zalo cannot carry, ≤ 2,000 each."""
    notes = [
        t(
            "zalo.attachment_elsewhere",
            name=a.file_name or a.caption or t("zalo.attachment_unnamed"),
        )
        for a in elsewhere
    ]
    texts: list[str] = []
    for piece in [text, *notes]:
        if not piece:
            continue
        if texts and len(texts[-1]) + 2 + len(piece) <= MAX_TEXT:
            texts[-1] = f"{texts[-1]}\n\n{piece}"
        else:
            texts.append(piece[:MAX_TEXT])
    return texts
