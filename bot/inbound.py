"""Builders of Inbound events shared by the adapters (commands, NFC, choices)."""

from __future__ import annotations

from handlers.textnorm import nfc
from handlers.types import Channel, FileRef, Inbound, InboundKind


def text_event(
    channel: Channel,
    user_id: str,
    text: str,
    *,
    update_id: str = "",
    display_name: str = "",
    chat_id: str = "",
    reply_to_message_id: str = "",
) -> Inbound:
    """A text message; "/cmd args" (or "/cmd@botname args") becomes a COMMAND event."""
    text = nfc(text)
    if text.startswith("/") and len(text) > 1:
        head, _, args = text[1:].partition(" ")
        command = head.split("@", 1)[0].lower()
        return Inbound(
            channel,
            user_id,
            InboundKind.COMMAND,
            text=text,
            command=command,
            args=args.strip(),
            update_id=update_id,
            display_name=display_name,
            chat_id=chat_id,
        )
    return Inbound(
        channel,
        user_id,
        InboundKind.TEXT,
        text=text,
        update_id=update_id,
        display_name=display_name,
        chat_id=chat_id,
        reply_to_message_id=reply_to_message_id,
    )


def button_event(
    channel: Channel,
    user_id: str,
    *,
    button_id: str = "",
    label: str = "",
    update_id: str = "",
    display_name: str = "",
    chat_id: str = "",
) -> Inbound:
    """A pressed button: by id (Telegram callback data) or by label/number (simulator)."""
    return Inbound(
        channel,
        user_id,
        InboundKind.BUTTON,
        text=nfc(label),
        button_id=button_id,
        update_id=update_id,
        display_name=display_name,
        chat_id=chat_id,
    )


def file_event(
    channel: Channel,
    user_id: str,
    kind: InboundKind,
    file: FileRef,
    *,
    caption: str = "",
    update_id: str = "",
    display_name: str = "",
    chat_id: str = "",
) -> Inbound:
    return Inbound(
        channel,
        user_id,
        kind,
        text=nfc(caption),
        file=file,
        update_id=update_id,
        display_name=display_name,
        chat_id=chat_id,
    )
