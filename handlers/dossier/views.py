"""What the family sees: the checklist, one item's explanation, the pages sent (text + buttons)."""

from __future__ import annotations

import re
from functools import cache

from handlers.dossier.buttons import (
    Checklist,
    DeletePage,
    Done,
    OpenItem,
    Pages,
    PickCase,
    ReplacePage,
)
from handlers.dossier.checklist import load_checklist
from handlers.dossier.progress import DossierView, ItemView, reason_text
from handlers.dossier.states import KEEP_PAGES_REASONS, DossierStatus, ItemState
from handlers.menu import Start as MenuStart
from handlers.textnorm import fold, folded_phrases
from handlers.types import Attachment, Button
from messages import t
from storage.models import Case, DossierDocument


def case_name(case: Case) -> str:
    return case.full_name or case.ref


def case_button(case: Case) -> Button:
    """One of the person's cases, to pick."""
    return PickCase(case.id).button(t("dossier.case_label", ref=case.ref, name=case_name(case)))


def checklist_text(view: DossierView, status: str, *, zalo: bool) -> str:
    sent = any(v.pages for v in view.items)
    lines = [
        t(
            "dossier.checklist_head",
            ref=view.case.ref,
            name=case_name(view.case),
            have=view.have,
            need=view.need,
        )
    ]
    if not zalo:
        # On Zalo the numbered options already carry each state: no second list of the same.
        lines += [item_line(n, v) for n, v in enumerate(view.items, start=1)]
    if status == DossierStatus.COMPLETE:
        lines.append(t("dossier.status_complete"))
    elif status == DossierStatus.READY and view.later_missing:
        lines.append(t("dossier.status_ready_later"))
    elif status == DossierStatus.READY:
        lines.append(t("dossier.status_ready"))
    elif view.all_present_now and view.later_missing and not view.waiting_review:
        lines.append(t("dossier.status_wait_later"))
    else:
        lines.append(t("dossier.checklist_pick"))
        if zalo and not sent:
            lines.append(t("dossier.zalo_photos"))
    # The notes once, before anything is sent: the list came again after each item and each
    # question, over 600 characters on Zalo.
    if not load_checklist().confirmed and not sent:
        lines.append(t("dossier.unconfirmed"))
    return "\n".join(lines)


def item_line(n: int, v: ItemView) -> str:
    line = t("dossier.checklist_line", n=n, title=v.item.title, state=v.short_label)
    if v.pages and v.state != ItemState.REJECTED:
        line += t("dossier.checklist_pages", pages=v.pages)
    return line


def checklist_buttons(view: DossierView, *, with_state: bool = False) -> list[list[Button]]:
    rows = [
        [
            OpenItem(v.item.key).button(
                t("dossier.option_state", title=v.item.title, state=v.short_label)
                if with_state
                else v.item.title,
            )
        ]
        for v in view.items
    ]
    rows.append([MenuStart().button(t("dossier.button.menu"))])
    return rows


def item_text(v: ItemView, groups: frozenset[str], *, zalo: bool) -> str:
    item = v.item
    parts = [
        t(
            "dossier.item_intro",
            title=item.title,
            description=item.description,
            good_photo=item.good_photo,
            pages=item.pages,
        )
    ]
    parts += item.notes_for(groups)
    if v.state == ItemState.REJECTED:
        parts.append(t("dossier.item_rejected", reason=reason_text(v.reason or "")))
        page = named_page(v.reason or "")
        if v.pages and page is not None and page <= v.pages:
            parts.append(t("dossier.item_rejected_page", page=page))
        elif v.pages:
            keep = v.reason in KEEP_PAGES_REASONS
            key = "dossier.item_rejected_keep" if keep else "dossier.item_rejected_replace"
            parts.append(t(key))
    elif v.pages:
        parts.append(t("dossier.item_has_pages", pages=v.pages))
    if v.state in (ItemState.NOT_NEEDED, ItemState.OPTIONAL):
        parts.append(t("dossier.item_not_needed", title=item.title))
    parts.append(t("dossier.item_send_zalo" if zalo else "dossier.item_send"))
    return "\n".join(parts)


def named_page(reason: str) -> int | None:
    """The page an officer's typed reason names ("trang 2 mờ quá, chụp lại trang 2": words of
    ``dossier.page_words`` then a number), when it names one page only; None otherwise."""
    pages = {int(n) for n in _page_named().findall(fold(reason))}
    return pages.pop() if len(pages) == 1 else None


@cache
def _page_named() -> re.Pattern[str]:
    """A word of ``dossier.page_words`` then a page number (built once: every item shown reads
    its reason with it)."""
    words = "|".join(re.escape(w) for w in sorted(folded_phrases("dossier.page_words"),
                                                   key=len, reverse=True))
    return re.compile(rf"\b(?:{words})\s+(\d{{1,2}})\b")


def item_buttons(replace: DossierDocument | None = None) -> list[list[Button]]:
    """The item's buttons; ``replace``: the page the officer asked for again, one tap away (it
    took «Xem đã gửi», the page's number, the photo: a photo sent straight was added)."""
    first = ([[ReplacePage(replace.id).button(t("dossier.button.replace", page=replace.page))]]
             if replace is not None else [])
    return [
        *first,
        [Done().button(t("dossier.button.done"))],
        [Pages().button(t("dossier.button.pages"))],
        [Checklist().button(t("dossier.button.checklist"))],
    ]


def pages_buttons(docs: list[DossierDocument]) -> list[list[Button]]:
    rows = [
        [
            ReplacePage(d.id).button(t("dossier.button.replace", page=d.page)),
            DeletePage(d.id).button(t("dossier.button.delete", page=d.page)),
        ]
        for d in docs
    ]
    return [*rows, *item_buttons()]


def page_attachments(
    docs: list[DossierDocument], caption_key: str, **params: str
) -> list[Attachment]:
    return [
        Attachment(
            kind=d.kind,
            sha256=d.sha256,
            file_name=f"{d.item_key}-{d.page}{_extension(d.mime_type)}",
            caption=t(caption_key, page=d.page, **params),
        )
        for d in docs
    ]


def _extension(mime: str) -> str:
    return {
        "image/jpeg": ".jpg",
        "image/png": ".png",
        "image/webp": ".webp",
        "image/heic": ".heic",
        "application/pdf": ".pdf",
    }.get(mime, "")
