"""The numbers an operator looks at: subscribers, articles, and the outbox with its failures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.usecases.runtime import Runtime
from storage import articles as article_queries
from storage import deliveries as delivery_queries
from storage import session_scope, utcnow
from storage import subscribers as subscriber_queries
from storage.deliveries import Failure


@dataclass(frozen=True, slots=True)
class Stats:
    """Chats by state (total, active, inactive, deactivated), articles, sent items by state."""

    subscribers: dict[str, int]
    articles: int
    outbox: dict[str, int]
    retrying: int  # pending rows that failed to send and wait for their next try
    oldest_waiting: datetime | None
    failures: list[Failure]


async def collect_stats(runtime: Runtime, *, failures: int = 5) -> Stats:
    """One consistent look at the database."""
    async with session_scope(runtime.sessions) as session:
        return Stats(
            subscribers=await subscriber_queries.subscriber_counts(session),
            articles=await article_queries.count_articles(session),
            outbox=await delivery_queries.delivery_counts(session),
            retrying=await delivery_queries.retrying_count(session, now=utcnow()),
            oldest_waiting=await delivery_queries.oldest_pending(session),
            failures=await delivery_queries.recent_failures(session, limit=failures),
        )
