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


#: Preset rejection reasons (keys of dossier.reason.*); anything else is the officer's own text.
PRESET_REASONS = ("mo", "thieu_trang", "sai_giay_to", "het_han")

#: Reasons after which the old pages are kept and new ones added (the rest replace them).
KEEP_PAGES_REASONS = frozenset({"thieu_trang"})
