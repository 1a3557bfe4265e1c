"""Chats and their subscription: first contact, on and off, settings, and the sources they follow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.usecases.runtime import Runtime
from bot.usecases.schedules import next_digest_at
from storage import DigestFormat, DigestLength, Source, Subscriber, session_scope, stored_id, utcnow
from storage import deliveries as delivery_queries
from storage import sources as source_queries
from storage import subscribers as subscriber_queries


@dataclass(frozen=True, slots=True)
class ChatInfo:
    """What a front end knows of a chat when it first talks to it."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None


async def register_chat(runtime: Runtime, *, chat: ChatInfo, language: str) -> Subscriber:
    """The chat's row, created with the default settings on first contact; names kept current."""
    settings = runtime.settings
    async with session_scope(runtime.sessions) as session:
        return await subscriber_queries.ensure_subscriber(
            session,
            chat_id=chat.id,
            chat_type=chat.type,
            title=chat.title,
            username=chat.username,
            language=language,
            timezone=settings.default_timezone,
            schedule=settings.default_schedule,
        )


async def set_subscribed(runtime: Runtime, *, subscriber: Subscriber, subscribed: bool) -> bool:
    """Turn scheduled digests on or off; ``False`` when nothing changed. Leaving cancels what is queued."""
    async with session_scope(runtime.sessions) as session:
        session.add(subscriber)
        if subscribed:
            now = utcnow()
            due = next_digest_at(subscriber.schedule, subscriber.timezone, after=now)
            return await subscriber_queries.subscribe(
                session, subscriber=subscriber, next_digest_at=due, now=now
            )
        left = await subscriber_queries.unsubscribe(session, subscriber=subscriber)
        await delivery_queries.cancel_pending(
            session, subscriber_id=stored_id(subscriber.id), reason="unsubscribed"
        )
        return left


async def subscribe_chat(runtime: Runtime, *, chat: ChatInfo, language: str) -> tuple[Subscriber, bool]:
    """Register a chat and subscribe it (a channel added by an admin); ``True`` when newly subscribed."""
    subscriber = await register_chat(runtime, chat=chat, language=language)
    return subscriber, await set_subscribed(runtime, subscriber=subscriber, subscribed=True)


async def change_settings(
    runtime: Runtime,
    *,
    subscriber: Subscriber,
    schedule: str | None = None,
    timezone: str | None = None,
    digest_length: DigestLength | None = None,
    language: str | None = None,
    digest_format: DigestFormat | None = None,
) -> Subscriber:
    """Apply changes; a new schedule or timezone moves the next digest to its next slot."""
    due = subscriber.next_digest_at  # a digest due already stays due when only the length changes
    if schedule is not None or timezone is not None:
        due = next_digest_at(schedule or subscriber.schedule, timezone or subscriber.timezone, after=utcnow())
    async with session_scope(runtime.sessions) as session:
        session.add(subscriber)
        return await subscriber_queries.update_settings(
            session,
            subscriber=subscriber,
            schedule=schedule,
            timezone=timezone,
            digest_length=digest_length,
            language=language,
            digest_format=digest_format,
            next_digest_at=due,
        )


async def follow_source(runtime: Runtime, *, subscriber: Subscriber, source: Source | None) -> None:
    """Follow one more source (from then on only chosen ones), or all again (``None``); subscribes."""
    async with session_scope(runtime.sessions) as session:
        await source_queries.follow(
            session, subscriber=subscriber, source_id=None if source is None else source.id
        )
    await set_subscribed(runtime, subscriber=subscriber, subscribed=True)


async def unfollow_source(runtime: Runtime, *, subscriber: Subscriber, source: Source) -> None:
    """Stop following one source; following all turns into following all the others."""
    async with session_scope(runtime.sessions) as session:
        await source_queries.unfollow(session, subscriber=subscriber, source_id=stored_id(source.id))


async def set_topic(runtime: Runtime, *, subscriber: Subscriber, topic_id: int | None) -> None:
    """Send the chat's digests to this forum topic (``None``: General)."""
    async with session_scope(runtime.sessions) as session:
        await subscriber_queries.set_topic(session, subscriber=subscriber, topic_id=topic_id)


async def set_source_topic(
    runtime: Runtime, *, subscriber: Subscriber, source: Source, topic_id: int | None
) -> None:
    """Send one source's articles to this forum topic of the chat (``None``: the chat's topic)."""
    async with session_scope(runtime.sessions) as session:
        await subscriber_queries.set_source_topic(
            session, subscriber_id=stored_id(subscriber.id), source_id=stored_id(source.id), topic_id=topic_id
        )


async def followed_sources(runtime: Runtime, *, subscriber: Subscriber) -> Sequence[Source]:
    """The sources the chat chose; empty when it follows all."""
    async with session_scope(runtime.sessions) as session:
        return await source_queries.followed_sources(session, subscriber=subscriber)


async def list_subscribers(runtime: Runtime, *, active_only: bool, limit: int) -> Sequence[Subscriber]:
    """Every chat the bot knows, in the order it first talked to them."""
    async with session_scope(runtime.sessions) as session:
        return await subscriber_queries.list_subscribers(session, active_only=active_only, limit=limit)


async def list_channels(runtime: Runtime) -> Sequence[Subscriber]:
    """The channels the bot knows (subscribed or not)."""
    async with session_scope(runtime.sessions) as session:
        return await subscriber_queries.chats_of_type(session, chat_type="channel")


async def find_channel(runtime: Runtime, *, subscriber_id: int) -> Subscriber | None:
    """A channel the bot knows, by its row's id; ``None`` for any other chat."""
    async with session_scope(runtime.sessions) as session:
        row = await subscriber_queries.subscriber_by_id(session, subscriber_id=subscriber_id)
    return row if row is not None and row.chat_type == "channel" else None


async def find_chat(runtime: Runtime, *, reference: str) -> Subscriber | None:
    """A chat the bot knows, by ``@name`` or numeric id."""
    async with session_scope(runtime.sessions) as session:
        if reference.startswith("@"):
            return await subscriber_queries.subscriber_by_username(session, username=reference)
        try:
            chat_id = int(reference)
        except ValueError:
            return None
        return await subscriber_queries.get_subscriber(session, chat_id=chat_id)


async def chat_language(runtime: Runtime, *, chat_id: int) -> str | None:
    """The interface language a chat chose, if the bot knows the chat."""
    async with session_scope(runtime.sessions) as session:
        row = await subscriber_queries.get_subscriber(session, chat_id=chat_id)
    return row.language if row else None
