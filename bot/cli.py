"""The ``digestbot`` command line: preview and summarize articles, run the bot."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from digests.errors import DigestError

logger = logging.getLogger("digestbot")

FORMATS = ("text", "html", "md", "json")


class CliError(Exception):
    """A problem with the command's input, reported as one line on stderr."""


def _budget(value: str) -> int | float:
    """A sentence count (3) or a ratio of a section's sentences (0.3)."""
    try:
        number = float(value)
    except ValueError:
        message = f"expected a count like 3 or a ratio like 0.3, not {value!r}"
        raise argparse.ArgumentTypeError(message) from None
    if number <= 0 or (number > 1 and not number.is_integer()):
        raise argparse.ArgumentTypeError(f"expected a positive count or a ratio up to 1, not {value!r}")
    return int(number) if number > 1 or value.strip().isdigit() else number


def _algorithm(value: str) -> str:
    from digests.summarize import METHODS

    name = value.lower()
    if name not in METHODS:
        raise argparse.ArgumentTypeError(f"unknown algorithm {value!r}; choose one of {', '.join(METHODS)}")
    return name


def _language(value: str) -> str | None:
    return None if value.lower() == "auto" else value.lower()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digestbot", description="Section-level digests of long articles, in Telegram."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details to stderr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    preview = commands.add_parser("preview", help="print the digest of a file, URL or stdin")
    preview.add_argument("source", help="a file path, an http(s) URL, or - for stdin")
    preview.add_argument("--format", choices=FORMATS, default="text")
    preview.add_argument("--section", metavar="N", help="only this section (2, 二, or words of its heading)")
    preview.add_argument(
        "--sentences", metavar="K", type=_budget, help="sentences per section: a count (3) or a ratio (0.3)"
    )
    preview.add_argument("--algorithm", type=_algorithm, help="summarizer (default: best for the language)")
    preview.add_argument("--language", type=_language, default=None, metavar="auto|zh|en|…")
    preview.set_defaults(handler=_preview)

    summarize = commands.add_parser("summarize", help="article-level summaries of a JSONL file")
    summarize.add_argument("input", type=Path, help="rows with id, article and optional language")
    summarize.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    summarize.add_argument("--sentences", metavar="K", type=_budget, default=3)
    summarize.add_argument("--algorithm", type=_algorithm)
    summarize.set_defaults(handler=_summarize)
    return parser


def _read_source(source: str) -> tuple[bytes, str | None, str | None]:
    """Bytes, a name and a content type, from a path, a URL or stdin."""
    if source == "-":
        return sys.stdin.buffer.read(), None, None
    if "://" in source:
        from digests.fetch import fetch

        document = asyncio.run(fetch(source))
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


def _preview(args: argparse.Namespace, out: TextIO) -> int:
    from digests import ArticleDigest, digest_article, digest_section, find_section, parse_document
    from digests.render import render_digest

    data, name, content_type = _read_source(args.source)
    article = parse_document(data, name=name, content_type=content_type, language=args.language)
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
        )
    else:
        budget = args.sentences or 2
        digest = digest_article(article, lead_budget=budget, section_budget=budget, method=args.algorithm)
    if not digest.lead and not any(s.sentences for s in digest.sections):
        raise CliError("the document has no sentences to summarize")
    separator = "\n\n" if args.format == "json" else "\n\n――――\n\n"
    out.write(separator.join(render_digest(digest, args.format)) + "\n")
    return 0


def _summarize(args: argparse.Namespace, out: TextIO) -> int:
    from tqdm import tqdm

    from digests import parse_article, summarize_article

    try:
        lines = args.input.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise CliError(f"no such file: {args.input}") from None
    except UnicodeDecodeError:
        raise CliError(f"{args.input} is not UTF-8 JSON Lines") from None
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
        rows.append(row)
    if not rows:
        raise CliError(f"{args.input} has no rows")
    target = args.output.open("w", encoding="utf-8") if args.output else out
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


def configure_logging(verbose: bool = False) -> None:
    """Log to stderr; httpx request lines carry the bot token, so they stay quiet."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("httpx", "httpcore", "jieba", "trafilatura", "htmldate", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``digestbot`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    try:
        return args.handler(args, sys.stdout)
    except (CliError, DigestError) as err:
        print(f"digestbot: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
