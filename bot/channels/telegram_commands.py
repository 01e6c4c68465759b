"""Telegram's command menu: citizens' commands for everyone, officers' commands only in the
chats of bound officers (BotCommandScopeChat), set when an officer binds and removed when the
account is revoked (at the next start, or at once by ``officials revoke`` when a token is set).
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from messages import raw
from storage.models import Contact, Officer

log = logging.getLogger(__name__)

TELEGRAM = "telegram"


def citizen_commands(have: Collection[str]) -> list[BotCommand]:
    """The menu everyone sees: the ones this build really has, described in Vietnamese."""
    return [BotCommand(name, text) for name, text in raw("telegram.commands") if name in have]


def officer_commands(have: Collection[str]) -> list[BotCommand]:
    """An officer's menu: the officer commands first, then the citizens' ones not listed."""
    officer = [
        BotCommand(name, text) for name, text in raw("officerhelp.commands") if name in have
    ]
    named = {c.command for c in officer}
    return officer + [c for c in citizen_commands(have) if c.command not in named]


async def officer_chats(session: AsyncSession) -> tuple[set[str], set[str]]:
    """Telegram chats of active officers, and of revoked ones that hold no active account."""
    rows = await session.execute(
        select(Contact.platform_user_id, Officer.active)
        .join(Officer, Officer.contact_id == Contact.id)
        .where(Contact.channel == TELEGRAM)
    )
    active: set[str] = set()
    revoked: set[str] = set()
    for chat, is_active in rows.all():
        (active if is_active else revoked).add(chat)
    return active, revoked - active


async def show_officer_menu(bot: Bot, chat_id: str, have: Collection[str]) -> None:
    await _quietly(bot.set_my_commands(officer_commands(have), scope=_scope(chat_id)))


async def hide_officer_menu(bot: Bot, chat_id: str) -> None:
    await _quietly(bot.delete_my_commands(scope=_scope(chat_id)))


def _scope(chat_id: str) -> BotCommandScopeChat:
    return BotCommandScopeChat(int(chat_id))


async def _quietly(call: object) -> None:
    # A menu is a convenience: a chat that blocked the bot must not stop the start or a turn.
    try:
        await call  # type: ignore[misc]
    except (TelegramError, ValueError) as exc:
        log.warning("telegram command menu not updated: %s", exc)
