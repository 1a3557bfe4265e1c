"""Stories: an article joins the story of a near-duplicate stored in the window before it.

Candidates come from the database by band key (``article_band``, the LSH index every worker
shares), among articles fetched within ``STORY_WINDOW`` before it; the most similar one at or
above ``digests.stories.SAME_STORY`` gives its story id, else the article starts a story of its
own. ``assign_stories`` groups a batch at once (one candidate query, bulk writes): the tick uses
it for articles stored before stories existed; ``assign_story`` is the batch of one a new
article is.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

import digests
from storage.models import ArticleBand, StoredArticle, StoredSection, stored_id

STORY_WINDOW = timedelta(hours=48)
_KEYS_PER_QUERY = 5_000
_MATCHES_PER_ARTICLE = 300  # band matches read for each article grouped


BOILERPLATE_SAMPLE = 8  # the source's most recent other articles a new one is compared with
_BOILERPLATE_MIN_CHARS = 40  # shorter paragraphs ("Share", a dateline) are left to noise removal
# In StoredArticle.structure: signed knowing its site's boilerplate.
_SIGNED_WITHOUT = "signed_without_boilerplate"


def story_text(article: digests.Article, *, boilerplate: Collection[str] = ()) -> str:
    """What stories compare: the body (lead and paragraphs), not the title or headings, which
    outlets rewrite; without the paragraphs its site repeats on other pages (a footer, a
    disclaimer, a standing note) — unless too little is left to compare (a repost)."""
    return _body_text(article.paragraphs, article.title, boilerplate)


def _body_text(paragraphs: Sequence[str], title: str, boilerplate: Collection[str]) -> str:
    from digests.stories import MIN_SHINGLES

    body = [p for p in paragraphs if p.strip() not in boilerplate]
    own = "\n".join(body)
    if len(body) < len(paragraphs) and len(own) >= MIN_SHINGLES:
        return own
    return "\n".join(paragraphs) or title


async def source_boilerplate(
    session: AsyncSession, *, row: StoredArticle, article: digests.Article
) -> tuple[frozenset[str], list[StoredArticle]]:
    """The paragraphs of ``article`` that its source's recent other articles hold too, and
    those articles that were signed before their site's boilerplate was known."""
    if row.source_id is None:
        return frozenset(), []
    mine = {p.strip() for p in article.paragraphs if len(p.strip()) >= _BOILERPLATE_MIN_CHARS}
    if not mine:
        return frozenset(), []
    recent = (
        await session.exec(
            select(StoredArticle)
            .where(col(StoredArticle.source_id) == row.source_id, col(StoredArticle.id) != row.id)
            .order_by(col(StoredArticle.fetched_at).desc())
            .limit(BOILERPLATE_SAMPLE)
        )
    ).all()
    if not recent:
        return frozenset(), []
    paragraphs: dict[int, set[str]] = {
        other.id or 0: {p.strip() for p in (other.structure or {}).get("lead", ())} for other in recent
    }
    sections = await session.exec(
        select(StoredSection.article_id, StoredSection.paragraphs).where(
            col(StoredSection.article_id).in_(list(paragraphs))
        )
    )
    for article_id, found in sections.all():
        paragraphs[article_id].update(p.strip() for p in found)
    shared = frozenset(p for p in mine if any(p in found for found in paragraphs.values()))
    stale = [
        other
        for other in recent
        if shared & paragraphs[other.id or 0] and not (other.structure or {}).get(_SIGNED_WITHOUT)
    ]
    return shared, stale


async def assign_story(
    session: AsyncSession,
    *,
    row: StoredArticle,
    article: digests.Article,
    now: datetime,
    keep_story: bool = False,
) -> None:
    """Sign one article (without its site's boilerplate), index its bands, and give it a story
    (``keep_story``: an edited article keeps the story it has). Articles of the site signed
    before its boilerplate was known are signed again without it, keeping their stories."""
    boilerplate, stale = await source_boilerplate(session, row=row, article=article)
    if stale:
        texts = {}
        for other in stale:
            found = await session.exec(
                select(StoredSection.paragraphs)
                .where(col(StoredSection.article_id) == other.id)
                .order_by(col(StoredSection.position))
            )
            body = [*(other.structure or {}).get("lead", ()), *(p for part in found.all() for p in part)]
            texts[other.id or 0] = _body_text(body, other.title, boilerplate)
            other.structure = {**(other.structure or {}), _SIGNED_WITHOUT: True}
        await assign_stories(session, rows=stale, texts=texts, keep_story=True)  # each at its own time
    if boilerplate:
        row.structure = {**(row.structure or {}), _SIGNED_WITHOUT: True}
    text = story_text(article, boilerplate=boilerplate)
    await assign_stories(session, rows=[row], texts={row.id or 0: text}, now=now, keep_story=keep_story)


async def assign_stories(
    session: AsyncSession,
    *,
    rows: Sequence[StoredArticle],
    texts: dict[int, str],
    now: datetime | None = None,
    keep_story: bool = False,
) -> None:
    """Sign ``rows`` (their body ``texts`` by id), in order, and give each a story: a
    near-duplicate's stored in the window before it (or earlier in the batch), else its own.
    ``now`` is when they are stored (default: each row's ``fetched_at``)."""
    from digests.stories import band_keys, signature  # rensa: loaded with the first story

    signatures = await asyncio.to_thread(lambda: {i: signature(text) for i, text in texts.items()})
    bands = {i: band_keys(packed) for i, packed in signatures.items() if packed is not None}
    when = {row.id: now or row.fetched_at for row in rows}
    stored = await _stored_candidates(
        session,
        keys={key for keys in bands.values() for key in keys},
        since=min(when.values(), default=now or datetime.max) - STORY_WINDOW,
        exclude={row.id for row in rows},
        limit=_MATCHES_PER_ARTICLE * max(1, len(rows)),
    )
    by_band: dict[int, list[tuple[int, int, bytes, datetime]]] = defaultdict(list)
    for key, candidate in stored:
        by_band[key].append(candidate)
    new_bands = []
    replaced = [row.id for row in rows if row.signature is not None]  # edited: old bands go
    for row in rows:
        packed = signatures.get(row.id or 0)
        if row.story_id is None or not keep_story:
            row.story_id = _best_story(packed, bands.get(row.id or 0, []), by_band, when[row.id]) or row.id
        row.signature = packed
        session.add(row)
        for key in set(bands.get(row.id or 0, [])):
            new_bands.append({"band_key": key, "article_id": row.id})
            by_band[key].append((row.id or 0, row.story_id or 0, packed or b"", when[row.id]))
    if replaced:
        await session.exec(delete(ArticleBand).where(col(ArticleBand.article_id).in_(replaced)))
    if new_bands:
        await session.exec(insert(ArticleBand), params=new_bands)


def _best_story(
    packed: bytes | None,
    keys: Sequence[int],
    by_band: dict[int, list[tuple[int, int, bytes, datetime]]],
    at: datetime,
) -> int | None:
    from digests.stories import PERMUTATIONS, SAME_STORY, similarities

    if packed is None:
        return None
    candidates: dict[int, tuple[int, bytes]] = {}
    for key in keys:
        for other_id, other_story, other_signature, other_at in by_band.get(key, ()):
            if at - STORY_WINDOW <= other_at <= at and len(other_signature) == 4 * PERMUTATIONS:
                candidates[other_id] = (other_story or other_id, other_signature)
    if not candidates:
        return None
    stories = [story for story, _ in candidates.values()]
    scores = similarities(packed, [other for _, other in candidates.values()])
    best = max(range(len(scores)), key=scores.__getitem__)
    return stories[best] if scores[best] >= SAME_STORY else None


async def _stored_candidates(
    session: AsyncSession,
    *,
    keys: Collection[int],
    since: datetime,
    exclude: Collection[int | None],
    limit: int,
) -> list[tuple[int, tuple[int, int, bytes, datetime]]]:
    """(band key, (id, story, signature, fetched)) of stored articles sharing one of ``keys``."""
    found = []
    ordered = sorted(keys)
    for start in range(0, len(ordered), _KEYS_PER_QUERY):
        statement = (
            select(
                ArticleBand.band_key,
                StoredArticle.id,
                StoredArticle.story_id,
                StoredArticle.signature,
                StoredArticle.fetched_at,
            )  # type: ignore[call-overload]  # SQLModel types select() up to four columns
            .join(StoredArticle, col(StoredArticle.id) == ArticleBand.article_id)
            .where(
                col(ArticleBand.band_key).in_(ordered[start : start + _KEYS_PER_QUERY]),
                col(StoredArticle.fetched_at) >= since,
                col(StoredArticle.signature).is_not(None),
                col(StoredArticle.id).not_in([i for i in exclude if i is not None]),
            )
            # Templated pages share bands by the thousand: read a bounded number of matches,
            # unsorted, so that the query stops early instead of sorting them all.
            .limit(limit)
        )
        for key, article_id, story, packed, fetched in (await session.exec(statement)).all():
            found.append((int(key), (int(article_id), int(story or article_id), packed, fetched)))
    return found


async def unassigned_articles(
    session: AsyncSession, *, limit: int = 1_000
) -> tuple[list[StoredArticle], dict[int, str]]:
    """Articles stored before stories were grouped, oldest first, with their body texts."""
    rows = list(
        (
            await session.exec(
                select(StoredArticle)
                .where(col(StoredArticle.story_id).is_(None))
                .order_by(col(StoredArticle.fetched_at))
                .limit(limit)
            )
        ).all()
    )
    bodies: dict[int, list[str]] = {row.id or 0: list(row.structure.get("lead", ())) for row in rows}
    sections = await session.exec(
        select(StoredSection.article_id, StoredSection.paragraphs)
        .where(col(StoredSection.article_id).in_(list(bodies)))
        .order_by(col(StoredSection.article_id), col(StoredSection.position))
    )
    for article_id, paragraphs in sections.all():
        bodies[article_id].extend(paragraphs)
    return rows, {
        i: "\n".join(parts) or next(r.title for r in rows if r.id == i) for i, parts in bodies.items()
    }


async def story_versions(session: AsyncSession, *, article_ids: Collection[int]) -> dict[int, int]:
    """Each article's story id (its own id when it has none)."""
    statement = select(StoredArticle.id, StoredArticle.story_id).where(
        col(StoredArticle.id).in_(list(article_ids))
    )
    return {stored_id(i): stored_id(story or i) for i, story in (await session.exec(statement)).all()}
