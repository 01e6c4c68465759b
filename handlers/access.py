"""Who may see what: the one place officer roles and unit scopes are checked."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Case, Officer, Thread


class Role(StrEnum):
    COMMUNE = "commune"  # one unit
    OFFICE = "office"  # every unit
    TRAINING = "training"  # the training centre: every unit, training matters
    ADMIN = "admin"


#: Roles whose scope is every unit.
DISTRICT_ROLES = frozenset({Role.OFFICE, Role.TRAINING, Role.ADMIN})


async def get_officer(session: AsyncSession, contact_id: int) -> Officer | None:
    """The active officer account bound to this contact, if any."""
    return await session.scalar(_OFFICER_OF, {"contact_id": contact_id})


#: Built once (asked on every menu): see storage/repositories.py.
_OFFICER_OF = select(Officer).where(
    Officer.contact_id == bindparam("contact_id"), Officer.active.is_(True)
)


def can_see_unit(officer: Officer | None, unit_id: int | None) -> bool:
    if officer is None or not officer.active:
        return False
    if officer.role in DISTRICT_ROLES:
        return True
    return officer.role == Role.COMMUNE and unit_id is not None and officer.unit_id == unit_id


def can_open_case(officer: Officer | None, case: Case) -> bool:
    """Commune officers see their unit's cases; district-level roles see all."""
    return can_see_unit(officer, case.unit_id)


def can_see_thread(officer: Officer | None, thread: Thread) -> bool:
    """A person's conversation: the officers of its commune (the office for every commune), and
    the officer who answered it."""
    if officer is None or not officer.active:
        return False
    return can_see_unit(officer, thread.unit_id) or thread.officer_id == officer.id
