"""Start-up and memory: time from process start to the first reply, and peak RSS, of
``python -m bot simulate`` on an existing SQLite database, with the classifier cache cold
(deleted: the classifier is fitted) and warm (loaded); and the peak RSS of one simulate
process handling a burst of messages (the process that serves them keeps them all in one
run, as the bot does).

    python -m bench.startup [--runs 3] [--burst 1000]

Each figure is measured on a fresh process (``os.wait4`` gives that child's own peak RSS).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTION = {"user": "bench", "text": "di xkld nhat het bn tien"}
BURST_TEXTS = ["xin chào", "menu", "di han quoc can gi", "2", "hoc nghe o dau", "menu", "1"]


@dataclass(frozen=True)
class Run:
    first_reply: float  # seconds from spawning the process to the first reply line
    total: float  # seconds until the process exited
    peak_rss_mb: float
    cpu: float  # user + system CPU seconds of the process (less sensitive to a busy machine)


def simulate(workdir: Path, lines: list[dict[str, str]]) -> Run:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'bot.db'}",
        "FILES_DIR": str(workdir / "files"),
        "CACHE_DIR": str(workdir / "cache"),
        "LOG_LEVEL": "WARNING",
    }
    stdin = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "simulate"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(stdin)
    proc.stdin.close()
    first = proc.stdout.readline()
    first_reply = time.perf_counter() - started
    proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    total = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 or not first:
        raise SystemExit(f"simulate failed with status {proc.returncode}")
    # ru_maxrss is in KiB on Linux.
    return Run(first_reply, total, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def _show(label: str, runs: list[Run]) -> None:
    first = [r.first_reply for r in runs]
    rss = [r.peak_rss_mb for r in runs]
    cpu = [r.cpu for r in runs]
    print(f"{label:34} first reply {statistics.median(first):5.2f} s "
          f"(min {min(first):.2f}, max {max(first):.2f}), "
          f"CPU {statistics.median(cpu):5.2f} s, "
          f"peak RSS {statistics.median(rss):4.0f} MB (max {max(rss):.0f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median shown)")
    parser.add_argument("--burst", type=int, default=1000, help="messages in the burst run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        simulate(workdir, [QUESTION])  # the existing database (and a warm cache)
        cold: list[Run] = []
        for _ in range(args.runs):
            shutil.rmtree(workdir / "cache", ignore_errors=True)
            cold.append(simulate(workdir, [QUESTION]))
        warm = [simulate(workdir, [QUESTION]) for _ in range(args.runs)]
        _show("simulate, 1 message, cold cache", cold)
        _show("simulate, 1 message, warm cache", warm)
        if args.burst:
            lines = [
                {"user": f"burst{n % 100}", "text": BURST_TEXTS[n % len(BURST_TEXTS)]}
                for n in range(args.burst)
            ]
            burst = simulate(workdir, lines)
            print(f"simulate, {args.burst} messages (100 users)   "
                  f"{burst.total:5.1f} s in all, {args.burst / burst.total:.0f} messages/s, "
                  f"peak RSS {burst.peak_rss_mb:4.0f} MB")


if __name__ == "__main__":
    main()
