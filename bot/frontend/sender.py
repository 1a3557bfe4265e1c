"""The Telegram sender: a composed message as a Bot API call, Telegram's answer as an outcome.

Classic messages go out with ``sendMessage`` (Telegram HTML, or plain text), rich ones with
``sendRichMessage`` (Bot API 10.1). python-telegram-bot 22.8 has no method for the latter yet:
``send_rich`` is the one place that calls it through ``Bot.do_api_request``. Both skip building a
``Message`` from the answer: a broadcast needs only the message id.
"""

from __future__ import annotations

import asyncio
import json
import warnings
from datetime import timedelta
from functools import lru_cache

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from bot.metrics import SEND_SECONDS
from bot.usecases.compose import ComposedMessage
from bot.usecases.outbox import Outcome, SendResult
from storage import DigestFormat

# How Telegram says a forum topic cannot take the message (Bad Request descriptions).
_TOPIC_GONE = ("message thread not found", "topic_deleted", "topic_closed", "topic not found")
# do_api_request bypasses the application's Defaults, so the parameters are spelled out here.
_NO_PREVIEW = '{"is_disabled":true}'


@lru_cache(maxsize=1024)
def _preview_options(url: str | None) -> str:
    """Link preview options as JSON: the original, small, below the text; or none."""
    if not url:
        return _NO_PREVIEW
    options = {"url": url, "prefer_small_media": True, "show_above_text": False}
    return json.dumps(options, ensure_ascii=False, separators=(",", ":"))


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB warns while it moves from int to timedelta
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _unauthorized(error: BaseException) -> bool:
    """PTB reports a 401 from ``do_api_request`` as a missing endpoint; the cause tells them apart."""
    return "unauthorized" in str(error.__cause__ or error).lower()


class TelegramSender:
    """Sends composed messages with one bot; at most ``connections`` requests at the same moment
    (more would only queue inside the HTTP pool, at a cost)."""

    def __init__(self, bot: Bot, *, connections: int = 3) -> None:
        self.bot = bot
        self._connections = asyncio.Semaphore(connections)

    async def send(
        self, chat_id: int, message: ComposedMessage, *, thread_id: int | None = None
    ) -> SendResult:
        rich = message.form == DigestFormat.RICH
        try:
            async with self._connections:
                with SEND_SECONDS.time():
                    if rich:
                        result = await self.send_rich(
                            chat_id, message.text, message.markup_json, thread_id=thread_id
                        )
                    else:
                        result = await self._send_classic(chat_id, message, thread_id=thread_id)
            return SendResult(Outcome.SENT, message_id=int(str(result["message_id"])))
        except RetryAfter as error:
            return SendResult(Outcome.RETRY, reason=str(error), retry_after=retry_after_seconds(error))
        except ChatMigrated as error:
            return SendResult(Outcome.MOVED, reason=str(error), new_chat_id=error.new_chat_id)
        except Forbidden as error:
            return SendResult(Outcome.DEACTIVATE, reason=error.message)
        except EndPointNotFound as error:
            if rich and not _unauthorized(error):
                return SendResult(Outcome.FORM_REFUSED, reason=error.message, method_missing=True)
            return SendResult(Outcome.TOKEN_OUTAGE, reason=f"401 Unauthorized: {error.message}")
        except InvalidToken as error:
            return SendResult(Outcome.TOKEN_OUTAGE, reason=f"401 Unauthorized: {error.message}")
        except BadRequest as error:
            text = error.message.lower()
            if "chat not found" in text or "chat_id is empty" in text:
                return SendResult(Outcome.DEACTIVATE, reason=error.message)
            if thread_id is not None and any(sign in text for sign in _TOPIC_GONE):
                return SendResult(Outcome.TOPIC_GONE, reason=error.message)
            if rich:  # whatever Telegram did not take of a rich message, the classic form may carry
                return SendResult(Outcome.FORM_REFUSED, reason=error.message)
            if "can't parse entities" in text:
                return SendResult(Outcome.UNPARSABLE, reason=error.message)
            return SendResult(Outcome.FAILED, reason=error.message)
        except (TimedOut, NetworkError) as error:
            return SendResult(Outcome.TOKEN_OUTAGE, reason=f"{type(error).__name__}: {error}")

    async def _send_classic(
        self, chat_id: int, message: ComposedMessage, *, thread_id: int | None = None
    ) -> dict[str, object]:
        parameters: dict[str, object] = {
            "chat_id": chat_id,
            "text": message.text,
            "link_preview_options": _preview_options(message.preview_url),
        }
        if thread_id is not None:
            parameters["message_thread_id"] = thread_id
        if message.form == DigestFormat.CLASSIC:
            parameters["parse_mode"] = ParseMode.HTML
        if message.markup_json is not None:
            parameters["reply_markup"] = message.markup_json
        return await self._call("sendMessage", parameters)

    async def send_rich(
        self, chat_id: int, html: str, markup_json: str | None = None, *, thread_id: int | None = None
    ) -> dict[str, object]:
        """``sendRichMessage`` with the message as rich HTML: the day PTB ships
        ``send_rich_message``, this function changes."""
        parameters: dict[str, object] = {
            "chat_id": chat_id,
            "rich_message": json.dumps({"html": html}, ensure_ascii=False, separators=(",", ":")),
        }
        if thread_id is not None:
            parameters["message_thread_id"] = thread_id
        if markup_json is not None:
            parameters["reply_markup"] = markup_json
        return await self._call("sendRichMessage", parameters)

    async def _call(self, method: str, parameters: dict[str, object]) -> dict[str, object]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PTB suggests send_message, which parses the answer
            result: object = await self.bot.do_api_request(method, api_kwargs=parameters)
        if not isinstance(result, dict):
            raise NetworkError(f"{method} answered {type(result).__name__}, not a message")
        return result
