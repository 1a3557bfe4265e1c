"""Language and script detection, offline (py3langid's bundled model)."""

from __future__ import annotations

import threading
import unicodedata
from collections import Counter
from functools import lru_cache

_lock = threading.Lock()
_CJK_WEIGHT = 3

# Scripts we tell apart; Han is shared by Chinese and Japanese, so kana decides.
_SCRIPT_PREFIXES = {
    "CJK": "han",
    "HIRAGANA": "kana",
    "KATAKANA": "kana",
    "HANGUL": "hangul",
    "LATIN": "latin",
    "CYRILLIC": "cyrillic",
    "ARABIC": "arabic",
    "HEBREW": "hebrew",
    "GREEK": "greek",
    "THAI": "thai",
    "DEVANAGARI": "devanagari",
}


@lru_cache(maxsize=1)
def _classify():  # noqa: ANN202 - py3langid ships no type hints
    """py3langid's classifier, its model loaded once per process."""
    with _lock:
        import py3langid

        py3langid.classify("")  # loads the bundled model now, under the lock
        return py3langid.classify


def script_counts(text: str) -> dict[str, int]:
    """How many letters of ``text`` belong to each script."""
    counts: dict[str, int] = {}
    for char, number in Counter(text).items():
        script = _script_of(char)
        if script is not None:
            counts[script] = counts.get(script, 0) + number
    return counts


@lru_cache(maxsize=65_536)
def _script_of(char: str) -> str | None:
    """The script of a letter; ``None`` for anything else."""
    if not char.isalpha():
        return None
    return _SCRIPT_PREFIXES.get(unicodedata.name(char, "").split(" ", 1)[0], "other")


def reading_length(text: str) -> int:
    """The length of ``text`` in letters of English: a CJK character carries about what three
    letters do (a 150-character Chinese news flash says what 80 English words say), so a fixed
    threshold does not throw away short Chinese articles."""
    cjk = sum(number for script, number in script_counts(text).items() if script in ("han", "kana", "hangul"))
    return len(text) + (_CJK_WEIGHT - 1) * cjk


def dominant_script(text: str) -> str | None:
    """The script most letters of ``text`` are written in; Japanese counts as kana."""
    counts = script_counts(text)
    if not counts:
        return None
    # A CJK character carries about as much as a short word: weigh it above a letter.
    for script in ("han", "kana", "hangul"):
        if script in counts:
            counts[script] *= _CJK_WEIGHT
    if counts.get("kana", 0) and counts.get("han", 0):
        counts["kana"] += counts.pop("han")
    return max(counts, key=counts.__getitem__)


def detect_language(text: str, *, default: str = "en") -> str:
    """The ISO 639-1 code of the language ``text`` is written in."""
    sample = text[:20_000]
    script = dominant_script(sample)
    if script is None:
        return default
    # The statistical model is unreliable on a few characters of CJK text.
    if script == "han":
        return "zh"
    if script == "kana":
        return "ja"
    if script == "hangul":
        return "ko"
    language, _score = _classify()(sample)
    return str(language)
