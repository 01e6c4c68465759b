"""``python -m bot simulate``: JSON Lines in, JSON Lines out (contract: spec/simulate.md)."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from bot.app import App
from bot.inbound import button_event, file_event, text_event
from bot.render import render
from handlers.textnorm import clean_text
from handlers.types import Channel, FileRef, Inbound, InboundKind, reply_from_payload
from storage.models import OutboxMessage

_CHANNELS = {c.value: c for c in Channel}
#: The length of ``contacts.platform_user_id``.
MAX_USER = 64


class BadLineError(ValueError):
    """An input line the simulator cannot turn into an event."""


def parse_line(obj: Any) -> Inbound:
    """One decoded input object → an Inbound event."""
    if not isinstance(obj, dict):
        raise BadLineError("line is not a JSON object")
    user = obj.get("user")
    if not isinstance(user, str) or not user:
        raise BadLineError('missing "user"')
    if clean_text(user, MAX_USER)[0] != user:
        raise BadLineError(f'"user" must be at most {MAX_USER} printable characters')
    channel = _CHANNELS.get(str(obj.get("channel", "console")))
    if channel is None:
        raise BadLineError(f"unknown channel {obj.get('channel')!r}")
    name = str(obj.get("name", ""))
    if "text" in obj:
        return text_event(channel, user, str(obj["text"]), display_name=name)
    if "button" in obj:
        return button_event(channel, user, label=str(obj["button"]), display_name=name)
    for key, kind in (("photo", InboundKind.PHOTO), ("document", InboundKind.DOCUMENT)):
        if key in obj:
            path = Path(str(obj[key]))
            try:
                data = path.read_bytes()
            except (OSError, ValueError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) else "bad path"
                raise BadLineError(f"cannot read {key} {path}: {reason}") from None
            return file_event(
                channel,
                user,
                kind,
                FileRef(data, path.name),
                caption=str(obj.get("caption", "")),
                display_name=name,
            )
    for key, kind in (("sticker", InboundKind.STICKER), ("voice", InboundKind.VOICE)):
        # What the platforms deliver of a sticker or a voice note: that one came, no content.
        if key in obj:
            return Inbound(channel, user, kind, display_name=name)
    raise BadLineError("line needs one of text, button, photo, document, sticker, voice")


def output_lines(line_no: int, rows: list[OutboxMessage]) -> list[dict[str, Any]]:
    """The output objects for the outbox rows one input produced."""
    out: list[dict[str, Any]] = []
    for row in rows:
        reply = reply_from_payload(row.payload)
        channel = _CHANNELS.get(row.channel, Channel.CONSOLE)
        for message in render(reply, channel):
            item: dict[str, Any] = {"in": line_no, "to": row.chat_id, "text": message.text}
            if message.buttons:
                item["buttons"] = [[b.label for b in r] for r in message.buttons]
            if message.attachments:
                item["attachments"] = [
                    {"kind": a.kind, "sha256": a.sha256, "file_name": a.file_name}
                    for a in message.attachments
                ]
            item["meta"] = reply.meta
            out.append(item)
    return out


async def simulate(app: App, stdin: TextIO, stdout: TextIO) -> int:
    """Process every input line; returns the exit status (1 if any line was bad)."""
    bad = False
    for line_no, line in enumerate(stdin, start=1):
        if not line.strip():
            continue
        try:
            event = parse_line(json.loads(line))
        except (ValueError, RecursionError) as exc:  # bad JSON, too deep, or a BadLineError
            bad = True
            _write(stdout, {"in": line_no, "error": str(exc)})
            continue
        for item in await app.handle_locally(event, partial(output_lines, line_no)):
            _write(stdout, item)
    return 1 if bad else 0


def _write(stdout: TextIO, obj: dict[str, Any]) -> None:
    line = json.dumps(obj, ensure_ascii=False)
    try:
        line.encode()
    except UnicodeEncodeError:  # e.g. an error naming a path with a lone surrogate
        line = json.dumps(obj)
    stdout.write(line + "\n")
    stdout.flush()
