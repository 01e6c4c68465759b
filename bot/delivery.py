"""The seam between the outbox sender and a platform: a Transport and the errors it may raise.

The sender (bot/row_delivery.py) renders each outbox row for its channel and calls
``transport.send(chat_id, message, is_group=...)`` once per platform message. A transport turns
platform answers into exactly these errors, so the sender's retry policy is one piece of code:

    DeliveryError
    ├── RetryLaterError      429: wait ``retry_after`` seconds, then retry (not a failure)
    ├── TransientError       5xx, timeouts, connection errors: retry with backoff
    ├── UnreachableError     the user blocked the bot / chat gone: mark contact, stop sending
    └── PermanentError       400-type errors: record the reason, never retry

A row that retracts a message delivered earlier (storage.repositories.retraction_payload, queued
by an erasure) is not rendered: a transport that is also ``Retracting`` deletes the message,
with the same errors, paced and recorded as a send; on any other the row fails.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

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


@runtime_checkable
class Retracting(Protocol):
    """A transport whose platform lets the bot delete a message it delivered."""

    async def retract(self, chat_id: str, message_id: str, *, is_group: bool = False) -> None:
        """Delete platform message ``message_id`` of ``chat_id``. A message already gone, or
        that the platform will no longer delete, is done too: nothing more can be done."""
        ...
