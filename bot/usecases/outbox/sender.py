"""What the outbox needs of a messenger: send one composed message, and say how it went.

Only the sender knows what Telegram's errors mean; it answers with an ``Outcome``, and the
outbox decides what that outcome does to the row (``bot.usecases.outbox.worker``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from bot.usecases.compose import ComposedMessage
from bot.usecases.digest_forms import RichSupport
from storage import DigestFormat

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    """How one send went."""

    SENT = "sent"
    RETRY = "retry"  # flood control: again after ``retry_after``, for every sender of the token
    TOKEN_OUTAGE = "token_outage"  # timeouts, network errors, 5xx, 401: the API's fault, not the row's
    DEACTIVATE = "deactivate"  # blocked, kicked, deactivated, chat not found
    MOVED = "moved"  # the group became a supergroup: ``new_chat_id``
    UNPARSABLE = "unparsable"  # Telegram refused the markup: send the plain form
    TOPIC_GONE = "topic_gone"  # the forum topic was deleted (or closed): send to General
    FORM_REFUSED = "form_refused"  # no rich messages here (or none at all): send the classic form
    FAILED = "failed"  # a definite refusal of this message


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: Outcome
    message_id: int | None = None
    reason: str = ""
    retry_after: float = 0.0
    new_chat_id: int | None = None
    method_missing: bool = False  # with FORM_REFUSED: the API has no rich messages at all


class Sender(Protocol):
    async def send(
        self, chat_id: int, message: ComposedMessage, *, thread_id: int | None = None
    ) -> SendResult: ...


class Undelivered(Exception):
    """A send ended in an outcome other than sent, after the fallbacks."""

    def __init__(self, result: SendResult) -> None:
        super().__init__(result.reason)
        self.result = result


Compose = Callable[[DigestFormat], Awaitable[Sequence[ComposedMessage]]]
TopicGone = Callable[[int], Awaitable[None]]  # told the topic (message_thread_id) that is gone


async def send_messages(
    sender: Sender,
    chat_id: int,
    messages: Sequence[ComposedMessage],
    *,
    interval: float = 0.0,
    thread_id: int | None = None,
) -> list[int]:
    """Send a digest's messages in order, ``interval`` apart, into the forum topic ``thread_id``
    (``None``: the chat itself, or a forum's General); ``Undelivered`` at the first that does
    not go out."""
    sent: list[int] = []
    for position, message in enumerate(messages):
        if position and interval:
            await asyncio.sleep(interval)
        result = await sender.send(chat_id, message, thread_id=thread_id)
        if result.outcome != Outcome.SENT:
            raise Undelivered(result)
        sent.append(result.message_id or 0)
    return sent


async def send_in_best_form(
    sender: Sender,
    chat_id: int,
    compose: Compose,
    *,
    rich: RichSupport,
    chat_choice: str | None,
    interval: float = 0.0,
    thread_id: int | None = None,
    topic_gone: TopicGone | None = None,
) -> tuple[list[int], DigestFormat] | None:
    """Send what ``compose`` makes in the chat's form, falling back when Telegram refuses it: a
    rich message goes out classic, markup it cannot parse goes out plain, a digest for a forum
    topic that is gone goes to General (``topic_gone`` is told once); nothing is lost for the
    form or the topic. The message ids and the form that went out; ``None`` when there was nothing."""
    form = rich.form_for(chat_choice)
    while True:
        messages = await compose(form)
        if not messages:
            return None
        try:
            return await send_messages(
                sender, chat_id, messages, interval=interval, thread_id=thread_id
            ), form
        except Undelivered as undelivered:
            result = undelivered.result
            if result.outcome == Outcome.TOPIC_GONE and thread_id is not None:
                logger.warning(
                    "chat %s: topic %s is gone (%s); sending to General", chat_id, thread_id, result.reason
                )
                if topic_gone is not None:
                    await topic_gone(thread_id)
                thread_id = None
            elif result.outcome == Outcome.FORM_REFUSED and form == DigestFormat.RICH:
                rich.refused(chat_id=chat_id, reason=result.reason, method_missing=result.method_missing)
                form = DigestFormat.CLASSIC
            elif result.outcome == Outcome.UNPARSABLE and form == DigestFormat.CLASSIC:
                logger.warning("chat %s: %s; resending as plain text", chat_id, result.reason)
                form = DigestFormat.PLAIN
            else:
                raise
