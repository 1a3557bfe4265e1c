"""Subscribing a chat to scheduled digests and leaving them."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.handlers.common import managed_chat_state, send_html, services
from bot.schedules import next_digest_at
from bot.texts import Texts
from storage import Source, Subscriber, session_scope, utcnow
from storage import deliveries as delivery_queries
from storage import sources as source_queries
from storage import subscribers as subscriber_queries


def describe_schedule(schedule: str, texts: Texts) -> str:
    """A schedule spec in the reader's words."""
    if schedule in ("instant", "off"):
        return texts(f"schedule_{schedule}")
    time, _, days = schedule.partition(" ")
    return texts("schedule_days", time=time, days=days) if days else texts("schedule_daily", time=time)


async def _source_choice(
    update: Update, context: ContextTypes.DEFAULT_TYPE, texts: Texts
) -> Source | bool | None:
    """The source named by /subscribe ID or /unsubscribe ID; ``True`` for "all"; ``False`` after a reply."""
    from bot.handlers.sources import source_from_arguments

    if context.args and context.args[0].lower() in ("all", "全部"):
        return True
    source = await source_from_arguments(update, context, texts, "follow_usage")
    return False if source is None else source


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Start scheduled digests for this chat: /subscribe, or /subscribe ID for one source."""
    state = await managed_chat_state(update, context)
    if state is None:
        return
    subscriber, texts = state
    if context.args:
        choice = await _source_choice(update, context, texts)
        if choice is False:
            return
        async with session_scope(services(context).sessions) as session:
            await source_queries.follow(
                session, subscriber=subscriber, source_id=None if choice is True else choice.id
            )
        await set_subscribed(context, subscriber, subscribed=True)
        reply = (
            texts("following_all")
            if choice is True
            else texts("following_source", id=choice.id, title=choice.title or choice.url)
        )
        await send_html(update, context, [reply])
        return
    changed = await set_subscribed(context, subscriber, subscribed=True)
    key = "subscribed" if changed else "already_subscribed"
    await send_html(
        update,
        context,
        [texts(key, schedule=describe_schedule(subscriber.schedule, texts), timezone=subscriber.timezone)],
    )


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop scheduled digests for this chat: /unsubscribe, or /unsubscribe ID for one source."""
    state = await managed_chat_state(update, context)
    if state is None:
        return
    subscriber, texts = state
    if context.args:
        choice = await _source_choice(update, context, texts)
        if choice is False or choice is True:
            if choice is True:
                await send_html(update, context, [texts("follow_usage")])
            return
        async with session_scope(services(context).sessions) as session:
            await source_queries.unfollow(session, subscriber=subscriber, source_id=choice.id)
        await send_html(
            update, context, [texts("unfollowed_source", id=choice.id, title=choice.title or choice.url)]
        )
        return
    changed = await set_subscribed(context, subscriber, subscribed=False)
    await send_html(update, context, [texts("unsubscribed" if changed else "not_subscribed")])


async def set_subscribed(
    context: ContextTypes.DEFAULT_TYPE, subscriber: Subscriber, *, subscribed: bool
) -> bool:
    """Turn scheduled digests on or off; ``False`` when nothing changed."""
    async with session_scope(services(context).sessions) as session:
        session.add(subscriber)
        if subscribed:
            now = utcnow()
            due = next_digest_at(subscriber.schedule, subscriber.timezone, after=now)
            return await subscriber_queries.subscribe(
                session, subscriber=subscriber, next_digest_at=due, now=now
            )
        left = await subscriber_queries.unsubscribe(session, subscriber=subscriber)
        await delivery_queries.cancel_pending(session, subscriber_id=subscriber.id, reason="unsubscribed")
        return left
