"""Which form a digest goes out in: rich or classic, by the bot's setting, the chat's choice and
what the Bot API can do."""

from __future__ import annotations

import logging

from storage import DigestFormat

logger = logging.getLogger(__name__)


class RichSupport:
    """Which form a chat gets: ``DIGEST_FORMAT`` (auto, rich, classic), the chat's own choice,
    and — in auto — whether this Bot API has rich messages at all (one per process)."""

    def __init__(self, mode: str = "auto") -> None:
        self.mode = mode
        self.available = mode != "classic"

    def form_for(self, chat_choice: str | None) -> DigestFormat:
        if not self.available or chat_choice == DigestFormat.CLASSIC:
            return DigestFormat.CLASSIC
        return DigestFormat.RICH

    def refused(self, *, chat_id: int, reason: str, method_missing: bool) -> None:
        """A rich message was refused: in auto, an API without the method is not asked again."""
        if method_missing and self.mode == "auto" and self.available:
            self.available = False
            logger.warning("the Bot API has no rich messages (%s): digests go out classic", reason)
        else:
            logger.info("chat %s: rich message refused (%s); sending it classic", chat_id, reason)
