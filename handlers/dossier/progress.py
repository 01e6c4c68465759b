"""A case's dossier as the family and the officer see it: each item's state and the totals."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.dossier.checklist import ChecklistItem, groups_for, load_checklist
from handlers.dossier.states import PRESET_REASONS, ItemState
from messages import t
from storage.dossier_repo import ItemSize, items_of, page_counts
from storage.models import Case

#: In lists, an officer's own rejection reason is cut to this many characters.
REASON_SHOWN_MAX = 40


@dataclass(frozen=True, slots=True)
class ItemView:
    item: ChecklistItem
    state: ItemState
    required: bool
    #: Pages in the item's files (a 3-page PDF counts 3), and the files themselves (what the
    #: family can look at and remove one by one).
    pages: int
    reason: str | None = None
    files: int = 0

    @property
    def has_something(self) -> bool:
        return self.state in (ItemState.SENT, ItemState.APPROVED)

    @property
    def label(self) -> str:
        """The state as words: "cần chụp lại (ảnh bị mờ...)" includes the reason."""
        if self.state == ItemState.MISSING and self.item.later:
            return t("dossier.state_later")
        text = t(f"dossier.state.{self.state.value}")
        if self.state == ItemState.REJECTED and self.reason:
            text = f"{text} ({reason_text(self.reason)})"
        return text

    @property
    def short_label(self) -> str:
        """:attr:`label` for a line of a list: an officer's own reason is cut to a few words
        (the item itself shows it whole). A 300-character reason made every checklist, and
        each option of it on Zalo, a wall of text."""
        if self.state != ItemState.REJECTED or not self.reason:
            return self.label
        reason = reason_text(self.reason)
        if len(reason) > REASON_SHOWN_MAX:
            reason = reason[:REASON_SHOWN_MAX].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"
        return f"{t(f'dossier.state.{self.state.value}')} ({reason})"


@dataclass(frozen=True, slots=True)
class DossierView:
    case: Case
    groups: frozenset[str]
    items: list[ItemView]

    @property
    def required(self) -> list[ItemView]:
        return [v for v in self.items if v.required]

    @property
    def have(self) -> int:
        return sum(1 for v in self.required if v.has_something)

    @property
    def need(self) -> int:
        return len(self.required)

    @property
    def missing(self) -> list[ItemView]:
        """Required items still to send or to redo (what reminders list)."""
        return [v for v in self.required if not v.has_something]

    @property
    def missing_now(self) -> list[ItemView]:
        """Missing items the family can send now (papers that only exist later, such as the
        contract or the visa, are left out until something was sent for them)."""
        return [v for v in self.missing if not (v.item.later and v.state == ItemState.MISSING)]

    @property
    def all_present(self) -> bool:
        return not self.missing

    @property
    def later_missing(self) -> list[ItemView]:
        """Required papers that only exist later (contract, visa) and are not sent yet."""
        return [v for v in self.missing if v not in self.missing_now]

    @property
    def all_present_now(self) -> bool:
        """Everything the family can send at this stage is there."""
        return not self.missing_now

    @property
    def waiting_review(self) -> list[ItemView]:
        return [v for v in self.items if v.state == ItemState.SENT]

    @property
    def office_reviewing(self) -> bool:
        """Does the office look at the papers sent? Only once the dossier has every paper the
        family can send now (it is then listed for review), or after deciding on one."""
        return self.all_present_now or any(
            v.state in (ItemState.APPROVED, ItemState.REJECTED) for v in self.items)

    @property
    def all_approved(self) -> bool:
        return all(v.state == ItemState.APPROVED for v in self.required) and not self.waiting_review

    def get(self, key: str) -> ItemView | None:
        return next((v for v in self.items if v.item.key == key), None)


def reason_text(reason: str) -> str:
    """A preset reason key in words; the officer's own text as written."""
    return t(f"dossier.reason.{reason}") if reason in PRESET_REASONS else reason


def groups_text(groups: frozenset[str]) -> str:
    return ", ".join(t(f"dossier.group.{g}") for g in sorted(groups))


async def load_view(session: AsyncSession, case: Case) -> DossierView:
    checklist = load_checklist()
    groups = groups_for(case)
    rows = await items_of(session, case.id)
    counts = await page_counts(session, case.id)
    views: list[ItemView] = []
    for item in checklist.items:
        row = rows.get(item.key)
        required = item.required(groups)
        size = counts.get(item.key, ItemSize(0, 0))
        if row is not None and row.status != ItemState.MISSING:
            state = ItemState(row.status)
        elif required:
            state = ItemState.MISSING
        else:
            state = ItemState.OPTIONAL if item.optional else ItemState.NOT_NEEDED
        views.append(
            ItemView(
                item,
                state,
                required,
                size.pages,
                row.reason if row is not None else None,
                files=size.files,
            )
        )
    return DossierView(case=case, groups=groups, items=views)
