"""Commands one by one: wrong arguments, groups and admins, settings buttons, publishing, webhooks."""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path

import httpx
import pytest

from bot.fakeapi import FakeTelegram, InjectedError
from tests.helpers import ADMIN, LocalSite, running_bot, settings_for

READER = 2001
GROUP = -1009876543210


def long_article() -> str:
    paragraph = "This sentence is part of a long section and it says something about topic {n}. " * 6
    sections = [
        f"## Part {i}\n\n" + "\n\n".join(paragraph.format(n=i * 10 + j) for j in range(12))
        for i in range(1, 9)
    ]
    return "# A very long report\n\nThe lead paragraph says what the report is about.\n\n" + "\n\n".join(
        sections
    )


async def test_wrong_or_missing_arguments_get_useful_replies(fake: FakeTelegram, sqlite_url: str) -> None:
    async with running_bot(fake, sqlite_url):
        [empty] = await fake.reply_to(READER, "/latest")
        assert "No articles yet" in empty.text
        [usage] = await fake.reply_to(READER, "/section")
        assert "/section 2" in usage.text
        [unknown] = await fake.reply_to(READER, "/frobnicate")
        assert "/help" in unknown.text
        [length] = await fake.reply_to(READER, "/length huge")
        assert "/length short" in length.text
        [schedule] = await fake.reply_to(READER, "/schedule 25:99")
        assert "25:99" in schedule.text and "/schedule 07:30" in schedule.text
        [days] = await fake.reply_to(READER, "/schedule 07:30 someday")
        assert "someday" in days.text
        [zone] = await fake.reply_to(READER, "/timezone")
        assert "Asia/Shanghai" in zone.text
        [offset] = await fake.reply_to(READER, "/timezone UTC+8")
        assert "Etc/GMT-8" in offset.text
        [language] = await fake.reply_to(READER, "/language fr")
        assert "/language zh" in language.text
        [chinese] = await fake.reply_to(READER, "/language zh")
        assert "中文" in chinese.text
        [help_zh] = await fake.reply_to(READER, "/help")
        assert "命令" in help_zh.text and "管理员" not in help_zh.text
    assert fake.state.html_errors == []


async def test_admin_commands_are_refused_to_others(
    fake: FakeTelegram, sqlite_url: str, own_sample_path: Path
) -> None:
    async with running_bot(fake, sqlite_url):
        [stats] = await fake.reply_to(READER, "/stats")
        assert "only the bot's admins" in stats.text
        before = len(fake.messages_to(READER))
        fake.send_document(READER, own_sample_path.name, own_sample_path.read_bytes())
        [refused] = await fake.wait_for_messages(READER, 1, after=before)
        assert "only the bot's admins" in refused.text
        [help_admin] = await fake.reply_to(ADMIN, "/help")
        assert "/publish" in help_admin.text and "/stats" in help_admin.text
        before = len(fake.messages_to(ADMIN))
        fake.send_document(ADMIN, "scan.pdf", b"%PDF-1.4", mime_type="application/pdf")
        [unsupported] = await fake.wait_for_messages(ADMIN, 1, after=before)
        assert ".txt, .md and .html" in unsupported.text
        [usage] = await fake.reply_to(ADMIN, "/publish")
        assert "/publish URL" in usage.text


async def test_stats_count_subscribers_articles_and_sent_items(
    fake: FakeTelegram, sqlite_url: str, own_sample_path: Path
) -> None:
    async with running_bot(fake, sqlite_url):
        await fake.reply_to(READER, "/subscribe")
        before = len(fake.messages_to(ADMIN))
        fake.send_document(ADMIN, own_sample_path.name, own_sample_path.read_bytes())
        await fake.wait_for_messages(ADMIN, 2, after=before)
        await fake.reply_to(READER, "/latest")
        [stats] = await fake.reply_to(ADMIN, "/stats")
        assert "1 active" in stats.text and "Articles: 1" in stats.text and "1 sent" in stats.text


async def test_group_subscription_needs_a_chat_admin(fake: FakeTelegram, sqlite_url: str) -> None:
    async with running_bot(fake, sqlite_url):
        group = {"chat_id": GROUP, "chat_type": "supergroup"}
        [refused] = await fake.reply_to(READER, "/subscribe", **group)
        assert "Only the admins of this chat" in refused.text
        # A linked channel writing into the group is not an admin of it.
        channel = {"id": -1005555, "type": "channel", "title": "Some channel"}
        [linked] = await fake.reply_to(READER, "/subscribe", sender_chat=channel, **group)
        assert "Only the admins of this chat" in linked.text
        # An anonymous admin writes as the group itself.
        [anonymous] = await fake.reply_to(
            1087968824,
            "/subscribe",
            sender_chat={"id": GROUP, "type": "supergroup", "title": "Chat"},
            **group,
        )
        assert "Subscribed" in anonymous.text
        fake.set_member_status(GROUP, READER, "administrator")
        [already] = await fake.reply_to(READER, "/subscribe", **group)
        assert "already subscribed" in already.text
        [left] = await fake.reply_to(READER, "/unsubscribe", **group)
        assert "Unsubscribed" in left.text
        assert any(
            call["chat_id"] == str(GROUP) or call["chat_id"] == GROUP for call in fake.calls("getChatMember")
        )


async def _group_settings(application: object) -> tuple[object, ...]:
    """What a group can change about itself, as stored."""
    from storage import session_scope
    from storage import subscribers as subscriber_queries

    runtime = application.bot_data.runtime  # type: ignore[attr-defined]
    async with session_scope(runtime.sessions) as session:
        row = await subscriber_queries.get_subscriber(session, chat_id=GROUP)
    assert row is not None
    return (row.active, row.schedule, row.timezone, row.digest_length, row.language, row.follow_all)


GROUP_SETTINGS_COMMANDS = [
    "/subscribe",
    "/subscribe all",
    "/unsubscribe",
    "/schedule 07:30",
    "/timezone +8",
    "/length long",
    "/language zh",
]


@pytest.mark.parametrize("command", GROUP_SETTINGS_COMMANDS)
async def test_group_members_who_are_not_admins_cannot_change_settings_by_command(
    fake: FakeTelegram, sqlite_url: str, command: str
) -> None:
    group = {"chat_id": GROUP, "chat_type": "supergroup"}
    async with running_bot(fake, sqlite_url) as application:
        await fake.reply_to(READER, "/settings", **group)  # anyone may look
        before = await _group_settings(application)
        [refused] = await fake.reply_to(READER, command, **group)
        assert "Only the admins of this chat" in refused.text
        assert await _group_settings(application) == before
        fake.set_member_status(GROUP, READER, "administrator")
        [allowed] = await fake.reply_to(READER, command, **group)
        assert "Only the admins" not in allowed.text and "只有" not in allowed.text


async def _answer_after(fake: FakeTelegram, count: int) -> dict[str, object]:
    """The first answerCallbackQuery after the first ``count`` ones."""
    for _ in range(200):
        answers = fake.calls("answerCallbackQuery")
        if len(answers) > count:
            return answers[count]
        await asyncio.sleep(0.05)
    raise TimeoutError("the bot did not answer the button")


@pytest.mark.parametrize(
    "data",
    ["set:length:long", "set:schedule:instant", "set:language:zh", "set:subscribed:on", "do:subscribe"],
)
async def test_group_members_who_are_not_admins_cannot_change_settings_by_button(
    fake: FakeTelegram, sqlite_url: str, data: str
) -> None:
    group = {"chat_id": GROUP, "chat_type": "supergroup"}
    async with running_bot(fake, sqlite_url) as application:
        [settings] = await fake.reply_to(READER, "/settings", **group)
        before = await _group_settings(application)
        answered = len(fake.calls("answerCallbackQuery"))
        fake.press_button(READER, settings, data)
        answer = await _answer_after(fake, answered)
        assert "Only the admins of this chat" in str(answer.get("text")) and answer.get("show_alert")
        await asyncio.sleep(0.3)
        assert await _group_settings(application) == before
        assert fake.calls("editMessageText") == [] and len(fake.messages_to(GROUP)) == 1
        fake.set_member_status(GROUP, READER, "administrator")
        fake.press_button(READER, settings, data)
        await fake.wait_for_messages(GROUP, 2)  # an edited settings message, or the subscription reply
        assert await _group_settings(application) != before


async def test_settings_buttons_change_settings(fake: FakeTelegram, sqlite_url: str) -> None:
    async with running_bot(fake, sqlite_url):
        [settings] = await fake.reply_to(READER, "/settings")
        assert "Length: normal" in settings.text and "Subscription: off" in settings.text
        for data, expected in (
            ("set:length:long", "Length: long"),
            ("set:schedule:instant", "as soon as"),
            ("set:subscribed:on", "Subscription: on"),
            ("set:language:zh", "长度：详细"),
        ):
            before = len(fake.messages_to(READER))
            fake.press_button(READER, settings, data)
            [edited] = await fake.wait_for_messages(READER, 1, after=before)
            assert edited.method == "editMessageText" and expected in edited.text
        assert len(fake.calls("answerCallbackQuery")) == 4


async def test_full_digest_of_a_long_article_is_split(
    fake: FakeTelegram, sqlite_url: str, tmp_path: Path
) -> None:
    async with running_bot(fake, sqlite_url):
        await fake.reply_to(READER, "/length long")
        before = len(fake.messages_to(ADMIN))
        fake.send_document(ADMIN, "report.md", long_article().encode())
        await fake.wait_for_messages(ADMIN, 2, after=before)
        before = len(fake.messages_to(READER))
        fake.send_text(READER, "/digest 1")
        messages = await fake.wait_for_messages(READER, 2, after=before)
        await fake.wait_for_messages(READER, len(messages), after=before)
        text = "\n".join(m.text for m in fake.messages_to(READER)[before:])
        assert all(f"Part {i}" in text for i in range(1, 9))
        assert all(len(m.raw) <= 4096 for m in fake.messages_to(READER)[before:])
        [missing] = await fake.reply_to(READER, "/digest 99")
        assert "There is no article 99" in missing.text
    assert fake.state.html_errors == []


@pytest.fixture
def article_server(site: LocalSite) -> str:
    site.pages["/report.md"] = ("text/markdown; charset=utf-8", long_article().encode())
    return site.url("/report.md")


async def test_publish_by_url_goes_through_the_fetch_guard(
    fake: FakeTelegram, sqlite_url: str, article_server: str, caplog
) -> None:
    caplog.set_level(logging.INFO)
    async with running_bot(fake, sqlite_url):
        await fake.reply_to(ADMIN, "/start")
        replies = await fake.reply_to(ADMIN, f"/publish {article_server}", count=2)
        assert "Reading the article" in replies[0].text
        assert "Could not publish it" in replies[1].text and "127.0.0.1" in replies[1].text
    async with running_bot(fake, sqlite_url, fetch_allow_private_addresses=True):
        before = len(fake.messages_to(ADMIN))
        fake.send_text(ADMIN, f"/publish {article_server}")
        messages = await fake.wait_for_messages(ADMIN, 3, after=before)
        assert "A very long report" in messages[1].text
    assert "loopback" in caplog.text  # the refusal is logged too


async def test_a_failing_send_is_logged_and_the_bot_goes_on(
    fake: FakeTelegram, sqlite_url: str, caplog
) -> None:
    caplog.set_level(logging.ERROR)
    async with running_bot(fake, sqlite_url):
        fake.inject_error(InjectedError("sendMessage", 500, "Internal Server Error", chat_id=READER, times=2))
        fake.send_text(READER, "/help")  # its reply fails, and so does the apology
        [after] = await fake.reply_to(READER, "/start")
        assert "Hello" in after.text
        assert len(fake.messages_to(READER)) == 1
    assert "error while handling an update" in caplog.text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_webhook_refuses_requests_without_the_secret(fake: FakeTelegram, sqlite_url: str) -> None:
    from bot.frontend import build_application

    port = _free_port()
    settings = settings_for(
        fake, sqlite_url, webhook_url="https://bot.example/hook", webhook_secret="s3cret-token"
    )
    application = build_application(settings)
    await application.initialize()
    await application.start()
    await application.updater.start_webhook(
        listen="127.0.0.1",
        port=port,
        url_path="hook",
        webhook_url=settings.webhook_url,
        secret_token="s3cret-token",
    )
    try:
        update = fake.send_text(READER, "/start")
        fake.state.updates.clear()  # delivered by the webhook below, not by getUpdates
        async with httpx.AsyncClient() as client:
            refused = await client.post(f"http://127.0.0.1:{port}/hook", json=update)
            wrong = await client.post(
                f"http://127.0.0.1:{port}/hook",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": "guess"},
            )
            accepted = await client.post(
                f"http://127.0.0.1:{port}/hook",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"},
            )
        assert (refused.status_code, wrong.status_code, accepted.status_code) == (403, 403, 200)
        [welcome] = await fake.wait_for_messages(READER, 1)
        assert "Hello" in welcome.text
        assert fake.calls("setWebhook")[0]["secret_token"] == "s3cret-token"
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


async def test_subscribe_to_chosen_sources(fake: FakeTelegram, sqlite_url: str, article_server: str) -> None:
    async with running_bot(fake, sqlite_url, fetch_allow_private_addresses=True):
        [usage] = await fake.reply_to(READER, "/subscribe nonsense")
        assert "/subscribe ID" in usage.text
        [missing] = await fake.reply_to(READER, "/subscribe 7")
        assert "no source 7" in missing.text
        [_reading, added] = await fake.reply_to(ADMIN, f"/addsource {article_server}", count=2)
        assert "Following #1" in added.text
        [sources] = await fake.reply_to(ADMIN, "/sources")
        assert "<code>1</code>" in sources.raw and "page" in sources.text
        [chosen] = await fake.reply_to(READER, "/subscribe 1")
        assert "source #1" in chosen.text
        [shown] = await fake.reply_to(READER, "/settings")
        assert "Sources: #1" in shown.text and "Subscription: on" in shown.text
        [left] = await fake.reply_to(READER, "/unsubscribe 1")
        assert "No more articles from source #1" in left.text
        [everything] = await fake.reply_to(READER, "/subscribe all")
        assert "all sources" in everything.text
        [paused] = await fake.reply_to(ADMIN, "/pausesource 1")
        assert "paused" in paused.text
        [removed] = await fake.reply_to(ADMIN, "/removesource 1")
        assert "removed" in removed.text


async def test_cli_adds_a_channel_the_bot_posts_to(
    fake: FakeTelegram, sqlite_url: str, tmp_path: Path
) -> None:
    import asyncio
    import os
    import sys

    fake.channels["@digest_news"] = -1001234567
    fake.set_member_status(-1001234567, 4242, "administrator")  # the bot, with Post Messages
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_URL": sqlite_url,
    }
    script = str(Path(sys.executable).parent / "digestbot")
    for reference, expected in (
        ("@digest_news", "digest_news (-1001234567): subscribed"),
        ("@digest_news", "already subscribed"),
        ("@missing", "does not know @missing"),
    ):
        process = await asyncio.create_subprocess_exec(
            script,
            "channels",
            "add",
            reference,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=120)
        assert expected in (out + err).decode(), (out + err).decode()
    listed = await asyncio.create_subprocess_exec(
        script, "subscribers", "list", "--active", env=env, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(listed.communicate(), timeout=120)
    assert "-1001234567" in out.decode() and "channel" in out.decode()


async def test_an_upload_a_crash_interrupted_is_published_after_the_restart(
    fake: FakeTelegram, sqlite_url: str, own_sample_path: Path
) -> None:
    """The bot died after it remembered the admin's document and before it answered (polling had
    confirmed the update to Telegram): the restarted bot publishes it and answers the admin."""
    from storage import create_engine, session_factory, session_scope
    from storage import uploads as upload_queries

    fake.state.files["file-before-crash"] = (own_sample_path.name, own_sample_path.read_bytes())
    engine = create_engine(sqlite_url)
    async with session_scope(session_factory(engine)) as session:
        await upload_queries.remember_upload(
            session,
            chat_id=ADMIN,
            file_id="file-before-crash",
            file_name=own_sample_path.name,
            mime_type=None,
        )
        await upload_queries.remember_upload(
            session, chat_id=ADMIN, file_id="file-gone", file_name="gone.txt", mime_type=None
        )
    async with running_bot(fake, sqlite_url):
        messages = await fake.wait_for_messages(ADMIN, 3)
        texts = "\n".join(m.text for m in messages)
        assert "Published #1" in texts and "could not download gone.txt" in texts
    async with session_scope(session_factory(engine)) as session:
        assert await upload_queries.pending_uploads(session) == []
    await engine.dispose()


async def test_a_normal_upload_leaves_nothing_pending(
    fake: FakeTelegram, sqlite_url: str, own_sample_path: Path
) -> None:
    from storage import create_engine, session_factory, session_scope
    from storage import uploads as upload_queries

    async with running_bot(fake, sqlite_url):
        fake.send_document(ADMIN, own_sample_path.name, own_sample_path.read_bytes())
        await fake.wait_for_messages(ADMIN, 2)
    engine = create_engine(sqlite_url)
    async with session_scope(session_factory(engine)) as session:
        assert await upload_queries.pending_uploads(session) == []
    await engine.dispose()


async def test_whoami_tells_users_their_id_and_the_log_names_new_users(
    fake: FakeTelegram, sqlite_url: str, caplog
) -> None:
    caplog.set_level(logging.INFO)
    async with running_bot(fake, sqlite_url):
        [reply] = await fake.reply_to(READER, "/whoami")
        assert str(READER) in reply.text and f"ADMIN_USER_IDS={READER}" in reply.text
        [admin] = await fake.reply_to(ADMIN, "/whoami", language_code="zh-hant")
        assert str(ADMIN) in admin.text and "管理員" in admin.text and "ADMIN_USER_IDS" not in admin.text
        await fake.reply_to(READER, "/help")
    first = [r.getMessage() for r in caplog.records if "first message from Telegram user" in r.getMessage()]
    assert len([m for m in first if f"user {READER} " in m]) == 1 and f"ADMIN_USER_IDS={READER}" in first[0]


async def test_nothing_posted_inside_a_channel_is_answered_there(fake: FakeTelegram, sqlite_url: str) -> None:
    """Commands and text posted in a channel the bot administers are its readers' to see: the
    bot answers none of them (it used to say "I don't know that command" to the channel)."""
    from storage import session_scope
    from storage import subscribers as subscriber_queries

    channel = -1009876543
    async with running_bot(fake, sqlite_url) as application:
        for text in ("/subscribe", "/help", "/nonsense", "hello readers"):
            fake.post_in_channel(channel, text)
        [private] = await fake.reply_to(ADMIN, "/help")  # the posts before it were handled
        await asyncio.sleep(0.5)
        async with session_scope(application.bot_data.runtime.sessions) as session:
            known = await subscriber_queries.get_subscriber(session, chat_id=channel)
    assert "/subscribe" in private.text
    assert fake.messages_to(channel) == []
    assert known is None or not known.active


async def test_the_command_menu_holds_every_command_and_the_admins_see_theirs(
    fake: FakeTelegram, sqlite_url: str
) -> None:
    """Readers' commands for everyone in English and Chinese (with READER_SOURCES, /follow and
    /unfollow); the admins' added in each admin's private chat only; every command a handler
    answers is in one menu or the other."""
    from bot.frontend.app import COMMAND_HANDLERS
    from bot.texts import COMMANDS, Audience

    admin_commands = {c.name for c in COMMANDS if c.audience == Audience.BOT_ADMINS}
    async with running_bot(fake, sqlite_url, reader_sources=True):
        for _ in range(100):
            if ("chat", ADMIN, "zh") in fake.state.menus:
                break
            await asyncio.sleep(0.05)
        [admin_help] = await fake.reply_to(ADMIN, "/help")
        [reader_help] = await fake.reply_to(READER, "/help")
    names = {key: [c["command"] for c in menu] for key, menu in fake.state.menus.items()}
    reader, admin = names[("default", None, "")], names[("chat", ADMIN, "")]
    assert names[("default", None, "zh")] == reader and names[("chat", ADMIN, "zh")] == admin
    assert {"schedule", "timezone", "length", "language", "section", "search", "follow"} <= set(reader)
    assert not {"addsource", "publish", "stats"} & set(reader)
    assert set(admin) == set(reader) | admin_commands
    guarded = {
        name for name, callback in COMMAND_HANDLERS.items() if getattr(callback, "bot_admins_only", False)
    }
    assert guarded == admin_commands
    group_admins = names[("all_chat_administrators", None, "")]
    assert set(group_admins) == set(reader) | {"topic", "sourcetopic"} and "topic" not in reader
    assert set(COMMAND_HANDLERS) - {"start"} == set(admin) | set(group_admins)
    assert all(set(c.menu) == {"en", "zh"} for c in COMMANDS)
    # /help lists what the chat's menu holds, from the same table: nothing missing, nothing more.
    assert _help_commands(admin_help.text) == admin
    assert _help_commands(reader_help.text) == reader


def _help_commands(text: str) -> list[str]:
    """The commands /help lists, in order: each line's leading /name."""
    return [line.split()[0][1:] for line in text.splitlines() if line.startswith("/")]


async def _digestbot(env: dict[str, str], *arguments: str) -> tuple[int, str]:
    import sys

    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "digestbot"),
        *arguments,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode or 0, out.decode()


async def test_a_channel_configured_from_the_command_line_gets_its_own_digest(
    fake: FakeTelegram, sqlite_url: str
) -> None:
    """`channels add` refuses a channel where the bot may not post; `channels set` gives one its
    schedule, timezone, language, length and filter; `channels list` shows them; at its time the
    channel gets a Chinese digest of the article its filter takes, not of the other."""
    import os
    from datetime import UTC, datetime, timedelta

    from digests import parse_article
    from storage import create_engine, session_factory, session_scope
    from storage import subscribers as subscriber_queries
    from tests.helpers import store_article

    channel = -1001112223
    fake.channels["@harbour_news"] = channel
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_URL": sqlite_url,
    }
    code, out = await _digestbot(env, "channels", "add", "@harbour_news")
    assert code == 1 and "not an admin of @harbour_news" in out and len(out.strip().splitlines()) == 1
    fake.set_member_status(channel, 4242, "administrator")
    fake.state.cannot_post.add((channel, 4242))
    code, out = await _digestbot(env, "channels", "add", "@harbour_news")
    assert code == 1 and "Post Messages" in out
    fake.state.cannot_post.clear()
    code, out = await _digestbot(env, "channels", "add", "@harbour_news")
    assert code == 0 and "subscribed" in out, out
    code, out = await _digestbot(
        env,
        "channels",
        "set",
        "@harbour_news",
        "--schedule",
        "09:30",
        "--timezone",
        "Asia/Shanghai",
        "--language",
        "zh",
        "--length",
        "short",
        "--filter",
        "港口",
    )
    assert code == 0 and "09:30" in out and "Asia/Shanghai" in out, out
    code, out = await _digestbot(env, "channels", "set", "@harbour_news", "--timezone", "Mars/Olympus")
    assert code == 1 and "Mars/Olympus" in out and len(out.strip().splitlines()) == 1
    code, listed = await _digestbot(env, "channels", "list")
    assert "09:30" in listed and "short" in listed and "zh" in listed and "港口" in listed, listed

    engine = create_engine(sqlite_url)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    async with session_scope(sessions) as session:
        row = await subscriber_queries.get_subscriber(session, chat_id=channel)
        assert row is not None and row.next_digest_at is not None
        assert row.next_digest_at.astimezone(UTC).strftime("%H:%M") == "01:30"  # 09:30 in Shanghai
        for title, body in (
            ("港口扩建工程启动", "港口扩建工程今天启动。新码头将在两年内建成，港口吞吐量预计翻番。"),
            ("城市公园开放", "城市新公园今天向市民开放。公园占地一百公顷，设有湖泊和步道。"),
        ):
            await store_article(session, article=parse_article(f"# {title}\n\n{body}"), published_at=now)
        row.next_digest_at = now - timedelta(minutes=1)  # its 09:30 has come
        row.last_digest_at = now - timedelta(days=1)
        session.add(row)
    await engine.dispose()
    async with running_bot(fake, sqlite_url, scheduler_interval_seconds=0.2):
        [digest] = await fake.wait_for_messages(channel, 1, timeout=20)
        await asyncio.sleep(1)
    assert "港口扩建工程启动" in digest.text and "城市公园开放" not in digest.text
    assert len(fake.messages_to(channel)) == 1


async def test_a_stop_does_not_wait_for_every_admins_command_menu(
    fake: FakeTelegram, sqlite_url: str
) -> None:
    """The menus of many admins are set in the background; stopping the bot cancels what is left
    (the next start sets them again) instead of waiting for thousands of calls."""
    admins = frozenset(range(50_000, 53_000))
    async with running_bot(fake, sqlite_url, admin_user_ids=admins):
        [reply] = await fake.reply_to(READER, "/help")  # the bot answers while the menus are set
    set_for_admins = {chat for scope, chat, _ in fake.state.menus if scope == "chat"}
    assert "/latest" in reply.text
    assert 0 < len(set_for_admins) < len(admins)
