"""A large synthetic search corpus, stored fast, and the plain SQL search to compare with.

Shared by the search tests and ``benchmarks/bench_search.py``. Articles are rows of words drawn
from an English and a Chinese vocabulary, so that a word's share of the articles is known: the
first word of each language is in about 45 % of them, the later ones in fewer and fewer. The
index rows hold what ``storage.search.index_article`` would store (``digests.search.search_terms``
of each word), written in bulk.
"""

from __future__ import annotations

import random
import sqlite3
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import make_url

from digests.search import search_terms
from storage.db import is_sqlite

ENGLISH = [
    "harbour",
    "lighthouse",
    "keeper",
    "weather",
    "ferry",
    "storm",
    "tide",
    "market",
    "council",
    "school",
    "river",
    "bridge",
    "railway",
    "station",
    "museum",
    "library",
    "garden",
    "festival",
    "election",
    "budget",
    "hospital",
    "airport",
    "factory",
    "harvest",
]
CHINESE = [
    "经济",
    "市场",
    "政策",
    "发展",
    "国家",
    "政府",
    "企业",
    "银行",
    "投资",
    "公司",
    "技术",
    "教育",
    "医院",
    "城市",
    "农村",
    "交通",
    "能源",
    "环境",
    "文化",
    "旅游",
    "体育",
    "科学",
    "法律",
    "安全",
]
SHARE_OF_FIRST = 0.45  # the share of articles holding the first word of each vocabulary


def _words(rng: random.Random) -> list[str]:
    """One article's words: each vocabulary word with a probability that halves every four words."""
    chosen = []
    for vocabulary in (ENGLISH, CHINESE):
        for rank, word in enumerate(vocabulary):
            if rng.random() < SHARE_OF_FIRST * 0.5 ** (rank / 4):
                chosen.append(word)
    return chosen or [ENGLISH[-1]]


async def store_corpus(url: str, count: int, *, seed: int = 5) -> None:
    """``count`` articles and their index rows, published an hour apart (some at the same time)."""
    terms_of = {word: " ".join(search_terms(word)) for word in ENGLISH + CHINESE}
    rng = random.Random(seed)
    newest = datetime(2026, 11, 30, tzinfo=UTC)
    rows = []
    for n in range(1, count + 1):
        words = _words(rng)
        published = newest - timedelta(hours=n // 2)  # pairs share a time: the id breaks the tie
        rows.append(
            (n, f"Article {n}: {' '.join(words[:3])}", published, " ".join(terms_of[w] for w in words))
        )
    if is_sqlite(url):
        _store_sqlite(make_url(url).database or "", rows)
    else:
        await _store_postgresql(url, rows)


def _store_sqlite(path: str, rows: list[tuple[int, str, datetime, str]]) -> None:
    with sqlite3.connect(path) as connection:
        connection.executemany(
            "INSERT INTO article (id, content_hash, title, language, published_at, fetched_at, structure, announce) "
            "VALUES (?, ?, ?, 'en', ?, ?, '{}', 1)",
            [(n, f"{n:064x}", title, _sqlite_time(at), _sqlite_time(at)) for n, title, at, _ in rows],
        )
        connection.executemany(
            "INSERT INTO article_search (rowid, terms) VALUES (?, ?)", [(n, terms) for n, _, _, terms in rows]
        )


def _sqlite_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _store_postgresql(url: str, rows: list[tuple[int, str, datetime, str]]) -> None:
    import asyncpg

    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await connection.copy_records_to_table(
            "article",
            records=[(n, f"{n:064x}", title, "en", at, at, "{}", True) for n, title, at, _ in rows],
            columns=[
                "id",
                "content_hash",
                "title",
                "language",
                "published_at",
                "fetched_at",
                "structure",
                "announce",
            ],
        )
        await connection.executemany(
            "INSERT INTO article_search (article_id, document) VALUES ($1, to_tsvector('simple', $2))",
            [(n, terms) for n, _, _, terms in rows],
        )
        await connection.execute("SELECT setval('article_id_seq', (SELECT max(id) FROM article))")
        await connection.execute("ANALYZE article; ANALYZE article_search")
    finally:
        await connection.close()


PLAIN_SQLITE = (
    "SELECT article.id FROM article_search JOIN article ON article.id = article_search.rowid "
    "WHERE article_search MATCH ? ORDER BY article.published_at DESC, article.id DESC LIMIT ?"
)
PLAIN_POSTGRESQL = (
    "SELECT article.id FROM article_search JOIN article ON article.id = article_search.article_id "
    "WHERE article_search.document @@ plainto_tsquery('simple', $1) "
    "ORDER BY article.published_at DESC, article.id DESC LIMIT $2"
)


def plain_parameter(url: str, query: str) -> str:
    """The query's terms as the plain SQL takes them: an FTS5 match, or words for plainto_tsquery."""
    terms = search_terms(query, query=True)
    return " AND ".join(f'"{term}"' for term in terms) if is_sqlite(url) else " ".join(terms)


async def plain_search(url: str, query: str, *, limit: int = 10) -> tuple[list[int], float]:
    """The baseline: one SQL query written by hand (match, join, newest first, LIMIT) on the bare
    driver; the ids it finds and the seconds it took."""
    parameter = plain_parameter(url, query)
    if is_sqlite(url):
        with sqlite3.connect(make_url(url).database or "") as connection:
            started = time.perf_counter()
            ids = [row[0] for row in connection.execute(PLAIN_SQLITE, (parameter, limit))]
            return ids, time.perf_counter() - started
    import asyncpg

    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        started = time.perf_counter()
        records = await connection.fetch(PLAIN_POSTGRESQL, parameter, limit)
        return [record[0] for record in records], time.perf_counter() - started
    finally:
        await connection.close()


def share(count: int, word: str) -> float:
    """The expected share of articles holding ``word``."""
    for vocabulary in (ENGLISH, CHINESE):
        if word in vocabulary:
            return SHARE_OF_FIRST * 0.5 ** (vocabulary.index(word) / 4)
    raise KeyError(word)
