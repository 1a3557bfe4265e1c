"""Cold start: `digestbot preview` of the sample, and `digestbot run` up to its first reply.

Usage: uv run python -m benchmarks.bench_startup [--runs 5] [--article PATH]

Prints the median wall time and the peak RSS of `digestbot preview` over ``--runs`` runs; then
starts `digestbot run` against a fake Bot API on 127.0.0.1 with a /start already waiting and a
fresh SQLite database holding the sample, and prints the seconds from the process's start to
its reply, its RSS when idle, and its RSS after answering /latest (the first Chinese digest).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.fakeapi import FakeTelegram
from tests.crash_harness import WORKER as DIGESTBOT
from tests.crash_harness import worker_env
from tests.helpers import reset_database

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "articles" / "zh-putin-witkoff-kushner.txt"


def preview(path: Path, runs: int) -> None:
    walls, peaks = [], []
    for _ in range(runs):
        started = time.perf_counter()
        process = subprocess.Popen([DIGESTBOT, "preview", str(path)], stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        walls.append(time.perf_counter() - started)
        peaks.append(usage.ru_maxrss / 1024)
        if status:
            raise SystemExit(f"digestbot preview failed with status {status}")
    print(
        f"digestbot preview {path.name}: median {statistics.median(walls):.2f} s wall "
        f"(runs: {', '.join(f'{w:.2f}' for w in walls)}), peak RSS {max(peaks):.0f} MB"
    )


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run(path: Path) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    url = f"sqlite+aiosqlite:///{folder / 'bot.db'}"
    await reset_database(url)
    published = subprocess.run(
        [DIGESTBOT, "publish", str(path)],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        check=False,
    )
    if published.returncode:
        raise SystemExit(f"digestbot publish failed: {published.stderr.decode()[-300:]}")
    fake = FakeTelegram()
    await fake.start()
    env = worker_env(fake, url, concurrency=4, lease=60)
    fake.send_text(1, "/start")
    started = time.perf_counter()
    with (folder / "bot.log").open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            DIGESTBOT, "run", env=env, stdout=log, stderr=log, stdin=asyncio.subprocess.DEVNULL
        )
    try:
        await fake.wait_for_messages(1, 1, timeout=60)
        first = time.perf_counter() - started
        await asyncio.sleep(3)
        idle = rss_mb(process.pid)
        before = len(fake.messages_to(1))
        fake.send_text(1, "/latest")
        await fake.wait_for_messages(1, 1, after=before, timeout=60)
        await asyncio.sleep(1)
        after = rss_mb(process.pid)
        print(
            f"digestbot run: first reply {first:.2f} s after start; idle RSS {idle:.1f} MB; "
            f"after the first Chinese digest {after:.1f} MB (+{after - idle:.1f} MB)"
        )
    finally:
        process.terminate()
        await process.wait()
        await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--article", type=Path, default=SAMPLE)
    args = parser.parse_args()
    if not args.article.exists():
        sys.exit(f"no article at {args.article}")
    preview(args.article, args.runs)
    asyncio.run(run(args.article))


if __name__ == "__main__":
    main()
