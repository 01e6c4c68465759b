"""Notices for officers (a new case, a dossier ready for review, a hand-off question).

Every feature calls ``record_notice``; the notice is kept in the database until it has been
delivered to the officers of its unit (handlers/officials/notify.py: at once when such an officer
exists, otherwise when one binds an account), so none is lost while no officer account exists.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.officials.notify import deliver_notice
from storage.models import Notice


async def record_notice(
    session: AsyncSession,
    *,
    kind: str,
    text_key: str,
    now: datetime,
    unit_id: int | None = None,
    case_id: int | None = None,
    contact_id: int | None = None,
    params: dict[str, Any] | None = None,
    cipher_key: str = "",
) -> Notice:
    """Store a notice for the officers of ``unit_id`` (None: the district office).

    ``case_id`` or ``contact_id`` names whose data the notice carries (erasure follows them);
    ``params["buttons"]``: ``[[button id, label key], ...]`` offered with the notice;
    ``cipher_key`` decrypts the case's phone for the officers' message (the notice row keeps
    only the case id: name, village and phone are read from the case when it is delivered)."""
    notice = Notice(
        kind=kind,
        unit_id=unit_id,
        case_id=case_id,
        contact_id=contact_id,
        text_key=text_key,
        params=params or {},
        created_at=now,
    )
    session.add(notice)
    await session.flush()
    # Delivered at once when an officer can receive it, in this same transaction.
    await deliver_notice(session, notice, now, cipher_key=cipher_key)
    return notice
