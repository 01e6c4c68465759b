"""The answer to "which papers am I still missing?" (the action ``dossier.missing``): each of the
person's cases with the items to send or to redo now, the papers that come later and what the
office is reviewing; the items (one case) or the cases (several) as options into the family's
flow (handlers/dossier/family.py)."""

from __future__ import annotations

from handlers.context import Context
from handlers.dossier.buttons import PickCase
from handlers.dossier.progress import DossierView, load_view
from handlers.dossier.views import case_button, case_name
from handlers.menu import Door, OpenDoor
from handlers.menu import Start as MenuStart
from handlers.types import Button
from messages import t
from storage.dossier_repo import cases_of_contact

#: The flow data key saying the checklist step shows the missing papers, not the checklist.
MISSING = "missing"


async def show_missing(ctx: Context, flow: str) -> None:
    """The papers still to send or to redo, of each of the person's cases, each with how
    to send it (one case: its items as options; several: the cases); no case: said so in
    one sentence, with «Đăng ký»."""
    cases = await cases_of_contact(ctx.session, ctx.contact.id)
    if not cases:
        ctx.leave()
        ctx.reply(t("dossier.missing_no_case"),
                  [[OpenDoor(Door.REGISTER).button(t("menu.button.register"))]],
                  intent="flow:dossier.missing")
        return
    views = [await load_view(ctx.session, case) for case in cases]
    one = len(views) == 1
    parts = [missing_text(view, lines=not (one and ctx.is_zalo)) for view in views]
    buttons: list[list[Button]]
    if one:
        view = views[0]
        # ``missing``: what the list asks again after a message it cannot read (family.py).
        ctx.enter(flow, "checklist", {"case_id": view.case.id, MISSING: True})
        buttons = [[PickCase(view.case.id, v.item.key).button(
            t("dossier.option_state", title=v.item.title, state=v.short_label)
            if ctx.is_zalo else v.item.title)] for v in view.missing_now]
        if buttons:
            how = "dossier.missing_how_zalo" if ctx.is_zalo else "dossier.missing_how"
            parts.append(t(how))
    else:
        ctx.enter(flow, "pick", {})
        buttons = [[case_button(v.case)] for v in views if v.missing_now]
        if buttons:
            parts.append(t("dossier.missing_how_pick"))
    buttons.append([MenuStart().button(t("dossier.button.menu"))])
    ctx.reply("\n\n".join(parts), buttons, intent="flow:dossier.missing",
              case_refs=[c.ref for c in cases])


def missing_text(view: DossierView, *, lines: bool) -> str:
    """One case's answer to "which papers am I still missing?": the items to send or to redo
    now (with ``lines``, one line each with its state; on Zalo the numbered options carry
    them), the papers that come later, and what the office is looking at."""
    name = case_name(view.case)
    now = view.missing_now
    if not now:
        text = [t("dossier.missing_none", ref=view.case.ref, name=name)]
    else:
        head = "dossier.missing_head" if lines else "dossier.missing_head_numbered"
        text = [t(head, ref=view.case.ref, name=name, count=len(now))]
        if lines:
            text += [t("dossier.missing_line", title=v.item.title, state=v.short_label)
                     for v in now]
    if view.later_missing:
        titles = ", ".join(v.item.title for v in view.later_missing)
        text.append(t("dossier.missing_later", titles=titles))
    if view.waiting_review:
        key = "dossier.missing_waiting" if view.office_reviewing else "dossier.missing_kept"
        text.append(t(key, count=len(view.waiting_review)))
    return "\n".join(text)
