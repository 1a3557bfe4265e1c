"""A fake Telegram Bot API server on loopback, for tests and `digestbot chat`.

The real python-telegram-bot client talks to it over HTTP through
``base_url``. It keeps chats, messages and updates in memory, records what
the bot sent, checks HTML the way Telegram does, serves uploaded files, and
can be told to fail (429 with retry_after, 403, 400, slow answers).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web

from bot.fakeapi.html import TelegramHtmlError, check_rich_html, check_telegram_html

BOT_USER = {
    "id": 4242,
    "is_bot": True,
    "first_name": "Digest",
    "username": "digest_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
_JSON_FIELDS = {
    "reply_markup",
    "commands",
    "scope",
    "entities",
    "allowed_updates",
    "link_preview_options",
    "reply_parameters",
    "caption_entities",
    "rich_message",
}
_INT_FIELDS = {"message_id", "offset", "limit", "timeout", "user_id", "message_thread_id"}


@dataclass
class SentMessage:
    """A message the bot sent (or edited), as Telegram would show it."""

    chat_id: int
    message_id: int
    text: str  # the visible text, tags parsed away
    raw: str  # what the bot sent
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    method: str = "sendMessage"
    document: tuple[str, bytes] | None = None
    thread_id: int | None = None  # the forum topic it went to (None: the chat, or General)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Inline keyboard buttons, row after row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]


@dataclass
class InjectedError:
    method: str
    code: int
    description: str
    chat_id: int | None = None
    retry_after: int | None = None
    parameters: dict[str, Any] | None = None  # e.g. {"migrate_to_chat_id": -100…}
    delay: float = 0.0  # answer this late (a timeout for the client)
    times: int = 1


@dataclass
class _State:
    updates: list[dict[str, Any]] = field(default_factory=list)
    sent: list[SentMessage] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    members: dict[tuple[int, int], str] = field(default_factory=dict)
    commands: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # the default scope's
    cannot_post: set[tuple[int, int]] = field(default_factory=set)  # admins without Post Messages
    inline_answers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by query id
    # Every menu set: (scope type, its chat id or None, language code or "") → the commands.
    menus: dict[tuple[str, object, str], list[dict[str, str]]] = field(default_factory=dict)
    errors: list[InjectedError] = field(default_factory=list)
    html_errors: list[str] = field(default_factory=list)
    forums: dict[int, set[int]] = field(default_factory=dict)  # groups with topics → their topics


class FakeTelegram:
    """The server and the people who use the bot through it."""

    def __init__(self, token: str = "123456:TEST-TOKEN", *, rate_limit: float = 0.0) -> None:
        self.token = token
        self.state = _State()
        self.rate_limit = rate_limit  # sends per second above which Telegram answers 429; 0: none
        self._recent_sends: collections.deque[float] = collections.deque()
        self.too_many: list[float] = []  # when each 429 was answered (monotonic)
        self.keep_messages = True  # False for load tests: count messages, keep none
        self.channels: dict[str, int] = {}  # @name → chat id, for getChat
        self.rich_messages = True  # False: an older Bot API, without sendRichMessage
        self.rich_refused_chats: set[int] = set()  # chats where rich messages are refused
        self.sent_count = 0
        self.first_sent: float | None = None
        self.last_sent: float | None = None
        self.started = time.monotonic()
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._file_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._new_message = asyncio.Event()
        self._server: tornado.httpserver.HTTPServer | None = None
        self.port = 0

    # --- lifecycle ------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        application = tornado.web.Application(
            [
                (r"/_stats", _StatsHandler, {"fake": self}),
                (r"/bot([^/]+)/(\w+)", _MethodHandler, {"fake": self}),
                (r"/file/bot([^/]+)/(.+)", _FileHandler, {"fake": self}),
            ],
            log_function=lambda handler: None,  # request lines would carry the token
        )
        sockets = tornado.netutil.bind_sockets(port, address=host)
        self.port = sockets[0].getsockname()[1]
        self._server = tornado.httpserver.HTTPServer(application)
        self._server.add_sockets(sockets)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # --- people using the bot ------------------------------------------------------------

    def _user(self, user_id: int, language_code: str | None) -> dict[str, Any]:
        user = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}", "username": f"user{user_id}"}
        if language_code:
            user["language_code"] = language_code
        return user

    def _chat(self, chat_id: int, chat_type: str, user: dict[str, Any]) -> dict[str, Any]:
        if chat_type == "private":
            return {
                "id": chat_id,
                "type": "private",
                "first_name": user["first_name"],
                "username": user.get("username"),
            }
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type, "title": f"Chat {chat_id}"}
        if chat_id in self.state.forums:
            chat["is_forum"] = True
        return chat

    def create_topic(self, chat_id: int) -> int:
        """A forum topic is created in the group (which then has topics); its message_thread_id."""
        topics = self.state.forums.setdefault(chat_id, set())
        thread_id = next(self._counter(chat_id))  # a topic's id is the id of the message opening it
        topics.add(thread_id)
        return thread_id

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        self.state.forums.get(chat_id, set()).discard(thread_id)

    def _check_thread(self, chat_id: int, params: dict[str, Any]) -> int | None:
        """The topic a message goes to; Telegram's 400 for a topic that does not exist."""
        thread = params.get("message_thread_id")
        if thread is None:
            return None
        thread_id = int(thread)
        if thread_id not in self.state.forums.get(chat_id, set()):
            raise _ApiError(400, "Bad Request: message thread not found")
        return thread_id

    def _message(
        self, user_id: int, language_code: str | None, chat_id: int | None, chat_type: str, **content: Any
    ) -> dict[str, Any]:
        user = self._user(user_id, language_code)
        chat_id = user_id if chat_id is None else chat_id
        message = {
            "message_id": next(self._counter(chat_id)),
            "date": int(time.time()),
            "chat": self._chat(chat_id, chat_type, user),
            "from": user,
            **content,
        }
        return message

    def _push(self, update: dict[str, Any]) -> dict[str, Any]:
        update["update_id"] = next(self._update_ids)
        self.state.updates.append(update)
        self._new_update.set()
        return update

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        language_code: str | None = "en",
        chat_id: int | None = None,
        chat_type: str = "private",
        sender_chat: dict[str, Any] | None = None,
        thread_id: int | None = None,
    ) -> dict[str, Any]:
        """A user types a message (a command if it starts with /), in a forum topic if given."""
        content: dict[str, Any] = {"text": text}
        if thread_id is not None:
            content["message_thread_id"] = thread_id
            content["is_topic_message"] = True
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if sender_chat is not None:
            content["sender_chat"] = sender_chat
        return self._push({"message": self._message(user_id, language_code, chat_id, chat_type, **content)})

    def inline_query(self, user_id: int, query: str, *, language_code: str | None = "en") -> str:
        """A user types ``@bot query`` in some chat; the query's id, to find its answer by."""
        query_id = f"iq{next(self._update_ids)}"
        self._push(
            {
                "inline_query": {
                    "id": query_id,
                    "from": self._user(user_id, language_code),
                    "query": query,
                    "offset": "",
                    "chat_type": "sender",
                }
            }
        )
        return query_id

    async def inline_answer(self, query_id: str, *, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The results the bot answered an inline query with."""
        deadline = time.monotonic() + timeout
        while query_id not in self.state.inline_answers:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no answer to inline query {query_id}")
            await asyncio.sleep(0.02)
        return self.state.inline_answers[query_id]

    def post_in_channel(self, channel_id: int, text: str) -> dict[str, Any]:
        """Someone posts in a channel the bot administers: a ``channel_post``, with no sender."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        chat = {"id": channel_id, "type": "channel", "title": f"Channel {channel_id}"}
        message = {"message_id": next(self._counter(channel_id)), "date": int(time.time()), "chat": chat}
        message["sender_chat"] = chat
        return self._push({"channel_post": {**message, **content}})

    def send_document(
        self,
        user_id: int,
        file_name: str,
        data: bytes,
        *,
        mime_type: str = "text/plain",
        language_code: str | None = "en",
        caption: str | None = None,
    ) -> dict[str, Any]:
        """A user sends a file."""
        file_id = f"file{next(self._file_ids)}"
        self.state.files[file_id] = (file_name, data)
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data),
        }
        content: dict[str, Any] = {"document": document}
        if caption:
            content["caption"] = caption
        return self._push({"message": self._message(user_id, language_code, None, "private", **content)})

    def press_button(
        self,
        user_id: int,
        message: SentMessage,
        data: str,
        *,
        language_code: str | None = "en",
        chat_type: str | None = None,
    ) -> dict[str, Any]:
        """A user presses an inline button under one of the bot's messages (in a supergroup when
        the message's chat id is negative, unless ``chat_type`` says otherwise)."""
        user = self._user(user_id, language_code)
        kind = chat_type or ("supergroup" if message.chat_id < 0 else "private")
        bot_message = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": self._chat(message.chat_id, kind, user),
            "from": BOT_USER,
            "text": message.text,
        }
        query = {
            "id": f"q{next(self._update_ids)}",
            "from": user,
            "chat_instance": str(message.chat_id),
            "message": bot_message,
            "data": data,
        }
        return self._push({"callback_query": query})

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        self.state.members[(chat_id, user_id)] = status

    def inject_error(self, error: InjectedError) -> None:
        self.state.errors.append(error)

    # --- what the bot did ----------------------------------------------------------------

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        return [m for m in self.state.sent if m.chat_id == chat_id]

    async def wait_for_messages(
        self, chat_id: int, count: int, *, after: int = 0, timeout: float = 15.0
    ) -> list[SentMessage]:
        """The first ``count`` messages to a chat after the first ``after`` ones."""
        deadline = time.monotonic() + timeout
        while True:
            messages = self.messages_to(chat_id)[after:]
            if len(messages) >= count:
                return messages[:count]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                texts = [m.text[:80] for m in messages]
                raise TimeoutError(f"chat {chat_id}: wanted {count} messages after {after}, got {texts}")
            self._new_message.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_message.wait(), timeout=min(remaining, 0.5))

    async def reply_to(self, user_id: int, text: str, *, count: int = 1, **options: Any) -> list[SentMessage]:
        """Send a message as a user and wait for the bot's next ``count`` messages."""
        chat_id = options.get("chat_id") or user_id
        before = len(self.messages_to(chat_id))
        self.send_text(user_id, text, **options)
        return await self.wait_for_messages(chat_id, count, after=before)

    def calls(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in self.state.calls if name == method]

    # --- the Bot API methods ---------------------------------------------------------

    def _counter(self, chat_id: int) -> itertools.count[int]:
        return self._message_ids.setdefault(chat_id, itertools.count(1))

    def _take_error(self, method: str, params: dict[str, Any]) -> InjectedError | None:
        for error in self.state.errors:
            if error.method == method and (
                error.chat_id is None or str(error.chat_id) == str(params.get("chat_id"))
            ):
                error.times -= 1
                if error.times <= 0:
                    self.state.errors.remove(error)
                return error
        return None

    def _flood(self) -> bool:
        """Telegram's flood control, as a sliding one-second window over accepted sends."""
        now = time.monotonic()
        while self._recent_sends and self._recent_sends[0] <= now - 1.0:
            self._recent_sends.popleft()
        if len(self._recent_sends) >= self.rate_limit:
            self.too_many.append(now)
            return True
        self._recent_sends.append(now)
        return False

    def stats(self) -> dict[str, Any]:
        return {
            "sent": self.sent_count,
            "too_many": len(self.too_many),
            "uptime": round(time.monotonic() - self.started, 3),
            "first_sent": self.first_sent and round(self.first_sent - self.started, 3),
            "last_sent": self.last_sent and round(self.last_sent - self.started, 3),
            "too_many_after": [round(t - self.started, 3) for t in self.too_many[-1000:]],
        }

    async def call(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.keep_messages:
            self.state.calls.append((method, params))
        if self.rate_limit and method.startswith("send") and self._flood():
            return 429, {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1},
            }
        error = self._take_error(method, params)
        if error is not None:
            if error.delay:
                await asyncio.sleep(error.delay)
            if error.code:
                body: dict[str, Any] = {
                    "ok": False,
                    "error_code": error.code,
                    "description": error.description,
                }
                parameters = dict(error.parameters or {})
                if error.retry_after is not None:
                    parameters["retry_after"] = error.retry_after
                if parameters:
                    body["parameters"] = parameters
                return error.code, body
        handler: Callable[[dict[str, Any]], Any] | None = getattr(self, f"_api_{method}", None)
        if method == "sendRichMessage" and not self.rich_messages:
            handler = None
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
        try:
            result = await handler(params) if asyncio.iscoroutinefunction(handler) else handler(params)
        except _ApiError as err:
            return err.code, {"ok": False, "error_code": err.code, "description": err.description}
        return 200, {"ok": True, "result": result}

    def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        return True

    def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        return True

    def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        scope = params.get("scope") or {"type": "default"}
        if isinstance(scope, str):
            scope = json.loads(scope)
        commands = params.get("commands", [])
        if isinstance(commands, str):
            commands = json.loads(commands)
        language = params.get("language_code") or ""
        self.state.menus[(scope.get("type", "default"), scope.get("chat_id"), language)] = commands
        if scope.get("type", "default") == "default":
            self.state.commands[language] = commands
        return True

    def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True

    def _api_answerInlineQuery(self, params: dict[str, Any]) -> bool:
        results = params.get("results", [])
        if isinstance(results, str):
            results = json.loads(results)
        if len(results) > 50:
            raise _ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        for result in results:
            content = result.get("input_message_content", {})
            text = content.get("message_text", "")
            if content.get("parse_mode") == "HTML":
                self._rendered(text, "HTML")  # refused as Telegram would refuse it
        self.state.inline_answers[str(params.get("inline_query_id"))] = results
        return True

    def _api_close(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        self.state.updates = [u for u in self.state.updates if u["update_id"] >= offset]
        while not self.state.updates and time.monotonic() < deadline:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), timeout=deadline - time.monotonic())
            except TimeoutError:
                break
        return self.state.updates[:limit]

    def _check_chat(self, params: dict[str, Any]) -> int:
        chat_id = params.get("chat_id")
        if chat_id is None:
            raise _ApiError(400, "Bad Request: chat_id is empty")
        try:
            return int(chat_id)
        except ValueError:
            if str(chat_id).startswith("@"):
                return -100_000 - abs(hash(chat_id)) % 1_000_000
            raise _ApiError(400, "Bad Request: chat not found") from None

    def _rendered(self, text: str, parse_mode: str | None) -> str:
        if parse_mode == "HTML":
            try:
                return check_telegram_html(text)
            except TelegramHtmlError as err:
                self.state.html_errors.append(f"{err}: {text[:200]}")
                raise _ApiError(400, f"Bad Request: {err}") from None
        if not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(text.encode("utf-16-le")) // 2 > 4096:
            raise _ApiError(400, "Bad Request: message is too long")
        return text

    def _record(self, message: SentMessage) -> dict[str, Any]:
        self.sent_count += 1
        self.last_sent = time.monotonic()
        self.first_sent = self.first_sent or self.last_sent
        if self.keep_messages:
            self.state.sent.append(message)
        self._new_message.set()
        chat = (
            {"id": message.chat_id, "type": "private", "first_name": "User"}
            if message.chat_id > 0
            else {"id": message.chat_id, "type": "supergroup", "title": "Chat"}
        )
        result: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": BOT_USER,
        }
        if message.document is None:
            result["text"] = message.text
        else:
            result["document"] = {
                "file_id": "sent",
                "file_unique_id": "sent",
                "file_name": message.document[0],
            }
        if message.reply_markup:
            result["reply_markup"] = message.reply_markup
        return result

    def _text_message(self, params: dict[str, Any], *, method: str) -> dict[str, Any]:
        """sendMessage and editMessageText: the text checked as Telegram would, then recorded."""
        chat_id = self._check_chat(params)
        text = str(params.get("text", ""))
        parse_mode = params.get("parse_mode")
        visible = self._rendered(text, parse_mode)
        thread_id = self._check_thread(chat_id, params) if method == "sendMessage" else None
        message_id = (
            next(self._counter(chat_id)) if method == "sendMessage" else int(params.get("message_id", 0))
        )
        message = SentMessage(
            chat_id,
            message_id,
            visible,
            text,
            parse_mode,
            params.get("reply_markup"),
            method=method,
            thread_id=thread_id,
        )
        return self._record(message)

    def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._text_message(params, method="sendMessage")

    def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._text_message(params, method="editMessageText")

    def _api_sendRichMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        """A rich message (Bot API 10.1): exactly one of html, markdown or blocks; the HTML
        checked as Telegram documents it. The recorded text is what a reader sees expanded."""
        chat_id = self._check_chat(params)
        rich = params.get("rich_message")
        if isinstance(rich, str):
            try:
                rich = json.loads(rich)
            except ValueError:
                raise _ApiError(400, "Bad Request: can't parse rich_message JSON") from None
        if not isinstance(rich, dict):
            raise _ApiError(400, "Bad Request: rich_message is required")
        given = [name for name in ("html", "markdown", "blocks") if rich.get(name) is not None]
        if len(given) != 1:
            raise _ApiError(400, "Bad Request: exactly one of html, markdown or blocks must be used")
        if chat_id in self.rich_refused_chats:
            raise _ApiError(400, "Bad Request: rich messages can't be sent to this chat")
        if given != ["html"]:
            raise _ApiError(400, "Bad Request: this fake Bot API reads rich messages in HTML only")
        html = str(rich["html"])
        try:
            visible = check_rich_html(html)
        except TelegramHtmlError as err:
            self.state.html_errors.append(f"{err}: {html[:200]}")
            raise _ApiError(400, f"Bad Request: {err}") from None
        thread_id = self._check_thread(chat_id, params)
        message = SentMessage(
            chat_id,
            next(self._counter(chat_id)),
            visible,
            html,
            "rich",
            params.get("reply_markup"),
            method="sendRichMessage",
            thread_id=thread_id,
        )
        return self._record(message)

    def _api_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._check_chat(params)
        document = params.get("document")
        if not isinstance(document, tuple):
            raise _ApiError(400, "Bad Request: there is no document in the request")
        caption = str(params.get("caption") or "")
        return self._record(
            SentMessage(
                chat_id,
                next(self._counter(chat_id)),
                caption,
                caption,
                params.get("parse_mode"),
                params.get("reply_markup"),
                method="sendDocument",
                document=document,
            )
        )

    def _api_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id"))
        if file_id not in self.state.files:
            raise _ApiError(400, "Bad Request: invalid file_id")
        name, data = self.state.files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(data),
            "file_path": f"documents/{file_id}/{name}",
        }

    def _api_getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = str(params.get("chat_id", ""))
        extra = {"accent_color_id": 0, "max_reaction_count": 11}
        if chat.startswith("@"):
            if chat.lower() not in self.channels:
                raise _ApiError(400, "Bad Request: chat not found")
            return {
                "id": self.channels[chat.lower()],
                "type": "channel",
                "title": chat[1:],
                "username": chat[1:],
                **extra,
            }
        chat_id = self._check_chat(params)
        kind = "channel" if chat_id < 0 else "private"
        return {"id": chat_id, "type": kind, "title": f"Chat {chat_id}", **extra}

    def _api_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._check_chat(params)
        user_id = int(params.get("user_id", 0))
        status = self.state.members.get((chat_id, user_id), "member")
        member: dict[str, Any] = {"status": status, "user": self._user(user_id, None)}
        if status == "administrator":
            member.update(
                {
                    "can_be_edited": False,
                    "is_anonymous": False,
                    "can_manage_chat": True,
                    "can_delete_messages": True,
                    "can_manage_video_chats": True,
                    "can_restrict_members": True,
                    "can_promote_members": False,
                    "can_change_info": True,
                    "can_invite_users": True,
                    "can_post_stories": False,
                    "can_edit_stories": False,
                    "can_delete_stories": False,
                    "can_post_messages": (chat_id, user_id) not in self.state.cannot_post,
                }
            )
        elif status == "creator":
            member["is_anonymous"] = False
        return member

    def file_bytes(self, file_path: str) -> bytes | None:
        parts = file_path.split("/")
        if len(parts) >= 2 and parts[1] in self.state.files:
            return self.state.files[parts[1]][1]
        return None


class _ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def _decode_params(request: tornado.httputil.HTTPServerRequest) -> dict[str, Any]:
    params: dict[str, Any] = {}
    content_type = request.headers.get("Content-Type", "")
    if content_type.startswith("application/json") and request.body:
        params.update(json.loads(request.body))
        return params
    for name, values in request.body_arguments.items():
        value: Any = values[-1].decode("utf-8")
        if name in _JSON_FIELDS:
            value = json.loads(value)
        elif name in _INT_FIELDS:
            value = int(value)
        params[name] = value
    for name, values in request.query_arguments.items():
        params.setdefault(name, values[-1].decode("utf-8"))
    for name, files in request.files.items():
        params[name] = (files[0]["filename"], bytes(files[0]["body"]))
    return params


class _MethodHandler(tornado.web.RequestHandler):
    def initialize(self, fake: FakeTelegram) -> None:
        self.fake = fake

    async def _handle(self, token: str, method: str) -> None:
        if token != self.fake.token:
            self.set_status(401)
            self.finish({"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        status, body = await self.fake.call(method, _decode_params(self.request))
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    async def post(self, token: str, method: str) -> None:
        await self._handle(token, method)

    async def get(self, token: str, method: str) -> None:
        await self._handle(token, method)


class _FileHandler(tornado.web.RequestHandler):
    def initialize(self, fake: FakeTelegram) -> None:
        self.fake = fake

    def get(self, token: str, file_path: str) -> None:
        data = self.fake.file_bytes(file_path) if token == self.fake.token else None
        if data is None:
            self.set_status(404)
            self.finish()
            return
        self.set_header("Content-Type", "application/octet-stream")
        self.finish(data)


class _StatsHandler(tornado.web.RequestHandler):
    def initialize(self, fake: FakeTelegram) -> None:
        self.fake = fake

    def get(self) -> None:
        self.finish(self.fake.stats())
