"""The officer's review flow: open a dossier, receive each item's files, approve or reject.

Buttons (declared below) carry the case (and item) so an old message's buttons still act on
the right dossier; «Lý do khác» asks for the reason as text.
Access is checked on every action (handlers.access), never only when opening.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.access import can_open_case, get_officer
from handlers.callbacks import CallbackData
from handlers.casework import DossierPdf
from handlers.context import Context
from handlers.dossier.checklist import load_checklist
from handlers.dossier.progress import (
    DossierView,
    ItemView,
    groups_text,
    load_view,
    reason_text,
)
from handlers.dossier.service import Actor, decide
from handlers.dossier.states import DossierStatus, ItemState, PresetReason
from handlers.dossier.views import case_name, page_attachments
from handlers.flow import Flow
from handlers.textnorm import folded_phrases, is_phrase
from handlers.types import Button, Inbound, InboundKind
from messages import t
from storage.dossier_repo import decision_before, documents_of, last_reviewed_pages
from storage.models import Case, DossierDocument, DossierItem, DossierTracker, Officer

#: The longest reason an officer may type for a rejection (it is sent to the family).
REASON_MAX = 500
#: Words a text typed at an item's question needs to be taken as the reason to send it again
#: (one word, "ok" or a label typed loosely, is not).
REASON_MIN_WORDS = 3


@dataclass(frozen=True)
class OpenDossier(CallbackData, prefix="review:open"):
    case_id: int


@dataclass(frozen=True)
class Approve(CallbackData, prefix="review:ok"):
    case_id: int
    item_key: str


@dataclass(frozen=True)
class Reject(CallbackData, prefix="review:no"):
    case_id: int
    item_key: str
    reason: PresetReason


@dataclass(frozen=True)
class RejectOther(CallbackData, prefix="review:other"):
    """Reject with the officer's own words (typed next)."""

    case_id: int
    item_key: str


@dataclass(frozen=True)
class SendReason(CallbackData, prefix="review:send"):
    """Send the reason typed at an item's question (kept in the flow's state) to the family."""

    case_id: int
    item_key: str


@dataclass(frozen=True)
class BackToItem(CallbackData, prefix="review:back"):
    """The reason typed not sent: the item waiting for review, asked again."""

    case_id: int


@dataclass(frozen=True)
class Later(CallbackData, prefix="review:later"):
    case_id: int | None = None


@dataclass(frozen=True)
class WaitingList(CallbackData, prefix="review:list"):
    pass


@dataclass(frozen=True, slots=True)
class WaitingDossier:
    case_id: int
    ref: str
    name: str
    unit_id: int | None
    ready_since: datetime | None
    #: The button that opens it in the review flow.
    button_id: str


async def list_waiting_dossiers(session: AsyncSession, officer: Officer) -> list[WaitingDossier]:
    """Dossiers with every paper sent and waiting for review, in the officer's scope, oldest
    first (for the officials' /hoso command). A dossier that was ready and had one item
    rejected stays here while its other items still wait: after a reject and «Để sau» the
    officer could no longer reach them until the family sent the page again."""
    still_waiting = exists().where(DossierItem.case_id == Case.id,
                                   DossierItem.status == ItemState.SENT)
    rows = await session.execute(
        select(Case, DossierTracker)
        .join(DossierTracker, DossierTracker.case_id == Case.id)
        .where(or_(
            DossierTracker.status == DossierStatus.READY,
            and_(DossierTracker.status == DossierStatus.OPEN,
                 DossierTracker.ready_notified_at.is_not(None), still_waiting),
        ))
        .order_by(DossierTracker.ready_notified_at, Case.id)
    )
    return [
        WaitingDossier(case.id, case.ref, case_name(case), case.unit_id,
                       tracker.ready_notified_at, OpenDossier(case.id).pack())
        for case, tracker in rows.all()
        if can_open_case(officer, case)
    ]


async def changes_since_review(
    session: AsyncSession, case_id: int, item_key: str, docs: list[DossierDocument]
) -> tuple[str | None, set[int]]:
    """What the family changed in an item since the officer last decided on it: a line for
    the officer, and the ids of the pages that are new (sent or replaced since)."""
    last = await last_reviewed_pages(session, case_id, item_key)
    if last is None:
        return None, set()
    event, seen = last
    fresh = {d.id for d in docs if d.sha256 not in seen}
    gone = len(seen - {d.sha256 for d in docs})
    decision = await decision_before(session, event)
    none = t("dossier.review.none_pages")
    new = [str(d.page) for d in docs if d.id in fresh] or [none]
    kept = [str(d.page) for d in docs if d.id not in fresh] or [none]
    reason = reason_text(decision.reason or "") if decision and decision.reason else ""
    line = t("dossier.review.changes", reason=reason or t("dossier.review.last_review"),
             new=", ".join(new), kept=", ".join(kept))
    if gone:
        line += " " + t("dossier.review.changes_removed", count=gone)
    return line, fresh


def decision_buttons(case_id: int, item_key: str) -> list[list[Button]]:
    rows = [[Approve(case_id, item_key).button(t("dossier.review.button.approve"))]]
    rows += [[Reject(case_id, item_key, r).button(t(f"dossier.review.button.{r.value}"))]
             for r in PresetReason]
    rows.append([RejectOther(case_id, item_key).button(t("dossier.review.button.other"))])
    rows.append([Later(case_id).button(t("dossier.review.button.later"))])
    return rows


def _undo_rows(case_id: int, view: DossierView, item_key: str | None) -> list[list[Button]]:
    v = view.get(item_key) if item_key else None
    if v is None or v.state != ItemState.REJECTED:
        return []
    n = view.items.index(v) + 1
    return [[Approve(case_id, v.item.key).button(t("dossier.review.button.undo", n=n))]]


class ReviewFlow(Flow):
    name = "review"
    for_officers = True

    async def start(self, event: Inbound, ctx: Context) -> None:
        """The list of dossiers waiting for this officer (what /hoso shows)."""
        officer = await get_officer(ctx.session, ctx.contact.id)
        if officer is None:
            ctx.reply(t("dossier.review.not_officer"), intent="flow:review.denied")
            return
        waiting = await list_waiting_dossiers(ctx.session, officer)
        if not waiting:
            ctx.reply(t("dossier.review.none_waiting"), intent="flow:review.list")
            return
        buttons = [[Button(w.button_id, t("dossier.review.waiting_label", ref=w.ref, name=w.name))]
                   for w in waiting[:20]]
        ctx.reply(t("dossier.review.waiting_head", count=len(waiting)), buttons,
                  intent="flow:review.list")

    async def repeat(self, event: Inbound, ctx: Context) -> None:
        """After «giúp» or a question: the item under review again (its decision buttons; the
        pages were just sent), or the reason question; the list only when no case is open."""
        case_id = ctx.data.get("case_id")
        if ctx.step not in ("item", "reason", "confirm_reason") or not isinstance(case_id, int):
            await self.start(event, ctx)
            return
        found = await self._allowed_case(ctx, case_id)
        if found is None:
            return
        case, _ = found
        if ctx.step == "reason":
            self._ask_reason(ctx, case, str(ctx.data.get("item", "")))
        else:  # the reason not sent: the item's question again
            await self._next_item(ctx, case, with_pages=False)

    def _ask_reason(self, ctx: Context, case: Case, item_key: str) -> None:
        ctx.enter(self.name, "reason", {"case_id": case.id, "item": item_key})
        entry = load_checklist().get(item_key)
        ctx.reply(t("dossier.review.ask_reason", title=entry.title if entry else item_key),
                  intent="flow:review.reason")

    async def on_callback(self, event: Inbound, ctx: Context, data: CallbackData) -> None:
        if not isinstance(data, OpenDossier | Approve | Reject | RejectOther | SendReason
                          | BackToItem):
            ctx.leave()  # «Để sau», the waiting list
            await self.start(event, ctx)
            return
        found = await self._allowed_case(ctx, data.case_id)
        if found is None:
            return
        case, officer = found
        match data:
            case OpenDossier():
                await self._summary(ctx, case)
                await self._next_item(ctx, case)
            case Approve(item_key=item_key):
                await self._decide(ctx, case, officer, item_key, approve=True, reason=None)
            case Reject(item_key=item_key, reason=reason):
                await self._decide(ctx, case, officer, item_key, approve=False,
                                   reason=reason.value)
            case RejectOther(item_key=item_key):
                self._ask_reason(ctx, case, item_key)
            case SendReason(item_key=item_key):
                typed = ctx.data.get("reason")
                if (ctx.step == "confirm_reason" and ctx.data.get("item") == item_key
                        and isinstance(typed, str) and typed):
                    await self._decide(ctx, case, officer, item_key, approve=False,
                                       reason=typed)
                else:  # an old message's button: the item's question again
                    await self._next_item(ctx, case, with_pages=False)
            case BackToItem():
                await self._next_item(ctx, case, with_pages=False)

    async def on_message(self, event: Inbound, ctx: Context) -> None:
        # The item's question is "approve, or ask for it again with a reason?": a sentence
        # typed there is that reason, as after «Lý do khác» (it left the review, and the
        # sentence was answered as a question). Typed there unasked, it is shown first: "bỏ
        # trang 2 đi", said to the bot, went to the family as the reason.
        text = event.text.strip()
        confirming = ctx.step == "confirm_reason" and event.kind == InboundKind.TEXT
        if confirming and is_phrase(text, folded_phrases("dossier.review.send_words")):
            await self.on_callback(event, ctx, SendReason(int(ctx.data.get("case_id", 0)),
                                                          str(ctx.data.get("item", ""))))
            return
        if confirming and is_phrase(text, folded_phrases("dossier.review.unsend_words")):
            await self.repeat(event, ctx)
            return
        reason_typed = ctx.step == "reason" or (
            ctx.step in ("item", "confirm_reason")
            and len(event.text.split()) >= REASON_MIN_WORDS)
        if reason_typed and event.kind == InboundKind.TEXT and text:
            found = await self._allowed_case(ctx, int(ctx.data.get("case_id", 0)))
            if found is None:
                return
            case, officer = found
            item_key = str(ctx.data.get("item", ""))
            if len(text) > REASON_MAX:
                # Refused whole, not cut: the family would read half of the reason.
                ctx.reply(t("dossier.review.reason_too_long", length=len(text),
                            limit=REASON_MAX), intent="flow:review.reason")
                return
            if ctx.step == "reason":  # asked for («Lý do khác»): sent
                await self._decide(ctx, case, officer, item_key, approve=False, reason=text)
                return
            ctx.enter(self.name, "confirm_reason",
                      {"case_id": case.id, "item": item_key, "reason": text})
            entry = load_checklist().get(item_key)
            ctx.reply(t("dossier.review.confirm_reason", title=entry.title if entry else
                        item_key, reason=text),
                      [[SendReason(case.id, item_key).button(t("dossier.review.button.send"))],
                       [RejectOther(case.id, item_key).button(
                           t("dossier.review.button.retype"))],
                       [BackToItem(case.id).button(t("dossier.review.button.back"))]],
                      intent="flow:review.confirm_reason")
            return
        ctx.leave()
        await ctx.dispatch(event)

    # -- steps -------------------------------------------------------------------------------
    async def _summary(self, ctx: Context, case: Case) -> None:
        view = await load_view(ctx.session, case)
        lines = [t("dossier.review.summary", ref=case.ref, name=case_name(case),
                   groups=groups_text(view.groups), have=view.have, need=view.need)]
        lines += [t("dossier.checklist_line", n=n, title=v.item.title, state=v.label)
                  for n, v in enumerate(view.items, start=1)]
        ctx.reply("\n".join(lines), intent="flow:review.open", case_ref=case.ref)

    async def _next_item(self, ctx: Context, case: Case, *, with_pages: bool = True,
                         undo: str | None = None) -> None:
        """Show the next item waiting for review, with its files; or say what is left.
        ``undo``: the item just rejected, offered for approval on this (the latest) message, so
        a mistaken tap is put right on Telegram and Zalo alike."""
        view = await load_view(ctx.session, case)
        pending = view.waiting_review
        undo_rows = _undo_rows(case.id, view, undo)
        if not pending:
            ctx.leave()
            missing = ", ".join(v.item.title for v in view.missing)
            key = "dossier.review.nothing_left" if missing else "dossier.review.nothing_left_none"
            ctx.reply(t(key, ref=case.ref, missing=missing), undo_rows or None,
                      intent="flow:review.done")
            return
        v: ItemView = pending[0]
        n = view.items.index(v) + 1
        ctx.enter(self.name, "item", {"case_id": case.id, "item": v.item.key})
        docs = await documents_of(ctx.session, case.id, v.item.key)
        text = t("dossier.review.item", n=n, total=len(view.items), title=v.item.title,
                 files=v.files, pages=v.pages)
        changes, fresh = await changes_since_review(ctx.session, case.id, v.item.key, docs)
        reply = ctx.reply(
            f"{changes}\n{text}" if changes else text,
            decision_buttons(case.id, v.item.key) + undo_rows,
            intent="flow:review.item", case_ref=case.ref, item=v.item.key,
        )
        if not with_pages:
            return
        attachments = page_attachments(docs, "dossier.review.page_caption", ref=case.ref,
                                       title=v.item.title)
        mark = t("dossier.review.new_mark")
        reply.attachments = [
            replace(a, caption=f"{a.caption} {mark}") if doc.id in fresh else a
            for a, doc in zip(attachments, docs, strict=True)
        ]

    async def _decide(self, ctx: Context, case: Case, officer: Officer, item_key: str, *,
                      approve: bool, reason: str | None) -> None:
        view = await load_view(ctx.session, case)
        v = view.get(item_key)
        if v is None:
            await self._next_item(ctx, case)
            return
        actor = Actor("officer", ctx.contact.id, officer.name)
        decision = await decide(ctx.session, case, item_key, approve=approve, reason=reason,
                                actor=actor, now=ctx.now)
        for recipient, reply in decision.to_family:
            ctx.send(recipient, reply)
        if approve:
            ctx.reply(t("dossier.review.approved", title=v.item.title),
                      intent="flow:review.approved")
        else:
            ctx.reply(t("dossier.review.rejected", title=v.item.title,
                        reason=reason_text(reason or "")), intent="flow:review.rejected")
            await self._next_item(ctx, case, undo=item_key)
            return
        if decision.completed:
            ctx.leave()
            ctx.reply(t("dossier.review.complete", ref=case.ref),
                      [[DossierPdf(case.id).button(t("casework.button_dossier_pdf"))]],
                      intent="flow:review.complete")
            return
        await self._next_item(ctx, case)

    async def _allowed_case(self, ctx: Context, case_id: int) -> tuple[Case, Officer] | None:
        officer = await get_officer(ctx.session, ctx.contact.id)
        if officer is None:
            ctx.leave()
            ctx.reply(t("dossier.review.not_officer"), intent="flow:review.denied")
            return None
        case = await ctx.session.get(Case, case_id)
        if case is None:
            ctx.reply(t("dossier.review.not_found"), intent="flow:review.denied")
            return None
        if not can_open_case(officer, case):
            ctx.leave()
            ctx.reply(t("dossier.review.no_access"), intent="flow:review.denied")
            return None
        return case, officer
