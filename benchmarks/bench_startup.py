"""Cold start: `digestbot preview` of the sample, and `digestbot run` up to its first reply.

Usage: uv run python -m benchmarks.bench_startup [--runs 5] [--article PATH]

Prints the median wall time and the peak RSS of `digestbot preview` over ``--runs`` runs; then,
``--runs`` times each, starts python-telegram-bot's echo bot (``benchmarks/echo_bot.py``) and
`digestbot run` against a fake Bot API on 127.0.0.1 with a /start already waiting (digestbot on
a fresh SQLite database holding the sample), and prints the median seconds from the process's
start to its reply and their ratio, the idle RSS of both, and what answering /latest (the first
Chinese digest) adds to digestbot's; and the floor under both figures: a process that only
imports the libraries the bot is built on.
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


# The libraries digestbot is built on, as the mission names them, and nothing of digestbot's own.
LIBRARIES = "import telegram.ext, sqlmodel, sqlalchemy.ext.asyncio, aiosqlite"


def import_floor(runs: int) -> tuple[float, float]:
    """Median seconds and peak RSS (MB) of a process that only imports ``LIBRARIES`` and exits:
    what any bot on python-telegram-bot and SQLModel pays before its first reply."""
    walls, peaks = [], []
    for _ in range(runs):
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-c", LIBRARIES])
        _, status, usage = os.wait4(process.pid, 0)
        walls.append(time.perf_counter() - started)
        peaks.append(usage.ru_maxrss / 1024)
        if status:
            raise SystemExit(f"importing the libraries failed with status {status}")
    return statistics.median(walls), max(peaks)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def first_reply(
    command: list[str], env: dict[str, str], fake: FakeTelegram, log: Path
) -> tuple[float, asyncio.subprocess.Process]:
    """Start ``command`` with a /start waiting; the seconds until its reply, and the process."""
    fake.send_text(1, "/start")
    before = len(fake.messages_to(1))
    started = time.perf_counter()
    with log.open("ab") as output:
        process = await asyncio.create_subprocess_exec(
            *command, env=env, stdout=output, stderr=output, stdin=asyncio.subprocess.DEVNULL
        )
    try:
        await fake.wait_for_messages(1, 1, after=before, timeout=60)
    except BaseException:
        process.terminate()
        raise
    return time.perf_counter() - started, process


async def stop(process: asyncio.subprocess.Process) -> None:
    process.terminate()
    await process.wait()


async def run(path: Path, runs: int) -> None:
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
    log = folder / "bot.log"
    try:
        echo_firsts, echo_idles, firsts, idles, afters = [], [], [], [], []
        for _ in range(runs):
            seconds, process = await first_reply(
                [sys.executable, "-m", "benchmarks.echo_bot"], env, fake, log
            )
            await asyncio.sleep(3)
            echo_firsts.append(seconds)
            echo_idles.append(rss_mb(process.pid))
            await stop(process)
            seconds, process = await first_reply([DIGESTBOT, "run"], env, fake, log)
            await asyncio.sleep(3)
            firsts.append(seconds)
            idles.append(rss_mb(process.pid))
            before = len(fake.messages_to(1))
            fake.send_text(1, "/latest")
            await fake.wait_for_messages(1, 1, after=before, timeout=60)
            await asyncio.sleep(1)
            afters.append(rss_mb(process.pid) - idles[-1])
            await stop(process)
        first, echo_first = statistics.median(firsts), statistics.median(echo_firsts)
        floor_seconds, floor_mb = import_floor(runs)
        print(
            f"first reply to /start (median of {runs}): digestbot run {first:.3f} s, PTB echo bot "
            f"{echo_first:.3f} s: {first / echo_first:.2f}x (target <= 1.5x)"
        )
        print(
            f"floor: importing python-telegram-bot, SQLModel, SQLAlchemy asyncio and aiosqlite alone "
            f"takes {floor_seconds:.3f} s ({floor_seconds / echo_first:.2f}x the echo bot's whole first "
            f"reply) and {floor_mb:.1f} MB"
        )
        print(
            f"idle RSS: digestbot run {statistics.median(idles):.1f} MB (target <= 78), echo bot "
            f"{statistics.median(echo_idles):.1f} MB; the first Chinese digest adds "
            f"{statistics.median(afters):.1f} MB"
        )
    finally:
        await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--article", type=Path, default=SAMPLE)
    args = parser.parse_args()
    if not args.article.exists():
        sys.exit(f"no article at {args.article}")
    preview(args.article, args.runs)
    asyncio.run(run(args.article, args.runs))


if __name__ == "__main__":
    main()
