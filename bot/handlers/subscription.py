"""Subscribing a chat to scheduled digests and leaving them."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.handlers.common import chat_state, may_manage_chat, send_html, services
from bot.schedules import next_digest_at
from bot.texts import Texts
from storage import Subscriber, session_scope, utcnow
from storage import deliveries as delivery_queries
from storage import subscribers as subscriber_queries


def describe_schedule(schedule: str, texts: Texts) -> str:
    """A schedule spec in the reader's words."""
    if schedule in ("instant", "off"):
        return texts(f"schedule_{schedule}")
    time, _, days = schedule.partition(" ")
    return texts("schedule_days", time=time, days=days) if days else texts("schedule_daily", time=time)


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Start scheduled digests for this chat: /subscribe."""
    subscriber, texts = await chat_state(update, context)
    if not await may_manage_chat(update, context):
        await send_html(update, context, [texts("group_admins_only")])
        return
    changed = await set_subscribed(context, subscriber, subscribed=True)
    key = "subscribed" if changed else "already_subscribed"
    await send_html(
        update,
        context,
        [texts(key, schedule=describe_schedule(subscriber.schedule, texts), timezone=subscriber.timezone)],
    )


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop scheduled digests for this chat: /unsubscribe."""
    subscriber, texts = await chat_state(update, context)
    if not await may_manage_chat(update, context):
        await send_html(update, context, [texts("group_admins_only")])
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
