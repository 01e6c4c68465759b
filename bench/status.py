"""Behind-plan status for 10,000 units × 3 programmes on SQLite (target ≤ 1 s).

Builds a migrated SQLite file, inserts the units, 30,000 allocations and about 45,000
submissions with bulk inserts, then times ``storage.status.get_statuses`` (one aggregate query;
the status is decided by the database) for the whole table and for the overdue rows only.

    python -m bench.status [--units 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from storage.db import Database
from storage.models import Program, Unit
from storage.models.plan import PlanAllocation, PlanSubmission
from storage.seed import seed_defaults
from storage.status import Status, get_statuses

TODAY = date(2026, 7, 10)


async def fill(db: Database, units: int) -> None:
    rng = random.Random(8)
    async with db.session() as session, session.begin():
        await seed_defaults(session)
        programs = list(await session.scalars(select(Program.id).order_by(Program.id)))[:3]
        await session.execute(
            insert(Unit),
            [
                {
                    "code": f"B{n:05d}",
                    "name": f"Xã {n}",
                    "name_key": f"xa {n}",
                    "kind": "xã",
                    "valid_from": date(2025, 7, 1),
                }
                for n in range(units)
            ],
        )
        unit_ids = list(await session.scalars(select(Unit.id).where(Unit.code.like("B%"))))
        allocations, submissions = [], []
        for uid in unit_ids:
            for pid in programs:
                target = rng.randint(10, 60)
                deadline = TODAY + timedelta(days=rng.randint(-30, 30))
                allocations.append(
                    {
                        "unit_id": uid,
                        "program_id": pid,
                        "year": 2026,
                        "target_trainees": target,
                        "list_deadline": deadline,
                    }
                )
                for _ in range(rng.randint(0, 3)):
                    submissions.append(
                        {
                            "unit_id": uid,
                            "program_id": pid,
                            "year": 2026,
                            "submitted_on": TODAY,
                            "trainees": rng.randint(1, 25),
                            "source": "import",
                        }
                    )
        await session.execute(insert(PlanAllocation), allocations)
        await session.execute(insert(PlanSubmission), submissions)


async def main(units: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        await db.upgrade()
        await fill(db, units)
        for label, only in (("all", None), ("overdue", (Status.OVERDUE,))):
            times, count = [], 0
            for _ in range(runs):
                async with db.session() as session:
                    start = time.perf_counter()
                    rows = await get_statuses(session, TODAY, due_soon_days=7, only=only)
                    times.append(time.perf_counter() - start)
                    count = len(rows)
            print(
                f"status {label}: {count} rows, median {statistics.median(times):.3f} s, "
                f"max {max(times):.3f} s over {runs} runs (target ≤ 1 s)"
            )
        await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.units, args.runs))
