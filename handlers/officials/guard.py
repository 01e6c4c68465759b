"""Every officer command starts here: is the sender an officer, and which units may they see?

The decisions themselves are in handlers/access.py; this module turns them into a scope or a
polite refusal that reveals nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.access import Role, can_see_unit, get_officer
from handlers.context import Context
from messages import t
from storage.models import Officer, Unit
from storage.plan_repo import AmbiguousUnitError, resolve_unit

REFUSED = "flow:officials.refused"


@dataclass(frozen=True, slots=True)
class Scope:
    officer: Officer
    #: None: every unit (district-level roles without a unit argument).
    unit_ids: list[int] | None
    label: str


def refuse(ctx: Context, key: str, **params: str) -> None:
    ctx.reply(t(f"officials.refuse.{key}", **params), intent=REFUSED)


async def get_scope(
    ctx: Context, unit_text: str = "", *, commune_only: bool = False
) -> Scope | None:
    """The sender's scope, narrowed to ``unit_text`` when given; None after a refusal."""
    officer = await get_officer(ctx.session, ctx.contact.id)
    if officer is None:
        refuse(ctx, "not_officer")
        return None
    if unit_text.strip():
        try:
            unit = await resolve_unit(ctx.session, unit_text)
        except AmbiguousUnitError:
            unit = None
        if unit is None:
            refuse(ctx, "unknown_unit", unit=unit_text.strip())
            return None
        if not can_see_unit(officer, unit.id):
            refuse(ctx, "out_of_scope")
            return None
        return Scope(officer, [unit.id], unit.name)
    if officer.role == Role.COMMUNE:
        unit = await ctx.session.get(Unit, officer.unit_id) if officer.unit_id else None
        if unit is None or not can_see_unit(officer, unit.id):
            refuse(ctx, "out_of_scope")
            return None
        return Scope(officer, [unit.id], unit.name)
    if commune_only:
        refuse(ctx, "commune_only")
        return None
    return Scope(officer, None, t("officials.unit_all"))


async def get_unit_scope(ctx: Context, unit_id: int) -> Officer | None:
    """The sender as an officer allowed to act on ``unit_id`` (a button press re-checks this)."""
    officer = await get_officer(ctx.session, ctx.contact.id)
    if officer is None:
        refuse(ctx, "not_officer")
        return None
    if not can_see_unit(officer, unit_id):
        refuse(ctx, "out_of_scope")
        return None
    return officer
