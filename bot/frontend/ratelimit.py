"""PTB's rate-limiter hook over the shared send budget: every request to a chat takes a slot of
the token's budget (``bot.usecases.budget``), groups keep Telegram's 20 a minute, and a flood
wait pauses every sender of the token, then the request is tried again."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.usecases.budget import SharedSendBudget

logger = logging.getLogger(__name__)
Result = bool | dict[str, Any] | list[dict[str, Any]]


class BudgetRateLimiter(BaseRateLimiter[int]):
    """Sends at the shared budget's pace; ``rate_limit_args`` is the number of retries."""

    def __init__(self, budget: SharedSendBudget, *, group_per_minute: float, max_retries: int) -> None:
        self.budget = budget
        self.group_per_minute = group_per_minute
        self.max_retries = max_retries
        self._groups: dict[int | str, AsyncLimiter] = {}

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def _group_limiter(self, chat_id: int | str) -> AsyncLimiter:
        if len(self._groups) > 512:  # forget the idle ones
            for key in [key for key, limiter in self._groups.items() if limiter.has_capacity(1)]:
                del self._groups[key]
        limiter = self._groups.get(chat_id)
        if limiter is None:
            # A bucket of one: evenly spaced, no burst after a pause.
            limiter = self._groups[chat_id] = AsyncLimiter(1, 60 / self.group_per_minute)
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Take a slot (and a group's), send; after a flood wait, everyone waits and this retries."""
        chat_id = data.get("chat_id")
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)  # type: ignore[arg-type]
        # Channels and supergroups are negative ids or @names; private chats positive.
        group = (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str)
        retries = self.max_retries if rate_limit_args is None else rate_limit_args
        for attempt in range(retries + 1):
            try:
                if chat_id is None:
                    return await callback(*args, **kwargs)
                group_context = (
                    self._group_limiter(chat_id)
                    if group and self.group_per_minute
                    else contextlib.nullcontext()
                )
                async with group_context:
                    await self.budget.take()
                    return await callback(*args, **kwargs)
            except RetryAfter as flood:
                wait = flood.retry_after
                seconds = wait if isinstance(wait, int | float) else wait.total_seconds()
                await self.budget.hold(seconds)
                if attempt == retries:
                    raise
                logger.info("%s: flood wait of %.0f s for every sender of the token", endpoint, seconds)
                await asyncio.sleep(seconds)
        raise AssertionError("unreachable")  # the loop returns or raises
