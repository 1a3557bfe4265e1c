"""Updates handled concurrently, each chat's in order.

python-telegram-bot handles one update at a time unless told otherwise: then one reader's slow
command (a site that answers after 15 s) holds up everyone. Here updates of different chats run
at the same time, up to a bound, while one chat's updates still run one after another — a
conversation (a command, then a button under its reply) keeps its order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, in order within one (updates without a chat: concurrent)."""

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._chats: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._chats.setdefault(chat.id, asyncio.Lock())
        self._waiting[chat.id] = self._waiting.get(chat.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[chat.id] -= 1
            if not self._waiting[chat.id]:  # nobody else of this chat waits: forget its lock
                del self._waiting[chat.id]
                del self._chats[chat.id]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
