"""The dossier flow's buttons (the family's side; the officer's are in review.py)."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.callbacks import CallbackData


@dataclass(frozen=True)
class Start(CallbackData, prefix="dossier:start"):
    pass


@dataclass(frozen=True)
class PickCase(CallbackData, prefix="dossier:case"):
    """One of the family's cases (a reminder names it), optionally straight at an item."""

    case_id: int
    item_key: str | None = None


@dataclass(frozen=True)
class Redo(CallbackData, prefix="dossier:redo"):
    """Under an officer's rejection: send that item again."""

    case_id: int
    item_key: str


@dataclass(frozen=True)
class StopReminders(CallbackData, prefix="dossier:stop"):
    pass


@dataclass(frozen=True)
class OpenItem(CallbackData, prefix="dossier:item"):
    item_key: str


@dataclass(frozen=True)
class Done(CallbackData, prefix="dossier:done"):
    pass


@dataclass(frozen=True)
class Pages(CallbackData, prefix="dossier:pages"):
    pass


@dataclass(frozen=True)
class Checklist(CallbackData, prefix="dossier:list"):
    pass


@dataclass(frozen=True)
class DeletePage(CallbackData, prefix="dossier:del"):
    doc_id: int


@dataclass(frozen=True)
class ReplacePage(CallbackData, prefix="dossier:rep"):
    doc_id: int


@dataclass(frozen=True)
class PutHeld(CallbackData, prefix="dossier:put"):
    """The files sent before choosing an item belong to this item."""

    item_key: str
