"""Files a family sent before saying which paper they are: checked, stored and kept in the
flow data (``held_files``) until the family names the item; never discarded."""

from __future__ import annotations

from typing import Any

from handlers.context import Context
from handlers.dossier.buttons import Checklist, PutHeld
from handlers.dossier.progress import load_view
from handlers.dossier.service import Actor, add_page
from handlers.dossier.states import ItemState
from handlers.dossier.validate import Verdict, check_file_async
from handlers.types import Button
from messages import t
from storage.models import Case

#: Files kept while the family has not said which item they belong to.
MAX_HELD = 30


def refuse_file(ctx: Context, verdict: Verdict, buttons: list[list[Button]] | None) -> None:
    ctx.reply(
        t(f"dossier.refuse.{verdict.reason}", width=verdict.width, height=verdict.height,
          pages=verdict.pages, claimed=verdict.claimed),
        buttons,
        intent="flow:dossier.refused",
        reason=verdict.reason,
    )


async def keep_file(ctx: Context, data: bytes, claimed: str) -> dict[str, Any] | None:
    """Check a file and store it: the entry to keep until its item is named (a held file), or
    None when it is refused (said so, with the reason)."""
    verdict = await check_file_async(data, claimed)
    if not verdict.ok:
        refuse_file(ctx, verdict, None)
        return None
    sha = await ctx.files.put(verdict.data)
    return {"sha": sha, "size": len(verdict.data), "mime": verdict.mime_type,
            "kind": verdict.kind, "pages": verdict.pages}


def held_entries(held: object) -> list[dict[str, Any]]:
    """The held files of flow or draft data (``held_files``), the newest ``MAX_HELD``."""
    return [h for h in held if isinstance(h, dict)][-MAX_HELD:] if isinstance(held, list) else []


async def hold_file(ctx: Context, case: Case, data: bytes, claimed: str) -> None:
    """A file sent before choosing an item: checked, stored and kept in the flow until the
    family says which item it is (the checklist's items, numbered as there, with their state)."""
    entry = await keep_file(ctx, data, claimed)
    if entry is None:
        return
    held = held_entries(ctx.data.get("held_files"))[: MAX_HELD - 1]
    held.append(entry)
    ctx.update(held_files=held)
    if len(held) > 1:
        return  # the question is already on screen; one reply per burst
    await ask_held(ctx, case)


async def ask_held(ctx: Context, case: Case) -> None:
    # The checklist's items in the checklist's order, each with its state: a number typed
    # here is the one the family read on the checklist (missing items first renumbered them,
    # and "6" for the invoice filed the photo as page 3 of another item).
    view = await load_view(ctx.session, case)
    rows = [[PutHeld(v.item.key).button(t("dossier.option_state", title=v.item.title,
                                          state=v.short_label))] for v in view.items]
    rows.append([Checklist().button(t("dossier.button.checklist"))])
    # Sent with no dossier open (or during the registration form): say which dossier, and
    # the way out if it is not a paper.
    key = ("dossier.held_from_form" if ctx.data.get("from_form")
           else "dossier.held_outside" if ctx.data.get("from_outside") else "dossier.held_which")
    held = ctx.data.get("held_files")
    kind = held_kind(held)
    ctx.reply(t(key, ref=case.ref, what=t(f"dossier.held_what_{kind}"),
                count=len(held_entries(held)), unit=t(f"dossier.held_unit_{kind}")),
              rows, intent="flow:dossier.held")


def held_kind(held: object) -> str:
    """"photo" when every held file is an image, else "file" (a PDF is no "ảnh")."""
    files = held if isinstance(held, list) else []
    return "photo" if all(isinstance(h, dict) and h.get("kind") == "photo"
                          for h in files) else "file"


async def put_held(ctx: Context, case: Case, item_key: str) -> None:
    """Store the held files as pages of the item the family named (the caller then opens
    that item)."""
    held = [h for h in ctx.data.get("held_files") or [] if isinstance(h, dict)]
    view = await load_view(ctx.session, case)
    v = view.get(item_key)
    if v is None or not held or v.state == ItemState.APPROVED:
        return
    actor = Actor("family", ctx.contact.id, ctx.contact.display_name)
    kept = 0
    for h in held:
        verdict = Verdict(ok=True, mime_type=str(h["mime"]), kind=str(h["kind"]),
                          pages=int(h["pages"]))
        result = await add_page(ctx.session, case, item_key, sha256=str(h["sha"]),
                                size=int(h["size"]), verdict=verdict, actor=actor,
                                now=ctx.now)
        kept += result.doc is not None
    ctx.update(held_files=None)
    unit = t(f"dossier.held_unit_{held_kind(held)}")
    ctx.reply(t("dossier.held_saved", count=kept, unit=unit, title=v.item.title),
              intent="flow:dossier.received")
