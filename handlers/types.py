"""Channel-neutral values that flow between adapters, the engine and the handlers.

An adapter turns a platform update into an :class:`Inbound`; a handler answers with
:class:`Reply` values (to the sender) or :class:`Outgoing` values (to anyone); a renderer per
channel turns a reply into what that platform can show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Channel(StrEnum):
    CONSOLE = "console"
    TELEGRAM = "telegram"
    ZALO = "zalo"


class InboundKind(StrEnum):
    TEXT = "text"
    BUTTON = "button"
    COMMAND = "command"
    PHOTO = "photo"
    DOCUMENT = "document"
    STICKER = "sticker"
    VOICE = "voice"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file the user sent, already downloaded by the adapter (bytes in memory, ≤ 20 MB)."""

    data: bytes
    file_name: str | None = None
    mime_type: str | None = None


@dataclass(frozen=True, slots=True)
class Inbound:
    """One incoming event from any channel, already NFC-normalised by the adapter helpers."""

    channel: Channel
    user_id: str
    kind: InboundKind
    text: str = ""
    #: For BUTTON: the button id (payload) when the platform returns it (Telegram callback data),
    #: otherwise empty and ``text`` holds the label or the number the user chose.
    button_id: str = ""
    command: str = ""
    args: str = ""
    file: FileRef | None = None
    #: Platform id of this update/message, used to drop redeliveries. Empty: no de-duplication.
    update_id: str = ""
    display_name: str = ""
    #: Where replies go (a chat id); defaults to the user id (private chats).
    chat_id: str = ""
    #: The platform id of the bot's message this one replies to (Telegram), if any.
    reply_to_message_id: str = ""

    @property
    def reply_to(self) -> str:
        return self.chat_id or self.user_id


@dataclass(frozen=True, slots=True)
class Button:
    """A choice offered to the user; ``id`` is short ASCII (Telegram callback data ≤ 64 bytes)."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file the bot sends: a stored file (by content hash) or a public URL."""

    kind: str  # "photo" | "document"
    sha256: str = ""
    url: str = ""
    file_name: str = ""
    caption: str = ""


@dataclass(slots=True)
class Reply:
    """What the bot says: text, rows of buttons, attachments; ``meta`` is for the simulator."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    #: The contact this message is about, when it is not its recipient (an officer's view of
    #: a person's question or case): the outbox row is deleted with that person's data.
    about: int | None = None
    #: The text already shows the first ``listed`` options as its numbered lines 1, 2, …
    #: (a class list): Zalo, which has no buttons, does not write them out a second time.
    listed: int = 0

    def all_buttons(self) -> list[Button]:
        return [b for row in self.buttons for b in row]

    def offered(self) -> list[list[str]]:
        """Its options as the conversation state remembers them: [[id, label], ...]."""
        return [[b.id, b.label] for b in self.all_buttons()]


@dataclass(frozen=True, slots=True)
class Recipient:
    """Someone the bot writes to: a contact on a channel, or a group chat (officials)."""

    channel: Channel
    chat_id: str
    is_group: bool = False


@dataclass(slots=True)
class Outgoing:
    """A reply addressed to someone other than (or as well as) the sender."""

    to: Recipient
    reply: Reply


def reply_to_payload(reply: Reply) -> dict[str, Any]:
    """The JSON stored in the outbox for a reply."""
    return {
        "text": reply.text,
        "buttons": [[[b.id, b.label] for b in row] for row in reply.buttons],
        "attachments": [
            {
                "kind": a.kind,
                "sha256": a.sha256,
                "url": a.url,
                "file_name": a.file_name,
                "caption": a.caption,
            }
            for a in reply.attachments
        ],
        "meta": reply.meta,
        **({"listed": reply.listed} if reply.listed else {}),
    }


def reply_from_payload(payload: dict[str, Any]) -> Reply:
    return Reply(
        text=payload.get("text", ""),
        buttons=[[Button(b[0], b[1]) for b in row] for row in payload.get("buttons", [])],
        attachments=[Attachment(**a) for a in payload.get("attachments", [])],
        meta=dict(payload.get("meta", {})),
        listed=_whole(payload.get("listed", 0)),
    )


def _whole(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
