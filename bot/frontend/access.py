"""Who may do what, declared on the handler: the bot's admins, and the admins of a group."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType

from bot.frontend.context import BotContext

Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


def is_bot_admin(update: Update, context: BotContext) -> bool:
    """Whether the sender is one of the bot's admins (ADMIN_USER_IDS)."""
    user = update.effective_user
    return context.runtime.settings.is_admin(user.id if user else None)


async def may_manage_chat(update: Update, context: BotContext) -> bool:
    """Whether the sender may change this chat's settings: anyone in private, admins in groups."""
    chat = update.effective_chat
    if chat is None:
        return False
    if chat.type in (ChatType.PRIVATE, ChatType.CHANNEL):
        return True
    message = update.effective_message
    if message is not None and message.sender_chat is not None:
        # Anonymous admins write as the group itself; a linked channel writing here is not an admin.
        return message.sender_chat.id == chat.id
    user = update.effective_user
    if user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


async def _refuse(update: Update, context: BotContext, key: str) -> None:
    """Say no: as an alert on a pressed button, else as a reply."""
    texts = (await context.reader(update)).texts
    if update.callback_query is not None:
        await update.callback_query.answer(texts(key), show_alert=True)
    else:
        await context.reply(update, [texts(key)])


def bot_admins_only(handler: Handler) -> Handler:
    """Run the handler for the bot's admins; refuse everyone else."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: BotContext) -> None:
        if not is_bot_admin(update, context):
            await _refuse(update, context, "admin_only")
            return
        await handler(update, context)

    guarded.bot_admins_only = True  # type: ignore[attr-defined]  # the command menu's tests read it
    return guarded


def chat_admins_only(handler: Handler) -> Handler:
    """Run the handler when the sender may change this chat's settings (see ``may_manage_chat``)."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: BotContext) -> None:
        if not await may_manage_chat(update, context):
            await _refuse(update, context, "group_admins_only")
            return
        await handler(update, context)

    return guarded
