"""Engine throughput: turns/s and p50/p99 turn latency through the simulator path.

200 contacts talk at once to a SQLite file; beside it, the raw commit rate of aiosqlite on the
same machine in the same run (one small insert per transaction). The figure that matters is the
ratio turns/s ÷ raw commits/s (target ≥ 0.1): it says how much of SQLite's own write rate the
engine keeps, whatever the machine.

Then a webhook burst: ``--burst`` updates (default 1,000) posted at once to Zalo's webhook route
(store first, process after, bot/inbox.py): the time until all are acknowledged (goal ≤ 5 s)
and until all are processed (goal ≤ 15 s).

    python -m bench.engine [--contacts 200] [--turns 10] [--burst 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp
import aiosqlite

from bot.app import build_app
from bot.settings import load_settings
from bot.simulate import output_lines, parse_line
from storage.inbox import waiting_count

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


async def webhook_burst(path: Path, updates: int) -> tuple[float, float]:
    """Seconds until every update of the burst is acknowledged, and until all are processed."""
    from bot.channels.zalo import ImageDownloader
    from bot.channels.zalo_client import ZaloClient
    from bot.channels.zalo_receive import SECRET_HEADER, WEBHOOK_PATH, ZaloReceiver, update_keys
    from bot.inbox import Inbox
    from bot.webhook import secret_route, serve_webhooks

    settings = load_settings(
        database_url=f"sqlite+aiosqlite:///{path}", files_dir=path.parent / "files"
    )
    secret = "bench-secret-0123456789"
    bodies = [
        {
            "event_name": "message.text.received",
            "message": {
                "message_id": f"burst{n}",
                "from": {"id": f"burst-user{n}", "display_name": "B"},
                "chat": {"id": f"burst-user{n}", "chat_type": "PRIVATE"},
                "text": "xin chào",
            },
        }
        for n in range(updates)
    ]
    async with (
        build_app(settings) as app,
        ZaloClient("0:bench", base_url="http://127.0.0.1:9") as client,
    ):
        inbox = Inbox(app.engine.batch, app.engine.clock)
        inbox.register(
            "zalo", update_keys, ZaloReceiver(app.engine, client, ImageDownloader()).handle_payload
        )
        route = secret_route(
            WEBHOOK_PATH, header=SECRET_HEADER, secret=secret, handle=inbox.handler("zalo")
        )
        async with serve_webhooks([route], "127.0.0.1", 0) as port:
            url = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
            worker = asyncio.create_task(inbox.run())
            headers = {SECRET_HEADER: secret}

            async def post(http: aiohttp.ClientSession, body: dict[str, Any]) -> int:
                async with http.post(url, json=body, headers=headers) as response:
                    return response.status

            connector = aiohttp.TCPConnector(limit=updates)
            async with aiohttp.ClientSession(connector=connector) as http:
                start = time.perf_counter()
                statuses = await asyncio.gather(*(post(http, b) for b in bodies))
                acknowledged = time.perf_counter() - start
            assert statuses == [200] * updates
            while True:
                async with app.db.session() as session:
                    if not await waiting_count(session):
                        break
                await asyncio.sleep(0.05)
            processed = time.perf_counter() - start
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)
    return acknowledged, processed


async def main(contacts: int, turns: int, burst: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        # The raw rate swings with the machine (page cache, other processes): five rounds before
        # and five after the engine's run, each on a new file; the ratio uses their median.
        raws = [await raw_commit_rate(Path(tmp) / f"raw{n}.db") for n in range(5)]
        rate, latencies = await engine_rate(Path(tmp) / "engine.db", contacts, turns)
        raws += [await raw_commit_rate(Path(tmp) / f"raw{n}.db") for n in range(5, 10)]
        raw = statistics.median(raws)
        acked, processed = await webhook_burst(Path(tmp) / "burst.db", burst) if burst else (0, 0)
    cuts = statistics.quantiles(latencies, n=100)
    spread = f"{min(raws):.0f}–{max(raws):.0f}"
    print(f"raw aiosqlite commits/s : {raw:8.0f}  (median of 10 rounds, {spread})")
    print(f"engine turns/s          : {rate:8.0f}  ({contacts} contacts x {turns} turns)")
    print(f"ratio turns/raw         : {rate / raw:8.3f}  (target >= 0.1)")
    p50, p99 = cuts[49] * 1000, cuts[98] * 1000
    print(f"turn latency p50 / p99  : {p50:.1f} ms / {p99:.1f} ms  (p99 target <= 500 ms)")
    if burst:
        print(
            f"webhook burst of {burst}  : all acknowledged in {acked:.1f} s (goal <= 5 s), "
            f"all processed in {processed:.1f} s (goal <= 15 s)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=200)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--burst", type=int, default=1000, help="0 skips the webhook burst")
    args = parser.parse_args()
    asyncio.run(main(args.contacts, args.turns, args.burst))
