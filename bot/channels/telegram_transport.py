"""Rendered messages → Bot API calls, and Bot API failures → the DeliveryError tree.

telegram.error.RetryAfter                     → RetryLaterError(retry_after)
Forbidden (blocked, kicked, deactivated)      → UnreachableError
BadRequest, ChatMigrated, EndPointNotFound    → PermanentError (the reason is recorded)
TimedOut, NetworkError (5xx), other errors    → TransientError (the sender backs off)

A retraction (``retract``: deleteMessage) maps the same way, except that Telegram's "message to
delete not found" and "message can't be deleted" (gone already, or sent 48 hours ago or more)
are done: retrying cannot change them.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    EndPointNotFound,
    Forbidden,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from bot.delivery import PermanentError, RetryLaterError, TransientError, UnreachableError
from bot.render import Rendered
from handlers.types import Attachment, Button, Channel
from messages import t
from storage.files import FileStore

log = logging.getLogger(__name__)

#: Telegram refuses callback data longer than this many bytes (UTF-8).
MAX_CALLBACK_BYTES = 64
MAX_CAPTION = 1024
#: deleteMessage's 400s that mean there is nothing left to delete (or nothing the bot may).
_NOT_DELETABLE = ("message to delete not found", "message can't be deleted")


def render_keyboard(rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    """An inline keyboard whose callback data are the button ids (never the labels)."""
    if not rows:
        return None
    for button in (b for row in rows for b in row):
        size = len(button.id.encode())
        if not 0 < size <= MAX_CALLBACK_BYTES:
            raise PermanentError(f"button id {button.id!r} is {size} bytes (1-64 allowed)")
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.id) for b in row] for row in rows]
    )


def retry_seconds(exc: RetryAfter) -> float:
    """Seconds to wait; PTB 22 warns that the attribute will become a timedelta, so read both."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: int | timedelta = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramTransport:
    """The Transport of bot/delivery.py for Telegram: one Bot API call per rendered message."""

    channel = Channel.TELEGRAM

    def __init__(self, bot: Bot, files: FileStore) -> None:
        self.bot = bot
        self.files = files

    async def send(self, chat_id: str, message: Rendered, *, is_group: bool = False) -> str:
        keyboard = render_keyboard(message.buttons)
        with _delivery_errors():
            sent = await self._call(chat_id, message, keyboard)
        return str(sent.message_id) if sent is not None else ""

    async def retract(self, chat_id: str, message_id: str, *, is_group: bool = False) -> None:
        """deleteMessage (bot.delivery.Retracting); a message gone or too old is done."""
        try:
            number = int(message_id)
        except ValueError as exc:
            raise PermanentError(f"not a Telegram message id: {message_id[:32]!r}") from exc
        with _delivery_errors():
            try:
                await self.bot.delete_message(chat_id, number)
            except BadRequest as exc:
                if not any(reason in exc.message.lower() for reason in _NOT_DELETABLE):
                    raise
                log.info("telegram: a message to retract was not deleted: %s", exc.message)

    async def _call(
        self, chat_id: str, message: Rendered, keyboard: InlineKeyboardMarkup | None
    ) -> Message | None:
        if message.attachments:
            return await self._send_attachment(chat_id, message, keyboard)
        text = message.text
        if not text:
            if keyboard is None:
                return None  # nothing to show: Telegram would refuse an empty message
            text = t("telegram.choose")
        return await self.bot.send_message(chat_id, text, reply_markup=keyboard)

    async def _send_attachment(
        self, chat_id: str, message: Rendered, keyboard: InlineKeyboardMarkup | None
    ) -> Message:
        # The sender gives one attachment per call so that each send is counted once.
        attachment = message.attachments[0]
        content = await self._content(attachment)
        caption = (attachment.caption or message.text)[:MAX_CAPTION] or None
        if attachment.kind == "photo":
            return await self.bot.send_photo(
                chat_id, content, caption=caption, reply_markup=keyboard
            )
        return await self.bot.send_document(
            chat_id, content, caption=caption, reply_markup=keyboard
        )

    async def _content(self, attachment: Attachment) -> InputFile | str:
        if attachment.url:
            return attachment.url
        try:
            data = await self.files.get(attachment.sha256)
        except (OSError, ValueError) as exc:
            raise PermanentError(f"attachment {attachment.sha256[:12]} unreadable: {exc}") from exc
        name = attachment.file_name or f"{attachment.sha256[:12]}"
        return InputFile(data, filename=name)


@contextmanager
def _delivery_errors() -> Iterator[None]:
    """A Bot API call's failure as the sender's DeliveryError (the table in the module doc)."""
    try:
        yield
    except RetryAfter as exc:
        raise RetryLaterError(retry_seconds(exc)) from exc
    except Forbidden as exc:
        raise UnreachableError(exc.message) from exc
    except (BadRequest, ChatMigrated, EndPointNotFound) as exc:
        raise PermanentError(exc.message) from exc
    except TelegramError as exc:
        raise TransientError(f"{type(exc).__name__}: {exc.message}") from exc
