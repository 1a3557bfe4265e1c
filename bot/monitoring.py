"""What operators look at: Prometheus metrics and a health check, served on a local port.

``/metrics`` is the Prometheus text format (the official client); ``/healthz`` is JSON:
whether the database answers, when the scheduler last ticked, the oldest pending delivery, and
how each background loop (delivery, polling) is doing.
The metrics themselves are in ``bot.metrics``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    generate_latest,
)
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

from bot.metrics import OUTBOX, registry
from bot.usecases.stats import collect_stats

if TYPE_CHECKING:
    from bot.usecases.runtime import Runtime

logger = logging.getLogger(__name__)


class MonitoringServer:
    """``/metrics`` and ``/healthz`` on ``host:port`` in the running event loop (tornado)."""

    def __init__(self, runtime: Runtime, *, host: str, port: int) -> None:
        self.runtime = runtime
        self.host = host
        self.port = port
        self._server: HTTPServer | None = None

    async def start(self) -> None:
        registry()  # counting starts now
        app = Application(
            [
                (r"/metrics", _MetricsHandler, {"runtime": self.runtime}),
                (r"/healthz", _HealthHandler, {"runtime": self.runtime}),
            ],
            log_function=lambda handler: None,
        )
        sockets = bind_sockets(self.port, address=self.host)
        self.port = sockets[0].getsockname()[1]  # port 0 (tests): the one the system chose
        server = HTTPServer(app)
        server.add_sockets(sockets)
        self._server = server
        logger.info("metrics and health on http://%s:%d/metrics and /healthz", self.host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


HEALTH_TIMEOUT = 0.8  # seconds the database has to answer /healthz: it answers within a second
_abandoned: set[asyncio.Task[Any]] = set()  # health queries given up on, until they end


def _forget(query: asyncio.Task[Any]) -> None:
    _abandoned.discard(query)
    if not query.cancelled():
        query.exception()  # retrieved: no "exception was never retrieved" in the log


async def health(runtime: Runtime) -> tuple[bool, dict[str, object]]:
    """(healthy, details): the database answers in time and every loop goes round; the last
    tick, the oldest pending row, each loop's state, last progress and restarts."""
    last_tick = runtime.last_tick_at
    # The query runs as a task of its own: a database that hangs can take its time to give up a
    # cancelled query, and /healthz does not wait for that.
    query = asyncio.ensure_future(collect_stats(runtime, failures=0))
    done, _ = await asyncio.wait({query}, timeout=HEALTH_TIMEOUT)
    if not done:
        query.cancel()
        _abandoned.add(query)
        query.add_done_callback(_forget)
        return False, {"status": "unhealthy", "database": f"no answer within {HEALTH_TIMEOUT:g} s"}
    try:
        numbers = query.result()
    except Exception as error:
        return False, {"status": "unhealthy", "database": f"{type(error).__name__}: {str(error)[:200]}"}
    for state, count in numbers.outbox.items():
        OUTBOX.labels(state=state).set(count)
    oldest = numbers.oldest_waiting
    # A loop that died and waits to restart, or went no round for too long, is unhealthy.
    loops_healthy = all(loop.healthy() for loop in runtime.loops.values())
    return loops_healthy, {
        "status": "ok" if loops_healthy else "unhealthy",
        "database": "ok",
        "last_tick": last_tick.isoformat(timespec="seconds") if last_tick else None,
        "oldest_pending": oldest.isoformat(timespec="seconds") if oldest else None,
        "outbox": numbers.outbox,
        "retrying": numbers.retrying,
        "loops": {name: loop.report() for name, loop in runtime.loops.items()},
    }


class _Handler(RequestHandler):
    def initialize(self, runtime: Runtime) -> None:
        self.runtime = runtime


class _MetricsHandler(_Handler):
    async def get(self) -> None:
        await health(self.runtime)  # refreshes the outbox gauges
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.finish(generate_latest(registry()))


class _HealthHandler(_Handler):
    async def get(self) -> None:
        healthy, details = await health(self.runtime)
        self.set_status(200 if healthy else 503)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(details))
