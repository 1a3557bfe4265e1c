"""`digestbot preview` and `digestbot summarize`: digests without a bot or a database."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.cli.common import CliError
from digests.errors import DigestError

if TYPE_CHECKING:
    from digests.fetch import FetchPolicy

logger = logging.getLogger("digestbot")


def read_source(source: str, policy: FetchPolicy | None = None) -> tuple[bytes, str | None, str | None]:
    """Bytes, a name and a content type, from a path, a URL (fetched within ``policy``) or stdin."""
    if source == "-":
        return sys.stdin.buffer.read(), None, None
    if "://" in source:
        from digests.fetch import FetchPolicy, fetch

        document = asyncio.run(fetch(source, policy=policy or FetchPolicy()))
        return document.content, source, document.content_type
    path = Path(source)
    try:
        return path.read_bytes(), path.name, None
    except FileNotFoundError:
        raise CliError(f"no such file: {source}") from None
    except IsADirectoryError:
        raise CliError(f"{source} is a directory, not a file") from None
    except PermissionError:
        raise CliError(f"permission denied: {source}") from None


def preview(args: argparse.Namespace, out: TextIO) -> int:
    from digests import ArticleDigest, digest_article, digest_section, find_section, parse_document
    from digests.feeds import looks_like_feed
    from digests.render import render_digest

    policy = _fetch_policy() if "://" in args.source else None
    data, name, content_type = read_source(args.source, policy)
    url = args.source if "://" in args.source else None
    if looks_like_feed(data, content_type):  # a feed: its newest entry is what a reader would get
        data, name, content_type, url = _newest_entry(data, content_type, url, policy)
    article = parse_document(data, name=name, content_type=content_type, language=args.language)
    article = dataclasses.replace(article, url=url)
    if args.section is not None:
        section = find_section(article, args.section)
        section_digest = digest_section(article, section, budget=args.sentences or 5, method=args.algorithm)
        digest = ArticleDigest(
            title=article.title,
            language=article.language,
            lead=(),
            sections=(section_digest,),
            source=article.source,
            published=article.published,
            url=article.url,
        )
    else:
        budget = args.sentences or 2
        digest = digest_article(article, lead_budget=budget, section_budget=budget, method=args.algorithm)
    if not digest.lead and not any(s.sentences for s in digest.sections):
        raise CliError("the document has no sentences to summarize")
    separator = "\n\n" if args.format == "json" else "\n\n――――\n\n"
    out.write(separator.join(render_digest(digest, args.format)) + "\n")
    return 0


def _newest_entry(
    data: bytes, content_type: str | None, url: str | None, policy: FetchPolicy | None
) -> tuple[bytes, str, str, str | None]:
    """A feed's newest entry as a page: the full article when the feed carries only an excerpt."""
    from datetime import datetime

    from digests.feeds import entry_document, parse_feed

    feed = parse_feed(data, content_type=content_type, base_url=url)
    if not feed.entries:
        raise CliError("the feed has no entries to preview")
    newest = max(
        feed.entries, key=lambda e: e.published.timestamp() if e.published else datetime.min.timestamp()
    )
    logger.info("a feed: previewing its newest entry, %s", newest.title[:80])
    if newest.excerpt_only and newest.link:
        page, _name, page_type = read_source(newest.link, policy)
        return page, newest.link, page_type or "text/html", newest.link
    return entry_document(newest).encode(), "entry.html", "text/html", newest.link


def _fetch_policy() -> FetchPolicy:
    """The fetch policy the bot uses (FETCH_ALLOW_PRIVATE_ADDRESSES and the other settings)."""
    from bot.cli.common import load_settings
    from bot.usecases.runtime import fetch_policy

    return fetch_policy(load_settings())


def summarize(args: argparse.Namespace, out: TextIO) -> int:
    from tqdm import tqdm

    from digests import parse_article, summarize_article

    try:
        lines = args.input.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise CliError(f"no such file: {args.input}") from None
    except UnicodeDecodeError:
        raise CliError(f"{args.input} is not UTF-8 JSON Lines") from None
    except OSError as error:
        raise CliError(f"cannot read {args.input}: {error.strerror}") from None
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise CliError(f"{args.input}:{number}: not valid JSON ({err.msg})") from None
        if not isinstance(row, dict) or "id" not in row or not isinstance(row.get("article"), str):
            raise CliError(f"{args.input}:{number}: a row needs an id and an article text")
        if not isinstance(row.get("language"), str | None):
            raise CliError(f"{args.input}:{number}: the language is a code such as zh or en, or absent")
        rows.append(row)
    if not rows:
        raise CliError(f"{args.input} has no rows")
    try:
        target = args.output.open("w", encoding="utf-8") if args.output else out
    except OSError as error:
        raise CliError(f"cannot write {args.output}: {error.strerror}") from None
    try:
        for row in tqdm(rows, desc="summarizing", unit="article", file=sys.stderr):
            try:
                article = parse_article(row["article"], format="text", language=row.get("language"))
                summary = list(summarize_article(article, budget=args.sentences, method=args.algorithm))
            except DigestError as err:
                logger.warning("row %s: %s", row["id"], err)
                summary = []
            target.write(json.dumps({"id": row["id"], "summary": summary}, ensure_ascii=False) + "\n")
    finally:
        if target is not out:
            target.close()
    return 0
