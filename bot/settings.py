"""Settings from the environment or `.env`; every one is documented in `.env.example`.

``Settings.from_environment()`` reads them as pydantic-settings would — the process environment
first, then `.env` (parsed by python-dotenv), names in any case — with pydantic validating; the
library itself is not used: its import (every provider: CLI, cloud secrets, TOML, YAML) cost the
bot 1.6 MB of its idle memory. ``Settings(...)`` takes values as given, reading nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from storage.db import DEFAULT_DATABASE_URL, normalize_url

ENV_FILE = Path(".env")


class Settings(BaseModel):
    """The bot's configuration."""

    model_config = ConfigDict(extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str = "https://api.telegram.org/file/bot"
    database_url: str = DEFAULT_DATABASE_URL
    admin_user_ids: frozenset[int] = frozenset()
    default_timezone: str = "UTC"
    default_schedule: str = "08:00"
    digest_sentences: int = Field(default=2, ge=1, le=10)
    article_max_chars: int = Field(default=200_000, ge=1_000)
    fetch_allow_private_addresses: bool = False
    poll_max_new_entries: int = Field(default=50, ge=1, le=10_000)  # per poll of a feed; the rest later
    poll_max_page_fetches: int = Field(default=10, ge=0, le=1_000)  # full texts of excerpts, per poll
    poll_deadline_seconds: float = Field(default=120.0, gt=0)
    poll_batch_size: int = Field(default=100, ge=1, le=10_000)  # sources claimed at once, at most
    poll_idle_seconds: float = Field(default=5.0, gt=0, le=3600)  # with nothing due: how often to look
    poll_interval_seconds: int = Field(default=1800, ge=60, le=7 * 86_400)  # a new source's interval
    # The bounds within which a source's own advice (<ttl>, Cache-Control: max-age) is followed.
    poll_min_interval_seconds: int = Field(default=300, ge=60)
    poll_max_interval_seconds: int = Field(default=86_400, ge=60)
    poll_concurrency: int = Field(default=16, ge=1, le=1_000)  # polls in flight at once
    # Readers may follow feeds and sites of their own (/follow URL), at most this many a chat.
    reader_sources: bool = False
    reader_sources_max: int = Field(default=10, ge=1, le=1_000)
    # Sites without feeds (section pages, sitemaps): seconds between two requests to one host.
    site_request_interval_seconds: float = Field(default=1.0, ge=0, le=600)
    # Hosts whose links a section page's own count as (a site's articles on another host name).
    site_article_hosts: frozenset[str] = frozenset()
    telegram_timeout_seconds: float = Field(default=10.0, gt=0)
    telegram_connections: int = Field(default=3, ge=1, le=256)  # concurrent requests while delivering
    scheduler_interval_seconds: float = Field(default=30.0, gt=0)
    delivery_batch_size: int = Field(default=100, ge=1, le=10_000)
    # Digests being sent or waiting for their group commit; more of them make larger groups.
    delivery_concurrency: int = Field(default=32, ge=1, le=1_000)
    delivery_lease_seconds: float = Field(default=120.0, gt=0)
    delivery_max_attempts: int = Field(default=6, ge=1)
    delivery_backoff_seconds: float = Field(default=10.0, gt=0)
    delivery_chat_interval_seconds: float = Field(default=1.0, ge=0)
    delivery_fresh_hours: float = Field(default=24.0, gt=0)  # retried through outages this long
    # A digest of more articles than this comes as one briefing (title, best sentence, buttons);
    # chats with /length long keep full overviews.
    briefing_after_articles: int = Field(default=3, ge=1, le=100)
    # Digests as one rich message (Bot API 10.1) where the API has them (auto), always tried
    # first (rich), or never (classic); a refused rich message goes out classic, never lost.
    digest_format: Literal["auto", "rich", "classic"] = "auto"
    link_previews: bool = True  # a classic digest of one article previews the original
    rate_limit_per_second: float = Field(default=29.3, ge=0)  # 0 turns rate limiting off
    rate_limit_group_per_minute: float = Field(default=20.0, ge=0)
    rate_limit_retries: int = Field(default=1, ge=0)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    log_format: Literal["text", "json"] = "text"
    monitoring_host: str = "127.0.0.1"
    monitoring_port: int | None = Field(default=None, ge=0, le=65535)  # None: off; 0: any free port

    @classmethod
    def from_environment(cls, env_file: Path | None = ENV_FILE) -> Settings:
        """The settings from the environment, then ``env_file``, then the defaults."""
        values: dict[str, Any] = {}  # text from the environment: pydantic validates it
        if env_file is not None and env_file.is_file():
            from dotenv import dotenv_values

            values.update(cls._named(dotenv_values(env_file, encoding="utf-8")))
        values.update(cls._named(os.environ))
        return cls(**values)

    @classmethod
    def _named(cls, variables: Mapping[str, str | None]) -> dict[str, str]:
        """The variables that name a setting (in any case), by setting name."""
        return {
            name.lower(): value
            for name, value in variables.items()
            if value is not None and name.lower() in cls.model_fields
        }

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(";", ",").split(",") if part.strip())
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("site_article_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            parts = value.replace(";", ",").split(",")
            return frozenset(part.strip().lower() for part in parts if part.strip())
        return value

    @field_validator("telegram_bot_token", "webhook_secret", "webhook_url", "monitoring_port", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from bot.usecases.schedules import ScheduleError, parse_timezone

        try:
            return parse_timezone(value)
        except ScheduleError:
            raise ValueError(f"{value!r} is not an IANA timezone (such as Europe/Berlin or UTC)") from None

    @field_validator("default_schedule")
    @classmethod
    def _valid_schedule(cls, value: str) -> str:
        from bot.usecases.schedules import ScheduleError, parse_schedule

        try:
            return parse_schedule(value.split())
        except ScheduleError:
            raise ValueError(f"{value!r} is not a schedule (HH:MM [days], instant or off)") from None

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(normalize_url(value))
        except ArgumentError:
            raise ValueError("is not a database URL (sqlite:///PATH or postgresql://…)") from None
        if url.drivername not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
            raise ValueError(
                f"the {url.drivername} driver is not supported: use sqlite:///PATH or postgresql://…"
            )
        if url.drivername.startswith("sqlite") and url.database and url.database != ":memory:":
            folder = Path(url.database).expanduser().parent
            if not folder.is_dir():
                raise ValueError(f"the folder {folder} does not exist: create it, or name another")
        return value

    @field_validator("monitoring_host")
    @classmethod
    def _monitoring_host(cls, value: str) -> str:
        if not value.strip():  # an empty host would listen on every interface
            raise ValueError("is empty: name the address to listen on (127.0.0.1 keeps it on this machine)")
        return value

    def is_admin(self, user_id: int | None) -> bool:
        """Whether this Telegram user is one of the bot's admins (ADMIN_USER_IDS)."""
        return user_id is not None and user_id in self.admin_user_ids
