"""/hoso: dossiers waiting for review in the officer's scope; each button opens the dossier in
the review flow (handlers/dossier/review.py), which checks access again on every action."""

from __future__ import annotations

from sqlalchemy import select

from handlers.context import Context
from handlers.dossier.review import list_waiting_dossiers
from handlers.officials.guard import get_scope
from handlers.types import Button, Inbound
from messages import t
from storage.models import Unit

SHOWN = 20


async def handle_dossiers(event: Inbound, ctx: Context) -> None:
    scope = await get_scope(ctx, event.args)
    if scope is None:
        return
    waiting = [
        w
        for w in await list_waiting_dossiers(ctx.session, scope.officer)
        if scope.unit_ids is None or w.unit_id in scope.unit_ids
    ]
    if not waiting:
        ctx.reply(t("officials.hoso.none", scope=scope.label), intent="flow:officials.dossiers")
        return
    shown = waiting[:SHOWN]
    unit_ids = {w.unit_id for w in shown if w.unit_id is not None}
    rows = await ctx.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids)))
    names: dict[int, str] = {uid: name for uid, name in rows}
    lines = [t("officials.hoso.title", scope=scope.label)]
    lines += [
        t("officials.hoso.row", ref=w.ref, name=w.name, unit=names.get(w.unit_id or 0, ""))
        for w in shown
    ]
    lines.append(t("officials.hoso.open_hint"))
    buttons = [[Button(w.button_id, t("officials.button.open_case", ref=w.ref))] for w in shown]
    ctx.reply("\n".join(lines), buttons, intent="flow:officials.dossiers")
