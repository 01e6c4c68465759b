"""Telegram (python-telegram-bot 22): Update → Inbound → engine; long polling or a webhook.

The adapter only translates. The engine de-duplicates by ``update_id`` (its inbound log), keeps
each person's events in order and writes the replies to the outbox; the sender delivers them
(bot/channels/telegram_transport.py). Files are downloaded here (at most 20 MB, the Bot API's cap)
so that the event reaching the engine carries the bytes.

Polling confirms an update (``offset``) only after the engine has committed it, so a crash
re-delivers it and the inbound log drops the repeat. A batch is read as raw JSON and each update
built on its own: one that PTB cannot build (a payload shaped by another Bot API version) is
recorded as failed and skipped, instead of sinking the batch and stopping polling for everyone.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from telegram import Bot, BotCommand, Update
from telegram.error import RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder
from telegram.request import HTTPXRequest

from bot.channels.telegram_commands import (
    citizen_commands,
    hide_officer_menu,
    officer_chats,
    show_officer_menu,
)
from bot.channels.telegram_request import AiohttpRequest
from bot.channels.telegram_transport import retry_seconds
from bot.inbound import button_event, file_event, text_event
from bot.webhook import MalformedUpdateError
from handlers.types import Channel, FileRef, Inbound, InboundKind, reply_to_payload
from handlers.types import Reply as _Reply
from messages import t
from storage.repositories import get_or_create_contact, record_outbox, record_update, seen_update

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
ALLOWED_UPDATES = ["message", "callback_query"]
#: Webhook deliveries of one update that may fail before it is recorded as failed.
WEBHOOK_ATTEMPTS = 3
_TG = Channel.TELEGRAM
#: The intent of the reply to a successful /canbo (bot's officer sign-in).
BOUND = "flow:officials.bind.ok"


def build_application(
    token: str, api_url: str, *, pool_size: int = 128, read_timeout: float = 15.0
) -> Application[Any, Any, Any, Any, Any, Any]:
    """A PTB Application used for its Bot only (no updater, handlers or persistence)."""
    url = api_url.rstrip("/")
    return (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{url}/bot")
        .base_file_url(f"{url}/file/bot")
        # Sends and downloads on aiohttp (bot/channels/telegram_request.py: a third of httpx's
        # event-loop work per message); the long poll keeps PTB's default backend.
        .request(
            AiohttpRequest(
                connection_pool_size=pool_size, read_timeout=read_timeout, pool_timeout=30.0
            )
        )
        .get_updates_request(HTTPXRequest(read_timeout=read_timeout + 60.0))
        .updater(None)
        .build()
    )


@dataclass(frozen=True, slots=True)
class ParsedUpdate:
    """An update as the engine will see it, plus what the adapter still has to fetch or do."""

    event: Inbound
    file_id: str = ""
    file_size: int | None = None
    callback_query_id: str = ""
    #: The message whose keyboard was pressed, to remove the spent buttons.
    keyboard_message_id: int | None = None


def parse_update(update: Update) -> ParsedUpdate | None:
    """The event an update carries; None for updates the bot ignores without a reply: edits,
    channel posts, inline queries, payments, membership changes and other service messages,
    messages of other bots or sent on behalf of a chat, and in groups anything but text,
    photos and documents."""
    uid = str(update.update_id)
    query = update.callback_query
    if query is not None:
        message = query.message
        chat_id = message.chat.id if message is not None else query.from_user.id
        event = button_event(
            _TG,
            str(query.from_user.id),
            button_id=query.data or "",
            update_id=uid,
            display_name=query.from_user.full_name,
            chat_id=_chat(chat_id, query.from_user.id),
        )
        return ParsedUpdate(
            event,
            callback_query_id=query.id,
            keyboard_message_id=message.message_id if message is not None else None,
        )
    msg = update.message
    if msg is None or msg.from_user is None or msg.from_user.is_bot or msg.sender_chat:
        return None
    if msg.successful_payment is not None or msg.refunded_payment is not None:
        return None
    if msg.text is None and msg.effective_attachment is None:
        return None  # a service message: someone joined, a pin, a title change...
    user = str(msg.from_user.id)
    common: dict[str, Any] = {
        "update_id": uid,
        "display_name": msg.from_user.full_name,
        "chat_id": _chat(msg.chat.id, msg.from_user.id),
    }
    if msg.text is not None:
        # A reply to a notice answers the person who asked (the id is mapped to a thread).
        replied = msg.reply_to_message
        replied_id = str(replied.message_id) if replied is not None else ""
        return ParsedUpdate(
            text_event(_TG, user, msg.text, reply_to_message_id=replied_id, **common)
        )
    caption = msg.caption or ""
    if msg.photo:
        largest = max(msg.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        name = f"photo_{largest.file_unique_id}.jpg"
        ref = FileRef(b"", name, "image/jpeg")
        event = file_event(_TG, user, InboundKind.PHOTO, ref, caption=caption, **common)
        return ParsedUpdate(event, file_id=largest.file_id, file_size=largest.file_size)
    if msg.document is not None:
        doc = msg.document
        ref = FileRef(b"", doc.file_name, doc.mime_type)
        event = file_event(_TG, user, InboundKind.DOCUMENT, ref, caption=caption, **common)
        return ParsedUpdate(event, file_id=doc.file_id, file_size=doc.file_size)
    if msg.chat.type != msg.chat.PRIVATE:
        return None  # a sticker or a location in a group needs no "cannot read this"
    kind = InboundKind.UNSUPPORTED
    if msg.sticker is not None:
        kind = InboundKind.STICKER
    elif msg.voice is not None or msg.audio is not None:
        kind = InboundKind.VOICE
    return ParsedUpdate(Inbound(_TG, user, kind, text=caption, **common))


def _update_key(data: Any) -> str:
    """The update's id as the inbound log keys it; empty when the JSON carries none."""
    update_id = data.get("update_id") if isinstance(data, dict) else None
    return str(update_id) if type(update_id) is int else ""


def update_keys(data: dict[str, Any]) -> tuple[str, str]:
    """(update id, sender id) of a raw webhook body, read without parsing the whole update
    (it is stored first; a body too odd to parse is recorded as failed when it is processed).
    A body without an update id is no update: MalformedUpdateError (400, nothing stored)."""
    key = _update_key(data)
    if not key:
        raise MalformedUpdateError("no update_id")
    user = ""
    for kind in ("message", "callback_query", "edited_message"):
        part = data.get(kind)
        if isinstance(part, dict):
            sender = part.get("from")
            if isinstance(sender, dict) and isinstance(sender.get("id"), int | str):
                user = str(sender["id"])
            break
    return key, user


def _chat(chat_id: int, user_id: int) -> str:
    # Private chats have the user's id; only a group needs its own address for replies.
    return "" if chat_id == user_id else str(chat_id)


class TelegramChannel:
    """Feeds Telegram updates to the engine; ``on_commit`` wakes the sender."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        app: App,
        *,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self.application = application
        self.app = app
        self.on_commit = on_commit
        #: Webhook failures per update id, so a failing update is given up, not retried forever
        #: (only failing updates stay here).
        self._webhook_failures: dict[str, int] = {}

    @property
    def bot(self) -> Bot:
        bot: Bot = self.application.bot
        return bot

    async def start(self) -> None:
        """getMe (raises telegram.error.InvalidToken for a rejected token), then the commands:
        everyone's, and the officers' menu in each bound officer's chat only."""
        await self.application.initialize()
        await self.bot.set_my_commands(self.commands())
        async with self.app.db.session() as session:
            active, revoked = await officer_chats(session)
        have = self.app.engine.router.commands
        for chat in sorted(active):
            await show_officer_menu(self.bot, chat, have)
        for chat in sorted(revoked):
            await hide_officer_menu(self.bot, chat)

    async def close(self) -> None:
        await self.application.shutdown()

    def commands(self) -> list[BotCommand]:
        """The commands menu everyone sees (officer commands are per chat)."""
        return citizen_commands(self.app.engine.router.commands)

    async def handle_json(self, data: dict[str, Any]) -> None:
        """A webhook body. Not an update at all: MalformedUpdateError (400). An update that
        fails for a passing reason (a download) raises, so the caller answers 500 and Telegram
        retries; after WEBHOOK_ATTEMPTS failures it is recorded as failed and answered 200."""
        key = _update_key(data)
        if not key:
            raise MalformedUpdateError("no update_id")
        if self._webhook_failures.get(key, 0) >= WEBHOOK_ATTEMPTS:
            return  # given up on already, and recorded as failed
        try:
            await self.handle_raw(data)
        except Exception:
            failures = self._webhook_failures[key] = self._webhook_failures.get(key, 0) + 1
            if failures < WEBHOOK_ATTEMPTS:
                raise
            await self._give_up(key)
        else:
            self._webhook_failures.pop(key, None)

    async def handle_raw(self, data: Any) -> None:
        """One update as JSON: built by PTB, then handled; one PTB cannot build is recorded as
        failed (never logged: it holds what a person wrote)."""
        try:
            update = Update.de_json(data, self.bot)
        except Exception as exc:
            key = _update_key(data)
            error_id = uuid.uuid4().hex[:8]
            log.warning(
                "telegram update %s could not be read (%s, error id %s); skipped",
                key or "without an id",
                type(exc).__name__,
                error_id,
            )
            await self.app.engine.record_failed(_TG, key, error_id)
            return
        await self.handle_update(update)

    async def handle_update(self, update: Update) -> None:
        """One update through the engine (a repeat of a processed update is dropped there)."""
        parsed = parse_update(update)
        if parsed is None:
            return
        if parsed.callback_query_id:
            await self._quietly(self.bot.answer_callback_query(parsed.callback_query_id))
        event = parsed.event
        if parsed.file_id:
            if parsed.file_size is not None and parsed.file_size > MAX_DOWNLOAD_BYTES:
                await self._tell(event, t("telegram.file_too_large"))
                return
            data = await self._download(parsed.file_id)
            if data is None:
                await self._tell(event, t("telegram.file_too_large"))
                return
            assert event.file is not None
            event = replace(event, file=replace(event.file, data=data))
        rows = await self.app.engine.handle(event)
        if any(r.payload.get("meta", {}).get("intent") == BOUND for r in rows):
            # A new officer: their chat gets the officers' command menu.
            await show_officer_menu(self.bot, event.user_id, self.app.engine.router.commands)
        if rows and parsed.keyboard_message_id is not None:
            await self._quietly(
                self.bot.edit_message_reply_markup(
                    event.reply_to, parsed.keyboard_message_id, reply_markup=None
                )
            )

    async def _download(self, file_id: str) -> bytes | None:
        """The file's bytes; None when Telegram will not hand it over (too big)."""
        try:
            file = await self.bot.get_file(file_id)
        except TelegramError as exc:
            if "too big" in exc.message.lower():
                return None
            raise
        if file.file_size is not None and file.file_size > MAX_DOWNLOAD_BYTES:
            return None
        data = bytes(await file.download_as_bytearray())
        return data if len(data) <= MAX_DOWNLOAD_BYTES else None

    async def _tell(self, event: Inbound, text: str) -> None:
        """Answer an event the engine never sees, through the outbox, recorded as processed."""
        async with self.app.db.transaction() as session:
            if await seen_update(session, _TG, event.update_id):
                return
            now = self.app.engine.clock()
            contact = await get_or_create_contact(
                session, _TG, event.user_id, event.display_name, now
            )
            record_update(session, _TG, event.update_id, contact.id, now)
            payload = reply_to_payload(_Reply(text, meta={"intent": "telegram.file"}))
            record_outbox(
                session,
                channel=_TG,
                chat_id=event.reply_to,
                payload=payload,
                now=now,
                contact_id=contact.id,
            )
        if self.on_commit is not None:
            self.on_commit()

    async def _quietly(self, call: Any) -> None:
        # Answering a callback query or removing spent buttons is a courtesy: an old query or an
        # already edited message must not stop the event itself.
        try:
            await call
        except TelegramError as exc:
            log.debug("telegram courtesy call failed: %s", exc)

    async def poll(self, *, long_poll: int = 30, retries: int = 3) -> None:
        """Long polling until cancelled; each update is confirmed only after it was handled, and
        the offset always moves past it, handled, skipped or failed."""
        await self.bot.delete_webhook()
        offset = 0
        pause = 1.0
        while True:
            try:
                batch = await self._get_updates(offset, long_poll)
                pause = 1.0
            except RetryAfter as exc:
                await asyncio.sleep(retry_seconds(exc))
                continue
            except TelegramError as exc:
                log.warning("telegram getUpdates failed (%s); retrying in %.0f s", exc, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 60.0)
                continue
            for item in batch:
                await self._handle_with_retries(item, retries)
                key = _update_key(item)
                offset = max(offset, int(key) + 1 if key else 0)

    async def _get_updates(self, offset: int, long_poll: int) -> list[Any]:
        """One getUpdates batch as raw JSON. PTB's ``get_updates`` builds the whole batch at once
        (and logs it, personal data included, when that fails), so this goes one level down, to
        the Bot's request layer, which still maps errors to RetryAfter, InvalidToken..."""
        data = {"offset": offset, "timeout": long_poll, "allowed_updates": ALLOWED_UPDATES}
        result = await self.bot._post("getUpdates", data)
        return result if isinstance(result, list) else []

    async def _handle_with_retries(self, item: Any, retries: int) -> None:
        key = _update_key(item) or "without an id"
        for attempt in range(1, retries + 1):
            try:
                await self.handle_raw(item)
                return
            except Exception:
                log.exception("telegram update %s failed (attempt %d)", key, attempt)
                if attempt < retries:
                    await asyncio.sleep(float(attempt))
        # A poison update must not block everyone behind it.
        await self._give_up(key)

    async def _give_up(self, key: str) -> None:
        error_id = uuid.uuid4().hex[:8]
        log.error("telegram update %s skipped after repeated failures (error id %s)", key, error_id)
        await self.app.engine.record_failed(_TG, key, error_id)
