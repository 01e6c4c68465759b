"""A family's edits of one page they sent: remove it, or choose it to be replaced by the next
photo (the flow in handlers/dossier/family.py calls these from the page list's options)."""

from __future__ import annotations

from handlers.context import Context
from handlers.dossier.checklist import load_checklist
from handlers.dossier.service import Actor, remove_page
from handlers.dossier.views import item_buttons
from messages import t
from storage.models import Case, DossierDocument


async def _own_page(ctx: Context, case: Case, doc_id: int) -> DossierDocument | None:
    """The page ``doc_id`` of ``case``; gone (removed meanwhile, or another case's): said so."""
    doc = await ctx.session.get(DossierDocument, doc_id)
    if doc is None or doc.case_id != case.id:
        ctx.reply(t("dossier.page_gone"), item_buttons(), intent="flow:dossier.pages")
        return None
    return doc


def _title(doc: DossierDocument) -> str:
    entry = load_checklist().get(doc.item_key)
    return entry.title if entry is not None else doc.item_key


async def delete_page(ctx: Context, case: Case, doc_id: int) -> None:
    doc = await _own_page(ctx, case, doc_id)
    if doc is None:
        return
    title, page = _title(doc), doc.page
    ctx.update(item=doc.item_key)
    ctx.goto("item")
    left = await remove_page(
        ctx.session,
        case,
        doc,
        Actor("family", ctx.contact.id, ctx.contact.display_name),
        ctx.now,
    )
    ctx.reply(
        t("dossier.page_removed", page=page, title=title, pages=left),
        item_buttons(),
        intent="flow:dossier.removed",
    )


async def choose_replace(ctx: Context, case: Case, doc_id: int) -> None:
    doc = await _own_page(ctx, case, doc_id)
    if doc is None:
        return
    ctx.update(item=doc.item_key, replace_doc=doc.id, last_file_at=None)
    ctx.goto("item")
    ctx.reply(
        t("dossier.replace_which", page=doc.page, title=_title(doc)),
        item_buttons(),
        intent="flow:dossier.replace",
    )


async def page_to_replace(ctx: Context, case: Case, item_key: str) -> DossierDocument | None:
    """The page the family chose to replace with the next photo (none: add a page)."""
    doc_id = ctx.data.get("replace_doc")
    if not isinstance(doc_id, int):
        return None
    doc = await ctx.session.get(DossierDocument, doc_id)
    if doc is None or doc.case_id != case.id or doc.item_key != item_key:
        ctx.update(replace_doc=None)
        return None
    return doc
