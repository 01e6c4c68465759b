"""Officer accounts: one-time invitation codes, binding a chat account, listing and revoking."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.access import Role
from handlers.types import Channel, Recipient, Reply, reply_to_payload
from storage.models import Contact, Officer, SigninFailure, Unit
from storage.models.plan import OfficerInvite
from storage.repositories import record_outbox, remember_recorded

INVITE_LIFETIME = timedelta(hours=72)
#: Wrong codes heard from one account per window; then it waits (codes cannot be guessed).
SIGNIN_ATTEMPTS = 5
SIGNIN_WINDOW = timedelta(hours=1)
#: No 0/O, 1/I/L: codes are read aloud over the phone and typed on small keyboards.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def hash_code(code: str) -> str:
    """The stored form of a code; typing is forgiving (case, spaces and dashes ignored)."""
    canonical = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(canonical.encode()).hexdigest()


async def record_invite(
    session: AsyncSession, *, role: Role, unit_id: int | None, name: str, now: datetime
) -> tuple[str, OfficerInvite]:
    """A new invitation; returns the code (shown once, never stored) and the row."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    code = f"{raw[:5]}-{raw[5:]}"
    invite = OfficerInvite(
        code_hash=hash_code(code),
        role=role.value,
        unit_id=unit_id,
        name=name,
        created_at=now,
        expires_at=now + INVITE_LIFETIME,
    )
    session.add(invite)
    await session.flush()
    return code, invite


async def redeem_invite(
    session: AsyncSession, code: str, contact: Contact, now: datetime
) -> Officer | None:
    """Bind ``contact`` as the invited officer. None for a wrong, used or expired code: the
    caller says the same thing in all three cases, so a guess learns nothing."""
    if not code.strip():
        return None
    # The conditional UPDATE is the claim: of two people racing with one code, one wins.
    claimed = await session.execute(
        update(OfficerInvite)
        .where(
            OfficerInvite.code_hash == hash_code(code),
            OfficerInvite.used_at.is_(None),
            OfficerInvite.expires_at > now,
        )
        .values(used_at=now)
        .returning(OfficerInvite.id)
    )
    invite_id = claimed.scalar()
    if invite_id is None:
        return None
    invite = await session.get(OfficerInvite, invite_id)
    assert invite is not None
    # One active account per contact: a new invitation replaces the old role.
    await session.execute(
        update(Officer)
        .where(Officer.contact_id == contact.id, Officer.active.is_(True))
        .values(active=False, revoked_at=now)
    )
    officer = Officer(
        contact_id=contact.id,
        role=invite.role,
        unit_id=invite.unit_id,
        name=invite.name or contact.display_name,
        active=True,
        created_at=now,
    )
    session.add(officer)
    await session.flush()
    invite.officer_id = officer.id
    return officer


async def signin_blocked_until(
    session: AsyncSession, contact_id: int, now: datetime
) -> datetime | None:
    """When this account may try a code again, if it used up its wrong codes; else None."""
    recent = (
        await session.scalars(
            select(SigninFailure.at)
            .where(SigninFailure.contact_id == contact_id, SigninFailure.at > now - SIGNIN_WINDOW)
            .order_by(SigninFailure.at.desc())
            .limit(SIGNIN_ATTEMPTS)
        )
    ).all()
    if len(recent) < SIGNIN_ATTEMPTS:
        return None
    return recent[-1] + SIGNIN_WINDOW


async def record_signin(session: AsyncSession, contact_id: int, now: datetime, *, ok: bool) -> None:
    """Count a wrong code (dropping ones older than the window); a right one clears the count."""
    stale = SigninFailure.contact_id == contact_id
    if not ok:
        stale = stale & (SigninFailure.at <= now - SIGNIN_WINDOW)
        session.add(SigninFailure(contact_id=contact_id, at=now))
    await session.execute(delete(SigninFailure).where(stale))


async def revoke_officer(session: AsyncSession, officer_id: int, now: datetime) -> bool:
    officer = await session.get(Officer, officer_id)
    if officer is None:
        return False
    officer.active = False
    officer.revoked_at = officer.revoked_at or now
    return True


@dataclass(frozen=True, slots=True)
class OfficerContact:
    """An active officer and where to write to them."""

    officer_id: int
    role: str
    unit_id: int | None
    name: str
    recipient: Recipient

    def as_json(self) -> dict[str, object]:
        return {
            "officer_id": self.officer_id,
            "name": self.name,
            "role": self.role,
            "channel": self.recipient.channel.value,
        }


async def get_officer_contacts(session: AsyncSession) -> list[OfficerContact]:
    """Every active officer bound to a reachable chat account, in id order."""
    rows = await session.execute(
        select(Officer, Contact)
        .join(Contact, Contact.id == Officer.contact_id)
        .where(Officer.active.is_(True), Contact.unreachable_at.is_(None))
        .order_by(Officer.id)
    )
    return [
        OfficerContact(
            officer_id=o.id,
            role=o.role,
            unit_id=o.unit_id,
            name=o.name,
            recipient=Recipient(Channel(c.channel), c.platform_user_id),
        )
        for o, c in rows.all()
    ]


def officers_for_unit(officers: list[OfficerContact], unit_id: int | None) -> list[OfficerContact]:
    """Who hears about a unit: its commune officers, or the office when it has none."""
    commune = [o for o in officers if o.role == Role.COMMUNE and o.unit_id == unit_id]
    if unit_id is not None and commune:
        return commune
    return [o for o in officers if o.role == Role.OFFICE]


async def get_officer_rows(
    session: AsyncSession,
) -> list[tuple[Officer, Contact | None, Unit | None]]:
    rows = await session.execute(
        select(Officer, Contact, Unit)
        .outerjoin(Contact, Contact.id == Officer.contact_id)
        .outerjoin(Unit, Unit.id == Officer.unit_id)
        .order_by(Officer.id)
    )
    return [(o, c, u) for o, c, u in rows.all()]


async def get_open_invites(
    session: AsyncSession, now: datetime
) -> list[tuple[OfficerInvite, Unit | None]]:
    rows = await session.execute(
        select(OfficerInvite, Unit)
        .outerjoin(Unit, Unit.id == OfficerInvite.unit_id)
        .where(OfficerInvite.used_at.is_(None), OfficerInvite.expires_at > now)
        .order_by(OfficerInvite.id)
    )
    return [(i, u) for i, u in rows.all()]


async def record_for_officers(
    session: AsyncSession,
    officers: Iterable[OfficerContact],
    reply: Reply,
    now: datetime,
    *,
    notice_id: int | None = None,
    subject_contact_id: int | None = None,
) -> int:
    """Queue ``reply`` in the outbox for each officer; returns how many were queued.

    ``notice_id`` links each message to the notice it renders, ``subject_contact_id`` to the
    person it is about: erasing either (the person's data) takes the messages with it. Its
    options become what a number the officer types next picks (a notice, a reminder or the
    digest is often written outside any turn: by the scheduler, the dispatcher, a command)."""
    payload = reply_to_payload(reply)
    count = 0
    for officer in officers:
        record_outbox(
            session,
            channel=officer.recipient.channel.value,
            chat_id=officer.recipient.chat_id,
            payload=payload,
            now=now,
            notice_id=notice_id,
            subject_contact_id=subject_contact_id,
        )
        count += 1
    await remember_recorded(session, now)
    return count
