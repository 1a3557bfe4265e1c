"""Channels set up from an admin's private chat: /channels lists them with the settings keyboard
applied to the channel, /channels add checks the bot may post, /channels filter sets its filter;
the channel then gets its digests in its own language and schedule, with its filter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from bot.fakeapi import FakeTelegram
from bot.fakeapi.server import SentMessage
from bot.usecases.callbacks import ChannelSettingButton
from tests.helpers import ADMIN, LocalSite, running_bot

CHANNEL, LOCKED = -1006660001, -1006660002
BOT_ID = 4242


def port_feed(site: LocalSite, stories: list[tuple[str, str]]) -> tuple[str, bytes]:
    """A feed of (title, text) stories, newest last, each linking to a page of the local site."""
    now = datetime.now(UTC)
    items = "".join(
        f"<item><title>{title}</title><guid>{title}</guid><link>{site.url('/story/' + str(n))}</link>"
        f"<pubDate>{format_datetime(now + timedelta(seconds=2 * n) if n else now - timedelta(hours=1))}"
        f"</pubDate><description>{text}</description></item>"
        for n, (title, text) in enumerate(stories)
    )
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Port</title>{items}</channel></rss>'
    return "application/rss+xml", body.encode()


def button(message: SentMessage, setting: str, value: str = "") -> str:
    """The callback data of the message's button for this setting and value."""
    for candidate in message.buttons:
        data = candidate.get("callback_data", "")
        if data.startswith("chs:"):
            unpacked = ChannelSettingButton.unpack(data)
            if (unpacked.setting, unpacked.value) == (setting, value):
                return data
    raise AssertionError(f"no {setting}={value} button in {message.buttons}")


async def test_a_channel_set_up_from_a_private_chat_gets_its_digests_in_its_language_with_its_filter(
    fake: FakeTelegram, sqlite_url: str, site: LocalSite
) -> None:
    fake.channels["@port_news"] = CHANNEL
    fake.channels["@locked_news"] = LOCKED
    fake.set_member_status(CHANNEL, BOT_ID, "administrator")  # with Post Messages
    fake.set_member_status(LOCKED, BOT_ID, "member")
    ferries = "The ferries will run on a new timetable from Monday, the port authority decided today."
    market = "Fish prices rose at the morning market as fewer boats came in after the storm."
    site.pages["/port.xml"] = port_feed(site, [("Old news", market)])
    async with running_bot(fake, sqlite_url, fetch_allow_private_addresses=True):
        [none] = await fake.reply_to(ADMIN, "/channels")
        assert "No channels yet" in none.text and "/channels add @name" in none.text
        [locked] = await fake.reply_to(ADMIN, "/channels add @locked_news")
        assert "not an admin of @locked_news" in locked.text
        [unknown] = await fake.reply_to(ADMIN, "/channels add @nowhere")
        assert "does not know @nowhere" in unknown.text

        [added] = await fake.reply_to(ADMIN, "/channels add @port_news")
        assert "Posting to @port_news" in added.text and "Subscription: on" in added.text

        async def press(message: SentMessage, setting: str, value: str) -> SentMessage:
            before = len(fake.messages_to(ADMIN))
            fake.press_button(ADMIN, message, button(message, setting, value))
            [edited] = await fake.wait_for_messages(ADMIN, 1, after=before)
            assert edited.method == "editMessageText"
            return edited

        in_chinese = await press(added, "language", "zh")
        assert "Language: 简体中文" in in_chinese.text, in_chinese.text
        assert "Subscription: on" in in_chinese.text  # the admin's language for the admin
        instant = await press(in_chinese, "schedule", "instant")
        assert "Schedule: as soon as" in instant.text, instant.text

        [filtered] = await fake.reply_to(ADMIN, "/channels filter @port_news +ferries")
        assert "@port_news: keyword filter saved" in filtered.text and "ferries" in filtered.text
        [zone] = await fake.reply_to(ADMIN, "/channels set @port_news timezone Asia/Kolkata")
        assert "Asia/Kolkata" in zone.text and zone.buttons  # a zone no button offers
        [wrong] = await fake.reply_to(ADMIN, "/channels set @port_news timezone Mars/Olympus")
        assert "“Mars/Olympus” is not a timezone I know" in wrong.text and "/timezone" in wrong.text
        [unknown] = await fake.reply_to(ADMIN, "/channels set @elsewhere schedule 07:30")
        assert "@elsewhere" in unknown.text
        [listed] = await fake.reply_to(ADMIN, "/channels")
        assert "@port_news · on" in listed.text and "简体中文" in listed.text
        assert "Asia/Kolkata" in listed.text
        assert any(b["text"].startswith("⚙ @port_news") for b in listed.buttons)
        fake.state.members[(CHANNEL, BOT_ID)] = "member"  # an admin took the right away
        [warned] = await fake.reply_to(ADMIN, "/channels")
        assert "cannot post there" in warned.text
        fake.state.members[(CHANNEL, BOT_ID)] = "administrator"

        await fake.reply_to(ADMIN, f"/addsource {site.url('/port.xml')}", count=2)
        site.pages["/port.xml"] = port_feed(
            site, [("Old news", market), ("Ferry timetable", ferries), ("Fish prices", market + " Again.")]
        )
        await fake.reply_to(ADMIN, "/refresh 1", count=2)
        [digest] = await fake.wait_for_messages(CHANNEL, 1)
        assert "Ferry timetable" in digest.text and "Fish prices" not in digest.text
        assert any(b["text"] == "阅读原文" for b in digest.buttons), digest.buttons  # its language

        [refused] = await fake.reply_to(501, "/channels")
        assert "admin" in refused.text.lower()
        group = {"chat_id": -1006660009, "chat_type": "supergroup"}
        [in_group] = await fake.reply_to(ADMIN, "/channels", **group)
        assert "private chat" in in_group.text
    assert len(fake.messages_to(CHANNEL)) == 1  # the filter kept the other article out
