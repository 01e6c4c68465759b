"""Turning pending notices (new case, dossier ready...) into messages for the right officers."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.officials.accounts import (
    OfficerContact,
    get_officer_contacts,
    officers_for_unit,
    record_for_officers,
)
from handlers.types import Button, Reply
from messages import MessageKeyError, t
from storage.course_changes import CHANGED
from storage.crypto import Cipher, DecryptError
from storage.models import Case, Notice, Unit

log = logging.getLogger(__name__)


async def _params(session: AsyncSession, notice: Notice, cipher_key: str) -> dict[str, Any]:
    """The notice's placeholders, plus its case's name, village and phone (read at delivery:
    the notice row itself keeps no personal data)."""
    params = dict(notice.params)
    case = await session.get(Case, notice.case_id) if notice.case_id is not None else None
    if case is not None:
        try:
            phone = Cipher(cipher_key).decrypt_opt(case.phone_enc) or ""
        except DecryptError:
            phone = ""
        params.setdefault("name", case.full_name or "")
        params.setdefault("village", case.village or "")
        params.setdefault("phone", phone)
        params.setdefault("ref", case.ref)
    return params


async def _render(session: AsyncSession, notice: Notice, cipher_key: str = "") -> str:
    try:
        return t(notice.text_key, **await _params(session, notice, cipher_key))
    except (MessageKeyError, KeyError, IndexError, ValueError):
        # A missing key or placeholder must not lose the notice nor break the sender's event.
        log.warning("notice %s: cannot render %r", notice.id, notice.text_key)
        unit = await session.get(Unit, notice.unit_id) if notice.unit_id else None
        return t("officials.notice.generic", kind=notice.kind, unit=unit.name if unit else "")


async def deliver_notice(
    session: AsyncSession,
    notice: Notice,
    now: datetime,
    officers: list[OfficerContact] | None = None,
    *,
    cipher_key: str = "",
) -> int:
    """Outbox rows for the notice's officers (same transaction); 0 leaves it pending.
    ``cipher_key`` decrypts the case's phone shown in the notice."""
    if notice.delivered_at is not None:
        return 0
    if officers is None:
        officers = await get_officer_contacts(session)
    recipients = officers_for_unit(officers, notice.unit_id)
    if not recipients:
        return 0
    text = await _render(session, notice, cipher_key)
    meta: dict[str, object] = {"intent": "notice", "notice": notice.kind}
    if notice.case_id is not None:
        meta["case_id"] = notice.case_id
    if "thread_id" in notice.params:
        meta["thread_id"] = notice.params["thread_id"]
    buttons = [
        [Button(str(spec[0]), t(str(spec[1])))] for spec in notice.params.get("buttons", [])
    ]
    subject = notice.contact_id
    if subject is None and notice.case_id is not None:
        case = await session.get(Case, notice.case_id)
        subject = case.contact_id if case is not None else None
    await record_for_officers(
        session, recipients, Reply(text=text, buttons=buttons, meta=meta), now,
        notice_id=notice.id, subject_contact_id=subject,
    )
    notice.delivered_at = now
    return len(recipients)


async def deliver_pending_notices(
    session: AsyncSession, now: datetime, *, cipher_key: str = ""
) -> int:
    """Deliver every notice still waiting (e.g. when an officer has just bound an account)."""
    pending = list(
        await session.scalars(
            # A class's change is told by the dispatcher (handlers/outreach/class_changed.py).
            select(Notice)
            .where(Notice.delivered_at.is_(None), Notice.kind != CHANGED)
            .order_by(Notice.id)
        )
    )
    if not pending:
        return 0
    officers = await get_officer_contacts(session)
    sent = 0
    for notice in pending:
        sent += await deliver_notice(session, notice, now, officers, cipher_key=cipher_key)
    return sent
