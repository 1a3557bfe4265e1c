"""One story, many outlets: near-duplicate articles found by MinHash over character shingles.

An article's text (folded as filters fold it: case, width, Traditional as Simplified; spaces
and punctuation dropped) is cut into overlapping 5-character shingles — characters, not words,
so Chinese needs no segmentation — and summarized by a MinHash signature (rensa, a maintained
Rust implementation). The signature is cut into bands; articles sharing a band are candidates
(locality-sensitive hashing: the database finds them by band key), and a candidate whose
estimated Jaccard similarity reaches ``SAME_STORY`` tells the same story.
"""

from __future__ import annotations

import hashlib
import re
import struct
from functools import cache
from typing import Final

from digests.filters import fold

SHINGLE: Final = 5
PERMUTATIONS: Final = 128
BANDS: Final = 32  # of 4 rows: pairs above ~0.42 similarity share a band with high probability
SAME_STORY: Final = 0.5  # estimated Jaccard similarity of two texts of one story
MIN_SHINGLES: Final = 150  # a shorter text (about 150 characters) is too little to tell a story by
_SEED: Final = 20261201  # fixed: signatures stored in the database must stay comparable
_NOT_TEXT: Final = re.compile(r"[\W_]+")
_KEEP: Final = re.compile(r"[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


@cache
def _skeletons() -> dict[int, str]:
    """Unicode's confusables (UTS #39, as confusable-homoglyphs ships them): each letter that
    looks like a Latin letter or digit mapped to it — Cyrillic а to a, Greek ο to o — so a copy
    disguised with look-alike letters signs like the original. Latin text itself, and Chinese,
    Japanese and Korean characters (full-width forms: folding handles them) stay as they are."""
    import json
    from importlib.resources import files

    table = json.loads(files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8"))
    mapping: dict[int, str] = {}
    for source, candidates in table.items():
        if len(source) != 1 or source.isascii() or _KEEP.match(source):
            continue
        # The table lists look-alikes both ways; the prototype kept is a Latin letter or digit.
        latin = [c["c"] for c in candidates if len(c["c"]) == 1 and c["c"].isascii() and c["c"].isalnum()]
        if latin:
            mapping[ord(source)] = latin[0].lower()
    return mapping


def skeleton(text: str) -> str:
    """The text with look-alike letters as the letters they imitate (then case folded)."""
    return text.translate(_skeletons()).casefold()


def shingles(text: str) -> set[str]:
    """The text's overlapping character 5-grams, after folding (look-alike letters too) and
    without spaces or punctuation."""
    letters = _NOT_TEXT.sub("", skeleton(fold(text)))
    if len(letters) <= SHINGLE:
        return {letters} if letters else set()
    return {letters[i : i + SHINGLE] for i in range(len(letters) - SHINGLE + 1)}


def signature(text: str) -> bytes | None:
    """The MinHash signature of the text's shingles, packed (PERMUTATIONS unsigned 32-bit
    values); ``None`` for a text too short to compare (templated briefs would look alike)."""
    import rensa

    grams = shingles(text)
    if len(grams) < MIN_SHINGLES:
        return None
    minhash = rensa.RMinHash(num_perm=PERMUTATIONS, seed=_SEED)
    minhash.update(sorted(grams))
    return struct.pack(f"<{PERMUTATIONS}I", *(value & 0xFFFFFFFF for value in minhash.digest()))


def band_keys(packed: bytes) -> list[int]:
    """One key per band of the signature (signed 64-bit, for a database index)."""
    rows = len(packed) // BANDS
    return [
        int.from_bytes(
            hashlib.blake2b(bytes([band]) + packed[band * rows : (band + 1) * rows], digest_size=8).digest(),
            "little",
            signed=True,
        )
        for band in range(BANDS)
    ]


def similarity(first: bytes, second: bytes) -> float:
    """The estimated Jaccard similarity of two texts: the share of equal signature values."""
    if len(first) != len(second) or not first:
        return 0.0
    a = struct.unpack(f"<{len(first) // 4}I", first)
    b = struct.unpack(f"<{len(second) // 4}I", second)
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def similarities(packed: bytes, others: list[bytes]) -> list[float]:
    """``similarity`` of one signature to many (vectorized when the candidate list is long)."""
    if len(others) <= 32:
        return [similarity(packed, other) for other in others]
    import numpy as np

    mine = np.frombuffer(packed, dtype="<u4")
    matrix = np.frombuffer(b"".join(others), dtype="<u4").reshape(len(others), -1)
    return (matrix == mine).mean(axis=1).tolist()


def same_story(first: bytes, second: bytes) -> bool:
    return similarity(first, second) >= SAME_STORY
