"""The family's flow: pick a case, see the checklist, send the pages of each item.

Steps: ``pick`` (several cases) → ``checklist`` → ``item`` (files go here). Flow data:
``case_id``, ``item``, and the burst bookkeeping ``last_file_at`` / ``burst_item``.

A burst (an album, or photos sent one after the other) gets ONE acknowledgement: the first
photo of an item is answered with an explanation; photos of the same item arriving within
``BURST_SECONDS`` of the previous one are stored in order without a reply. "Xong" then says how
many pages were kept. Refusals and duplicates are always answered, one per file. Files sent
before an item is chosen are held until the family names it (handlers/dossier/held.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from handlers.access import get_officer
from handlers.callbacks import CallbackData
from handlers.context import Context
from handlers.dossier.buttons import (
    DeletePage,
    Done,
    OpenItem,
    Pages,
    PickCase,
    PutHeld,
    Redo,
    ReplacePage,
    StopReminders,
)
from handlers.dossier.checklist import load_checklist
from handlers.dossier.held import ask_held, held_entries, hold_file, put_held, refuse_file
from handlers.dossier.missing import MISSING, show_missing
from handlers.dossier.not_yet import answer_not_yet, not_yet_item
from handlers.dossier.page_edits import choose_replace, delete_page, page_to_replace
from handlers.dossier.progress import load_view
from handlers.dossier.service import Actor, add_page, maybe_ready
from handlers.dossier.states import DossierStatus, ItemState
from handlers.dossier.validate import check_file_async, claimed_type
from handlers.dossier.views import (
    case_button,
    checklist_buttons,
    checklist_text,
    item_buttons,
    item_text,
    named_page,
    page_attachments,
    pages_buttons,
)
from handlers.flow import Flow
from handlers.intake.faq_bridge import asks_question
from handlers.intake.validators import InvalidAnswerError, match_option
from handlers.menu import Door, OpenDoor, main_menu_buttons, officer_menu_buttons
from handlers.textnorm import (
    ascii_number,
    contains_phrase,
    fold,
    folded_phrases,
    is_phrase,
    only_signs,
)
from handlers.types import Inbound, InboundKind
from handlers.understanding.matcher import get_matcher
from handlers.understanding.smalltalk import SmallTalk
from messages import t
from storage.dossier_repo import (
    cases_of_contact,
    documents_of,
    get_tracker,
    trackers_with_status,
)
from storage.models import Case

BURST_SECONDS = 60


def named_item(text: str) -> str | None:
    """The checklist item a typed answer names ("hoa don", "visa", "chứng chỉ"), or None."""
    items = load_checklist().items
    try:
        return match_option(text, [(i.key, i.title) for i in items],
                            {i.key: i.words for i in items}, loose=False)
    except InvalidAnswerError:
        return None


def asks_to_stop(text: str) -> bool:
    """"dừng nhắc", also with a particle or a stop ("dừng nhắc ạ", "Dừng nhắc."), or said in a
    sentence ("thôi đừng nhắc hồ sơ nữa"): those got "which topic?" and the reminders went on."""
    return is_phrase(text, folded_phrases("dossier.stop_phrases")) or contains_phrase(
        text, folded_phrases("dossier.stop_in_sentence"))


def note_caption_question(ctx: Context, event: Inbound) -> None:
    """A photo whose caption asks something ("ảnh này được chưa ạ?"): the photo is handled as
    any other and nothing answered the words, which the family took for read. Said so, before
    the reply whose options come last."""
    if event.text.strip() and asks_question(event.text):
        ctx.reply(t("dossier.caption_question"), intent="flow:dossier.caption")


class DossierFlow(Flow):
    name = "dossier"
    accepts_files = True
    #: A sticker or a voice note: "ảnh hoặc chữ", and the item again.
    reads_non_text = True

    def claims(self, folded_text: str) -> bool:
        return super().claims(folded_text) or asks_to_stop(folded_text)

    def interrupts(self, folded_text: str) -> bool:
        # "đừng nhắc nữa" right after the menu (or in a form) got "which topic?".
        return asks_to_stop(folded_text)

    async def start(self, event: Inbound, ctx: Context) -> None:
        if asks_to_stop(event.text):
            await self._stop_reminders(ctx)
            return
        cases = await cases_of_contact(ctx.session, ctx.contact.id)
        if not cases and await get_officer(ctx.session, ctx.contact.id) is not None:
            # An officer's "gửi ngay" was told to register before sending papers.
            ctx.leave()
            ctx.reply(t("dossier.no_case_officer"), officer_menu_buttons(),
                      intent="flow:dossier.no_case")
            return
        if not cases:
            ctx.leave()
            ctx.reply(
                t("dossier.no_case"),
                # Registered from another phone (a son's own): the commune's officer can help.
                [[OpenDoor(Door.REGISTER).button(t("menu.button.register"))],
                 [OpenDoor(Door.HUMAN).button(t("menu.button.human"))]],
                intent="flow:dossier.no_case",
            )
            return
        if len(cases) == 1:
            await self._open(ctx, cases[0])
            return
        ctx.enter(self.name, "pick", {})
        buttons = [[case_button(c)] for c in cases]
        ctx.reply(t("dossier.pick_case", count=len(cases)), buttons, intent="flow:dossier.pick")

    async def takes_stray_file(self, event: Inbound, ctx: Context) -> bool:
        """A photo sent with no dossier open, by a person with one case: most likely a paper
        for it. It is kept and the bot asks which item it is (never discarded)."""
        cases = await cases_of_contact(ctx.session, ctx.contact.id)
        if not cases:
            # Not "open a dossier first": there is none to open (a class registration, or
            # nothing yet). Where papers go instead.
            ctx.reply(t("dossier.file_no_case"), main_menu_buttons(), intent="fallback")
            return True
        if len(cases) != 1 or event.file is None:
            return False
        note_caption_question(ctx, event)
        ctx.enter(self.name, "checklist", {"case_id": cases[0].id, "from_outside": True})
        await hold_file(ctx, cases[0], event.file.data,
                              claimed_type(event.file.file_name, event.file.mime_type))
        return True

    async def start_action(
        self, part: str, event: Inbound, ctx: Context, slots: dict[str, Any]
    ) -> None:
        """``dossier.missing``: "which papers am I still missing?" (handlers/dossier/missing.py).
        ``dossier.held``: files sent during the registration form (``slots``: ``case_id``,
        the case just made, and ``held_files``), kept since, are now held for that case's
        dossier and the family is asked which item they are, as for a photo sent before an
        item is chosen."""
        if part == "missing":
            await show_missing(ctx, self.name)
            return
        held = held_entries(slots.get("held_files"))
        case = await self._own_case(ctx, slots.get("case_id")) if part == "held" else None
        if case is None or not held:
            await self.start(event, ctx)
            return
        ctx.enter(self.name, "checklist", {"case_id": case.id, "held_files": held,
                                           "from_form": True})
        await ask_held(ctx, case)

    async def repeat(self, event: Inbound, ctx: Context) -> None:
        """Back where the family was: the item being sent, else the checklist (or the question
        which item the held photos are)."""
        case = await self._current_case(ctx)
        if case is None:
            await self.start(event, ctx)
        elif ctx.step == "item" and ctx.data.get("item"):
            await self._open_item(ctx, case, str(ctx.data["item"]))
        else:
            await self._repeat_checklist(ctx, case)

    def reads_text(self, ctx: Context, folded_text: str) -> bool:
        # "hợp đồng chưa ký thì sao": about this dossier's item, not a worker's rights.
        if ctx.step in ("item", "checklist") and not_yet_item(folded_text) is not None:
            return True
        # "xong" after a burst of photos (whose replies carried no buttons) ends the item.
        if ctx.step == "item":
            return (
                folded_text in folded_phrases("dossier.done_words")
                or folded_text in (fold(t("dossier.button.done")), fold(t("dossier.button.pages")))
                or named_item(folded_text) not in (None, ctx.data.get("item"))
            )
        # At the checklist an item typed by name ("hoa don") is a choice, not a question, and
        # "xong" is not "what after the course?".
        return ctx.step == "checklist" and (
            folded_text in folded_phrases("dossier.done_words")
            or named_item(folded_text) is not None
        )

    async def on_callback(self, event: Inbound, ctx: Context, data: CallbackData) -> None:
        if isinstance(data, PickCase | Redo):
            case = await self._own_case(ctx, data.case_id)
            if case is None:
                ctx.reply(t("dossier.not_your_case"), intent="flow:dossier.not_found")
                await self.start(event, ctx)
            elif data.item_key:
                ctx.enter(self.name, "checklist", {"case_id": case.id})
                await self._open_item(ctx, case, data.item_key)
            else:
                await self._open(ctx, case)
            return
        if isinstance(data, StopReminders):
            await self._stop_reminders(ctx)
            return
        case = await self._current_case(ctx)
        if case is None:
            await self.start(event, ctx)
            return
        match data:
            case OpenItem(item_key=item_key):
                await self._open_item(ctx, case, item_key)
            case Done():
                await self._done(ctx, case)
            case Pages():
                await self._show_pages(ctx, case)
            case DeletePage(doc_id=doc_id):
                await delete_page(ctx, case, doc_id)
            case PutHeld(item_key=item_key):
                await put_held(ctx, case, item_key)
                await self._open_item(ctx, case, item_key)
            case ReplacePage(doc_id=doc_id):
                await choose_replace(ctx, case, doc_id)
            case _:
                await self._open(ctx, case)

    async def on_message(self, event: Inbound, ctx: Context) -> None:
        folded = fold(event.text)
        if event.kind in (InboundKind.TEXT, InboundKind.BUTTON) and asks_to_stop(event.text):
            await self._stop_reminders(ctx)
            return
        case = await self._current_case(ctx)
        if case is None:
            await self.start(event, ctx)
            return
        if event.kind in (InboundKind.PHOTO, InboundKind.DOCUMENT) and event.file is not None:
            note_caption_question(ctx, event)
            claimed = claimed_type(event.file.file_name, event.file.mime_type)
            if ctx.step != "item":
                await hold_file(ctx, case, event.file.data, claimed)
                return
            await self._receive(ctx, case, event.file.data, claimed)
            return
        if (ctx.step in ("item", "checklist") and event.kind == InboundKind.TEXT
                and (missing_key := not_yet_item(event.text)) is not None):
            await answer_not_yet(ctx, case, missing_key)
            if ctx.step == "item" and ctx.data.get("item") != missing_key:
                await self.repeat(event, ctx)  # the item being sent, asked again
            else:
                await self._repeat_checklist(ctx, case)  # nothing to send for that one now
            return
        if ctx.step == "item" and event.kind == InboundKind.TEXT:
            # After silent burst photos the last reply's buttons are gone: match typed words.
            if folded in folded_phrases("dossier.done_words") or folded == fold(
                t("dossier.button.done")
            ):
                await self._done(ctx, case)
                return
            if folded == fold(t("dossier.button.pages")):
                await self._show_pages(ctx, case)
                return
            other = named_item(event.text)
            if other is not None and other != ctx.data.get("item"):
                # Another item named: this one is finished (its pages are kept), go there.
                await self._done(ctx, case, then=other)
                return
            entry = load_checklist().get(str(ctx.data.get("item", "")))
            # "để em tìm giấy đã": told to take their time, not what the step is again.
            key = ("dossier.item_wait" if get_matcher().smalltalk(event.text) == SmallTalk.WAIT
                   else "dossier.item_text")
            ctx.reply(
                ctx.text(key, title=entry.title if entry else ""),
                item_buttons(),
                intent="flow:dossier.item",
            )
            return
        if ctx.step == "checklist" and event.kind == InboundKind.TEXT:
            item_key = named_item(event.text)
            if item_key is not None:
                if ctx.data.get("held_files"):
                    await put_held(ctx, case, item_key)
                await self._open_item(ctx, case, item_key)
                return
            if folded in folded_phrases("dossier.done_words") or ctx.data.get("held_files"):
                # Photos still waiting for their item are never dropped by a stray word.
                await self._repeat_checklist(ctx, case)
                return
        if ctx.step == "checklist" and event.kind == InboundKind.TEXT and only_signs(event.text):
            # "@@" under the list: not a question, so not the FAQ's "Dạ." that left the list
            # without a word; said not understood, and the same list (its numbers) again.
            ctx.reply(ctx.text("dossier.not_understood"), intent="flow:dossier.not_understood")
            if ctx.data.get(MISSING):
                await show_missing(ctx, self.name)
            else:
                await self._repeat_checklist(ctx, case)
            return
        if event.kind in (InboundKind.TEXT, InboundKind.BUTTON):
            # Anything else: step out and let the rest of the bot answer (FAQ, menu...).
            ctx.leave()
            await ctx.dispatch(event)
            return
        # A sticker or a voice note: said so, and the same step again (it showed the whole
        # checklist, the item the family was sending left without a word).
        ctx.reply(t("dossier.photos_or_text"), intent="flow:dossier.unreadable")
        await self.repeat(event, ctx)

    # -- steps -------------------------------------------------------------------------------
    async def _open(self, ctx: Context, case: Case) -> None:
        """The checklist with progress; also where the ready notice is triggered."""
        held = ctx.data.get("held_files") if ctx.flow == self.name else None
        # Photos sent before choosing their item stay held across a question or the checklist.
        data: dict[str, object] = {"case_id": case.id}
        if held:
            data["held_files"] = held
        ctx.enter(self.name, "checklist", data)
        tracker = await get_tracker(ctx.session, case.id, ctx.now)
        await maybe_ready(ctx.session, case, ctx.now)
        view = await load_view(ctx.session, case)
        ctx.reply(
            checklist_text(view, tracker.status, zalo=ctx.is_zalo),
            checklist_buttons(view, with_state=ctx.is_zalo),
            intent="flow:dossier.checklist",
            case_ref=case.ref,
            have=view.have,
            need=view.need,
        )

    async def _open_item(self, ctx: Context, case: Case, item_key: str) -> None:
        view = await load_view(ctx.session, case)
        v = view.get(item_key)
        if v is None:
            await self._open(ctx, case)
            return
        if v.state == ItemState.APPROVED:
            ctx.reply(t("dossier.item_approved", title=v.item.title), intent="flow:dossier.item")
            await self._open(ctx, case)
            return
        ctx.update(item=item_key, last_file_at=None, burst_item=None, replace_doc=None)
        ctx.goto("item")
        page = named_page(v.reason or "") if v.state == ItemState.REJECTED else None
        asked_again = next((d for d in await documents_of(ctx.session, case.id, item_key)
                            if d.page == page), None) if page is not None else None
        ctx.reply(
            item_text(v, view.groups, zalo=ctx.is_zalo),
            item_buttons(asked_again),
            intent="flow:dossier.item",
            item=item_key,
        )

    async def _receive(self, ctx: Context, case: Case, data: bytes, claimed: str) -> None:
        item_key = str(ctx.data.get("item", ""))
        view = await load_view(ctx.session, case)
        v = view.get(item_key)
        if v is None:
            await self._open(ctx, case)
            return
        title = v.item.title
        if v.state == ItemState.APPROVED:
            ctx.reply(t("dossier.refuse.approved", title=title), intent="flow:dossier.refused")
            return
        verdict = await check_file_async(data, claimed)
        if not verdict.ok:
            refuse_file(ctx, verdict, item_buttons())
            return
        # What is stored is the checked file: an image re-encoded from its pixels.
        data = verdict.data
        sha = await ctx.files.put(data)
        actor = Actor("family", ctx.contact.id, ctx.contact.display_name)
        replace = await page_to_replace(ctx, case, item_key)
        result = await add_page(
            ctx.session,
            case,
            item_key,
            sha256=sha,
            size=len(data),
            verdict=verdict,
            actor=actor,
            now=ctx.now,
            replace=replace,
        )
        if result.duplicate_of is not None:
            dup = result.duplicate_of
            dup_view = view.get(dup.item_key)
            ctx.reply(
                ctx.text(
                    "dossier.refuse.duplicate",
                    page=dup.page,
                    title=dup_view.item.title if dup_view else title,
                ),
                item_buttons(),
                intent="flow:dossier.duplicate",
            )
            return
        assert result.doc is not None
        in_burst = self._in_burst(ctx, item_key)
        first_ack = not ctx.data.get("explained")
        ctx.update(last_file_at=ctx.now.isoformat(), burst_item=item_key, explained=True)
        if in_burst and not result.replaced:
            return  # stored in order; acknowledged with the burst's first photo and at "Xong"
        what = (
            t("dossier.what_pdf", pages=verdict.pages)
            if verdict.pages > 1 or verdict.mime_type == "application/pdf"
            else t("dossier.what_page", page=result.doc.page)
        )
        text = ctx.text("dossier.ack_first" if first_ack else "dossier.ack_again", what=what,
                        title=title)
        if result.replaced:
            ctx.update(replace_doc=None)
            text = t("dossier.replaced", page=result.doc.page)
        ctx.reply(text, item_buttons(), intent="flow:dossier.received", page=result.doc.page)

    def _in_burst(self, ctx: Context, item_key: str) -> bool:
        last = ctx.data.get("last_file_at")
        if not last or ctx.data.get("burst_item") != item_key:
            return False
        return ctx.now - datetime.fromisoformat(str(last)) < timedelta(seconds=BURST_SECONDS)

    async def _done(self, ctx: Context, case: Case, *, then: str | None = None) -> None:
        view = await load_view(ctx.session, case)
        v = view.get(str(ctx.data.get("item", "")))
        if v is not None and (v.pages or then is None):
            key = "dossier.done" if v.pages else "dossier.done_empty"
            ctx.reply(t(key, title=v.item.title, pages=v.pages), intent="flow:dossier.done")
        if then is not None:
            await self._open_item(ctx, case, then)
            return
        await self._open(ctx, case)

    async def _show_pages(self, ctx: Context, case: Case) -> None:
        item_key = str(ctx.data.get("item", ""))
        view = await load_view(ctx.session, case)
        v = view.get(item_key)
        if v is None:
            await self._open(ctx, case)
            return
        docs = await documents_of(ctx.session, case.id, item_key)
        ctx.goto("item")
        ctx.update(last_file_at=None)
        if not docs:
            ctx.reply(
                t("dossier.pages_none", title=v.item.title),
                item_buttons(),
                intent="flow:dossier.pages",
            )
            return
        reply = ctx.reply(
            ctx.text("dossier.pages_head", title=v.item.title, pages=len(docs)),
            pages_buttons(docs),
            intent="flow:dossier.pages",
        )
        reply.attachments = page_attachments(docs, "dossier.page_caption")

    async def _repeat_checklist(self, ctx: Context, case: Case) -> None:
        """The checklist again, or, while photos wait for their item, which item they are."""
        if ctx.data.get("held_files"):
            await ask_held(ctx, case)
        else:
            await self._open(ctx, case)

    async def _stop_reminders(self, ctx: Context) -> None:
        ids = [c.id for c in await cases_of_contact(ctx.session, ctx.contact.id)]
        trackers = await trackers_with_status(
            ctx.session, [DossierStatus.OPEN, DossierStatus.READY], case_ids=ids
        )
        for tracker in trackers:
            tracker.reminders_stopped_at = ctx.now
        ctx.reply(
            t("dossier.stopped" if trackers else "dossier.stopped_none"), intent="flow:dossier.stop"
        )

    # -- lookups -----------------------------------------------------------------------------
    async def _own_case(self, ctx: Context, case_id: object) -> Case | None:
        number = case_id if isinstance(case_id, int) else ascii_number(str(case_id))
        case = await ctx.session.get(Case, number) if number is not None else None
        return case if case is not None and case.contact_id == ctx.contact.id else None

    async def _current_case(self, ctx: Context) -> Case | None:
        case_id = ctx.data.get("case_id") if ctx.flow == self.name else None
        return await self._own_case(ctx, case_id) if case_id is not None else None
