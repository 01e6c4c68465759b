"""Memory of the running bot under a webhook burst (issue 16: ≤ 250 MB after 1,000 updates).

Starts the real ``python -m bot run zalo --webhook`` process against the fake Zalo server (from
the tests) on a fresh SQLite database, waits for ``/healthz``, posts ``--updates`` text messages
of as many people at once, waits until every person got a reply from the fake platform, and
reads the process's resident memory (VmRSS) and its peak (VmHWM) from /proc (Linux):

    python -m bench.run_burst [--updates 1000]

The bot's Zalo rate is raised for the run (ZALO_RATE_PER_SECOND), so the figure is the memory
of receiving and processing the burst, not of a reply queue waiting for the platform's pace.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from bot.channels.zalo_receive import SECRET_HEADER, WEBHOOK_PATH
from tests.fake_zalo import FakeZalo, running_fake_zalo, text_update

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-burst-secret-0123456789"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of the process in MB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


async def _healthy(base: str, within: float) -> None:
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            try:
                async with http.get(f"{base}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("the bot did not answer /healthz in time")


async def burst(updates: int) -> None:
    fake = FakeZalo()
    async with running_fake_zalo(fake):
        with tempfile.TemporaryDirectory() as tmp:
            port = _free_port()
            env = {
                **os.environ,
                "DATABASE_URL": f"sqlite+aiosqlite:///{Path(tmp) / 'bot.db'}",
                "FILES_DIR": str(Path(tmp) / "files"),
                "ZALO_TOKEN": fake.token,
                "ZALO_API_URL": fake.url,
                "ZALO_RATE_PER_SECOND": "1000",
                "WEBHOOK_PORT": str(port),
                "WEBHOOK_PUBLIC_URL": "https://bench.example.vn",
                "WEBHOOK_SECRET": SECRET,
                "LOG_LEVEL": "WARNING",
            }
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", "zalo", "--webhook",
                cwd=ROOT, env=env, stderr=asyncio.subprocess.DEVNULL,
            )
            try:
                base = f"http://127.0.0.1:{port}"
                await _healthy(base, within=60)
                rss_start, _ = _memory_mb(proc.pid)
                bodies = [
                    text_update("xin chào", user=f"burst{n:05d}", message_id=f"b{n:06d}")
                    for n in range(updates)
                ]
                connector = aiohttp.TCPConnector(limit=updates)
                async with aiohttp.ClientSession(connector=connector) as http:

                    async def post(body: dict[str, object]) -> int:
                        async with http.post(
                            base + WEBHOOK_PATH, json=body, headers={SECRET_HEADER: SECRET}
                        ) as response:
                            return response.status

                    started = time.perf_counter()
                    statuses = await asyncio.gather(*(post(b) for b in bodies))
                    acknowledged = time.perf_counter() - started
                assert statuses == [200] * updates, sorted(set(statuses))

                def answered() -> bool:
                    return len({c.payload.get("chat_id") for c in fake.sent()}) >= updates

                await fake.wait_until(answered, within=300)
                replied = time.perf_counter() - started
                rss_end, peak = _memory_mb(proc.pid)
            finally:
                proc.terminate()
                await asyncio.wait_for(proc.wait(), 30)
    print(f"burst of {updates} webhook updates to `python -m bot run zalo --webhook`:")
    print(f"  all acknowledged in {acknowledged:.1f} s, every person answered in {replied:.1f} s")
    print(f"  RSS at start {rss_start:.0f} MB, after the burst {rss_end:.0f} MB, "
          f"peak {peak:.0f} MB (goal ≤ 250 MB)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=1000)
    asyncio.run(burst(parser.parse_args().updates))
