"""The Prometheus metrics every part of the bot counts into (one registry, served by
``bot.monitoring``).

Counted only in a process that serves them: ``registry()`` (called when the monitoring server
starts) creates them; until then every metric is a no-op and prometheus_client, with its HTTP
exposition modules, is not imported — a process without MONITORING_PORT saves that memory.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry


_METRICS: list[Metric] = []


class Metric:
    """One metric, by name: the real one once the registry exists, else nothing happens."""

    def __init__(self, build: Callable[[CollectorRegistry], Any]) -> None:
        self._build = build
        self._real: Any = None
        _METRICS.append(self)

    def labels(self, *values: str, **names: str) -> Any:
        return self._real.labels(*values, **names) if self._real is not None else _IGNORED

    def inc(self, amount: float = 1) -> None:
        if self._real is not None:
            self._real.inc(amount)

    def set(self, value: float) -> None:
        if self._real is not None:
            self._real.set(value)

    def time(self) -> contextlib.AbstractContextManager[Any]:
        return self._real.time() if self._real is not None else contextlib.nullcontext()


class _Ignored:
    """What ``labels()`` gives before the registry exists."""

    def inc(self, amount: float = 1) -> None:
        pass

    def set(self, value: float) -> None:
        pass


_IGNORED = _Ignored()


def _counter(name: str, documentation: str, labels: tuple[str, ...] = ()) -> Metric:
    def build(registry: CollectorRegistry) -> Any:
        from prometheus_client import Counter

        return Counter(name, documentation, labels, registry=registry)

    return Metric(build)


def _gauge(name: str, documentation: str, labels: tuple[str, ...] = ()) -> Metric:
    def build(registry: CollectorRegistry) -> Any:
        from prometheus_client import Gauge

        return Gauge(name, documentation, labels, registry=registry)

    return Metric(build)


def _histogram(name: str, documentation: str, buckets: tuple[float, ...] | None = None) -> Metric:
    def build(registry: CollectorRegistry) -> Any:
        from prometheus_client import Histogram

        if buckets:
            return Histogram(name, documentation, registry=registry, buckets=buckets)
        return Histogram(name, documentation, registry=registry)

    return Metric(build)


DELIVERIES = _counter(
    "digestbot_deliveries",
    "Digests handled by the delivery worker, by outcome",
    ("outcome",),  # sent, retry, failed, deactivated, flood_wait
)
SEND_SECONDS = _histogram(
    "digestbot_send_seconds",
    "Time to send one message to the Bot API",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
FLOOD_WAITS = _counter("digestbot_telegram_429", "Answers 429 (flood control) from the Bot API")
TICK_SECONDS = _histogram("digestbot_tick_seconds", "Duration of one scheduler tick (polling and queueing)")
POLL_SECONDS = _histogram("digestbot_poll_seconds", "Duration of one poll of one source")
POLL_ERRORS = _counter("digestbot_poll_errors", "Polls of a source that failed")
ARTICLES = _counter(
    "digestbot_articles_ingested", "Articles stored, new or updated", ("via",)
)  # upload, feed…
OUTBOX = _gauge("digestbot_outbox_rows", "Rows of the delivery outbox by state", ("state",))
LOOP_RESTARTS = _counter(
    "digestbot_loop_restarts", "Background loops (delivery, polling) restarted after an error", ("loop",)
)
LAST_TICK = _gauge("digestbot_last_tick_timestamp_seconds", "When the scheduler last finished a tick")
_ALL = (
    DELIVERIES,
    SEND_SECONDS,
    FLOOD_WAITS,
    TICK_SECONDS,
    POLL_SECONDS,
    POLL_ERRORS,
    ARTICLES,
    OUTBOX,
    LOOP_RESTARTS,
    LAST_TICK,
)


@cache
def registry() -> CollectorRegistry:
    """The registry with every metric, created on the first call; counting starts then."""
    from prometheus_client import CollectorRegistry

    created = CollectorRegistry(auto_describe=True)
    for metric in _METRICS:
        metric._real = metric._build(created)
    return created
