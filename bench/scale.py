"""Scale-out on PostgreSQL: stored updates processed by 1 worker process, then by 2.

Fills ``stored_updates`` with ``--updates`` Zalo text updates of ``--users`` people, then starts
N worker processes (each: the app, an Inbox processing Zalo updates) on the same database and
times until every update is processed. Goal (issue 16): 2 workers ≥ 1.6 × the turns/s of 1.
Needs a PostgreSQL URL (its database is emptied):

    python -m bench.scale postgresql+asyncpg://postgres@127.0.0.1:54329/bench [--updates 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from bot.app import build_app
from bot.channels.zalo import ImageDownloader
from bot.channels.zalo_client import ZaloClient
from bot.channels.zalo_receive import ZaloReceiver, update_keys
from bot.inbox import Inbox
from bot.settings import load_settings
from storage.db import Database
from storage.inbox import store_update, waiting_count


async def fill(url: str, users: int, updates: int) -> None:
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await db.dispose()
    async with build_app(load_settings(database_url=url, files_dir="/tmp/bench-scale")) as app:
        now = app.engine.clock()
        async with app.db.transaction() as session:
            for n in range(updates):
                user = f"scale{n % users}"
                body = {
                    "event_name": "message.text.received",
                    "message": {
                        "message_id": f"s{n}",
                        "from": {"id": user, "display_name": "S"},
                        "chat": {"id": user, "chat_type": "PRIVATE"},
                        "text": "xin chào" if n % 2 else "menu",
                    },
                }
                key, who = update_keys(body)
                await store_update(session, "zalo", key, who, body, now)


async def work(url: str, gate: Path) -> None:
    """One worker: started (imports, classifier), it waits at the gate, then processes stored
    updates until none is left. Start-up is not what this measures."""
    async with (
        build_app(load_settings(database_url=url, files_dir="/tmp/bench-scale")) as app,
        ZaloClient("0:bench", base_url="http://127.0.0.1:9") as client,
    ):
        (gate / f"ready{os.getpid()}").touch()
        while not (gate / "go").exists():  # noqa: ASYNC110 (set by another process)
            await asyncio.sleep(0.02)
        receiver = ZaloReceiver(app.engine, client, ImageDownloader())
        inbox = Inbox(app.engine.batch, app.engine.clock)
        inbox.register("zalo", update_keys, receiver.handle_payload)
        idle = 0
        while idle < 3:
            if await inbox.process_waiting():
                idle = 0
                continue
            async with app.db.session() as session:
                if not await waiting_count(session):
                    return
            idle += 1
            await asyncio.sleep(0.2)


def run_workers(url: str, n: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        gate = Path(tmp)
        command = [sys.executable, "-m", "bench.scale", url, "--worker", str(gate)]
        procs = [subprocess.Popen(command) for _ in range(n)]
        while len(list(gate.glob("ready*"))) < n:
            time.sleep(0.05)
        start = time.perf_counter()
        (gate / "go").touch()
        for proc in procs:
            proc.wait()
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        asyncio.run(work(args.url, args.worker))
        return
    rates = []
    for n in (1, 2):
        asyncio.run(fill(args.url, args.users, args.updates))
        seconds = run_workers(args.url, n)
        rates.append(args.updates / seconds)
        print(f"{n} worker(s): {args.updates} turns in {seconds:.1f} s = {rates[-1]:.0f} turns/s")
    print(f"2 workers / 1 worker     : {rates[1] / rates[0]:.2f}  (goal >= 1.6)")


if __name__ == "__main__":
    main()
