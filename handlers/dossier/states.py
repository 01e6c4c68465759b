"""The states of a checklist item and of a whole dossier (kept here, not with case statuses:
a case's dossier has its own life beside the case's registration status)."""

from __future__ import annotations

from enum import StrEnum


class ItemState(StrEnum):
    """What the family sees next to each item."""

    MISSING = "missing"  # còn thiếu
    SENT = "sent"  # đã gửi, waiting for review
    REJECTED = "rejected"  # cần chụp lại (with the officer's reason)
    APPROVED = "approved"  # đã duyệt
    NOT_NEEDED = "not_needed"  # không cần for this case's groups
    OPTIONAL = "optional"  # không bắt buộc, nothing sent


class DossierStatus(StrEnum):
    OPEN = "open"  # collecting documents
    READY = "ready"  # every required item has something: waiting for review
    COMPLETE = "complete"  # every required item approved: đủ điều kiện nộp


class PresetReason(StrEnum):
    """Preset rejection reasons (keys of dossier.reason.*); else the officer's own text."""

    BLURRY = "mo"
    PAGES_MISSING = "thieu_trang"
    WRONG_PAPER = "sai_giay_to"
    EXPIRED = "het_han"


PRESET_REASONS = tuple(r.value for r in PresetReason)

#: Reasons after which the old pages are kept and new ones added (the rest replace them).
KEEP_PAGES_REASONS = frozenset({"thieu_trang"})
