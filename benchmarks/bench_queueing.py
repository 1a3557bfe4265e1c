"""Queueing a due digest with keyword filters: set-wise, each distinct filter once per article.

Usage: uv run python -m benchmarks.bench_queueing [--subscribers 100000] [--articles 20]
       [--filtered 0.10] [--distinct 200] [--databases sqlite,postgresql]

For each database: N subscribers due at once and ``--articles`` new articles (Chinese and
English, half of them about 乌克兰); the scheduler tick's queueing (``queue_due_digests``) timed
with no filters, then on a fresh database with ``--filtered`` of the subscribers holding one of
``--distinct`` different filters (include and exclude words). Prints both times, the ratio
(target < 2), and the rows queued.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.usecases.tick import queue_due_digests
from digests import parse_article
from digests.filters import parse_filter
from storage import articles as article_queries
from storage import create_engine, session_factory, session_scope
from storage import subscribers as subscriber_queries
from tests.crash_harness import due_subscriber_row
from tests.helpers import (
    POSTGRES_SERVER,
    create_postgres_database,
    drop_postgres_database,
    reset_database,
    sqlite_url,
)

WORDS = ["乌克兰", "体育", "经济", "市场", "选举", "war", "peace talks", "energy", "climate", "sports"]


def filter_words(n: int) -> str:
    """The n-th of the distinct filters: one or two included words, maybe an excluded one."""
    rng = random.Random(n)
    chosen = rng.sample(WORDS, 3)
    words = [f'+"{chosen[0]}"']
    if n % 2:
        words.append(f'+"{chosen[1]}"')
    if n % 3 == 0:
        words.append(f'-"{chosen[2]}"')
    return " ".join(words)


async def prepare(url: str, subscribers: int, articles: int, filtered: float, distinct: int) -> None:
    await reset_database(url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    filters = [parse_filter(filter_words(n)) for n in range(distinct)]
    rng = random.Random(7)
    rows = []
    for i in range(subscribers):
        row = due_subscriber_row(10_000 + i, now=now)
        if rng.random() < filtered:
            chosen = filters[rng.randrange(distinct)]
            row.update(keyword_filter=chosen.as_json(), filter_key=chosen.key)
        rows.append(row)
    async with session_scope(sessions) as session:
        for start in range(0, len(rows), 10_000):
            await subscriber_queries.add_subscribers(session, rows=rows[start : start + 10_000])
        for n in range(articles):
            topic = "乌克兰" if n % 2 else "欧洲"
            text = (
                f"# {topic}新闻第{n}号\n\n{topic}的局势在本周出现变化。各方表示将继续谈判，市场反应平稳。"
                f"\n\nPeace talks and energy prices were discussed again in article {n}."
            )
            await article_queries.save_article(
                session, article=parse_article(text), now=now - timedelta(hours=1)
            )
    await engine.dispose()


async def timed_queueing(url: str) -> tuple[float, int]:
    engine = create_engine(url)
    sessions = session_factory(engine)
    started = time.perf_counter()
    queued = await queue_due_digests(engine, sessions, batch_size=1000)
    elapsed = time.perf_counter() - started
    await engine.dispose()
    return elapsed, queued or 0


async def on_database(label: str, url: str, args: argparse.Namespace) -> None:
    await prepare(url, args.subscribers, args.articles, 0.0, args.distinct)
    plain, plain_rows = await timed_queueing(url)
    await prepare(url, args.subscribers, args.articles, args.filtered, args.distinct)
    filtered, filtered_rows = await timed_queueing(url)
    print(
        f"{label:<10} {args.subscribers} due, {args.articles} articles: no filters {plain:.1f} s "
        f"({plain_rows} rows); {args.filtered:.0%} filtered ({args.distinct} distinct) {filtered:.1f} s "
        f"({filtered_rows} rows); ratio {filtered / plain:.2f} (target < 2)",
        flush=True,
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--filtered", type=float, default=0.10)
    parser.add_argument("--distinct", type=int, default=200)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    if "sqlite" in args.databases:
        await on_database("SQLite", sqlite_url(Path(tempfile.mkdtemp(prefix="bench-queueing-"))), args)
    if "postgresql" in args.databases:
        url = await create_postgres_database("digestbot_bench_queueing", POSTGRES_SERVER)
        try:
            await on_database("PostgreSQL", url, args)
        finally:
            await drop_postgres_database(url)


if __name__ == "__main__":
    asyncio.run(main())
