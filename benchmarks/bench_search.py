"""Search at scale: 100,000 stored articles, 1- and 3-word queries in English and Chinese, on
SQLite and PostgreSQL; the use case (``bot.usecases.reading.search``) against one plain SQL query
on the bare driver the bot runs on (aiosqlite, asyncpg): match, join, newest first, LIMIT 10.

Usage: uv run python -m benchmarks.bench_search [--articles 100000] [--runs 20] [--databases sqlite,postgresql]

Prints, for each database and query, the matches, the median time of each and their ratio
(target: the same ten results, the use case within 2× the plain query), and whether the results
agree.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.settings import Settings
from bot.usecases import reading
from bot.usecases.runtime import open_runtime
from tests.helpers import POSTGRES_SERVER, postgres_database, reset_database
from tests.search_corpus import (
    PLAIN_POSTGRESQL,
    PLAIN_SQLITE,
    asyncpg_dsn,
    plain_parameter,
    store_corpus,
)

QUERIES = ("harbour", "harbour lighthouse keeper", "经济", "经济 市场 政策", "festival", "体育 科学 法律")


async def plain_times(url: str, query: str, runs: int) -> tuple[list[int], float]:
    parameter = plain_parameter(url, query)
    times = []
    if url.startswith("sqlite"):
        import aiosqlite  # the driver the bot runs on: a blocking sqlite3 call is no baseline for it

        async with aiosqlite.connect(make_url(url).database or "") as connection:
            for _ in range(runs):
                started = time.perf_counter()
                async with connection.execute(PLAIN_SQLITE, (parameter, 10)) as cursor:
                    ids = [row[0] for row in await cursor.fetchall()]
                times.append(time.perf_counter() - started)
        return ids, statistics.median(times)
    import asyncpg

    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        for _ in range(runs):
            started = time.perf_counter()
            ids = [record[0] for record in await connection.fetch(PLAIN_POSTGRESQL, parameter, 10)]
            times.append(time.perf_counter() - started)
    finally:
        await connection.close()
    return ids, statistics.median(times)


async def count_matches(url: str, query: str) -> int:
    parameter = plain_parameter(url, query)
    if url.startswith("sqlite"):
        with sqlite3.connect(make_url(url).database or "") as connection:
            sql = "SELECT count(*) FROM article_search WHERE article_search MATCH ?"
            return int(connection.execute(sql, (parameter,)).fetchone()[0])
    import asyncpg

    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        sql = "SELECT count(*) FROM article_search WHERE document @@ plainto_tsquery('simple', $1)"
        return int(await connection.fetchval(sql, parameter))
    finally:
        await connection.close()


async def on_database(url: str, label: str, args: argparse.Namespace) -> None:
    await reset_database(url)
    started = time.perf_counter()
    await store_corpus(url, args.articles)
    print(f"{label}: {args.articles} articles stored in {time.perf_counter() - started:.1f} s", flush=True)
    async with open_runtime(Settings(database_url=url)) as runtime:
        for query in QUERIES:
            await reading.search(runtime, query=query)  # warm: jieba's dictionary, the pool, the plan
            times = []
            for _ in range(args.runs):
                begun = time.perf_counter()
                found = await reading.search(runtime, query=query)
                times.append(time.perf_counter() - begun)
            expected, plain = await plain_times(url, query, args.runs)
            ours = statistics.median(times)
            matches = await count_matches(url, query)
            same = [row.id for row in found.articles] == expected
            print(
                f"  {query!r:<30} {matches:>6} match: use case {1000 * ours:6.2f} ms, plain SQL "
                f"{1000 * plain:6.2f} ms, ratio {ours / plain:4.2f} (target <= 2.0); same results: {same}",
                flush=True,
            )


async def main_async(args: argparse.Namespace) -> None:
    if "sqlite" in args.databases:
        folder = Path(tempfile.mkdtemp(prefix="bench-search-"))
        await on_database(f"sqlite+aiosqlite:///{folder / 'search.db'}", "SQLite", args)
    if "postgresql" in args.databases:
        async with postgres_database("digestbot_bench", POSTGRES_SERVER) as url:
            await on_database(url, "PostgreSQL", args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--databases", default="sqlite,postgresql")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
