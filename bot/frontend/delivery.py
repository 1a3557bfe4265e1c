"""The delivery worker: claim queued items, render, send, record the outcome.

At-least-once: a row is marked sent right after its messages went out, so a
crash repeats at most the sends that were in flight. Telegram's answers map to
actions: 429 waits ``retry_after``; 403 and "chat not found" deactivate the
subscriber; ChatMigrated moves the chat and resends; "can't parse entities"
resends once as plain text; timeouts, network errors and 5xx retry with
exponential backoff, then fail with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import random
import socket
import time
import uuid
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

import digests
from bot.frontend.keyboards import articles_keyboard, briefing_keyboard, section_keyboard
from bot.frontend.texts import Texts, also_in_line, texts_for
from bot.logs import OutageLog, is_database_error, safe
from bot.metrics import DELIVERIES, FLOOD_WAITS, SEND_SECONDS
from bot.settings import Settings
from bot.usecases.runtime import Runtime
from digests.render import RenderFormat, briefing_block, pack_messages
from storage import articles as article_queries
from storage import deliveries as delivery_queries
from storage import session_scope, utcnow
from storage import stories as story_queries
from storage import subscribers as subscriber_queries
from storage import workers as worker_queries
from storage.deliveries import Claimed
from storage.locks import LivenessLock, worker_is_alive
from storage.subscribers import Recipient

logger = logging.getLogger(__name__)

# do_api_request bypasses the application's Defaults, so the parameters are spelled out here.
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_RENDERED_KEPT = 256  # rendered digests kept per worker, by (articles, length, format)
BRIEFING_ITEMS = 15  # stories per briefing message: 15 rows of at most 4 buttons stay under 100


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How the worker claims, paces and retries."""

    batch_size: int = 100
    concurrency: int = 16  # sends in flight (not yet recorded): also the bound on duplicates after a crash
    connections: int = 3  # of those, how many talk to Telegram at the same moment
    lease: timedelta = timedelta(seconds=120)
    max_attempts: int = 6
    backoff_base: float = 10.0
    backoff_max: float = 3600.0
    idle_wait: float = 2.0
    chat_interval: float = 1.0  # between the messages of one digest to one chat
    # While Telegram fails (timeouts, network errors, 5xx) a digest is retried as long as it is
    # this fresh; only definite refusals end it sooner.
    fresh: timedelta = timedelta(hours=24)
    outage_after: int = 3  # failed sends in a row, across chats, that pause all claiming
    outage_pause_max: float = 60.0
    recovery_interval: float = 5.0  # how often claims of dead workers are looked for
    briefing_after: int = 3  # a digest of more articles comes as one briefing (not at length long)

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliveryPolicy:
        return cls(
            batch_size=settings.delivery_batch_size,
            concurrency=settings.delivery_concurrency,
            connections=settings.telegram_connections,
            lease=timedelta(seconds=settings.delivery_lease_seconds),
            max_attempts=settings.delivery_max_attempts,
            backoff_base=settings.delivery_backoff_seconds,
            chat_interval=settings.delivery_chat_interval_seconds,
            fresh=timedelta(hours=settings.delivery_fresh_hours),
            briefing_after=settings.briefing_after_articles,
        )


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message of a digest, its keyboard serialized once for every subscriber it goes to."""

    text: str
    reply_markup: InlineKeyboardMarkup | None
    markup_json: str | None = field(default=None, init=False, compare=False)

    def __post_init__(self) -> None:
        if self.reply_markup is not None:
            markup = json.dumps(self.reply_markup.to_dict(), ensure_ascii=False, separators=(",", ":"))
            object.__setattr__(self, "markup_json", markup)


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB warns while it moves from int to timedelta
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class DeliveryWorker:
    """Drains the outbox; one per process, any number of processes per database."""

    def __init__(self, bot: Bot, runtime: Runtime, policy: DeliveryPolicy | None = None) -> None:
        self.bot = bot
        self.runtime = runtime
        self.policy = policy or DeliveryPolicy()
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(self.policy.concurrency)
        self._connections = asyncio.Semaphore(self.policy.connections)
        self._marks: list[tuple[list[int], list[int], asyncio.Future[None]]] = []
        self._outgoing: OrderedDict[tuple[object, ...], list[Outgoing]] = OrderedDict()
        self._marking = asyncio.Lock()
        self.sent_messages = 0
        self.worker_id = str(uuid.uuid4())
        self._liveness = LivenessLock(runtime.engine, self.worker_id)
        self._failed_in_a_row = 0  # sends that failed for Telegram's reasons, across chats
        self._paused_until = 0.0  # monotonic: no claims before this while the Bot API fails
        self._pauses = 0  # pauses in a row
        self._next_recovery = 0.0
        self._telegram = OutageLog(logger, "the Telegram Bot API")

    def wake(self) -> None:
        """Look at the outbox now rather than after the idle wait."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set; what is in flight then still finishes.

        The next batch is claimed while the last one is still sending, so the
        sends never stall at batch boundaries.
        """
        await self._register()
        logger.info("delivery worker %s started", self.worker_id)
        running: set[asyncio.Task[None]] = set()
        room = asyncio.Event()  # set when few enough digests are left in flight to claim more

        def finished(task: asyncio.Task[None]) -> None:
            running.discard(task)
            if len(running) < self.policy.concurrency:
                room.set()

        while not stop.is_set():
            if time.monotonic() >= self._next_recovery:
                await self._recover()
            pause = self._paused_until - time.monotonic()
            if pause > 0:  # Telegram is failing: let it breathe instead of failing row after row
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=pause)
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
            timeout = None if len(running) >= self.policy.concurrency else self.policy.idle_wait
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
        if running:
            await asyncio.gather(*running)
        await self._unregister()
        logger.info("delivery worker stopped")

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
        by_subscriber: dict[int, list[Claimed]] = defaultdict(list)
        for item in claimed:
            by_subscriber[item.subscriber_id].append(item)
        articles = await self.runtime.renderer.load_articles(sorted({c.article_id for c in claimed}))
        return [self._deliver(subscribers[sid], items, articles) for sid, items in by_subscriber.items()]

    async def _render(
        self,
        subscriber: Recipient,
        items: Sequence[Claimed],
        articles: dict[int, digests.Article],
        format: RenderFormat = "html",
    ) -> list[Outgoing]:
        """All articles in one message when they fit; else each article on its own, with its buttons.

        Rendered once per (articles, length, format): a broadcast shares the messages."""
        renderer = self.runtime.renderer  # its versions: an edited article is rendered again
        key = (
            tuple((c.article_id, renderer.version(c.article_id)) for c in items),
            subscriber.digest_length,
            format,
            subscriber.language,
        )
        if (cached := self._outgoing.get(key)) is not None:
            self._outgoing.move_to_end(key)
            return cached
        rendered = await self._render_messages(subscriber, items, articles, format)
        if all(c.article_id in articles for c in items):  # a missing article may come back
            self._outgoing[key] = rendered
            while len(self._outgoing) > _RENDERED_KEPT:
                self._outgoing.popitem(last=False)
        return rendered

    def _briefing(self, subscriber: Recipient, stories: int) -> bool:
        """A digest of many stories comes as one briefing, unless the chat asked for long ones."""
        return stories > self.policy.briefing_after and subscriber.digest_length != "long"

    async def _render_messages(
        self,
        subscriber: Recipient,
        items: Sequence[Claimed],
        articles: dict[int, digests.Article],
        format: RenderFormat,
    ) -> list[Outgoing]:
        present = [(c.article_id, articles[c.article_id]) for c in items if c.article_id in articles]
        present, also_in = await self._one_per_story(present, texts_for(subscriber.language), format)
        if self._briefing(subscriber, len(present)):
            return await self._render_briefing(subscriber, present, also_in, format)
        per_article = [
            (
                article_id,
                article,
                await self.runtime.renderer.overview_blocks(
                    article_id, article, length=subscriber.digest_length, format=format
                ),
            )
            for article_id, article in present
        ]
        per_article = [
            (i, a, [*blocks, [also_in[i]]] if i in also_in else blocks) for i, a, blocks in per_article
        ]
        together = pack_messages([block for _, _, blocks in per_article for block in blocks])
        if len(together) == 1:
            return [Outgoing(together[0], articles_keyboard([(i, a) for i, a, _ in per_article]))]
        outgoing: list[Outgoing] = []
        for article_id, article, blocks in per_article:
            messages = pack_messages(blocks)
            keyboard = section_keyboard(article_id, article)
            outgoing += [
                Outgoing(text, keyboard if n == len(messages) - 1 else None)
                for n, text in enumerate(messages)
            ]
        return outgoing

    async def _one_per_story(
        self, present: list[tuple[int, digests.Article]], texts: Texts, format: RenderFormat
    ) -> tuple[list[tuple[int, digests.Article]], dict[int, str]]:
        """Each story once, in its fullest version; for it, an "also in" line linking the others."""
        if len(present) < 2:
            return present, {}
        async with session_scope(self.runtime.sessions) as session:
            stories = await story_queries.story_versions(session, article_ids=[i for i, _ in present])
            origins = await article_queries.origins(session, article_ids=[i for i, _ in present])
        by_story: dict[int, list[tuple[int, digests.Article]]] = {}
        for article_id, article in present:
            by_story.setdefault(stories.get(article_id, article_id), []).append((article_id, article))
        kept: list[tuple[int, digests.Article]] = []
        also_in: dict[int, str] = {}
        for versions in by_story.values():
            fullest = max(versions, key=lambda version: sum(map(len, version[1].paragraphs)))
            kept.append(fullest)
            others = [origins.get(i, ("", None)) for i, _ in versions if i != fullest[0]]
            if others:
                also_in[fullest[0]] = also_in_line(others, texts, format)
        order = {article_id: n for n, (article_id, _) in enumerate(present)}
        return sorted(kept, key=lambda version: order[version[0]]), also_in

    async def _render_briefing(
        self,
        subscriber: Recipient,
        present: list[tuple[int, digests.Article]],
        also_in: dict[int, str],
        format: RenderFormat,
    ) -> list[Outgoing]:
        """Per article its title, origin and best sentence, with a row of buttons: the overview
        and its first sections. At most BRIEFING_ITEMS to a message (Telegram's button limit)."""
        async with session_scope(self.runtime.sessions) as session:
            origins = await article_queries.origins(session, article_ids=[i for i, _ in present])
        texts = texts_for(subscriber.language)
        outgoing: list[Outgoing] = []
        for start in range(0, len(present), BRIEFING_ITEMS):
            chunk = present[start : start + BRIEFING_ITEMS]
            header = texts("briefing_header", count=len(present))
            blocks = [[header if format == "html" else header.replace("<b>", "").replace("</b>", "")]]
            for number, (article_id, article) in enumerate(chunk, start + 1):
                sentence = await self.runtime.renderer.best_sentence(article_id, article)
                origin = origins.get(article_id, ("", None))[0]
                block = briefing_block(number, article.title, sentence, origin, format)
                blocks.append([*block, also_in[article_id]] if article_id in also_in else block)
            keyboard = briefing_keyboard(chunk, first_number=start + 1, overview=texts("button_overview"))
            messages = pack_messages(blocks)
            outgoing += [
                Outgoing(text, keyboard if n == len(messages) - 1 else None)
                for n, text in enumerate(messages)
            ]
        return outgoing

    async def _send(self, chat_id: int, messages: Sequence[Outgoing], *, html: bool) -> list[int]:
        sent: list[int] = []
        for position, message in enumerate(messages):
            if position:
                await asyncio.sleep(self.policy.chat_interval)
            parameters: dict[str, object] = {
                "chat_id": chat_id,
                "text": message.text,
                "link_preview_options": _NO_PREVIEW,
            }
            if html:
                parameters["parse_mode"] = ParseMode.HTML
            if message.markup_json is not None:
                parameters["reply_markup"] = message.markup_json
            # More requests than connections would only queue up inside the HTTP pool, at a cost.
            async with self._connections:
                with SEND_SECONDS.time():
                    result = await self._send_message(parameters)
            sent.append(int(result["message_id"]))
            self.sent_messages += 1
        return sent

    async def _send_message(self, parameters: dict[str, object]) -> dict[str, object]:
        """sendMessage without building a Message from the answer: a broadcast needs only the
        message id, and parsing the rest is a sixth of the client's work per message."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PTB suggests send_message, which parses the answer
            result: object = await self.bot.do_api_request("sendMessage", api_kwargs=parameters)
        if not isinstance(result, dict):
            raise NetworkError(f"sendMessage answered {type(result).__name__}, not a message")
        return result

    async def _deliver(
        self, subscriber: Recipient, items: list[Claimed], articles: dict[int, digests.Article]
    ) -> None:
        """Send one subscriber's digest and record what happened; never raises."""
        ids = [c.delivery_id for c in items]
        attempts = max(c.attempts for c in items)
        async with self._slots:
            try:
                messages = await self._render(subscriber, items, articles)
                if not messages:
                    await self._update(
                        delivery_queries.mark_failed, delivery_ids=ids, error="article not found"
                    )
                    return
                try:
                    sent = await self._send_resolving_migration(subscriber, messages, html=True)
                except BadRequest as error:
                    if "can't parse entities" not in error.message.lower():
                        raise
                    logger.warning("chat %s: %s; resending as plain text", subscriber.chat_id, error.message)
                    plain = await self._render(subscriber, items, articles, format="text")
                    sent = await self._send_resolving_migration(subscriber, plain, html=False)
                await self._mark_sent(ids, sent)
                self._telegram_answered()
                DELIVERIES.labels(outcome="sent").inc()
            except RetryAfter as error:
                FLOOD_WAITS.inc()
                DELIVERIES.labels(outcome="flood_wait").inc()
                wait = retry_after_seconds(error)
                logger.warning("flood control: retrying chat %s in %.0f s", subscriber.chat_id, wait)
                await self._update(
                    delivery_queries.retry_later,
                    delivery_ids=ids,
                    available_at=utcnow() + timedelta(seconds=wait),
                    error=str(error),
                    count_attempt=False,
                )
            except Forbidden as error:
                await self._deactivate(subscriber, ids, error.message)
            except BadRequest as error:
                if "chat not found" in error.message.lower() or "chat_id is empty" in error.message.lower():
                    await self._deactivate(subscriber, ids, error.message)
                else:
                    logger.error(
                        "chat %s: Telegram refused the digest: %s", subscriber.chat_id, error.message
                    )
                    await self._update(delivery_queries.mark_failed, delivery_ids=ids, error=error.message)
            except (TimedOut, NetworkError) as error:
                await self._outage(subscriber, items, f"{type(error).__name__}: {error}")
            except Exception as error:
                logger.exception("chat %s: unexpected error while delivering", subscriber.chat_id)
                await self._retry_or_fail(subscriber, ids, attempts, f"{type(error).__name__}: {error}")

    async def _send_resolving_migration(
        self, subscriber: Recipient, messages: Sequence[Outgoing], *, html: bool
    ) -> list[int]:
        try:
            return await self._send(subscriber.chat_id, messages, html=html)
        except ChatMigrated as migrated:
            new_chat_id = migrated.new_chat_id
            logger.info("chat %s moved to %s; resending there", subscriber.chat_id, new_chat_id)
            async with session_scope(self.runtime.sessions) as session:
                await subscriber_queries.move_chat(
                    session, old_chat_id=subscriber.chat_id, new_chat_id=new_chat_id
                )
            return await self._send(new_chat_id, messages, html=html)

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

    async def _mark_sent(self, ids: list[int], message_ids: list[int]) -> None:
        """Record a send; returns once it is committed (the send's slot is held until then).

        Group commit: whoever takes the lock writes every mark that queued up meanwhile,
        so under load one transaction records many sends.
        """
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._marks.append((ids, message_ids, done))
        async with self._marking:
            if not done.done():
                batch, self._marks = self._marks, []
                try:
                    async with session_scope(self.runtime.sessions) as session:
                        await delivery_queries.mark_sent_many(session, sent=[(i, m) for i, m, _ in batch])
                except Exception as error:
                    for _i, _m, future in batch:
                        future.set_exception(error)
                else:
                    for _i, _m, future in batch:
                        future.set_result(None)
        await done

    async def _update(self, query, **values: object) -> None:  # noqa: ANN001 - a storage query function
        if query is delivery_queries.mark_failed:
            DELIVERIES.labels(outcome="failed").inc()
        async with session_scope(self.runtime.sessions) as session:
            await query(session, **values)
