"""Dossier operations shared by the family flow, the officer flow, the CLI and the reminders.

Each function changes rows in the caller's transaction and returns what should be said to whom;
the caller decides how to send it (ctx.reply / ctx.send in chat, outbox rows from the CLI).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.dossier.buttons import Redo
from handlers.dossier.checklist import load_checklist
from handlers.dossier.progress import DossierView, load_view, reason_text
from handlers.dossier.states import DossierStatus, ItemState
from handlers.dossier.validate import Verdict
from handlers.notices import record_notice
from handlers.types import Channel, Recipient, Reply
from messages import t
from storage.cases_repo import CaseStatus
from storage.dossier_repo import (
    REVIEWED_PAGES,
    add_document,
    add_event,
    documents_of,
    find_duplicate,
    get_item,
    get_tracker,
    remove_document,
    reviewed_items,
)
from storage.models import Case, Contact, DossierDocument


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change, for the history."""

    role: str  # family | officer | cli | system
    contact_id: int | None = None
    name: str = ""


@dataclass(slots=True)
class PageResult:
    doc: DossierDocument | None = None
    duplicate_of: DossierDocument | None = None
    #: The new file took the place of the page the family chose to replace.
    replaced: bool = False


@dataclass(slots=True)
class Decision:
    """The outcome of one review decision: messages for the family and the officer."""

    to_family: list[tuple[Recipient, Reply]] = field(default_factory=list)
    completed: bool = False


async def add_page(
    session: AsyncSession,
    case: Case,
    item_key: str,
    *,
    sha256: str,
    size: int,
    verdict: Verdict,
    actor: Actor,
    now: datetime,
    replace: DossierDocument | None = None,
) -> PageResult:
    """Attach a validated, stored file as the item's next page, or in place of the page
    ``replace`` the family chose (a duplicate is not added)."""
    duplicate = await find_duplicate(session, case.id, sha256)
    if duplicate is not None:
        return PageResult(duplicate_of=duplicate)
    item = await get_item(session, case.id, item_key, now)
    result = PageResult()
    # Pages are never dropped because the item was rejected: the family says which page a new
    # photo replaces (``replace``); otherwise it is added after the others.
    page = 0
    if replace is not None and replace.case_id == case.id and replace.item_key == item_key:
        page = replace.page
        await session.delete(replace)
        await session.flush()
        result.replaced = True
        add_event(
            session, case_id=case.id, item_key=item_key, action="replaced", now=now,
            reason=f"page {page}", actor_contact_id=actor.contact_id, actor_role=actor.role,
            actor_name=actor.name,
        )
    doc = DossierDocument(
        case_id=case.id,
        item_key=item_key,
        page=0,
        kind=verdict.kind,
        mime_type=verdict.mime_type,
        size=size,
        sha256=sha256,
        page_count=verdict.pages,
        sender_contact_id=actor.contact_id,
        created_at=now,
    )
    if page:
        doc.page = page
        session.add(doc)
        await session.flush()
        result.doc = doc
    else:
        result.doc = await add_document(session, doc)
    item.status = ItemState.SENT
    item.reason = None
    item.updated_at = now
    add_event(
        session, case_id=case.id, item_key=item_key, action="sent", now=now,
        reason=f"page {doc.page}", actor_contact_id=actor.contact_id, actor_role=actor.role,
        actor_name=actor.name,
    )
    if case.status == CaseStatus.NEW:
        case.status = CaseStatus.DOSSIER_IN_PROGRESS
        case.updated_at = now
    await touch(session, case, now)
    return result


async def remove_page(
    session: AsyncSession, case: Case, doc: DossierDocument, actor: Actor, now: datetime
) -> int:
    """Remove one page (a file: a photo, or a PDF); returns how many the item keeps."""
    item_key, page = doc.item_key, doc.page
    await remove_document(session, doc)
    view = await load_view(session, case)
    item_view = view.get(item_key)
    left = item_view.files if item_view is not None else 0
    item = await get_item(session, case.id, item_key, now)
    if left == 0 and item.status == ItemState.SENT:
        item.status = ItemState.MISSING
        item.updated_at = now
    add_event(
        session, case_id=case.id, item_key=item_key, action="removed", now=now,
        reason=f"page {page}", actor_contact_id=actor.contact_id, actor_role=actor.role,
        actor_name=actor.name,
    )
    await touch(session, case, now)
    return left


async def touch(session: AsyncSession, case: Case, now: datetime) -> None:
    """The family did something: reminders count from now; a dossier that lost a required
    page goes back to collecting."""
    tracker = await get_tracker(session, case.id, now)
    tracker.last_activity_at = now
    if tracker.status == DossierStatus.READY and not (
        await load_view(session, case)
    ).all_present_now:
        tracker.status = DossierStatus.OPEN


async def maybe_ready(session: AsyncSession, case: Case, now: datetime) -> bool:
    """Every required item the family can send now has something: notify the commune
    officers once (per round). Papers that only exist later (contract, visa) do not hold the
    others' review back: an abroad family waited with no review at all until the visa."""
    tracker = await get_tracker(session, case.id, now)
    if tracker.status != DossierStatus.OPEN:
        return False
    view = await load_view(session, case)
    if not view.all_present_now or not view.waiting_review:
        return False
    from handlers.dossier.review import OpenDossier  # review imports this module

    tracker.status = DossierStatus.READY
    tracker.ready_notified_at = now
    add_event(session, case_id=case.id, action="ready", now=now, actor_role="system")
    later = ", ".join(v.item.title for v in view.later_missing)
    # Sent again after a review: which papers ("đã gửi đủ giấy tờ" each time said nothing of
    # what changed).
    reviewed = await reviewed_items(session, case.id) if view.waiting_review else set()
    resent = ", ".join(v.item.title for v in view.waiting_review if v.item.key in reviewed)
    key = ("dossier.notice_resent" if resent else
           "dossier.notice_ready_later" if later else "dossier.notice_ready")
    await record_notice(
        session,
        kind="dossier_ready",
        text_key=key,
        now=now,
        unit_id=case.unit_id,
        case_id=case.id,
        # One tap to the review (the officer typed /hoso and picked the case).
        params={"ref": case.ref, "later": later, "resent": resent,
                "buttons": [[OpenDossier(case.id).pack(), "casework.button_open_case"]]},
    )
    return True


async def family_recipient(session: AsyncSession, case: Case) -> Recipient | None:
    if case.contact_id is None:
        return None
    contact = await session.get(Contact, case.contact_id)
    if contact is None:
        return None
    return Recipient(Channel(contact.channel), contact.platform_user_id)


async def decide(
    session: AsyncSession,
    case: Case,
    item_key: str,
    *,
    approve: bool,
    reason: str | None,
    actor: Actor,
    now: datetime,
) -> Decision:
    """Approve or reject one item; tells the family what to redo, or that the dossier is
    complete when this was the last one."""
    item = await get_item(session, case.id, item_key, now)
    # Approved while the family was asked to send it again (nothing new since): the officer
    # took the request back, and the family must hear it or they redo a good paper.
    taken_back = approve and item.status == ItemState.REJECTED
    item.status = ItemState.APPROVED if approve else ItemState.REJECTED
    item.reason = None if approve else (reason or "")
    item.updated_at = now
    add_event(
        session, case_id=case.id, item_key=item_key, now=now,
        action="approved" if approve else "rejected", reason=item.reason,
        actor_contact_id=actor.contact_id, actor_role=actor.role, actor_name=actor.name,
    )
    # The pages the officer decided on, so the next review shows what changed since.
    # Content hashes, not row ids: a replaced page's row id may be reused by the database.
    seen = [d.sha256 for d in await documents_of(session, case.id, item_key)]
    add_event(
        session, case_id=case.id, item_key=item_key, now=now, action=REVIEWED_PAGES,
        reason=",".join(seen), actor_contact_id=actor.contact_id,
        actor_role=actor.role, actor_name=actor.name,
    )
    tracker = await get_tracker(session, case.id, now)
    decision = Decision()
    family = await family_recipient(session, case)
    entry = load_checklist().get(item_key)
    title = entry.title if entry is not None else item_key
    if not approve:
        tracker.status = DossierStatus.OPEN
        # The 3-day reminder countdown restarts from the officer's request.
        tracker.last_activity_at = now
        if family is not None:
            key = "dossier.family_rejected" + ("_zalo" if family.channel == Channel.ZALO else "")
            text = t(key, ref=case.ref, title=title,
                     reason=reason_text(item.reason or ""))
            buttons = [[Redo(case.id, item_key).button(t("dossier.button.redo"))]]
            decision.to_family.append((family, Reply(text, buttons, meta={
                "intent": "flow:dossier.rejected", "case_ref": case.ref, "item": item_key})))
        return decision
    if taken_back and family is not None:
        decision.to_family.append((family, Reply(
            t("dossier.family_unrejected", ref=case.ref, title=title),
            meta={"intent": "flow:dossier.unrejected", "case_ref": case.ref, "item": item_key})))
    view: DossierView = await load_view(session, case)
    if tracker.status == DossierStatus.READY and not view.waiting_review and not view.all_approved:
        # Reviewed all there is; the papers that come later start a new round (and notice).
        tracker.status = DossierStatus.OPEN
    if view.all_approved and tracker.status != DossierStatus.COMPLETE:
        tracker.status = DossierStatus.COMPLETE
        tracker.completed_at = now
        add_event(session, case_id=case.id, action="complete", now=now,
                  actor_contact_id=actor.contact_id, actor_role=actor.role, actor_name=actor.name)
        decision.completed = True
        if case.status in (CaseStatus.NEW, CaseStatus.DOSSIER_IN_PROGRESS):
            case.status = CaseStatus.ELIGIBLE
            case.updated_at = now
        if family is not None:
            decision.to_family.append((family, Reply(
                t("dossier.family_complete", ref=case.ref),
                meta={"intent": "flow:dossier.complete", "case_ref": case.ref})))
    return decision
