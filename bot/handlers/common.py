"""What every handler needs: the chat's settings and texts, and sending HTML replies."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.ext import ContextTypes

from bot.services import Services
from bot.texts import Texts, language_for, texts_for
from storage import Subscriber, session_scope
from storage import subscribers as subscriber_queries

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The application's shared services."""
    return context.application.bot_data["services"]


async def chat_state(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[Subscriber, Texts]:
    """The chat's row (created on first contact) and the texts in its language."""
    chat = update.effective_chat
    user = update.effective_user
    settings = services(context).settings
    async with session_scope(services(context).sessions) as session:
        subscriber = await subscriber_queries.ensure_subscriber(
            session,
            chat_id=chat.id,
            chat_type=chat.type,
            title=chat.title or (user.full_name if user else None),
            username=chat.username,
            language=language_for(user.language_code if user else None),
            timezone=settings.default_timezone,
            schedule=settings.default_schedule,
        )
    return subscriber, texts_for(subscriber.language)


async def send_html(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    messages: Sequence[str],
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> list[Message]:
    """Send messages in order; the keyboard goes under the last one."""
    sent = []
    for position, text in enumerate(messages):
        last = position == len(messages) - 1
        sent.append(
            await context.bot.send_message(
                update.effective_chat.id,
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=reply_markup if last else None,
                link_preview_options=_NO_PREVIEW,
            )
        )
    return sent


async def may_manage_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether the sender may change this chat's subscription: anyone in private, admins in groups."""
    chat = update.effective_chat
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


async def managed_chat_state(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> tuple[Subscriber, Texts] | None:
    """``chat_state`` for commands that change the chat's settings; ``None`` (after a polite
    refusal) when the sender may not manage this chat."""
    subscriber, texts = await chat_state(update, context)
    if not await may_manage_chat(update, context):
        await send_html(update, context, [texts("group_admins_only")])
        return None
    return subscriber, texts


def is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether the sender is one of the bot's admins (ADMIN_USER_IDS)."""
    user = update.effective_user
    return services(context).settings.is_admin(user.id if user else None)
