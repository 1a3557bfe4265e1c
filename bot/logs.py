"""Logging setup: stderr, quiet HTTP clients, and no secret in any record."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterable

_REDACTED = "<redacted>"
_secrets: set[str] = set()
_installed = False


def add_secrets(values: Iterable[str | None]) -> None:
    """Never let these strings appear in a log record, its arguments or its traceback."""
    _secrets.update(v for v in values if v and len(v) >= 6)
    _install_factory()


def redact(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, _REDACTED)
    return text


def _install_factory() -> None:
    """Redact at record creation, so that every handler, pytest's included, sees clean text."""
    global _installed
    if _installed:
        return
    _installed = True
    make_record = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        if not _secrets:
            return record
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip())
        return record

    logging.setLogRecordFactory(factory)


def configure_logging(*, verbose: bool = False) -> None:
    """Log to stderr; httpx request lines carry the bot token, so they stay quiet."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in (
        "httpx",
        "httpcore",
        "jieba",
        "trafilatura",
        "htmldate",
        "charset_normalizer",
        "tornado.access",
        "apscheduler.executors.default",
        "telegram.Bot",
        "alembic",  # its plugin and migration chatter; `digestbot db upgrade` reports the revision itself
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
