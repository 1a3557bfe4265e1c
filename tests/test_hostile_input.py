"""Hostile input and bad days: odd numbers, forged names, leaked tokens, hostile XML, CLI failures."""

from __future__ import annotations

import asyncio
import logging
import stat
import subprocess
import threading
import zlib
from pathlib import Path

import pytest

from bot.fakeapi import FakeTelegram
from bot.logs import escape_controls, safe
from bot.usecases.ids import parse_id
from bot.usecases.schedules import ScheduleError, parse_schedule, parse_timezone
from digests import DigestError, parse_article
from digests.feeds import refuse_dangerous_xml
from digests.fetch import FetchError, FetchPolicy, fetch
from tests.helpers import ADMIN, POSTGRES_SERVER, LocalSite, running_bot, send

GENERIC_ERROR = "Something went wrong"


def _one_line_failure(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("digestbot: ")]
    assert len(lines) == 1, result.stderr
    return lines[0]


# --- ids, schedules and timezones are checked where they come in ---------------------------------


@pytest.mark.parametrize(
    "text", ["²", "①", "٣", "-1", "0", "1 2", "3000000000", "99999999999999999999", "", "#"]
)
def test_ids_are_ascii_digits_within_range(text: str) -> None:
    assert parse_id(text) is None


def test_ids_may_carry_a_hash() -> None:
    assert parse_id("#12") == 12 and parse_id(" 7 ") == 7 and parse_id(2**31 - 1) == 2**31 - 1


@pytest.mark.parametrize("args", [["٠٧:٣٠"], ["07:30", "١"], ["０７:３０"], ["07:30", "mon;drop"]])
def test_schedules_only_in_the_documented_forms(args: list[str]) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(args)


@pytest.mark.parametrize("zone", ["localtime", "posixrules", "Factory", "posix/Asia/Shanghai", "right/UTC"])
def test_timezones_are_zones_people_live_in(zone: str) -> None:
    with pytest.raises(ScheduleError):
        parse_timezone(zone)


def test_a_section_named_by_other_digits_is_not_found_not_a_crash() -> None:
    from digests import SectionNotFound, find_section

    article = parse_article("Title\n\nLead text here.\n\n## One\n\nBody one.\n\n## Two\n\nBody two.\n")
    for reference in ("²", "①", "99999999999999999999"):
        with pytest.raises(SectionNotFound):
            find_section(article, reference)


async def test_odd_numbers_get_a_specific_reply(fake: FakeTelegram, database_url: str) -> None:
    async with running_bot(fake, database_url):
        for command in ("/digest 3000000000", "/digest 99999999999999999999", "/digest ²", "/sections ①"):
            [reply] = await fake.reply_to(7, command)
            assert "There is no article" in reply.text, (command, reply.text)
        for command in ("/pausesource ²", "/removesource 99999999999999999999", "/subscribe ①"):
            [reply] = await fake.reply_to(ADMIN, command)
            assert "There is no source" in reply.text, (command, reply.text)
        [latest] = await fake.reply_to(7, "/start")
        before = len(fake.messages_to(7))
        fake.press_button(7, latest, "sec:99999999999999999999:1")
        [pressed] = await fake.wait_for_messages(7, 1, after=before)
        assert "There is no article" in pressed.text
        assert not any(GENERIC_ERROR in m.text for m in fake.state.sent)


# --- fetching and XML -----------------------------------------------------------------------------


async def test_a_host_name_idna_cannot_encode_is_a_fetch_error() -> None:
    with pytest.raises(FetchError, match="host name"):
        await fetch(f"http://{'a' * 70}.example/", policy=FetchPolicy(allow_private_addresses=True))


async def test_raw_deflate_bodies_are_read(site: LocalSite) -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = compressor.compress(b"hello, raw deflate") + compressor.flush()
    wrapped = zlib.compress(b"hello, zlib deflate")
    site.routes["/raw"] = lambda h: send(h, 200, "text/plain", raw, headers={"Content-Encoding": "deflate"})
    site.routes["/zlib"] = lambda h: send(
        h, 200, "text/plain", wrapped, headers={"Content-Encoding": "deflate"}
    )
    policy = FetchPolicy(allow_private_addresses=True)
    assert (await fetch(site.url("/raw"), policy=policy)).text == "hello, raw deflate"
    assert (await fetch(site.url("/zlib"), policy=policy)).text == "hello, zlib deflate"


LAUGHS = (
    '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><rss><channel><title>&b;</title></channel></rss>'
)
XXE = (
    '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    "<rss><channel><title>&x;</title></channel></rss>"
)


@pytest.mark.parametrize("document", [LAUGHS, XXE])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_the_entity_guard_reads_every_unicode_encoding(document: str, encoding: str) -> None:
    with pytest.raises(DigestError, match="refused"):
        refuse_dangerous_xml(document.encode(encoding))


# --- secrets and terminals ----------------------------------------------------------------------


def test_control_characters_are_escaped_for_terminals_and_logs() -> None:
    forged = "Feed\x1b[2J\r\n   3  feed  active http://evil/\u202e"
    assert escape_controls(forged) == "Feed\\x1b[2J\\x0d\\x0a   3  feed  active http://evil/\\u202e"
    assert "\n" not in safe(forged) and "\x1b" not in safe(forged)


def test_log_records_carry_no_control_characters(caplog: pytest.LogCaptureFixture) -> None:
    from bot.logs import add_secrets

    add_secrets(["s3cr3t-value-for-the-log-test"])
    logging.getLogger("digestbot.test").warning("title %s and s3cr3t-value-for-the-log-test", "a\x1b[31mb\nc")
    assert "a\\x1b[31mb\\x0ac" in caplog.text and "s3cr3t" not in caplog.text


def test_a_rejected_token_never_reaches_the_output(cli) -> None:
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    fake = FakeTelegram()
    asyncio.run_coroutine_threadsafe(fake.start(), loop).result(timeout=30)
    wrong = "987654:WRONG-token-that-must-not-leak"
    telegram = {
        "TELEGRAM_BOT_TOKEN": wrong,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_API_FILE_URL": fake.base_file_url,
    }
    try:
        for args in (("run",), ("channels", "add", "@somewhere"), ("worker",)):
            for verbose in ((), ("--verbose",)):
                result = cli(*verbose, *args, **telegram)
                assert wrong not in result.stdout + result.stderr and "WRONG" not in result.stderr, args
                assert "Telegram rejected the bot token" in _one_line_failure(result)
    finally:
        asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)


def test_feed_titles_cannot_forge_rows_on_the_operator_screen(cli, site: LocalSite) -> None:
    title = "Evil\x1b[2J\n   9  feed  active http://forged/"
    feed = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title><item><title>x</title>'
        "<guid>1</guid><description>Some text of the only entry.</description></item></channel></rss>"
    ).encode()
    site.pages["/feed.xml"] = ("application/rss+xml", feed)
    allow = {"FETCH_ALLOW_PRIVATE_ADDRESSES": "true"}
    added = cli("sources", "add", site.url("/feed.xml"), **allow)
    assert added.returncode == 0, added.stderr
    listing = cli("sources", "list", **allow)
    assert "\x1b" not in added.stdout + listing.stdout
    assert len(listing.stdout.splitlines()) == 1 and "http://forged/" in listing.stdout


def test_the_sqlite_file_is_private_and_a_readable_env_is_reported(tmp_path: Path, cli) -> None:
    (tmp_path / ".env").write_text("DIGEST_SENTENCES=2\n")
    (tmp_path / ".env").chmod(0o644)
    result = cli("stats")
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE((tmp_path / "bot.db").stat().st_mode) == 0o600
    assert "chmod 600 .env" in result.stderr


# --- the command line fails in one line ---------------------------------------------------------


def test_cli_failures_are_one_line(tmp_path: Path, postgres_url: str, cli) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"id": 1, "article": "Title\\n\\nSome text here.", "language": 7}\n')
    assert "language" in _one_line_failure(cli("summarize", str(rows)))
    rows.write_text('{"id": 1, "article": "Title\\n\\nSome text here."}\n')
    assert "Is a directory" in _one_line_failure(cli("summarize", str(rows), "-o", str(tmp_path)))
    assert "DATABASE_URL" in _one_line_failure(cli("stats", DATABASE_URL="garbage"))
    down = "postgresql+asyncpg://postgres@127.0.0.1:1/nothing"
    for args in (("stats",), ("db", "upgrade"), ("subscribers", "list")):
        assert "database" in _one_line_failure(cli(*args, DATABASE_URL=down))
    missing = f"{POSTGRES_SERVER}/digestbot_no_such_database"
    assert "database" in _one_line_failure(cli("stats", DATABASE_URL=missing))
    assert "database" in _one_line_failure(cli("db", "upgrade", DATABASE_URL=missing))


def test_a_traceback_only_with_verbose_and_never_a_secret(cli) -> None:
    quiet = cli("stats", DATABASE_URL="postgresql+asyncpg://postgres:pa55word-secret@127.0.0.1:1/x")
    assert "Traceback" not in quiet.stderr and len(quiet.stderr.strip().splitlines()) == 1
    assert "pa55word" not in quiet.stderr


def test_startup_names_the_setting_to_fix(cli) -> None:
    token = {"TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN"}
    unreachable = cli("run", TELEGRAM_API_BASE_URL="http://127.0.0.1:1/bot", **token)
    assert "TELEGRAM_API_BASE_URL" in _one_line_failure(unreachable)
    database_down = cli("worker", DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:1/x", **token)
    assert "DATABASE_URL" in _one_line_failure(database_down)
