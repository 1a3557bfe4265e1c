"""Logging setup: stderr, quiet HTTP clients, and no secret in any record."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
from collections.abc import Iterable

_REDACTED = "<redacted>"
_secrets: set[str] = set()
_installed = False


def add_secrets(values: Iterable[str | None]) -> None:
    """Never let these strings appear in a log record, its arguments or its traceback."""
    _secrets.update(v for v in values if v and len(v) >= 6)
    _install_factory()


# C0 and C1 controls, DEL, and the bidirectional overrides that reorder what a terminal shows.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROLS_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def redact(text: str) -> str:
    """The text with every registered secret replaced."""
    for secret in _secrets:
        text = text.replace(secret, _REDACTED)
    return text


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str, *, keep_newlines: bool = False) -> str:
    """Control characters shown as escapes (``\\x1b``), so that text from a feed, a page or a
    Telegram user cannot move the cursor, recolour or forge lines on an operator's terminal."""
    return (_CONTROLS_BUT_NEWLINE if keep_newlines else _CONTROLS).sub(_escape, text)


def safe(text: object) -> str:
    """Text fit for a terminal or a log line: secrets redacted, control characters escaped."""
    return escape_controls(redact(str(text)))


def _install_factory() -> None:
    """Redact at record creation, so that every handler, pytest's included, sees clean text."""
    global _installed
    if _installed:
        return
    _installed = True
    make_record = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: logging reports it when it formats the record
            return record
        cleaned = safe(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[0] is not None:
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
            record.exc_text = escape_controls(redact(text), keep_newlines=True)
        return record

    logging.setLogRecordFactory(factory)


class JsonFormatter(logging.Formatter):
    """One JSON object per line (LOG_FORMAT=json), for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def use_json_lines() -> None:
    """Switch the handlers set up by ``configure_logging`` to JSON lines."""
    for handler in logging.getLogger().handlers:
        if handler.get_name() == "digestbot":
            handler.setFormatter(JsonFormatter())


def configure_logging(*, verbose: bool = False, json_lines: bool = False) -> None:
    """Log to stderr; httpx request lines carry the bot token, so they stay quiet."""
    _install_factory()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter()
        if json_lines
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.set_name("digestbot")
    root = logging.getLogger()
    # Replace our own handler of an earlier call; leave others (pytest's capture) alone.
    root.handlers[:] = [h for h in root.handlers if h.get_name() != "digestbot"] + [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in (
        "httpx",
        "httpcore",
        "trafilatura",
        "htmldate",
        "charset_normalizer",
        "tornado.access",
        "apscheduler.executors.default",
        "telegram.Bot",
        "alembic",  # its plugin and migration chatter; `digestbot db upgrade` reports the revision itself
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class OutageLog:
    """One line when a dependency starts failing and one when it answers again, instead of a
    traceback per try while it is down."""

    def __init__(self, logger: logging.Logger, what: str) -> None:
        self.logger = logger
        self.what = what
        self.since: float | None = None

    def failed(self, error: BaseException) -> None:
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        if self.since is None:
            self.since = time.monotonic()
            self.logger.warning("%s is failing: %s: %s", self.what, type(error).__name__, detail[:300])
        else:
            self.logger.debug("%s still failing: %s", self.what, detail[:300])

    def answered(self) -> None:
        if self.since is not None:
            self.logger.warning("%s answers again after %.0f s", self.what, time.monotonic() - self.since)
            self.since = None


def is_database_error(error: BaseException) -> bool:
    """An error from the database or the connection to it, not from our own code."""
    module = type(error).__module__
    return module.startswith(("sqlalchemy", "asyncpg", "sqlite3", "aiosqlite")) or isinstance(
        error, ConnectionError | TimeoutError | OSError
    )
