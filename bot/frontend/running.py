"""Running an application inside an existing event loop: tests, `digestbot chat`, `digestbot worker`.

`digestbot run` uses PTB's ``run_polling``/``run_webhook``, which do the same and own the loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.frontend.app import BotApplication


@asynccontextmanager
async def running(application: BotApplication, *, poll_timeout: int = 1) -> AsyncIterator[BotApplication]:
    """Start the application (long polling when it answers commands); stop it cleanly when the
    block ends: no new claims, the sends in flight finish, connections close."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    polls = application.bot_data.roles.answer_commands and application.updater is not None
    if polls and application.updater is not None:
        await application.updater.start_polling(poll_interval=0.0, timeout=poll_timeout)
    try:
        yield application
    finally:
        if polls and application.updater is not None:
            await application.updater.stop()
        await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
        await application.shutdown()
