"""Ids typed by people or carried in button data: ASCII digits within the range of the id columns."""

from __future__ import annotations

MAX_ID = 2**31 - 1  # ids are INTEGER columns on PostgreSQL


def parse_id(reference: str | int) -> int | None:
    """The id in ``12`` or ``#12``; ``None`` for anything else (other digits such as ² or ①,
    signs, spaces inside, or a number no row can have)."""
    text = str(reference).strip().removeprefix("#")
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None
