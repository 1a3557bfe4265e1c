"""Errors a user can cause, with messages written for that user."""


class DigestError(Exception):
    """The input cannot be turned into a digest; the message says why, in English.

    ``reason`` names the kind of failure (``blocked_address``, ``too_large``, …) and ``details``
    its values, so that a front end can say it in the reader's language.
    """

    def __init__(self, message: str, *, reason: str = "", **details: object) -> None:
        super().__init__(message)
        self.reason = reason
        self.details = details


class SectionNotFound(DigestError):
    """A section number or name that the article does not have."""

    def __init__(self, requested: str, available: int) -> None:
        self.requested = requested
        self.available = available
        plural = "section" if available == 1 else "sections"
        super().__init__(
            f"there is no section {requested}: the article has {available} {plural}",
            reason="no_section",
            requested=requested,
            count=available,
        )
