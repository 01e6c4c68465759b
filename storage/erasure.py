"""Deleting a person's data on request ("xóa dữ liệu của tôi"), whatever feature stored it.

The rule is structural, so later features are covered without registering anything:
- their cases stay as anonymised rows (kind, status, commune, class, market, gender, ethnicity,
  household status, dates) so the statistics keep counting them; name, birth date, phone,
  citizen id and village are cleared and the status becomes ``withdrawn``;
- every row of any table that references one of those cases (dossier documents, review
  history, notices...) is deleted, recursively, except tables that declare
  ``__table_args__ = {"info": {"keep_on_erasure": True}}`` (pure statistics links);
- every row that references the contact is deleted (drafts, outbox...), or has that reference
  set to NULL where the foreign key says ``ON DELETE SET NULL`` (logs, authorship);
- the contact row itself stays (it is how the bot can still answer them) but loses its display
  name and consent; a stop of announcements ("dừng nhận tin") stays too, as a bare stop (no
  commune, no topics): deleting one's data must not start the announcements again.
Files in the content-addressed store referenced only by deleted rows (columns named
``sha256`` or ``*_sha256``), and those the person's draft or conversation state holds before
their item is named (``held_files``), are returned so the caller can remove them, unless a
remaining row still names them (storage/file_refs.py: another person's held photo with the same
bytes, a message waiting to be sent with it).

Rows about the person that are addressed to someone else follow their links: a hand-off
question is a notice with ``contact_id``, an officer's message made from a notice has
``notice_id``, an unanswered question has ``contact_id``; all of these cascade. Two checks by
content close what no link can say: every message addressed to the person's chat goes (even one
written without their contact id), and every message still waiting to be sent, to anyone, that
quotes the person's name, phone or citizen id is deleted too. Finished messages keep no text
(storage.repositories.FINISHED_PAYLOAD). Other people's conversation states that quote them are
reset; an announcement whose text quotes them keeps its text with their name and numbers
replaced by ``***``.

What was delivered about the person to someone else's chat (a new-case notice, a hand-off question,
a case card) is on that officer's phone, beyond the database: every outbox row deleted here that
the platform accepted (``platform_message_id``, the id of its last part) and that went to another
chat is retracted where the platform allows it: a new row to that chat whose payload names only the
platform message to delete (storage.repositories.retraction_payload; no text and no link to the
person, so a later erasure leaves it be), which the sender turns into Telegram's deleteMessage.
Telegram lets a bot delete its messages for 48 hours after sending them: older ones stay where they
are (nothing can remove them). Zalo's OA API has no call to recall a delivered message and the
console keeps nothing, so neither gets a retraction. Only a message's last part is known: the
earlier parts of a message split in several stay.

On SQLite the session is marked so that storage.db checkpoints the WAL after the commit (with
``secure_delete`` on, the deleted bytes are zeroed in the database file as well).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy import Column, Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from messages.text import fold, fold_aligned
from storage.cases_repo import CaseStatus
from storage.crypto import Cipher, DecryptError
from storage.db import CHECKPOINT_AFTER_COMMIT
from storage.file_refs import file_columns, named_files
from storage.models import (
    Base,
    Broadcast,
    Case,
    Contact,
    ConversationState,
    IntakeDraft,
    OutboxMessage,
    Subscription,
    SurveyResponse,
)
from storage.repositories import new_outbox, retraction_payload

#: Tables the erasure never touches through the contact (state is reset by the flow; an
#: officer's account is removed by an administrator, not by a privacy request).
_CONTACT_SKIP = frozenset({"contacts", "conversation_states", "officers", "cases"})
#: Statistics links kept until their models declare ``keep_on_erasure`` themselves.
_KEEP_DEFAULT = frozenset({"plan_submission_cases"})
#: The personal fields of a case, which a registration draft's data also uses as keys.
_NAME, _PHONE, _CITIZEN_ID, _VILLAGE = "full_name", "phone_enc", "citizen_id_enc", "village"
#: Digits of a number written with spaces, dots or dashes between them.
_SEPARATED_DIGITS = re.compile(r"(?<=\d)[ .\-](?=\d)")
#: How long after sending a platform lets the bot delete its message, by channel: Telegram's
#: deleteMessage takes messages "sent less than 48 hours ago". Zalo (no recall in the OA API)
#: and the console (nothing to recall) have none.
RETRACTABLE_FOR = {"telegram": timedelta(hours=48)}


@dataclass(frozen=True, slots=True)
class Delivered:
    """An outbox row the erasure deletes whose message (its last part) the platform accepted."""

    channel: str
    chat_id: str
    is_group: bool
    message_id: str
    #: When it was sent (a row still sending, or failed after some parts: when it was written).
    sent_at: datetime


@dataclass
class ErasureResult:
    cases: int = 0
    rows: int = 0
    files: set[str] = field(default_factory=set)
    #: The delivered messages among the deleted outbox rows, and the retractions queued for them.
    delivered: list[Delivered] = field(default_factory=list)
    retractions: int = 0


async def erase_contact_data(
    session: AsyncSession, contact: Contact, now: datetime, cipher: Cipher | None = None
) -> ErasureResult:
    """Delete or anonymise everything stored about ``contact``; see the module docstring.

    ``cipher`` reads the encrypted phone and citizen id, to find messages that quote them."""
    result = ErasureResult()
    marks = await _identifying_marks(session, contact, cipher or Cipher())
    result.files.update(await _held_files(session, contact.id))
    case_ids = list(await session.scalars(select(Case.id).where(Case.contact_id == contact.id)))
    # A survey round's results made for an officer list the person's answers: the file goes
    # with them (a case's files go through ``case_id`` below, as every row about the case).
    exports = Base.metadata.tables["export_files"]
    rounds = list(await session.scalars(
        select(SurveyResponse.round_id).where(SurveyResponse.contact_id == contact.id)))
    await _delete_rows(session, exports, exports.c.survey_round_id, rounds, result)
    cases = Base.metadata.tables["cases"]
    contacts = Base.metadata.tables["contacts"]
    for child, column in references_to(cases):
        if not _kept(child):
            await _delete_rows(session, child, column, case_ids, result)
    if case_ids:
        await session.execute(
            update(Case)
            .where(Case.id.in_(case_ids))
            .values(
                contact_id=None,
                full_name=None,
                date_of_birth=None,
                phone_enc=None,
                citizen_id_enc=None,
                village=None,
                status=CaseStatus.WITHDRAWN.value,
                updated_at=now,
            )
        )
    result.cases = len(case_ids)
    stopped = await session.scalar(
        select(Subscription.id).where(
            Subscription.contact_id == contact.id, Subscription.stopped_at.is_not(None)
        )
    )
    for child, column in references_to(contacts):
        if child.name in _CONTACT_SKIP:
            continue
        if _sets_null(column):
            await session.execute(
                update(child).where(column == contact.id).values({column.name: None})
            )
        else:
            await _delete_rows(session, child, column, [contact.id], result)
    await _delete_rows(
        session,
        Base.metadata.tables["outbox"],
        Base.metadata.tables["outbox"].c.id,
        await _messages_about(session, contact, marks),
        result,
    )
    result.retractions = _queue_retractions(session, contact, result.delivered, now)
    await _reset_states_quoting(session, contact, marks)
    await _redact_announcements(session, marks)
    if stopped is not None:
        session.add(
            Subscription(
                contact_id=contact.id, unit_id=None, topics=[], created_at=now, updated_at=now,
                stopped_at=now,
            )
        )
    contact.display_name = ""
    contact.consent_at = None
    contact.consent_version = None
    result.files = await _unreferenced(session, result.files)
    session.info[CHECKPOINT_AFTER_COMMIT] = True
    return result


@dataclass(frozen=True)
class _Marks:
    """What identifies the person in free text: their names, found with or without diacritics
    (registered as "Nguyen Van Hung", quoted as "Nguyễn Văn Hùng"), and their numbers as digit
    strings."""

    texts: frozenset[str]
    numbers: frozenset[str]

    @cached_property
    def names(self) -> list[re.Pattern[str]]:
        """Each name as a whole-words pattern over ``fold_aligned`` text."""
        return [re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, name.split())) + r"(?!\w)")
                for name in self.texts]

    def found_in(self, value: Any) -> bool:
        text = json.dumps(value, ensure_ascii=False)
        folded = fold_aligned(text)
        if any(pattern.search(folded) for pattern in self.names):
            return True
        digits = _SEPARATED_DIGITS.sub("", text)
        return any(n in digits for n in self.numbers)


async def _identifying_marks(session: AsyncSession, contact: Contact, cipher: Cipher) -> _Marks:
    """The person's names, phones and citizen ids, from their cases and registration drafts."""
    records: list[dict[str, Any]] = [
        {_NAME: c.full_name, _PHONE: c.phone_enc, _CITIZEN_ID: c.citizen_id_enc}
        for c in await session.scalars(select(Case).where(Case.contact_id == contact.id))
    ]
    records += [
        dict(d.data)
        for d in await session.scalars(
            select(IntakeDraft).where(IntakeDraft.contact_id == contact.id)
        )
    ]
    texts = {fold(str(r[_NAME])) for r in records if r.get(_NAME)}
    numbers: set[str] = set()
    for token in _tokens(r.get(key) for r in records for key in (_PHONE, _CITIZEN_ID)):
        try:
            digits = "".join(ch for ch in cipher.decrypt(token) if ch.isdigit())
        except DecryptError:
            continue
        # A phone is quoted as 0912…, +84912… or 84912…: its last nine digits are in each.
        numbers.add(digits[-9:] if len(digits) in (10, 11) else digits)
    return _Marks(frozenset(t for t in texts if len(t) >= 3), frozenset(n for n in numbers if n))


#: What stands for the person's name or number in an announcement that quoted it.
REDACTED = "***"


async def _redact_announcements(session: AsyncSession, marks: _Marks) -> None:
    """An officer's announcement that quotes the person (a list of names, a congratulation)
    loses their name and numbers: in the stored text, and so in every copy not queued yet."""
    if not (marks.texts or marks.numbers):
        return
    # A number as written: any of its digits may be separated by a space, a dot or a dash.
    numbers = [re.compile("[ .\\-]?".join(number)) for number in marks.numbers]
    for broadcast in await session.scalars(select(Broadcast)):
        if marks.found_in(broadcast.text):
            text = _without_names(broadcast.text, marks)
            for pattern in numbers:
                text = pattern.sub(REDACTED, text)
            broadcast.text = text


def _without_names(text: str, marks: _Marks) -> str:
    """``text`` with the person's names, however accented, replaced by ``REDACTED``: found in
    the folded text, replaced at the same places in the text as written."""
    for pattern in marks.names:
        spans = [m.span() for m in pattern.finditer(fold_aligned(text))]
        for start, end in reversed(spans):
            text = text[:start] + REDACTED + text[end:]
    return text


def _tokens(values: Iterable[Any]) -> list[str]:
    return [v for v in values if isinstance(v, str) and v]


async def _messages_about(session: AsyncSession, contact: Contact, marks: _Marks) -> list[int]:
    """Outbox rows addressed to the person's chat, and unsent ones to anyone that quote them."""
    to_them = select(OutboxMessage.id).where(
        OutboxMessage.channel == contact.channel,
        OutboxMessage.chat_id == contact.platform_user_id,
        OutboxMessage.is_group.is_(False),
    )
    ids = set(await session.scalars(to_them))
    if marks.texts or marks.numbers:
        pending = await session.execute(
            select(OutboxMessage.id, OutboxMessage.payload).where(
                OutboxMessage.status == "pending"
            )
        )
        ids.update(row_id for row_id, payload in pending.all() if marks.found_in(payload))
    return sorted(ids)


def _queue_retractions(
    session: AsyncSession, contact: Contact, delivered: list[Delivered], now: datetime
) -> int:
    """Ask the platform to delete what it delivered about the person to other chats, where it
    still can (``RETRACTABLE_FOR``); returns how many retractions were queued. A message sent
    longer ago than that stays on the recipient's phone: no platform call can remove it."""
    queued = 0
    for message in delivered:
        window = RETRACTABLE_FOR.get(message.channel)
        own = (message.channel, message.chat_id) == (contact.channel, contact.platform_user_id)
        if window is None or (own and not message.is_group) or now - message.sent_at >= window:
            continue
        # Not record_outbox: a turn shows its rows (the simulator prints them), and this one
        # shows nothing; the sender's poll finds it.
        session.add(
            new_outbox(
                channel=message.channel,
                chat_id=message.chat_id,
                is_group=message.is_group,
                payload=retraction_payload(message.message_id),
                now=now,
            )
        )
        queued += 1
    return queued


async def _reset_states_quoting(session: AsyncSession, contact: Contact, marks: _Marks) -> None:
    """The person's own state forgets its data; anyone else's that quotes them is reset."""
    await session.execute(
        update(ConversationState)
        .where(ConversationState.contact_id == contact.id)
        .values(data={}, last_buttons=[])
    )
    if not (marks.texts or marks.numbers):
        return
    others = await session.scalars(
        select(ConversationState).where(ConversationState.contact_id != contact.id)
    )
    for state in others:
        if marks.found_in([state.data, state.last_buttons]):
            state.flow, state.step, state.data, state.last_buttons = None, None, {}, []


def references_to(table: Table) -> list[tuple[Table, Column[Any]]]:
    """(table, column) pairs whose foreign key points at ``table``'s primary key."""
    found = []
    for other in Base.metadata.sorted_tables:
        for fk in other.foreign_keys:
            if fk.column.table is table and fk.parent.table is other:
                found.append((other, fk.parent))
    return found


def _kept(table: Table) -> bool:
    return bool(table.info.get("keep_on_erasure")) or table.name in _KEEP_DEFAULT


def _sets_null(column: Column[Any]) -> bool:
    return any((fk.ondelete or "").upper() == "SET NULL" for fk in column.foreign_keys)


async def _delete_rows(
    session: AsyncSession,
    table: Table,
    column: Column[Any],
    ids: Sequence[Any],
    result: ErasureResult,
) -> None:
    """Delete rows of ``table`` whose ``column`` is in ``ids``, their dependants first."""
    if not ids:
        return
    if table.name == "outbox":
        result.delivered += await _delivered(session, table, column, ids)
    for file_column in file_columns(table):
        hashes = await session.scalars(select(file_column).where(column.in_(ids)))
        result.files.update(h for h in hashes if h)
    keys = list(table.primary_key.columns)
    if len(keys) == 1:
        own_ids = list(await session.scalars(select(keys[0]).where(column.in_(ids))))
        for child, child_column in references_to(table):
            if _sets_null(child_column):
                await session.execute(
                    update(child)
                    .where(child_column.in_(own_ids))
                    .values({child_column.name: None})
                )
            else:
                await _delete_rows(session, child, child_column, own_ids, result)
    deleted = await session.execute(delete(table).where(column.in_(ids)))
    result.rows += int(getattr(deleted, "rowcount", 0) or 0)


async def _delivered(
    session: AsyncSession, table: Table, column: Column[Any], ids: Sequence[Any]
) -> list[Delivered]:
    """The outbox rows about to be deleted whose message the platform accepted."""
    c = table.c
    rows = await session.execute(
        select(c.channel, c.chat_id, c.is_group, c.platform_message_id, c.sent_at, c.created_at)
        .where(column.in_(ids), c.platform_message_id.is_not(None))
    )
    return [
        Delivered(channel, chat_id, bool(is_group), str(message_id), sent_at or created_at)
        for channel, chat_id, is_group, message_id, sent_at, created_at in rows.all()
    ]


#: The data key under which a flow or a registration draft keeps files whose dossier item is
#: not named yet (handlers/dossier/held.py): stored files that no row's column references.
HELD_FILES = "held_files"


async def _held_files(session: AsyncSession, contact_id: int) -> set[str]:
    """The stored files the person's draft and conversation state hold (``held_files``, also
    inside a paused flow's place): no column names them, so the file check cannot find them."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == HELD_FILES and isinstance(item, list):
                    found.update(str(h["sha"]) for h in item
                                 if isinstance(h, dict) and isinstance(h.get("sha"), str))
                else:
                    walk(item)

    for column, owner in ((IntakeDraft.data, IntakeDraft.contact_id),
                          (ConversationState.data, ConversationState.contact_id)):
        for data in await session.scalars(select(column).where(owner == contact_id)):
            walk(data)
    return found


async def _unreferenced(session: AsyncSession, hashes: set[str]) -> set[str]:
    """The hashes no remaining row names (safe to remove from the file store): not a file
    column, nor any JSON value, such as another person's ``held_files`` (the same photo sent
    by two people is one stored file). One definition with the sweep: storage/file_refs.py."""
    return hashes - await named_files(session, hashes)
