"""Survey rounds and responses: open a round, keep one response per person per round, count
wanted trades per commune."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import SurveyResponse, SurveyRound, Unit


async def open_round(
    session: AsyncSession,
    unit_ids: list[int],
    version: str,
    now: datetime,
    officer_id: int | None = None,
) -> SurveyRound:
    found = SurveyRound(
        version=version, unit_ids=sorted(set(unit_ids)), officer_id=officer_id, opened_at=now
    )
    session.add(found)
    await session.flush()
    return found


async def open_rounds(session: AsyncSession) -> list[SurveyRound]:
    return list(
        await session.scalars(
            select(SurveyRound)
            .where(SurveyRound.closed_at.is_(None))
            .order_by(SurveyRound.id.desc())
        )
    )


def covers(found: SurveyRound, unit_id: int | None) -> bool:
    return not found.unit_ids or unit_id in found.unit_ids


async def get_response(
    session: AsyncSession, round_id: int, contact_id: int
) -> SurveyResponse | None:
    return await session.scalar(
        select(SurveyResponse).where(
            SurveyResponse.round_id == round_id, SurveyResponse.contact_id == contact_id
        )
    )


async def has_draft(session: AsyncSession, contact_id: int) -> bool:
    """Whether the contact left a response half answered in a round still open."""
    found = await session.scalar(
        select(SurveyResponse.id)
        .join(SurveyRound, SurveyRound.id == SurveyResponse.round_id)
        .where(
            SurveyResponse.contact_id == contact_id,
            SurveyResponse.status == "draft",
            SurveyRound.closed_at.is_(None),
        )
        .limit(1)
    )
    return found is not None


async def responses_of(session: AsyncSession, contact_id: int) -> list[SurveyResponse]:
    return list(
        await session.scalars(
            select(SurveyResponse)
            .where(SurveyResponse.contact_id == contact_id)
            .order_by(SurveyResponse.id)
        )
    )


async def delete_responses(session: AsyncSession, contact_id: int) -> int:
    result = await session.execute(
        delete(SurveyResponse).where(SurveyResponse.contact_id == contact_id)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@dataclass
class Results:
    round: SurveyRound
    #: (commune name, trade id) → number of complete responses wanting it
    counts: Counter[tuple[str, str]]
    responses: list[dict[str, Any]]


def _complete(found: SurveyRound, scope: list[int] | None) -> ColumnElement[bool]:
    """The complete responses of ``found`` (only communes in ``scope`` when given)."""
    complete = and_(SurveyResponse.round_id == found.id, SurveyResponse.status == "complete")
    return complete if scope is None else and_(complete, SurveyResponse.unit_id.in_(scope))


async def count_complete(
    session: AsyncSession, found: SurveyRound, scope: list[int] | None = None
) -> int:
    """How many have answered ``found`` to the end (only in ``scope`` when given)."""
    counted = select(func.count(SurveyResponse.id)).where(_complete(found, scope))
    return int(await session.scalar(counted) or 0)


async def results(
    session: AsyncSession, found: SurveyRound, scope: list[int] | None = None
) -> Results:
    """Complete responses of ``found`` (only communes in ``scope`` when given)."""
    query = (
        select(SurveyResponse, Unit.name)
        .outerjoin(Unit, Unit.id == SurveyResponse.unit_id)
        .where(_complete(found, scope))
        .order_by(SurveyResponse.id)
    )
    counts: Counter[tuple[str, str]] = Counter()
    rows = []
    for response, unit_name in (await session.execute(query)).all():
        commune = unit_name or ""
        for trade in response.answers.get("trades", []):
            counts[(commune, str(trade))] += 1
        rows.append(
            {
                "response": response.id,
                "commune": commune,
                "updated": response.updated_at.isoformat(),
                **{k: v for k, v in response.answers.items() if k != "unit"},
            }
        )
    return Results(found, counts, rows)
