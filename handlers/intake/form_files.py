"""Photos and files sent during the registration form ("họ và tên": the ID card). There is no
case yet, so no dossier page: the file is checked and stored as a dossier photo is and kept in
the draft (``held_files``, which survives "menu" and restarts) until the case is made; then the
dossier asks which paper each is. A class registration has no dossier in the bot."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from handlers.context import Context
from handlers.intake.confirm import confirm_draft
from handlers.intake.drafts import touch
from handlers.types import FileRef, Inbound, InboundKind
from messages import t
from storage.erasure import HELD_FILES
from storage.models import IntakeDraft

#: The draft data key of when the last kept file came (the files: ``HELD_FILES``, the key the
#: dossier and the erasure read too).
HELD_AT = "held_at"


async def keep_form_file(ctx: Context, file: FileRef, draft: IntakeDraft) -> bool:
    """Keep a file sent at a form step (or say why not); True when the form's question should
    be asked again, False for the later photos of a burst (one reply for photos sent
    together: the question is on screen already)."""
    # The dossier's package imports case work, which imports the form's questions.
    from handlers.dossier.family import BURST_SECONDS
    from handlers.dossier.held import MAX_HELD, held_entries, held_kind, keep_file
    from handlers.dossier.validate import claimed_type

    if draft.data.get("kind") == "course":
        not_for_course(ctx, "photo")
        return True
    entry = await keep_file(ctx, file.data, claimed_type(file.file_name, file.mime_type))
    if entry is None:  # refused, and said why
        return True
    held = held_entries(draft.data.get(HELD_FILES))[: MAX_HELD - 1]
    last = draft.data.get(HELD_AT)
    in_a_row = bool(held) and isinstance(last, str) and (
        ctx.now - datetime.fromisoformat(last) < timedelta(seconds=BURST_SECONDS))
    kept: dict[str, Any] = {HELD_FILES: [*held, entry], HELD_AT: ctx.now.isoformat()}
    touch(draft, ctx.now, **kept)
    if in_a_row:
        return False
    what = t(f"dossier.held_what_{held_kind([entry])}")
    ctx.reply(t("intake.file_kept", what=what), intent="flow:intake.file_kept")
    return True


async def confirm_with_files(event: Inbound, ctx: Context, draft: IntakeDraft) -> None:
    """Make the case; files kept during the form go to its dossier (asked which paper each
    is), or, for a class, are said not to be needed."""
    from handlers.dossier.held import held_entries, held_kind

    held = held_entries(draft.data.get(HELD_FILES))
    case = await confirm_draft(ctx, draft)
    if not held:
        return
    if case.kind == "abroad" and ctx.has_flow("dossier"):
        # The question about the photos comes last with its options (on Zalo its numbers):
        # the confirmation's own options would be numbered too.
        ctx.replies[-1].buttons = []
        await ctx.start_action(event, "dossier.held", {"case_id": case.id, HELD_FILES: held})
    else:
        not_for_course(ctx, held_kind(held))


def refuse_before_consent(ctx: Context, event: Inbound, kind_asked: object) -> None:
    """A file sent at the consent question: nothing personal is kept before the agreement, so
    it is not stored, and said so (it was dropped without a word); for a class, that no paper
    is needed. ``kind_asked``: the registration's kind as the request preset it, if it did."""
    kind = "photo" if event.kind == InboundKind.PHOTO else "file"
    if kind_asked == "course":
        not_for_course(ctx, kind)
        return
    ctx.reply(t("intake.file_before_consent", what=t(f"dossier.held_what_{kind}")),
              intent="flow:intake.file_not_kept")


def not_for_course(ctx: Context, kind: str) -> None:
    """A class registration has no dossier in the bot: the photo or file is not needed."""
    ctx.reply(t("intake.file_not_for_course", what=t(f"dossier.held_what_{kind}")),
              intent="flow:intake.file_not_kept")
