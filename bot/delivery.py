"""The seam between the outbox sender and a platform: a Transport and the errors it may raise.

The sender (bot/row_delivery.py) renders each outbox row for its channel and calls
``transport.send(chat_id, message, is_group=...)`` once per platform message. A transport turns
platform answers into exactly these errors, so the sender's retry policy is one piece of code:

    DeliveryError
    ├── RetryLaterError      429: wait ``retry_after`` seconds, then retry (not a failure)
    ├── TransientError       5xx, timeouts, connection errors: retry with backoff
    ├── UnreachableError     the user blocked the bot / chat gone: mark contact, stop sending
    └── PermanentError       400-type errors: record the reason, never retry
"""

from __future__ import annotations

from typing import Protocol

from bot.render import Rendered
from handlers.types import Channel


class DeliveryError(Exception):
    """Base of everything a transport raises."""


class RetryLaterError(DeliveryError):
    def __init__(self, retry_after: float, message: str = "rate limited") -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TransientError(DeliveryError):
    """Worth retrying with backoff."""


class UnreachableError(DeliveryError):
    """The recipient cannot be written to any more."""


class PermanentError(DeliveryError):
    """The platform refused this message; retrying will not help."""


class Transport(Protocol):
    channel: Channel

    async def send(self, chat_id: str, message: Rendered, *, is_group: bool = False) -> str:
        """Deliver one rendered message; returns the platform message id (may be empty)."""
        ...
