"""Story grouping at scale: 10,000 articles, each assigned a story as it is stored.

Usage: uv run python -m benchmarks.bench_stories [--articles 10000] [--databases sqlite,postgresql]

Articles are built from the sentences of the dev sets in ../shared/eval/dev: each story is 8
sentences drawn at random from all of them, printed by 1 to 5 outlets (the same text with
navigation and a footer, one sentence dropped, a word changed). They are stored one after
another and grouped as the bot groups them (signature, band lookup in the database, similarity
check), then grouped again from scratch in batches of 1,000 as the tick groups articles stored
before stories existed; prints both times, and how many of the built stories came out whole and
unmixed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, update

from digests import Article
from storage import create_engine, session_factory, session_scope
from storage import stories as story_queries
from storage.models import ArticleBand, StoredArticle
from tests.helpers import (
    POSTGRES_SERVER,
    SHARED,
    create_postgres_database,
    drop_postgres_database,
    reset_database,
    sqlite_url,
)


def sentence_pool() -> list[str]:
    pool = []
    for name in ("zh_news_title", "zh_finreport", "en_cnndm"):
        for line in (SHARED / "eval" / "dev" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            text = json.loads(line)["article"]
            pool += [s.strip() for s in re.split(r"(?<=[。！？.!?])\s*", text) if len(s.strip()) > 20]
    return pool


def build(articles: int) -> list[tuple[int, str]]:
    """(story number, text) for ``articles`` articles: stories of 1 to 5 versions, shuffled a little."""
    rng = random.Random(11)
    pool = sentence_pool()
    built: list[tuple[int, str]] = []
    story = 0
    while len(built) < articles:
        base = rng.sample(pool, 8)
        for version in range(rng.randint(1, 5)):
            sentences = list(base)
            if version:
                del sentences[rng.randrange(len(sentences))]
                sentences[0] = sentences[0].replace(sentences[0][:4], "Update: ", 1)
                sentences = [
                    "Home | World | Business | Sign in",
                    *sentences,
                    "© Example outlet. All rights reserved.",
                ]
            built.append((story, "\n".join(sentences)))
        story += 1
    built = built[:articles]
    # Versions of a story come close together, not one right after another.
    for i in range(0, len(built) - 3, 3):
        if rng.random() < 0.5:
            built[i + 1], built[i + 3] = built[i + 3], built[i + 1]
    return built


async def run(url: str, label: str, articles: int) -> None:
    await reset_database(url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    built = build(articles)
    now = datetime.now(UTC)
    async with session_scope(sessions) as session:
        rows = [
            StoredArticle(
                content_hash=f"h{n}",
                title=f"Article {n}",
                language="en",
                fetched_at=now,
                published_at=now,
                structure={"lead": [text]},  # the body, as the tick reads it back
            )
            for n, (_story, text) in enumerate(built)
        ]
        session.add_all(rows)
        await session.flush()
        ids = [row.id for row in rows]
    started = time.perf_counter()
    async with session_scope(sessions) as session:
        for n, (_story, text) in enumerate(built):
            row = rows[n]
            article = Article(title=row.title, language="en", lead=(text,), sections=())
            await story_queries.assign_story(session, row=row, article=article, now=now)
            if n % 500 == 499:
                await session.commit()
    one_by_one = time.perf_counter() - started
    print(
        f"{label:<10} {_grouping(await _found(sessions, ids), built, ids)}, one by one as stored: "
        f"{one_by_one:.1f} s ({1000 * one_by_one / len(built):.1f} ms an article)",
        flush=True,
    )
    async with session_scope(sessions) as session:  # as before stories existed
        await session.exec(update(StoredArticle).values(story_id=None, signature=None))
        await session.exec(delete(ArticleBand))
    started = time.perf_counter()
    while True:
        async with session_scope(sessions) as session:
            rows_left, texts = await story_queries.unassigned_articles(session, limit=1_000)
            if not rows_left:
                break
            await story_queries.assign_stories(session, rows=rows_left, texts=texts)
    batched = time.perf_counter() - started
    print(
        f"{label:<10} {_grouping(await _found(sessions, ids), built, ids)}, in batches of 1,000: "
        f"{batched:.1f} s ({1000 * batched / len(built):.2f} ms an article)",
        flush=True,
    )
    await engine.dispose()


async def _found(sessions, ids: list[int]) -> dict[int, int]:
    async with session_scope(sessions) as session:
        return await story_queries.story_versions(session, article_ids=ids)


def _grouping(found: dict[int, int], built: list[tuple[int, str]], ids: list[int]) -> str:
    built_groups: dict[int, set[int]] = {}
    found_groups: dict[int, set[int]] = {}
    for n, (story, _text) in enumerate(built):
        built_groups.setdefault(story, set()).add(ids[n])
        found_groups.setdefault(found[ids[n]], set()).add(ids[n])
    whole = sum(1 for group in built_groups.values() if group in found_groups.values())
    return f"{len(built)} articles, {whole} of {len(built_groups)} stories found whole and unmixed"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    if "sqlite" in args.databases:
        await run(sqlite_url(Path(tempfile.mkdtemp(prefix="bench-stories-"))), "SQLite", args.articles)
    if "postgresql" in args.databases:
        url = await create_postgres_database("digestbot_bench_stories", POSTGRES_SERVER)
        try:
            await run(url, "PostgreSQL", args.articles)
        finally:
            await drop_postgres_database(url)


if __name__ == "__main__":
    asyncio.run(main())
