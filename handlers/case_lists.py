"""Which cases an officer's lists hold: the filters of ``/dangky`` (all, new, to call, papers
missing, this week) as queries over the officer's scope, and their counts (the officer's home
counts those to call). The lists' messages and the case card are handlers/casework.py."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import Select, and_, exists, func, or_, select

from handlers.context import Context
from handlers.officials.guard import Scope
from storage.cases_repo import CaseStatus
from storage.models import Case, CaseStatusChange, DossierItem


class Filter(StrEnum):
    ALL = "all"
    NEW = "new"
    CALL = "call"
    INCOMPLETE = "incomplete"
    WEEK = "week"


#: Cases someone still has to phone: nobody has recorded a call or a decision yet. A family
#: sending dossier photos moves a new case to DOSSIER_IN_PROGRESS (only from NEW, so it was
#: never called): it still waits for its call.
_TO_CALL = (CaseStatus.NEW, CaseStatus.WAITLIST, CaseStatus.NEEDS_INFO,
            CaseStatus.DOSSIER_IN_PROGRESS)


def _week_start(ctx: Context) -> datetime:
    today = ctx.now.astimezone(ctx.config.timezone).date()
    monday = today - timedelta(days=today.weekday())
    return datetime.combine(monday, time(0), tzinfo=ctx.config.timezone)


def _filtered(query: Select[Case], flt: Filter, ctx: Context) -> Select[Case]:
    if flt == Filter.NEW:
        # Not yet handled by an officer: the family's first dossier page moves a case on
        # (to "dossier in progress", no officer's change), and "hồ sơ mới" then said none.
        handled = exists().where(CaseStatusChange.case_id == Case.id)
        return query.where(or_(Case.status == CaseStatus.NEW, and_(
            Case.status == CaseStatus.DOSSIER_IN_PROGRESS, ~handled)))
    if flt == Filter.CALL:
        return query.where(Case.status.in_([s.value for s in _TO_CALL]))
    if flt == Filter.INCOMPLETE:
        missing = exists().where(
            DossierItem.case_id == Case.id, DossierItem.status.in_(("missing", "rejected"))
        )
        return query.where(or_(missing, Case.status == CaseStatus.NEEDS_INFO))
    if flt == Filter.WEEK:
        return query.where(Case.created_at >= _week_start(ctx))
    return query


def listed_cases(ctx: Context, scope: Scope, flt: Filter) -> Select[Case]:
    """The cases ``/dangky`` lists for ``scope`` under the filter ``flt``."""
    query = select(Case).where(
        Case.status != CaseStatus.WITHDRAWN, Case.full_name.is_not(None)
    )
    if scope.unit_ids is not None:
        query = query.where(Case.unit_id.in_(scope.unit_ids))
    return _filtered(query, flt, ctx)


async def count_cases(ctx: Context, scope: Scope, flt: Filter) -> int:
    """How many cases the list under ``flt`` holds (the officer's home counts those to call)."""
    return await count_listed(ctx, listed_cases(ctx, scope, flt))


async def count_listed(ctx: Context, query: Select[Case]) -> int:
    """How many cases a query of ``listed_cases`` holds."""
    return int(
        await ctx.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    )
