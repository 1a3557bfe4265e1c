"""How often a source is polled: its own advice within bounds, an admin's choice, and now."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from bot.fakeapi import FakeTelegram
from bot.usecases import following
from bot.usecases.polling import poll_interval
from bot.usecases.runtime import Runtime
from bot.usecases.schedules import ScheduleError, parse_interval
from digests.feeds import advised_interval, parse_feed
from digests.fetch import cache_max_age
from storage import session_scope
from storage import sources as source_queries
from tests.helpers import ADMIN, LocalSite, running_bot, send


def feed(*, channel_extra: str = "", entries: int = 1) -> bytes:
    items = "".join(
        f"<item><title>Story {n}</title><guid>s{n}</guid><pubDate>{format_datetime(datetime.now(UTC))}</pubDate>"
        f"<description>Story {n} tells what happened at the harbour today, and why.</description></item>"
        for n in range(entries)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">'
        f"<channel><title>Harbour</title>{channel_extra}{items}</channel></rss>"
    ).encode()


def test_what_a_feed_and_a_server_advise_is_read() -> None:
    assert advised_interval({"ttl": "90"}) == 5400
    assert advised_interval({"sy_updateperiod": "hourly", "sy_updatefrequency": "4"}) == 900
    assert advised_interval({"sy_updateperiod": "daily"}) == 86_400
    assert advised_interval({"ttl": "soon", "sy_updateperiod": "sometimes"}) is None
    assert parse_feed(feed(channel_extra="<ttl>45</ttl>")).advised_interval == 2700
    assert cache_max_age("public, max-age=600") == 600
    assert cache_max_age("max-age=600, no-cache") is None
    assert cache_max_age(None) is None and cache_max_age("private") is None


def test_intervals_are_typed_as_minutes_hours_or_days() -> None:
    assert [parse_interval(text) for text in ("10m", "2h", "1d", "90 min", "120s")] == [
        600,
        7200,
        86_400,
        5400,
        120,
    ]
    for wrong in ("10", "5s", "fortnight", "8d", ""):
        with pytest.raises(ScheduleError):
            parse_interval(wrong)


async def _next_poll_in(runtime: Runtime, source_id: int) -> float:
    async with session_scope(runtime.sessions) as session:
        source = await source_queries.get_polled_source(session, source_id=source_id)
    assert source is not None and source.next_poll_at is not None and source.last_polled_at is not None
    return (source.next_poll_at - source.last_polled_at).total_seconds()


async def test_a_feed_is_polled_as_it_asks_within_the_bounds_unless_an_admin_chose(
    site: LocalSite, runtime: Runtime
) -> None:
    site.pages["/slow.xml"] = ("application/rss+xml", feed(channel_extra="<ttl>90</ttl>"))
    site.pages["/eager.xml"] = ("application/rss+xml", feed(channel_extra="<ttl>1</ttl>"))
    site.pages["/plain.xml"] = ("application/rss+xml", feed())
    site.pages["/chosen.xml"] = ("application/rss+xml", feed(channel_extra="<ttl>90</ttl>"))

    def cached(handler) -> None:
        send(handler, 200, "application/rss+xml", feed(), headers={"Cache-Control": "public, max-age=7200"})

    site.routes["/cached.xml"] = cached
    slow = await following.add_source(runtime, url=site.url("/slow.xml"))
    eager = await following.add_source(runtime, url=site.url("/eager.xml"))
    plain = await following.add_source(runtime, url=site.url("/plain.xml"))
    cached_source = await following.add_source(runtime, url=site.url("/cached.xml"))
    chosen = await following.add_source(runtime, url=site.url("/chosen.xml"), interval=600)
    settings = runtime.settings
    assert await _next_poll_in(runtime, slow.source.id) == 5400  # its <ttl> of 90 minutes
    assert await _next_poll_in(runtime, eager.source.id) == settings.poll_min_interval_seconds
    assert await _next_poll_in(runtime, plain.source.id) == settings.poll_interval_seconds
    assert await _next_poll_in(runtime, cached_source.source.id) == 7200  # Cache-Control: max-age
    assert await _next_poll_in(runtime, chosen.source.id) == 600  # the admin's, not the feed's 90 min

    source = await following.set_interval(runtime, source=slow.source, seconds=None)
    assert poll_interval(source, settings) == 5400  # back to what it asks for
    source = await following.set_interval(runtime, source=source, seconds=3600)
    assert poll_interval(source, settings) == 3600


async def test_refresh_polls_at_once_and_sources_shows_the_interval_and_next_poll(
    fake: FakeTelegram, sqlite_url: str, site: LocalSite
) -> None:
    site.pages["/feed.xml"] = ("application/rss+xml", feed(channel_extra="<ttl>120</ttl>"))
    async with running_bot(fake, sqlite_url, fetch_allow_private_addresses=True):
        [_checking, added] = await fake.reply_to(
            ADMIN, f"/addsource {site.url('/feed.xml')} every 45m", count=2
        )
        assert (added.method == "editMessageText" and "#1" in added.text) or "1" in added.text
        [listed] = await fake.reply_to(ADMIN, "/sources")
        assert "every 45 min" in listed.text and "next poll" in listed.text
        hits = site.hits["/feed.xml"]
        site.pages["/feed.xml"] = ("application/rss+xml", feed(channel_extra="<ttl>120</ttl>", entries=2))
        [_, refreshed] = await fake.reply_to(ADMIN, "/refresh 1", count=2)
        assert site.hits["/feed.xml"] == hits + 1
        assert refreshed.method == "editMessageText" and "1 new" in refreshed.text, refreshed.text
        [usage] = await fake.reply_to(ADMIN, "/refresh")
        assert "/refresh ID" in usage.text
        [bad] = await fake.reply_to(ADMIN, f"/addsource {site.url('/other.xml')} every fortnight")
        assert "fortnight" in bad.text and "10m" in bad.text
        [refused] = await fake.reply_to(501, "/refresh 1")
        assert site.hits["/feed.xml"] == hits + 1 and "admin" in refused.text.lower()
