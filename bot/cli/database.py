"""`digestbot db upgrade`: the schema at the newest revision."""

from __future__ import annotations

import argparse
from typing import TextIO

from bot.cli.common import load_settings


def upgrade(args: argparse.Namespace, out: TextIO) -> int:
    """Bring the database schema to the newest revision."""
    from storage.migrate import head_revision
    from storage.migrate import upgrade as upgrade_schema

    upgrade_schema(load_settings().database_url)
    out.write(f"database is at revision {head_revision()}\n")
    return 0
