"""Persistence: SQLModel tables, sessions, and the keyword-only queries (all SQL lives here)."""

from storage.db import DEFAULT_DATABASE_URL, SessionFactory, create_engine, session_factory, session_scope
from storage.migrate import SchemaBehindError, ensure_schema, head_revision, upgrade
from storage.models import (
    ChatKind,
    Delivery,
    DeliveryState,
    DigestFormat,
    DigestLength,
    Source,
    SourceKind,
    SpecialSchedule,
    StoredArticle,
    StoredSection,
    Subscriber,
    Worker,
    stored_id,
    utcnow,
)

__all__ = [
    "DEFAULT_DATABASE_URL",
    "ChatKind",
    "Delivery",
    "DeliveryState",
    "DigestFormat",
    "DigestLength",
    "SchemaBehindError",
    "SessionFactory",
    "Source",
    "SourceKind",
    "SpecialSchedule",
    "StoredArticle",
    "StoredSection",
    "Subscriber",
    "Worker",
    "create_engine",
    "ensure_schema",
    "head_revision",
    "session_factory",
    "session_scope",
    "stored_id",
    "upgrade",
    "utcnow",
]
