"""The steps of ``/thongbao`` (handlers/outreach/compose.py) and the options an officer chooses
at them, declared once as typed callback data."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from handlers.callbacks import CallbackData

#: The flow's name (``flow:broadcast.<step>`` intents).
NAME = "broadcast"

InterestTopic = Literal["training", "abroad", "scam"]
InterestCountry = Literal["japan", "korea", "taiwan"]


def intent(step: str) -> str:
    """The intent of a reply at ``step`` (docs/simulate.md)."""
    return f"flow:{NAME}.{step}"


class Step(StrEnum):
    TEXT = "text"
    PHOTO = "photo"
    UNITS = "units"
    INTEREST = "interest"
    WHEN = "when"
    PREVIEW = "preview"


@dataclass(frozen=True)
class NoPhoto(CallbackData, prefix="broadcast:nophoto"):
    pass


@dataclass(frozen=True)
class AllUnits(CallbackData, prefix="broadcast:all"):
    pass


@dataclass(frozen=True)
class Interest(CallbackData, prefix="broadcast:interest"):
    """Who hears it: a topic, for work abroad optionally one country (``abroad:japan``)."""

    topic: InterestTopic
    country: InterestCountry | None = None

    @property
    def value(self) -> str:
        return self.topic + (f":{self.country}" if self.country else "")


INTERESTS = (Interest("training"), Interest("abroad"), Interest("abroad", "japan"),
             Interest("abroad", "korea"), Interest("abroad", "taiwan"), Interest("scam"))


@dataclass(frozen=True)
class Now(CallbackData, prefix="broadcast:now"):
    pass


@dataclass(frozen=True)
class Send(CallbackData, prefix="broadcast:send"):
    pass


@dataclass(frozen=True)
class NewAnnouncement(CallbackData, prefix="broadcast:new"):
    """Start composing (what ``/thongbao`` does)."""


@dataclass(frozen=True)
class Cancel(CallbackData, prefix="broadcast:cancel"):
    pass


@dataclass(frozen=True)
class Report(CallbackData, prefix="broadcast:report"):
    """The latest announcements' report; with ``broadcast_id``, that one announcement's."""

    broadcast_id: int | None = None


@dataclass(frozen=True)
class Change(CallbackData, prefix="broadcast:change"):
    """Under a preview that reaches nobody: choose the communes or the topic again; under
    every preview: write the text again (a class's text the bot wrote). The rest is kept, and
    the preview follows."""

    what: Literal["units", "interest", "text"]


@dataclass(frozen=True)
class KeepText(CallbackData, prefix="broadcast:keep"):
    """The text as it was: asked for a new one (the preview again), or under a preview whose
    text a typed one replaced (the earlier text back)."""
