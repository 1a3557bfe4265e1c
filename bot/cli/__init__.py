"""The ``digestbot`` command line: digests, the bot, and its administration.

One module per command group (``digests``, ``serve``, ``chat``, ``database``, ``publish``,
``subscribers``, ``sources``, ``stats``), imported only when its command runs: ``preview``
must not pay for the bot's imports.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from bot.cli.common import CliError
from bot.logs import configure_logging, escape_controls, redact, safe
from digests.errors import DigestError

FORMATS = ("text", "html", "md", "json")


MAX_SENTENCES = 10_000
MAX_LIMIT = 1_000_000


def _limit(value: str) -> int:
    """How many rows to list: a whole number from 1 to a million."""
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {MAX_LIMIT:,}, not {value!r}")
    return int(value)


def _budget(value: str) -> int | float:
    """A sentence count (3) or a ratio of a section's sentences (0.3)."""
    try:
        number = float(value)
    except ValueError:
        message = f"expected a count like 3 or a ratio like 0.3, not {value!r}"
        raise argparse.ArgumentTypeError(message) from None
    if not math.isfinite(number) or number <= 0 or (number > 1 and not number.is_integer()):
        raise argparse.ArgumentTypeError(f"expected a positive count or a ratio up to 1, not {value!r}")
    if number > MAX_SENTENCES:
        raise argparse.ArgumentTypeError(f"at most {MAX_SENTENCES} sentences, not {value!r}")
    return int(number) if number > 1 or value.strip().isdigit() else number


def _algorithm(value: str) -> str:
    from digests.methods import METHODS

    name = value.lower()
    if name not in METHODS:
        raise argparse.ArgumentTypeError(f"unknown algorithm {value!r}; choose one of {', '.join(METHODS)}")
    return name


def _chat_language(value: str) -> str:
    """A language the bot's replies and digests come in (``bot.texts.LANGUAGES``)."""
    from bot.texts import LANGUAGES  # with the storage it needs: only when a channel is added

    if value not in LANGUAGES:
        raise argparse.ArgumentTypeError(
            f"unsupported language {value[:20]!r}; choose one of {', '.join(LANGUAGES)}"
        )
    return value


def _language(value: str) -> str | None:
    """``auto`` (detect it) or a language the summarizer knows."""
    from digests.tokenizers import SUMY_LANGUAGES

    code = value.lower()
    if code == "auto":
        return None
    if code not in SUMY_LANGUAGES:
        choices = ", ".join(sorted(SUMY_LANGUAGES))
        raise argparse.ArgumentTypeError(
            f"unsupported language {value[:20]!r}; choose auto or one of {choices}"
        )
    return code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digestbot", description="Section-level digests of long articles, in Telegram."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details to stderr")
    from digests.methods import METHODS

    algorithms = ", ".join(METHODS)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    preview = commands.add_parser("preview", help="print the digest of a file, URL or stdin")
    preview.add_argument("source", help="a file path, an http(s) URL, or - for stdin")
    preview.add_argument(
        "--format", choices=FORMATS, default="text", help="output: text (default), html, md or json"
    )
    preview.add_argument("--section", metavar="N", help="only this section (2, 二, or words of its heading)")
    preview.add_argument(
        "--sentences", metavar="K", type=_budget, help="sentences per section: a count (3) or a ratio (0.3)"
    )
    preview.add_argument("--algorithm", type=_algorithm, help=f"summarizer: {algorithms} (default: salience)")
    preview.add_argument(
        "--language",
        type=_language,
        default=None,
        metavar="auto|zh|en|…",
        help="the article's language: auto (detected, the default) or an ISO code such as zh, en, de",
    )
    preview.set_defaults(handler="digests:preview")

    summarize = commands.add_parser("summarize", help="article-level summaries of a JSONL file")
    summarize.add_argument("input", type=Path, help="rows with id, article and optional language")
    summarize.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    summarize.add_argument(
        "--sentences", metavar="K", type=_budget, default=3, help="sentences per article: a count or a ratio"
    )
    summarize.add_argument(
        "--algorithm", type=_algorithm, help=f"summarizer: {algorithms} (default: salience)"
    )
    summarize.set_defaults(handler="digests:summarize")

    run = commands.add_parser("run", help="run the bot (long polling, or a webhook when WEBHOOK_URL is set)")
    run.set_defaults(handler="serve:run")

    worker = commands.add_parser("worker", help="deliver queued digests (several may share PostgreSQL)")
    role = worker.add_mutually_exclusive_group()
    role.add_argument(
        "--no-scheduler", action="store_true", help="only deliver; other processes tick and poll"
    )
    role.add_argument("--poller", action="store_true", help="only poll sources; others deliver and tick")
    worker.set_defaults(handler="serve:worker")

    stats = commands.add_parser("stats", help="subscribers, articles and the delivery outbox")
    stats.add_argument("--failures", type=int, default=5, metavar="N", help="show the N newest failures")
    stats.set_defaults(handler="stats:stats")

    chat = commands.add_parser("chat", help="try the bot in this terminal, no Telegram token needed")
    chat.add_argument(
        "--database", metavar="URL", help="database to use (default: its own, sqlite digestbot-chat.db here)"
    )
    chat.set_defaults(handler="chat:chat")

    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="bring the schema to the newest revision").set_defaults(
        handler="database:upgrade"
    )

    publish = commands.add_parser("publish", help="ingest, digest and store an article")
    publish.add_argument("source", help="a file path or an http(s) URL")
    publish.set_defaults(handler="publish:publish")

    subscribers = commands.add_parser("subscribers", help="chats the bot knows").add_subparsers(
        dest="subscribers_command", required=True
    )
    listing = subscribers.add_parser("list", help="one line per chat")
    listing.add_argument("--active", action="store_true", help="only subscribed chats")
    listing.add_argument("--limit", type=_limit, default=1000)
    listing.set_defaults(handler="subscribers:list_subscribers")

    sources = commands.add_parser("sources", help="feeds and pages the bot follows").add_subparsers(
        dest="sources_command", required=True
    )
    add_source = sources.add_parser("add", help="follow a feed or page")
    add_source.add_argument("url")
    add_source.add_argument("--interval", help="poll every 10m, 2h, 1d… (default: as the source asks)")
    sources.add_parser("list", help="one line per source, with its last error")
    for name in ("remove", "pause"):
        sources.add_parser(name, help=f"{name} a source (pause again to resume)").add_argument("id", type=int)
    keyword_filter = sources.add_parser(
        "filter", help="a source's keyword filter (entries that fail it are not stored, for anyone)"
    )
    keyword_filter.add_argument("id", type=int)
    keyword_filter.add_argument("words", nargs=argparse.REMAINDER, help='+word -word "a phrase", or clear')
    set_source = sources.add_parser("set", help="a source's poll interval")
    set_source.add_argument("id", type=int)
    set_source.add_argument("--interval", required=True, help="10m, 2h, 1d…, or default")
    sources.add_parser("refresh", help="poll a source now").add_argument("id", type=int)
    sources.add_parser("import", help="follow every feed of an OPML file").add_argument("file")
    sources.add_parser("export", help="the followed feeds as OPML").add_argument("file", nargs="?")
    for choice in sources.choices.values():
        choice.set_defaults(handler="sources:sources_command")

    channels = commands.add_parser("channels", help="channels the bot posts to").add_subparsers(
        dest="channels_command", required=True
    )
    add = channels.add_parser("add", help="subscribe a channel (the bot must be one of its admins)")
    add.add_argument("channel", help="@name or a numeric id such as -1001234567890")
    add.add_argument(
        "--language", type=_chat_language, default="en", help="the channel's language: en, zh or zh-hant"
    )
    add.set_defaults(handler="subscribers:add_channel")
    channels.add_parser("list", help="the channels and their settings").set_defaults(
        handler="subscribers:list_channels"
    )
    remove = channels.add_parser("remove", help="stop posting to a channel")
    remove.add_argument("channel", help="@name or the numeric id")
    remove.set_defaults(handler="subscribers:remove_channel")
    change = channels.add_parser(
        "set", help="a channel's schedule, timezone, length, language, filter, sources"
    )
    change.add_argument("channel", help="@name or the numeric id")
    change.add_argument("--schedule", help='"08:00", "07:30 mon-fri", instant or off')
    change.add_argument("--timezone", help="Area/City or an offset such as +8")
    change.add_argument("--length", choices=("short", "normal", "long"))
    change.add_argument("--language", type=_chat_language)
    change.add_argument("--filter", help='keyword filter: "words -unwanted", or off')
    change.add_argument("--sources", help="comma-separated source ids, or all")
    change.set_defaults(handler="subscribers:set_channel")
    return parser


def _command(name: str) -> Callable[[argparse.Namespace, TextIO], int]:
    """The function behind a subcommand, imported on use: `preview` must not pay for the bot's imports."""
    module, function = name.split(":")
    return getattr(importlib.import_module(f"bot.cli.{module}"), function)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``digestbot`` console script: every failure is one line on stderr
    (``--verbose`` adds the traceback), secrets redacted and control characters escaped."""
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(verbose=args.verbose, json_lines=os.environ.get("LOG_FORMAT", "").lower() == "json")
    try:
        return _command(args.handler)(args, sys.stdout)
    except (CliError, DigestError) as err:
        print(f"digestbot: {safe(err)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as err:
        if args.verbose:
            text = "".join(traceback.format_exception(err))
            print(escape_controls(redact(text), keep_newlines=True), file=sys.stderr, end="")
        print(f"digestbot: {safe(describe_failure(err))}", file=sys.stderr)
        return 1


def describe_failure(error: BaseException) -> str:
    """An unexpected failure in words an operator can act on."""
    kind = type(error).__name__
    module = type(error).__module__
    if kind == "InvalidToken":
        return "Telegram rejected the bot token: check TELEGRAM_BOT_TOKEN (from @BotFather)"
    if module.startswith("telegram"):
        return f"cannot talk to Telegram ({error}): check TELEGRAM_API_BASE_URL and the network"
    if kind == "ArgumentError" and module.startswith("sqlalchemy"):
        return f"DATABASE_URL is not a database URL the bot can use: {error}"
    if module.startswith(("sqlalchemy", "asyncpg", "sqlite3", "aiosqlite")) or isinstance(error, OSError):
        detail = str(getattr(error, "orig", None) or error).splitlines()[0] if str(error) else kind
        return f"cannot use the database ({detail}): check DATABASE_URL and that the server runs"
    first_line = str(error).splitlines()[0] if str(error) else ""
    return f"unexpected {kind}: {first_line} (run with --verbose for the details)"
