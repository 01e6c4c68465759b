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
  name and consent.
Files in the content-addressed store referenced only by deleted rows (columns named
``sha256`` or ``*_sha256``) are returned so the caller can remove them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.cases_repo import CaseStatus
from storage.models import Base, Case, Contact

#: Tables the erasure never touches through the contact (state is reset by the flow; an
#: officer's account is removed by an administrator, not by a privacy request).
_CONTACT_SKIP = frozenset({"contacts", "conversation_states", "officers", "cases"})
#: Statistics links kept until their models declare ``keep_on_erasure`` themselves.
_KEEP_DEFAULT = frozenset({"plan_submission_cases"})


@dataclass
class ErasureResult:
    cases: int = 0
    rows: int = 0
    files: set[str] = field(default_factory=set)


async def erase_contact_data(
    session: AsyncSession, contact: Contact, now: datetime
) -> ErasureResult:
    """Delete or anonymise everything stored about ``contact``; see the module docstring."""
    result = ErasureResult()
    case_ids = list(await session.scalars(select(Case.id).where(Case.contact_id == contact.id)))
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
    for child, column in references_to(contacts):
        if child.name in _CONTACT_SKIP:
            continue
        if _sets_null(column):
            await session.execute(
                update(child).where(column == contact.id).values({column.name: None})
            )
        else:
            await _delete_rows(session, child, column, [contact.id], result)
    contact.display_name = ""
    contact.consent_at = None
    contact.consent_version = None
    result.files = await _unreferenced(session, result.files)
    return result


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


def _file_columns(table: Table) -> list[Column[Any]]:
    return [c for c in table.columns if c.name == "sha256" or c.name.endswith("_sha256")]


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
    for file_column in _file_columns(table):
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


async def _unreferenced(session: AsyncSession, hashes: set[str]) -> set[str]:
    """The hashes no remaining row mentions (safe to remove from the file store)."""
    if not hashes:
        return set()
    still: set[str] = set()
    for table in Base.metadata.sorted_tables:
        for column in _file_columns(table):
            still.update(await session.scalars(select(column).where(column.in_(hashes))))
    return hashes - still
