"""What every command of the command line shares: its error, the settings, the database."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pydantic import ValidationError

from bot.logs import add_secrets, use_json_lines

if TYPE_CHECKING:  # the database stack is imported when a command needs it: `preview` must start fast
    from bot.settings import Settings
    from bot.usecases.runtime import Runtime

NO_TOKEN = "TELEGRAM_BOT_TOKEN is not set: copy .env.example to .env and put the token from @BotFather in it"

Result = TypeVar("Result")
logger = logging.getLogger("digestbot")


class CliError(Exception):
    """A problem with the command's input, reported as one line on stderr."""


def load_settings() -> Settings:
    """The settings from the environment and `.env`; an invalid one is a one-line error.

    Its secrets are registered for redaction at once, and a `.env` others can read is reported.
    """
    from bot.settings import Settings

    try:
        settings = Settings.from_environment()
    except ValidationError as error:
        first = error.errors()[0]
        name = ".".join(str(part) for part in first["loc"]).upper()
        message = str(first["msg"]).removeprefix("Value error, ")
        raise CliError(f"setting {name} is invalid: {message} (see .env.example)") from None
    add_secrets(
        secret.get_secret_value() if secret else None
        for secret in (settings.telegram_bot_token, settings.webhook_secret)
    )
    if settings.log_format == "json":
        use_json_lines()
    env_file = Path(".env")
    if env_file.is_file() and env_file.stat().st_mode & 0o077:
        logger.warning(".env can be read by other users of this machine; chmod 600 .env")
    return settings


def require_token(settings: Settings) -> Settings:
    if settings.telegram_bot_token is None:
        raise CliError(NO_TOKEN)
    return settings


async def prepare_database(settings: Settings) -> None:
    """Upgrade SQLite in place; refuse a PostgreSQL schema that is behind."""
    from storage import SchemaBehindError, ensure_schema

    try:
        await ensure_schema(settings.database_url)
    except SchemaBehindError as error:
        raise CliError(str(error)) from None
    except OSError as error:
        raise CliError(f"cannot open the database ({error}): check DATABASE_URL") from None


async def with_runtime(settings: Settings, action: Callable[[Runtime], Awaitable[Result]]) -> Result:
    """Run a use case against the database, without a bot."""
    from bot.usecases.runtime import open_runtime

    await prepare_database(settings)
    async with open_runtime(settings) as runtime:
        return await action(runtime)
