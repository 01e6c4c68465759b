"""The checklist as data (messages/dossier_checklist.toml) and which items a case needs."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from handlers.textnorm import fold, nfc
from storage.models import Case

CHECKLIST_PATH = Path(__file__).resolve().parents[2] / "messages" / "dossier_checklist.toml"

#: Household statuses as the intake stores them; anything else counts as unknown.
HOUSEHOLD_GROUPS = frozenset({"ho_ngheo", "can_ngheo", "moi_thoat_ngheo", "khong", "khong_ro"})
ETHNIC_MINORITY = "dan_toc_thieu_so"
ALL = "all"


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    key: str
    title: str
    description: str
    good_photo: str
    pages: str
    min_pages: int = 1
    required_for: frozenset[str] = frozenset()
    optional: bool = False
    #: Exists only later (contract, visa, tickets): not asked for right after registering.
    later: bool = False
    #: What families type to name the item ("hoa don", "visa"), besides its title.
    words: tuple[str, ...] = ()
    group_notes: dict[str, str] = field(default_factory=dict)

    def required(self, groups: frozenset[str]) -> bool:
        return ALL in self.required_for or bool(self.required_for & groups)

    def notes_for(self, groups: frozenset[str]) -> list[str]:
        return [note for group, note in self.group_notes.items() if group in groups]


@dataclass(frozen=True, slots=True)
class Checklist:
    items: tuple[ChecklistItem, ...]
    #: False while the commune office has not confirmed the list (the bot says so).
    confirmed: bool

    def get(self, key: str) -> ChecklistItem | None:
        return next((i for i in self.items if i.key == key), None)

    def required_items(self, groups: frozenset[str]) -> list[ChecklistItem]:
        return [i for i in self.items if i.required(groups)]


def _item(raw: dict[str, Any]) -> ChecklistItem:
    return ChecklistItem(
        key=str(raw["key"]),
        title=nfc(raw["title"]),
        description=nfc(raw["description"]),
        good_photo=nfc(raw["good_photo"]),
        pages=nfc(raw["pages"]),
        min_pages=int(raw.get("min_pages", 1)),
        required_for=frozenset(raw.get("required_for", [])),
        optional=bool(raw.get("optional", False)),
        later=bool(raw.get("later", False)),
        words=tuple(nfc(w) for w in raw.get("words", [])),
        group_notes={k: nfc(v) for k, v in raw.get("group_notes", {}).items()},
    )


def parse_checklist(data: dict[str, Any]) -> Checklist:
    items = tuple(_item(raw) for raw in data.get("item", []))
    keys = [i.key for i in items]
    if len(set(keys)) != len(keys):
        raise ValueError("dossier checklist: an item key is used twice")
    for item in items:
        # The key travels in button ids (handlers/dossier/buttons.py): short ASCII, no ":".
        if not item.key.isascii() or len(item.key) > 32 or ":" in item.key or not item.key:
            raise ValueError(f"dossier checklist: bad item key {item.key!r}")
    return Checklist(items=items, confirmed=bool(data.get("confirmed", False)))


@cache
def load_checklist(path: Path = CHECKLIST_PATH) -> Checklist:
    with path.open("rb") as fh:
        return parse_checklist(tomllib.load(fh))


def groups_for(case: Case) -> frozenset[str]:
    """The beneficiary groups of a case, from its household status and ethnicity."""
    groups: set[str] = set()
    status = case.household_status or "khong_ro"
    groups.add(status if status in HOUSEHOLD_GROUPS else "khong_ro")
    if case.ethnicity and fold(case.ethnicity) not in {"kinh", "nguoi kinh", "dan toc kinh"}:
        groups.add(ETHNIC_MINORITY)
    return frozenset(groups)
