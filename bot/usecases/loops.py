"""Background loops that restart after a bug instead of stopping silently, and say how they are.

Delivery and polling run as loops of their own. An exception nothing expected is logged with
its traceback and counted, and the loop starts again after a backoff that doubles up to a
minute (and starts over once the loop has run well for a while). Each loop reports its last
progress, so ``/healthz`` can tell a loop that is dead, restarting or stuck.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.metrics import LOOP_RESTARTS

logger = logging.getLogger(__name__)


@dataclass
class LoopHealth:
    """How one loop is doing: running, restarting or stopped, and when it last made progress."""

    name: str
    stuck_after: float  # seconds without progress after which the loop counts as stuck
    running: bool = False
    stopped: bool = False  # ended because it was asked to
    restarts: int = 0
    last_error: str = ""
    last_progress: float = field(default_factory=time.monotonic)

    def progress(self) -> None:
        """The loop went round once (or finished a piece of work)."""
        self.last_progress = time.monotonic()

    def healthy(self, now: float | None = None) -> bool:
        if self.stopped:
            return True
        now = time.monotonic() if now is None else now
        return self.running and now - self.last_progress <= self.stuck_after

    def report(self) -> dict[str, object]:
        """What ``/healthz`` shows of this loop."""
        state = "stopped" if self.stopped else "running" if self.running else "restarting"
        if state == "running" and not self.healthy():
            state = "stuck"
        report: dict[str, object] = {
            "state": state,
            "seconds_since_progress": round(time.monotonic() - self.last_progress, 1),
            "restarts": self.restarts,
        }
        if self.last_error:
            report["last_error"] = self.last_error
        return report


async def supervise(
    health: LoopHealth,
    body: Callable[[], Awaitable[None]],
    stop: asyncio.Event,
    *,
    backoff: float = 1.0,
    backoff_max: float = 60.0,
) -> None:
    """Run ``body`` until it returns (it does when ``stop`` is set); after an unexpected exception,
    log it, count it and run it again after a backoff."""
    delay = backoff
    while True:
        health.running = True
        health.progress()
        started = time.monotonic()
        try:
            await body()
        except asyncio.CancelledError:
            health.running = False
            raise
        except Exception as error:
            health.running = False
            health.restarts += 1
            health.last_error = f"{type(error).__name__}: {str(error)[:200]}"
            LOOP_RESTARTS.labels(loop=health.name).inc()
            if time.monotonic() - started > 10 * backoff_max:
                delay = backoff  # it ran well for a while: this is a new episode
            logger.exception("the %s loop failed; it starts again in %.0f s", health.name, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
            delay = min(delay * 2, backoff_max)
            if stop.is_set():
                break
            continue
        break
    health.running = False
    health.stopped = True
