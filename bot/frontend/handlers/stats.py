"""Statistics for the bot's admins: /stats."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.frontend.access import bot_admins_only
from bot.frontend.context import BotContext
from bot.usecases.stats import collect_stats


@bot_admins_only
async def stats(update: Update, context: BotContext) -> None:
    """Subscribers, articles and sent items by state, the oldest waiting item, recent failures."""
    texts = (await context.reader(update)).texts
    numbers = await collect_stats(context.runtime, failures=5)
    oldest = numbers.oldest_waiting
    lines = [
        texts("stats", articles=numbers.articles, **numbers.subscribers, **numbers.outbox),
        texts("stats_oldest", when=oldest.isoformat(timespec="seconds") if oldest else "-"),
        texts("stats_retrying", count=numbers.retrying),
    ]
    lines += [
        texts(
            "stats_failure", chat=failure.chat_id, title=failure.article_title[:60], error=failure.error[:200]
        )
        for failure in numbers.failures
    ]
    await context.reply(update, ["\n".join(lines)])


HANDLERS = [CommandHandler("stats", stats)]
