"""Crash safety of the delivery outbox: SIGKILL real `digestbot worker` processes mid-delivery.

Usage: uv run python -m benchmarks.crash_loop [--trials 20] [--subscribers 1000] [--kills 3]
                                              [--restart-trials 5] [--database sqlite|postgresql]

Prints, per trial and in all, how many subscribers got nothing (lost) and how many got the
digest twice (duplicates), against the bound: kills × sends in flight. The harness is
``tests/crash_harness.py``; on PostgreSQL it runs in a database of its own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
from pathlib import Path

from tests.crash_harness import crash_trial, two_workers
from tests.helpers import postgres_database


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--restart-trials", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="crash-loop-"))
    if args.database == "postgresql":
        async with postgres_database("digestbot_crash") as url:
            await trials(args, url, folder)
    else:
        await trials(args, f"sqlite+aiosqlite:///{folder / 'outbox.db'}", folder)


async def trials(args: argparse.Namespace, url: str, folder: Path) -> None:
    """The SIGKILL trials, then two workers sharing the outbox."""
    rng = random.Random(args.seed)
    total_lost = total_duplicates = total_kills = 0
    print(
        f"{args.trials} trials, {args.subscribers} subscribers, {args.kills} SIGKILLs each, "
        f"{args.concurrency} sends in flight, {args.database}"
    )
    for trial in range(1, args.trials + 1):
        result = await crash_trial(
            url,
            subscribers=args.subscribers,
            kills=args.kills,
            concurrency=args.concurrency,
            rng=rng,
            log=folder / "worker.log",
        )
        total_lost += result.lost
        total_duplicates += result.duplicates
        total_kills += result.kills
        print(
            f"trial {trial:2d}: lost {result.lost}, duplicates {result.duplicates} "
            f"(bound {result.kills * result.in_flight}), clean exit {result.clean_exit}, "
            f"{result.seconds:.1f} s, drained {result.after_restart:.1f} s after the last restart"
        )
    print(
        f"total: lost {total_lost}, duplicates {total_duplicates} over {total_kills} kills "
        f"({total_duplicates / max(1, total_kills):.2f} per kill; bound {args.concurrency} per kill)"
    )
    print("prompt recovery: SIGKILL mid-push to 200 subscribers, restart at once (lease 120 s)")
    for trial in range(1, args.restart_trials + 1):
        result = await crash_trial(url, subscribers=200, kills=1, concurrency=args.concurrency, rng=rng)
        print(
            f"restart {trial}: everyone served {result.after_restart:.1f} s after the restart; "
            f"lost {result.lost}, duplicates {result.duplicates} (bound {result.in_flight})"
        )
    lost, duplicates, clean = await two_workers(url)
    print(f"two workers, 2000 subscribers: lost {lost}, duplicates {duplicates}, clean exit {clean}")


if __name__ == "__main__":
    asyncio.run(main())
