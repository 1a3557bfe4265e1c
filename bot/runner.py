"""Running the application inside an existing event loop (tests and `digestbot chat`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram.ext import Application


@asynccontextmanager
async def polling(application: Application, *, poll_timeout: int = 1) -> AsyncIterator[Application]:
    """Start the bot with long polling; stop it cleanly when the block ends."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    await application.updater.start_polling(poll_interval=0.0, timeout=poll_timeout)
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
        await application.shutdown()
