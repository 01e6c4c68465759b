"""``python -m bot chat``: talk to the bot in a terminal, as a person would on a phone."""

from __future__ import annotations

import asyncio
import getpass
from functools import partial
from pathlib import Path

from bot.app import App
from bot.inbound import file_event, text_event
from bot.render import render
from handlers.types import Channel, FileRef, InboundKind, reply_from_payload
from messages import t
from storage.models import OutboxMessage

PROMPT = "> "
#: Typed in the terminal to send a file, since a terminal has no camera.
PHOTO_PREFIX = ":anh "
DOCUMENT_PREFIX = ":tep "


def format_message(text: str, labels: list[str], offset: int) -> str:
    lines = [text]
    lines += [f"  [{offset + i}] {label}" for i, label in enumerate(labels, start=1)]
    return "\n".join(lines)


async def chat(app: App, user: str | None = None) -> None:
    """Read lines from the terminal until EOF or Ctrl-C, print the bot's replies."""
    user = user or getpass.getuser()
    print(t("cli.chat_intro"))
    await _say(app, user, "/start")
    while True:
        try:
            line = await asyncio.to_thread(input, PROMPT)
        except (EOFError, KeyboardInterrupt):
            print()
            return
        if line.strip():
            await _say(app, user, line)


async def _say(app: App, user: str, line: str) -> None:
    if line.startswith((PHOTO_PREFIX, DOCUMENT_PREFIX)):
        kind = InboundKind.PHOTO if line.startswith(PHOTO_PREFIX) else InboundKind.DOCUMENT
        path = Path(line[len(PHOTO_PREFIX) :].strip())
        try:
            data = await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            print(t("cli.chat_cannot_read", path=path, reason=exc.strerror))
            return
        event = file_event(Channel.CONSOLE, user, kind, FileRef(data, path.name))
    else:
        event = text_event(Channel.CONSOLE, user, line)
    await app.handle_locally(event, partial(_show, event.reply_to))


def _show(me: str, rows: list[OutboxMessage]) -> None:
    # Numbers run across this turn's replies to me, as the engine numbers the options I can
    # answer; a message to someone else (an officer) is shown with its own numbering.
    offset = 0
    for row in rows:
        mine = row.chat_id == me
        for message in render(reply_from_payload(row.payload), Channel.CONSOLE):
            labels = [b.label for r in message.buttons for b in r]
            prefix = "" if mine else f"[→ {row.chat_id}] "
            print(prefix + format_message(message.text, labels, offset if mine else 0))
            if mine:
                offset += len(labels)
