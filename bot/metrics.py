"""The Prometheus metrics every part of the bot counts into (one registry, served by
``bot.monitoring``)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

DELIVERIES = Counter(
    "digestbot_deliveries",
    "Digests handled by the delivery worker, by outcome",
    ["outcome"],  # sent, retry, failed, deactivated, flood_wait
    registry=REGISTRY,
)
SEND_SECONDS = Histogram(
    "digestbot_send_seconds",
    "Time to send one message to the Bot API",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
FLOOD_WAITS = Counter(
    "digestbot_telegram_429", "Answers 429 (flood control) from the Bot API", registry=REGISTRY
)
TICK_SECONDS = Histogram(
    "digestbot_tick_seconds", "Duration of one scheduler tick (polling and queueing)", registry=REGISTRY
)
POLL_SECONDS = Histogram("digestbot_poll_seconds", "Duration of one poll of one source", registry=REGISTRY)
POLL_ERRORS = Counter("digestbot_poll_errors", "Polls of a source that failed", registry=REGISTRY)
ARTICLES = Counter(
    "digestbot_articles_ingested", "Articles stored, new or updated", ["via"], registry=REGISTRY
)  # via: upload, feed, page
OUTBOX = Gauge("digestbot_outbox_rows", "Rows of the delivery outbox by state", ["state"], registry=REGISTRY)
LAST_TICK = Gauge(
    "digestbot_last_tick_timestamp_seconds", "When the scheduler last finished a tick", registry=REGISTRY
)
