"""The outbox: claim queued digests, compose, send through a ``Sender``, record the outcome.

At-least-once: a row is marked sent right after its messages went out, so a crash repeats at
most the sends in flight. Outcomes change rows: sent; flood waits retry after ``retry_after``;
deactivated chats stop; a migrated group is moved and resent; refused markup is resent plain
once; a refused rich message is resent classic; outages (timeouts, network errors, 5xx, 401)
retry with capped, jittered backoff while the digest is fresh and pause all claiming; other
refusals fail with the reason. Every worker process registers and holds a liveness lock, so
the others put its claims back the moment it dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from datetime import timedelta

import digests
from bot.logs import OutageLog, is_database_error, safe
from bot.metrics import DELIVERIES, FLOOD_WAITS
from bot.settings import Settings
from bot.usecases.compose import ComposedMessage, Composer
from bot.usecases.loops import supervise
from bot.usecases.outbox.sender import Outcome, Sender, SendResult, Undelivered, send_in_best_form
from bot.usecases.runtime import Runtime
from storage import DigestFormat, session_scope, utcnow
from storage import deliveries as delivery_queries
from storage import subscribers as subscriber_queries
from storage import workers as worker_queries
from storage.deliveries import Claimed
from storage.locks import LivenessLock, worker_is_alive
from storage.subscribers import Recipient

logger = logging.getLogger(__name__)
_DEFAULTS = Settings.model_fields


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How the worker claims, paces and retries."""

    # The defaults are the settings' (one place for each: bot.settings).
    batch_size: int = _DEFAULTS["delivery_batch_size"].default
    # Sends in flight (not yet recorded): also the bound on duplicates after a crash.
    concurrency: int = _DEFAULTS["delivery_concurrency"].default
    lease: timedelta = timedelta(seconds=_DEFAULTS["delivery_lease_seconds"].default)
    max_attempts: int = _DEFAULTS["delivery_max_attempts"].default
    backoff_base: float = _DEFAULTS["delivery_backoff_seconds"].default
    backoff_max: float = 3600.0
    idle_wait: float = 2.0
    chat_interval: float = _DEFAULTS[
        "delivery_chat_interval_seconds"
    ].default  # between one digest's messages
    # While Telegram fails (timeouts, network errors, 5xx) a digest is retried as long as it is
    # this fresh; only definite refusals end it sooner.
    fresh: timedelta = timedelta(hours=_DEFAULTS["delivery_fresh_hours"].default)
    outage_after: int = 3  # failed sends in a row, across chats, that pause all claiming
    outage_pause_max: float = 60.0
    recovery_interval: float = 5.0  # how often claims of dead workers are looked for
    briefing_after: int = _DEFAULTS["briefing_after_articles"].default  # more articles: one briefing
    unrecorded_wait: float = 30.0  # at stop, how long sends the database missed may wait to be recorded

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliveryPolicy:
        return cls(
            batch_size=settings.delivery_batch_size,
            concurrency=settings.delivery_concurrency,
            lease=timedelta(seconds=settings.delivery_lease_seconds),
            max_attempts=settings.delivery_max_attempts,
            backoff_base=settings.delivery_backoff_seconds,
            chat_interval=settings.delivery_chat_interval_seconds,
            fresh=timedelta(hours=settings.delivery_fresh_hours),
            briefing_after=settings.briefing_after_articles,
        )


class Outbox:
    """Drains the outbox; one per process, any number of processes per database."""

    def __init__(
        self,
        sender: Sender,
        runtime: Runtime,
        policy: DeliveryPolicy | None = None,
        *,
        composer: Composer | None = None,
    ) -> None:
        self.sender = sender
        self.runtime = runtime
        self.policy = policy or DeliveryPolicy()
        self.composer = composer or Composer.from_settings(runtime)
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(self.policy.concurrency)
        self._marks: list[tuple[list[int], list[int], str, asyncio.Future[None]]] = []
        self._marking = asyncio.Lock()
        self.sent_messages = 0
        self.worker_id = str(uuid.uuid4())
        self._liveness = LivenessLock(runtime.engine, self.worker_id)
        self._failed_in_a_row = 0  # sends that failed for Telegram's reasons, across chats
        self._paused_until = 0.0  # monotonic: no claims before this while the Bot API fails
        self._pauses = 0  # pauses in a row
        self._next_recovery = 0.0
        self._telegram = OutageLog(logger, "the Telegram Bot API")
        # Set while sends can be recorded; sends whose marks failed wait in _unrecorded.
        self._recording = asyncio.Event()
        self._recording.set()
        self._unrecorded: list[tuple[list[int], list[int], str | None]] = []
        self._flushing: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[None]] = set()  # digests being delivered
        self._registered = False

    def wake(self) -> None:
        """Look at the outbox now rather than after the idle wait."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set; what is in flight then still finishes.

        Supervised (``bot.usecases.loops``): a bug in one round is logged and the loop starts
        again; the sends in flight meanwhile go on, and ``health`` tells ``/healthz``.
        """
        # The loop goes round every idle wait at least; a minute without a round is stuck.
        self.health = self.runtime.loop_health("delivery", stuck_after=60.0)
        try:
            await supervise(self.health, lambda: self._deliver_until(stop), stop)
        finally:
            if self._running:
                await asyncio.gather(*self._running, return_exceptions=True)
            if self._flushing is not None and not self._flushing.done():
                # What was sent is recorded before the worker lets go, while the database allows.
                done, _ = await asyncio.wait({self._flushing}, timeout=self.policy.unrecorded_wait)
                if not done:
                    self._flushing.cancel()
                    logger.error(
                        "%d sent digests could not be recorded: they go out again after their lease",
                        sum(len(ids) for ids, _, _ in self._unrecorded),
                    )
            if self._registered:
                await self._unregister()
            logger.info("delivery worker stopped")

    async def _deliver_until(self, stop: asyncio.Event) -> None:
        """The loop: claim while there is room, wait for room, a wake-up or the idle wait. The
        next batch is claimed while the last one is still sending, so the sends never stall at
        batch boundaries."""
        if not self._registered:
            await self._register()
            self._registered = True
            logger.info("delivery worker %s started", self.worker_id)
        running = self._running
        room = asyncio.Event()  # set when few enough digests are left in flight to claim more

        def finished(task: asyncio.Task[None]) -> None:
            running.discard(task)
            if len(running) < self.policy.concurrency:
                room.set()

        for task in running:
            task.add_done_callback(finished)
        while not stop.is_set():
            self.health.progress()
            if not self._recording.is_set():  # sends wait to be recorded: claim nothing meanwhile
                waiters = [asyncio.ensure_future(event.wait()) for event in (self._recording, stop)]
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
                for waiter in waiters:
                    waiter.cancel()
                continue
            if time.monotonic() >= self._next_recovery:
                await self._recover()
            pause = self._paused_until - time.monotonic()
            if pause > 0:  # Telegram is failing: let it breathe instead of failing row after row
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=min(pause, self.policy.idle_wait))
                continue
            if len(running) < self.policy.concurrency:
                try:
                    jobs = await self._claim()
                    self.runtime.database.answered()
                except Exception as error:
                    if not is_database_error(error):
                        raise
                    self.runtime.database.failed(error)
                    jobs = []
                for job in jobs:
                    task = asyncio.create_task(job)
                    running.add(task)
                    task.add_done_callback(finished)
                if jobs:
                    continue
            self._wake.clear()
            room.clear()
            waiters = [asyncio.ensure_future(event.wait()) for event in (self._wake, stop, room)]
            # Even with every slot taken the loop looks up now and then: it shows it is alive.
            await asyncio.wait(waiters, timeout=self.policy.idle_wait, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()

    async def _register(self) -> None:
        """Hold the liveness lock and register, then take back what dead workers had claimed."""
        await self._liveness.acquire()
        async with session_scope(self.runtime.sessions) as session:
            await worker_queries.register_worker(
                session, worker_id=self.worker_id, host=socket.gethostname(), pid=os.getpid(), now=utcnow()
            )
        await self._recover()

    async def _unregister(self) -> None:
        try:
            async with session_scope(self.runtime.sessions) as session:
                await worker_queries.forget_workers(session, worker_ids=[self.worker_id])
        except Exception as error:
            logger.warning("could not unregister worker %s: %s", self.worker_id, safe(error))
        await self._liveness.release()

    async def _recover(self) -> None:
        """Beat the heart; rows claimed by workers that died go back to pending at once."""
        self._next_recovery = time.monotonic() + self.policy.recovery_interval
        try:
            async with session_scope(self.runtime.sessions) as session:
                await worker_queries.heartbeat(session, worker_id=self.worker_id, now=utcnow())
                others = await worker_queries.other_workers(session, worker_id=self.worker_id)
            dead = [w.id for w in others if not await worker_is_alive(self.runtime.engine, w.id)]
            if dead:
                async with session_scope(self.runtime.sessions) as session:
                    released = await delivery_queries.release_claims(session, worker_ids=dead)
                    await worker_queries.forget_workers(session, worker_ids=dead)
                logger.info(
                    "%d deliveries claimed by %d workers that are gone: back in the queue",
                    released,
                    len(dead),
                )
            self.runtime.database.answered()
        except Exception as error:
            if not is_database_error(error):
                raise
            self.runtime.database.failed(error)

    async def drain_once(self) -> int:
        """Claim one batch and deliver it; the number of digests delivered or given up."""
        jobs = await self._claim()
        await asyncio.gather(*jobs)
        return len(jobs)

    async def _claim(self) -> list[Coroutine[object, object, None]]:
        """Claim a batch; one delivery coroutine per subscriber in it."""
        async with session_scope(self.runtime.sessions) as session:
            claimed = await delivery_queries.claim(
                session,
                now=utcnow(),
                lease=self.policy.lease,
                limit=self.policy.batch_size,
                worker_id=self.worker_id,
            )
            if not claimed:
                return []
            subscribers = await subscriber_queries.recipients(session, ids={c.subscriber_id for c in claimed})
            topics: dict[tuple[int, int], int] = {}
            if any(subscriber.chat_id < 0 for subscriber in subscribers.values()):  # forums are groups
                in_groups = [c for c in claimed if subscribers[c.subscriber_id].chat_id < 0]
                topics = await subscriber_queries.topics_of(
                    session, pairs={(c.subscriber_id, c.article_id) for c in in_groups}
                )
        # One digest per chat, or per forum topic of a chat where sources go to topics of their own.
        by_destination: dict[tuple[int, int | None], list[Claimed]] = defaultdict(list)
        for item in claimed:
            by_destination[item.subscriber_id, topics.get((item.subscriber_id, item.article_id))].append(item)
        articles = await self.runtime.renderer.load_articles(sorted({c.article_id for c in claimed}))
        return [
            self._deliver(subscribers[subscriber_id], items, articles, topic=topic)
            for (subscriber_id, topic), items in by_destination.items()
        ]

    async def compose(
        self,
        subscriber: Recipient,
        items: Sequence[Claimed],
        articles: dict[int, digests.Article],
        form: DigestFormat,
    ) -> list[ComposedMessage]:
        """What this subscriber receives for these rows, in this form."""
        return await self.composer.digest(
            article_ids=[c.article_id for c in items],
            articles=articles,
            length=subscriber.digest_length,
            language=subscriber.language,
            form=form,
        )

    async def _send_digest(
        self,
        subscriber: Recipient,
        items: Sequence[Claimed],
        articles: dict[int, digests.Article],
        *,
        topic: int | None = None,
    ) -> tuple[list[int], DigestFormat] | None:
        """Send in the chat's form (with its fallbacks) into its forum topic, following a
        migrated group once; a topic that is gone is forgotten and General gets the digest."""

        async def compose(form: DigestFormat) -> list[ComposedMessage]:
            return await self.compose(subscriber, items, articles, form)

        async def topic_gone(topic_id: int) -> None:
            async with session_scope(self.runtime.sessions) as session:
                await subscriber_queries.forget_topic(session, subscriber_id=subscriber.id, topic_id=topic_id)

        chat_id = subscriber.chat_id
        for last_try in (False, True):
            try:
                sent = await send_in_best_form(
                    self.sender,
                    chat_id,
                    compose,
                    rich=self.runtime.rich,
                    chat_choice=subscriber.digest_format,
                    interval=self.policy.chat_interval,
                    thread_id=topic,
                    topic_gone=topic_gone,
                )
            except Undelivered as undelivered:
                result = undelivered.result
                if result.outcome != Outcome.MOVED or result.new_chat_id is None or last_try:
                    raise
                logger.info("chat %s moved to %s; resending there", chat_id, result.new_chat_id)
                async with session_scope(self.runtime.sessions) as session:
                    await subscriber_queries.move_chat(
                        session, old_chat_id=chat_id, new_chat_id=result.new_chat_id
                    )
                chat_id = result.new_chat_id
                continue
            if sent is not None:
                self.sent_messages += len(sent[0])
            return sent
        return None

    async def _deliver(
        self,
        subscriber: Recipient,
        items: list[Claimed],
        articles: dict[int, digests.Article],
        *,
        topic: int | None = None,
    ) -> None:
        """Send one subscriber's digest and record what happened; never raises. Nothing is sent
        while sends cannot be recorded: an outage of the database repeats no digest."""
        ids = [c.delivery_id for c in items]
        attempts = max(c.attempts for c in items)
        async with self._slots:
            await self._recording.wait()
            try:
                sent = await self._send_digest(subscriber, items, articles, topic=topic)
            except Undelivered as undelivered:
                await self._recorded_or_left(self._undelivered(subscriber, items, undelivered.result))
                return
            except Exception as error:
                if is_database_error(error):  # composing read the database: the row waits its turn
                    self.runtime.database.failed(error)
                    return
                logger.exception("chat %s: unexpected error while delivering", subscriber.chat_id)
                await self._recorded_or_left(
                    self._retry_or_fail(subscriber, ids, attempts, f"{type(error).__name__}: {error}")
                )
                return
            if sent is None:
                await self._recorded_or_left(
                    self._update(delivery_queries.mark_failed, delivery_ids=ids, error="article not found")
                )
                return
            try:
                await self._mark_sent(ids, *sent)
            except Exception as error:
                if not is_database_error(error):
                    raise
                self._hold_unrecorded(ids, *sent, error)
                return
            self._telegram_answered()
            DELIVERIES.labels(outcome="sent").inc()

    async def _recorded_or_left(self, recording: Coroutine[object, object, None]) -> None:
        """Record an outcome other than sent; while the database fails, the row is left as it is
        (claimed: it comes back after its lease, or at once if this worker dies) — nothing was
        sent, so nothing repeats."""
        try:
            await recording
        except Exception as error:
            if not is_database_error(error):
                raise
            self.runtime.database.failed(error)

    def _hold_unrecorded(
        self, ids: list[int], message_ids: list[int], form: DigestFormat, error: BaseException
    ) -> None:
        """A send went out and its mark did not reach the database: keep it here, stop sending,
        and record it the moment the database answers (before anything else is sent)."""
        self.runtime.database.failed(error)
        self._unrecorded.append((ids, message_ids, str(form)))
        self._recording.clear()
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush_unrecorded(), name="outbox-unrecorded")

    async def _flush_unrecorded(self) -> None:
        """Record the held sends, retrying with backoff until the database takes them."""
        delay = 0.2
        while self._unrecorded:
            await asyncio.sleep(delay)
            batch = list(self._unrecorded)
            try:
                async with session_scope(self.runtime.sessions) as session:
                    await delivery_queries.mark_sent_many(session, sent=batch)
            except Exception as error:
                if not is_database_error(error):
                    logger.exception("could not record %d sent digests", len(batch))
                self.runtime.database.failed(error)
                delay = min(delay * 2, 5.0)
                continue
            del self._unrecorded[: len(batch)]
            self.runtime.database.answered()
            logger.info("recorded %d digests sent while the database was away", len(batch))
        self._recording.set()

    async def _undelivered(self, subscriber: Recipient, items: list[Claimed], result: SendResult) -> None:
        """What an outcome other than sent does to the rows."""
        ids = [c.delivery_id for c in items]
        if result.outcome == Outcome.RETRY:
            FLOOD_WAITS.inc()
            DELIVERIES.labels(outcome="flood_wait").inc()
            logger.warning(
                "flood control: retrying chat %s in %.0f s", subscriber.chat_id, result.retry_after
            )
            await self._update(
                delivery_queries.retry_later,
                delivery_ids=ids,
                available_at=utcnow() + timedelta(seconds=result.retry_after),
                error=result.reason,
                count_attempt=False,
            )
        elif result.outcome == Outcome.DEACTIVATE:
            await self._deactivate(subscriber, ids, result.reason)
        elif result.outcome == Outcome.TOKEN_OUTAGE:
            await self._outage(subscriber, items, result.reason)
        else:  # FAILED, or a fallback that was refused too
            logger.error("chat %s: Telegram refused the digest: %s", subscriber.chat_id, result.reason)
            await self._update(delivery_queries.mark_failed, delivery_ids=ids, error=result.reason)

    async def _deactivate(self, subscriber: Recipient, ids: list[int], reason: str) -> None:
        DELIVERIES.labels(outcome="deactivated").inc()
        logger.info("deactivating chat %s: %s", subscriber.chat_id, reason)
        async with session_scope(self.runtime.sessions) as session:
            await subscriber_queries.deactivate_by_id(session, subscriber_id=subscriber.id, reason=reason)
            await delivery_queries.mark_failed(session, delivery_ids=ids, error=reason)
            await delivery_queries.cancel_pending(session, subscriber_id=subscriber.id, reason=reason)

    def _telegram_answered(self) -> None:
        self._failed_in_a_row = 0
        self._pauses = 0
        self._paused_until = 0.0
        self._telegram.answered()

    async def _outage(self, subscriber: Recipient, items: list[Claimed], reason: str) -> None:
        """Telegram did not answer, or answered 5xx: not the digest's fault. Retry with capped,
        jittered backoff while the digest is fresh; pause all claiming when every send fails."""
        ids = [c.delivery_id for c in items]
        queued = min((c.queued_at for c in items if c.queued_at is not None), default=None)
        if queued is not None and utcnow() - queued > self.policy.fresh:
            logger.error(
                "chat %s: not delivered within %s; giving up: %s",
                subscriber.chat_id,
                self.policy.fresh,
                reason,
            )
            await self._update(
                delivery_queries.mark_failed,
                delivery_ids=ids,
                error=f"not delivered within {self.policy.fresh}: {reason}",
            )
            return
        attempts = max(c.attempts for c in items)
        delay = min(self.policy.backoff_max, self.policy.backoff_base * 2 ** min(attempts - 1, 30))
        delay *= random.uniform(0.8, 1.2)
        self._failed_in_a_row += 1
        if self._failed_in_a_row >= self.policy.outage_after and time.monotonic() >= self._paused_until:
            # A new pause: each one twice as long as the last, until a send gets through.
            self._telegram.failed(RuntimeError(reason))
            pause = min(self.policy.outage_pause_max, self.policy.backoff_base * 2 ** min(self._pauses, 30))
            self._pauses += 1
            self._paused_until = time.monotonic() + pause * random.uniform(0.8, 1.2)
        DELIVERIES.labels(outcome="retry").inc()
        logger.info("chat %s: %s; retry %d in %.0f s", subscriber.chat_id, safe(reason), attempts, delay)
        await self._update(
            delivery_queries.retry_later,
            delivery_ids=ids,
            available_at=utcnow() + timedelta(seconds=delay),
            error=reason,
        )

    async def _retry_or_fail(self, subscriber: Recipient, ids: list[int], attempts: int, reason: str) -> None:
        if attempts >= self.policy.max_attempts:
            logger.error("chat %s: giving up after %d attempts: %s", subscriber.chat_id, attempts, reason)
            await self._update(delivery_queries.mark_failed, delivery_ids=ids, error=reason)
            return
        delay = min(self.policy.backoff_max, self.policy.backoff_base * 2 ** (attempts - 1))
        logger.warning("chat %s: %s; retry %d in %.0f s", subscriber.chat_id, reason, attempts, delay)
        await self._update(
            delivery_queries.retry_later,
            delivery_ids=ids,
            available_at=utcnow() + timedelta(seconds=delay),
            error=reason,
        )

    async def _mark_sent(self, ids: list[int], message_ids: list[int], form: DigestFormat) -> None:
        """Record a send; returns once it is committed (the send's slot is held until then).

        Group commit: whoever takes the lock writes every mark that queued up meanwhile,
        so under load one transaction records many sends.
        """
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._marks.append((ids, message_ids, str(form), done))
        async with self._marking:
            if not done.done():
                batch, self._marks = self._marks, []
                try:
                    async with session_scope(self.runtime.sessions) as session:
                        await delivery_queries.mark_sent_many(
                            session, sent=[(i, m, f) for i, m, f, _ in batch]
                        )
                except Exception as error:
                    for *_values, future in batch:
                        future.set_exception(error)
                else:
                    for *_values, future in batch:
                        future.set_result(None)
        await done

    async def _update(self, query, **values: object) -> None:  # noqa: ANN001 - a storage query function
        if query is delivery_queries.mark_failed:
            DELIVERIES.labels(outcome="failed").inc()
        async with session_scope(self.runtime.sessions) as session:
            await query(session, **values)
