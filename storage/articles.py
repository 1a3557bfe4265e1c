"""Queries on articles and their sections, and conversion to the digest model."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime, time

from sqlalchemy import func, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

import digests
from storage.models import Source, SourceKind, StoredArticle, StoredSection, stored_id, utcnow


def content_hash(article: digests.Article) -> str:
    """A fingerprint of an article's text: the same text is stored once."""
    digest = hashlib.sha256()
    for part in (article.title, *article.lead):
        digest.update(part.encode("utf-8") + b"\x00")
    for section in article.sections:
        digest.update(section.heading.encode("utf-8") + b"\x01")
        for paragraph in section.paragraphs:
            digest.update(paragraph.encode("utf-8") + b"\x00")
    return digest.hexdigest()


def _structure(article: digests.Article) -> dict[str, object]:
    return {
        "title": article.title,
        "language": article.language,
        "lead": list(article.lead),
        "source": article.source,
        "published": article.published.isoformat() if article.published else None,
        "removed": dict(article.removed),
        "truncated": article.truncated,
    }


def to_digest_article(row: StoredArticle, sections: Sequence[StoredSection]) -> digests.Article:
    """The stored article as the digest engine's model."""
    from datetime import date

    structure = row.structure
    published = structure.get("published")
    return digests.Article(
        title=row.title,
        language=row.language,
        lead=tuple(structure.get("lead", ())),
        sections=tuple(
            digests.Section(
                index=s.position, heading=s.heading, paragraphs=tuple(s.paragraphs), label=s.label
            )
            for s in sorted(sections, key=lambda s: s.position)
        ),
        source=structure.get("source"),
        published=date.fromisoformat(published) if published else None,
        url=row.url,
        truncated=bool(structure.get("truncated")),
    )


async def save_article(
    session: AsyncSession,
    *,
    article: digests.Article,
    source_id: int | None = None,
    url: str | None = None,
    guid: str | None = None,
    published_at: datetime | None = None,
    now: datetime | None = None,
    entry_key: str | None = None,
    announce: bool = True,
    extra: Mapping[str, object] | None = None,
) -> tuple[StoredArticle, bool]:
    """Store an article and its sections (only that: ``bot.usecases.ingestion`` indexes it and
    gives it its story); the existing row and ``False`` when the text is known."""
    fingerprint = content_hash(article)
    existing = (
        await session.exec(select(StoredArticle).where(col(StoredArticle.content_hash) == fingerprint))
    ).first()
    if existing is not None:
        return existing, False
    now = now or utcnow()
    if published_at is None and article.published is not None:
        published_at = datetime.combine(article.published, time(), tzinfo=UTC)
        published_at = min(published_at, now)
    row = StoredArticle(
        source_id=source_id,
        url=url,
        guid=guid,
        content_hash=fingerprint,
        title=article.title[:1024],
        language=article.language,
        byline=(article.source or None) and article.source[:255],
        published_at=now if published_at is None else published_at,
        fetched_at=now,
        structure={**_structure(article), **(extra or {})},
        entry_key=entry_key,
        announce=announce,
    )
    session.add(row)
    await session.flush()
    await _add_sections(session, article_id=stored_id(row.id), article=article)
    return row, True


async def _add_sections(session: AsyncSession, *, article_id: int, article: digests.Article) -> None:
    for section in article.sections:
        session.add(
            StoredSection(
                article_id=article_id,
                position=section.index,
                heading=section.heading[:1024],
                label=section.label[:32],
                paragraphs=list(section.paragraphs),
            )
        )
    await session.flush()


async def update_article(
    session: AsyncSession,
    *,
    row: StoredArticle,
    article: digests.Article,
    extra: Mapping[str, object] | None = None,
) -> bool:
    """An edited entry: new text and sections in place; ``False`` when the text is the same."""
    fingerprint = content_hash(article)
    if fingerprint != row.content_hash:
        clash = (
            await session.exec(select(StoredArticle).where(col(StoredArticle.content_hash) == fingerprint))
        ).first()
        if clash is not None:
            return False  # the new text is stored already, as another article
    changed = fingerprint != row.content_hash
    row.content_hash = fingerprint
    row.title = article.title[:1024]
    row.language = article.language
    row.structure = {**_structure(article), **(extra or {})}
    session.add(row)
    if changed:
        for section in await article_sections(session, article_id=stored_id(row.id)):
            await session.delete(section)
        await session.flush()
        await _add_sections(session, article_id=stored_id(row.id), article=article)
    return changed


async def get_article(session: AsyncSession, *, article_id: int) -> StoredArticle | None:
    return await session.get(StoredArticle, article_id)


def visible_sql(chat: str) -> str:
    """SQL true for the articles a chat may read, ``chat`` the placeholder of its id (NULL for
    nobody's: an inline query, the CLI): everyone's sources' and uploads', and those of the
    sources only readers follow (/follow) when this chat is one of them."""
    # The readers' sources this chat does not follow: few, computed once per query (a hashed
    # list the database probes for each match, not a lookup per match).
    hidden = (
        "SELECT source.id FROM source WHERE NOT source.public AND NOT EXISTS (SELECT 1 FROM source_reader "
        "JOIN subscriber ON subscriber.id = source_reader.subscriber_id "
        f"WHERE source_reader.source_id = source.id AND subscriber.chat_id = {chat})"
    )
    return f"(article.source_id IS NULL OR article.source_id NOT IN ({hidden}))"


async def latest_article(session: AsyncSession, *, chat_id: int | None = None) -> StoredArticle | None:
    """The most recently published article the chat may read."""
    newest = await recent_articles(session, chat_id=chat_id, limit=1)
    return newest[0] if newest else None


async def readable_article(
    session: AsyncSession, *, article_id: int, chat_id: int | None
) -> StoredArticle | None:
    """The article, if the chat may read it (see ``visible_sql``)."""
    statement = select(StoredArticle).where(
        col(StoredArticle.id) == article_id, text(visible_sql(":chat")).bindparams(chat=chat_id)
    )
    return (await session.exec(statement)).first()


async def recent_articles(
    session: AsyncSession, *, chat_id: int | None = None, limit: int = 10
) -> Sequence[StoredArticle]:
    """The newest articles the chat may read (``None``: everyone's only), newest first."""
    statement = (
        select(StoredArticle)
        .where(text(visible_sql(":chat")).bindparams(chat=chat_id))
        .order_by(col(StoredArticle.published_at).desc(), col(StoredArticle.id).desc())
        .limit(limit)
    )
    return (await session.exec(statement)).all()


async def article_sections(session: AsyncSession, *, article_id: int) -> Sequence[StoredSection]:
    statement = (
        select(StoredSection)
        .where(col(StoredSection.article_id) == article_id)
        .order_by(col(StoredSection.position))
    )
    return (await session.exec(statement)).all()


async def content_hashes(session: AsyncSession, *, article_ids: Sequence[int]) -> dict[int, str]:
    """Each article's content hash by id: what a cache of their digests checks against."""
    statement = select(StoredArticle.id, StoredArticle.content_hash).where(
        col(StoredArticle.id).in_(article_ids)
    )
    return {article_id: digest for article_id, digest in (await session.exec(statement)).all() if article_id}


async def load_digest_article(session: AsyncSession, *, article: StoredArticle) -> digests.Article:
    """A stored article with its sections, as the digest engine's model."""
    return to_digest_article(article, await article_sections(session, article_id=stored_id(article.id)))


async def count_articles(session: AsyncSession) -> int:
    return int((await session.exec(select(func.count()).select_from(StoredArticle))).one())


async def upload_source(session: AsyncSession) -> Source:
    """The source that articles published by hand (uploads, /publish) belong to."""
    source = (await session.exec(select(Source).where(col(Source.kind) == SourceKind.UPLOAD))).first()
    if source is None:
        source = Source(kind=SourceKind.UPLOAD, title="Published by admins", paused=True)
        session.add(source)
        await session.flush()
    return source


async def filter_texts(session: AsyncSession, *, article_ids: Collection[int]) -> dict[int, tuple[str, str]]:
    """Each article's title and text (lead, headings, paragraphs): what keyword filters read."""
    if not article_ids:
        return {}
    ids = list(article_ids)
    rows = (
        await session.exec(
            select(StoredArticle.id, StoredArticle.title, StoredArticle.structure).where(
                col(StoredArticle.id).in_(ids)
            )
        )
    ).all()
    parts: dict[int, list[str]] = {
        stored_id(i): list((structure or {}).get("lead", ())) for i, _, structure in rows
    }
    titles = {stored_id(i): title for i, title, _ in rows}
    sections = await session.exec(
        select(StoredSection.article_id, StoredSection.heading, StoredSection.paragraphs)
        .where(col(StoredSection.article_id).in_(ids))
        .order_by(col(StoredSection.article_id), col(StoredSection.position))
    )
    for article_id, heading, paragraphs in sections.all():
        parts[article_id].extend([heading, *paragraphs])
    return {i: (titles[i], "\n".join(parts[i])) for i in titles}


async def announced_between(session: AsyncSession, *, after: datetime, until: datetime) -> list[int]:
    """Articles to announce fetched after ``after`` up to ``until``: what scheduled digests take."""
    statement = select(StoredArticle.id).where(
        col(StoredArticle.announce).is_(True),
        col(StoredArticle.fetched_at) > after,
        col(StoredArticle.fetched_at) <= until,
    )
    return [stored_id(i) for i in (await session.exec(statement)).all()]


async def origins(
    session: AsyncSession, *, article_ids: Collection[int]
) -> dict[int, tuple[str, str | None]]:
    """Where each article comes from, for a reader: (its source's title, else its host; its URL)."""
    from urllib.parse import urlsplit

    statement = (
        select(StoredArticle.id, StoredArticle.url, Source.title, Source.kind)
        .outerjoin(Source, col(Source.id) == StoredArticle.source_id)
        .where(col(StoredArticle.id).in_(list(article_ids)))
    )
    found = {}
    for article_id, url, title, kind in (await session.exec(statement)).all():
        host = (urlsplit(url).hostname or "") if url else ""
        name = (title if kind != SourceKind.UPLOAD else "") or host.removeprefix("www.")
        found[stored_id(article_id)] = (name, url)
    return found
