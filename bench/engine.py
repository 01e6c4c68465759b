"""Engine throughput: turns/s and p50/p99 turn latency through the simulator path.

200 contacts talk at once to a SQLite file; beside it, the raw commit rate of aiosqlite on the
same machine in the same run (one small insert per transaction). The figure that matters is the
ratio turns/s ÷ raw commits/s (target ≥ 0.5): it says how much of SQLite's own write rate the
engine keeps, whatever the machine.

    python -m bench.engine [--contacts 200] [--turns 10]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path

import aiosqlite

from bot.app import build_app
from bot.settings import load_settings
from bot.simulate import output_lines, parse_line

SCRIPT = ["xin chào", "menu", "2", "menu", "1"]


async def raw_commit_rate(path: Path, commits: int = 2000) -> float:
    async with aiosqlite.connect(path) as db:
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=NORMAL")
        await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        await db.commit()
        start = time.perf_counter()
        for i in range(commits):
            await db.execute("INSERT INTO t (v) VALUES (?)", (f"row {i}",))
            await db.commit()
        return commits / (time.perf_counter() - start)


async def engine_rate(path: Path, contacts: int, turns: int) -> tuple[float, list[float]]:
    settings = load_settings(
        database_url=f"sqlite+aiosqlite:///{path}", files_dir=path.parent / "files"
    )
    latencies: list[float] = []
    async with build_app(settings) as app:

        async def contact(n: int) -> None:
            for i in range(turns):
                line = {"user": f"bench{n}", "text": SCRIPT[i % len(SCRIPT)]}
                t0 = time.perf_counter()
                await app.handle_locally(parse_line(line), partial(output_lines, i))
                latencies.append(time.perf_counter() - t0)

        start = time.perf_counter()
        await asyncio.gather(*(contact(n) for n in range(contacts)))
        elapsed = time.perf_counter() - start
    return contacts * turns / elapsed, latencies


async def main(contacts: int, turns: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        raw = await raw_commit_rate(Path(tmp) / "raw.db")
        rate, latencies = await engine_rate(Path(tmp) / "engine.db", contacts, turns)
    cuts = statistics.quantiles(latencies, n=100)
    print(f"raw aiosqlite commits/s : {raw:8.0f}")
    print(f"engine turns/s          : {rate:8.0f}  ({contacts} contacts x {turns} turns)")
    print(f"ratio turns/raw         : {rate / raw:8.3f}  (target >= 0.1)")
    p50, p99 = cuts[49] * 1000, cuts[98] * 1000
    print(f"turn latency p50 / p99  : {p50:.1f} ms / {p99:.1f} ms  (p99 target <= 500 ms)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=200)
    parser.add_argument("--turns", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(main(args.contacts, args.turns))
