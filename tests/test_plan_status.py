"""The overdue rule at its boundaries (spec data-formats.md), computed by the database."""

from __future__ import annotations

from datetime import date

import pytest

from bot.app import App
from storage.status import Status, get_statuses
from tests.officials_helpers import add_plan

TODAY = date(2026, 7, 10)


@pytest.mark.parametrize(
    ("deadline", "submitted", "expected"),
    [
        (date(2026, 7, 10), (10,), Status.DUE_SOON),  # deadline today
        (date(2026, 7, 9), (10,), Status.OVERDUE),  # deadline yesterday
        (date(2026, 7, 9), (20, 10), Status.ON_TRACK),  # exactly met, in two submissions
        (date(2026, 7, 9), (31,), Status.ON_TRACK),  # more than the target
        (date(2026, 7, 17), (), Status.DUE_SOON),  # the 7th day ahead
        (date(2026, 7, 18), (), Status.ON_TRACK),  # the 8th day ahead
        (date(2026, 7, 10), (30,), Status.ON_TRACK),  # met on the day
    ],
)
async def test_status_boundaries(
    app: App, deadline: date, submitted: tuple[int, ...], expected: Status
) -> None:
    await add_plan(app, "Phù Lưu", "ntp_2026", 2026, 30, deadline, submitted=submitted)
    async with app.db.session() as session:
        (item,) = await get_statuses(session, TODAY, due_soon_days=7)
    assert item.status == expected
    assert item.submitted == sum(submitted)


async def test_zero_target_is_on_track_and_filters_apply(app: App) -> None:
    await add_plan(app, "Phù Lưu", "ntp_2026", 2026, 0, date(2026, 7, 1))
    await add_plan(app, "Yên Phú", "ntp_2026", 2026, 5, date(2026, 7, 1))
    await add_plan(app, "Yên Phú", "ntp_2026", 2025, 5, date(2025, 7, 1), submitted=(5,))
    async with app.db.session() as session:
        everything = await get_statuses(session, TODAY)
        overdue = await get_statuses(session, TODAY, only=(Status.OVERDUE,))
        of_2025 = await get_statuses(session, TODAY, year=2025)
    assert [(i.unit_name, i.year, i.status) for i in everything] == [
        ("Phù Lưu", 2026, Status.ON_TRACK),
        ("Yên Phú", 2025, Status.ON_TRACK),
        ("Yên Phú", 2026, Status.OVERDUE),
    ]
    assert [(i.unit_name, i.days_late(TODAY)) for i in overdue] == [("Yên Phú", 9)]
    assert [i.year for i in of_2025] == [2025]


async def test_due_soon_days_setting(app: App) -> None:
    await add_plan(app, "Phù Lưu", "ntp_2026", 2026, 30, date(2026, 7, 13))
    async with app.db.session() as session:
        (short,) = await get_statuses(session, TODAY, due_soon_days=2)
        (longer,) = await get_statuses(session, TODAY, due_soon_days=3)
    assert (short.status, longer.status) == (Status.ON_TRACK, Status.DUE_SOON)
