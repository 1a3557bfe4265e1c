"""The typed handler context: the application's data, the chat's reader state, and replying."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.logs import safe
from bot.texts import Texts, language_for, texts_for
from bot.usecases import subscriptions
from bot.usecases.outbox import Undelivered, send_in_best_form
from bot.usecases.runtime import Runtime
from digests.render import TELEGRAM_LIMIT, pack_messages, telegram_length
from storage import DigestFormat, Subscriber, utcnow

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from bot.frontend.sender import TelegramSender
    from bot.monitoring import MonitoringServer
    from bot.usecases.compose import ComposedMessage, Composer
    from bot.usecases.outbox import Outbox
    from bot.usecases.polling import SourcePoller


@dataclass(frozen=True, slots=True)
class Roles:
    """What a process does: answer updates, deliver the outbox, run the scheduler tick (and the
    backfills), poll sources."""

    answer_commands: bool = True
    deliver: bool = True
    tick: bool = True
    poll: bool = True


BOT = Roles()
WORKER = Roles(answer_commands=False)
DELIVERY_ONLY = Roles(answer_commands=False, tick=False, poll=False)
POLLER = Roles(answer_commands=False, deliver=False, tick=False)


class BotData:
    """What the application keeps for its whole life. PTB creates it empty; ``build_application``
    fills it before anything runs."""

    runtime: Runtime
    roles: Roles
    sender: TelegramSender  # composed messages (digests) go out through it, replies too
    composer: Composer
    worker: Outbox | None = None
    poller: SourcePoller | None = None
    stop_loops: asyncio.Event | None = None  # set at stop: the background loops finish and end
    loop_tasks: list[asyncio.Task[None]] | None = None  # delivery and polling, supervised
    monitoring: MonitoringServer | None = None
    resuming: asyncio.Task[None] | None = None  # uploads a crash interrupted, published after start
    menu: asyncio.Task[None] | None = None  # the command menu, set after start


@dataclass(frozen=True, slots=True)
class Reader:
    """The chat a handler talks to: its stored row and the texts in its language."""

    subscriber: Subscriber
    texts: Texts


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """``CallbackContext`` with the runtime, the chat's reader state (loaded once per update) and replies."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self._reader: Reader | None = None

    @property
    def runtime(self) -> Runtime:
        return self.bot_data.runtime

    async def reader(self, update: Update) -> Reader:
        """The chat's row (created on first contact) and its texts; cached for this update."""
        if self._reader is None:
            chat = update.effective_chat
            user = update.effective_user
            assert chat is not None  # every handler here is for updates from a chat
            started = utcnow()
            subscriber = await subscriptions.register_chat(
                self.runtime,
                chat=subscriptions.ChatInfo(
                    id=chat.id,
                    type=chat.type,
                    title=chat.title or (user.full_name if user else None),
                    username=chat.username,
                ),
                language=language_for(user.language_code if user else None),
            )
            self._reader = Reader(subscriber, texts_for(subscriber.language))
            if subscriber.created_at >= started and user is not None:
                # How a new operator finds their own id: the log of the first message they send.
                logger.info(
                    "first message from Telegram user %s (%s) in chat %s; to make them an admin: "
                    "ADMIN_USER_IDS=%s",
                    user.id,
                    safe(user.full_name),
                    chat.id,
                    user.id,
                )
        return self._reader

    def forget_reader(self, subscriber: Subscriber) -> Reader:
        """The chat's settings changed (its language, say): later replies use the new ones."""
        self._reader = Reader(subscriber, texts_for(subscriber.language))
        return self._reader

    async def reply(
        self,
        update: Update,
        messages: Sequence[str],
        *,
        reply_markup: InlineKeyboardMarkup | None = None,
    ) -> list[Message]:
        """Send messages to the update's chat in order (HTML by the application's defaults);
        the keyboard goes under the last one. A text that grew past Telegram's 4,096 characters
        (a long list of sources, articles or results) is split between its lines."""
        assert update.effective_chat is not None
        messages = [
            part
            for text in messages
            for part in (
                [text] if telegram_length(text) <= TELEGRAM_LIMIT else pack_messages([text.split("\n")])
            )
        ]
        sent = []
        thread_id = topic_of(update)
        for position, text in enumerate(messages):
            last = position == len(messages) - 1
            sent.append(
                await self.bot.send_message(
                    update.effective_chat.id,
                    text,
                    reply_markup=reply_markup if last else None,
                    message_thread_id=thread_id,
                )
            )
        return sent

    async def answer_later(self, update: Update, first: str, work: Callable[[], Awaitable[str]]) -> None:
        """Long work (discovering a site, a first poll): answer ``first`` at once, do the work
        in the background and edit that answer into its result, so the chat is free meanwhile.
        An unexpected error is logged and the answer says something went wrong."""
        [answer] = await self.reply(update, [first])
        texts = (await self.reader(update)).texts

        async def finish() -> None:
            try:
                result = await work()
            except Exception:
                logger.exception("background work for chat %s failed", answer.chat_id)
                result = texts("error")
            try:
                await answer.edit_text(result)
            except Exception as error:
                logger.warning("could not edit the answer in chat %s: %s", answer.chat_id, safe(error))

        self.application.create_task(finish(), name=f"answer-later-{answer.chat_id}")

    async def send_composed(
        self, update: Update, compose: Callable[[DigestFormat], Awaitable[Sequence[ComposedMessage]]]
    ) -> list[int]:
        """Send a digest to the update's chat in the chat's form (rich where it can be, with the
        outbox's fallbacks); the ids of the messages sent."""
        assert update.effective_chat is not None
        reader = await self.reader(update)
        try:
            sent = await send_in_best_form(
                self.bot_data.sender,
                update.effective_chat.id,
                compose,
                rich=self.runtime.rich,
                chat_choice=reader.subscriber.digest_format,
                thread_id=topic_of(update),
            )
        except Undelivered as undelivered:
            raise RuntimeError(f"the digest was not sent: {undelivered.result.reason}") from None
        return sent[0] if sent else []


def topic_of(update: Update) -> int | None:
    """The forum topic the update was written in (replies go there); ``None`` outside topics."""
    message = update.effective_message
    if message is None or not message.is_topic_message:
        return None
    return message.message_thread_id


CONTEXT_TYPES = ContextTypes(context=BotContext, bot_data=BotData)
