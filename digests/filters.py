"""Keyword filters: which articles a reader (or a source) wants, by plain words.

A filter is two lists: include-any (empty: everything) and exclude-any. Words and quoted
phrases, no patterns (a reader's regular expression could hang a worker). Matching is on the
title and the text, after folding case and width (NFKC: full-width ＡＢＣ is ABC) and, when
OpenCC is installed, Traditional Chinese to Simplified; Chinese (and Japanese, Korean) words
match as substrings, other words on word boundaries ("war" does not match "software").
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Final

from digests.errors import DigestError
from digests.model import Article

MAX_WORDS: Final = 20  # include and exclude together
MAX_WORD_CHARS: Final = 40
MAX_INPUT_CHARS: Final = 2 * MAX_WORDS * (MAX_WORD_CHARS + 4)  # what a change request can hold
_SIGNS: Final = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "＋": "+", "－": "-"})
_CJK: Final = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


@dataclass(frozen=True, slots=True)
class KeywordFilter:
    """Include-any and exclude-any words, as the reader wrote them (folded when matched)."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    _patterns: tuple[tuple[re.Pattern[str], ...], tuple[re.Pattern[str], ...]] = field(
        default=((), ()), compare=False, repr=False
    )

    def __post_init__(self) -> None:
        patterns = (tuple(_pattern(w) for w in self.include), tuple(_pattern(w) for w in self.exclude))
        object.__setattr__(self, "_patterns", patterns)

    @property
    def empty(self) -> bool:
        return not (self.include or self.exclude)

    @property
    def key(self) -> str | None:
        """The same filters have the same key (order and case do not matter); ``None`` when empty."""
        if self.empty:
            return None
        canonical = json.dumps(
            [sorted({fold(w) for w in self.include}), sorted({fold(w) for w in self.exclude})]
        )
        return hashlib.sha256(canonical.encode()).hexdigest()[:32]

    def accepts(self, title: str, text: str) -> bool:
        """Whether an article with this title and text passes: no excluded word, and an included
        word when there are any."""
        return self.empty or self.accepts_folded(fold(f"{title}\n{text}"))

    def accepts_folded(self, folded: str) -> bool:
        """``accepts`` on a title and text already folded (``fold``): many filters, one fold."""
        if self.empty:
            return True
        includes, excludes = self._patterns
        if any(p.search(folded) for p in excludes):
            return False
        return not includes or any(p.search(folded) for p in includes)

    def changed(self, words: str) -> KeywordFilter:
        """This filter with ``+word``, ``-word`` and ``"quoted phrases"`` added (a word without a
        sign is included); ``DigestError`` (reason ``bad_filter_…``) says what is wrong."""
        if len(words) > MAX_INPUT_CHARS:
            raise DigestError(f"at most {MAX_WORDS} words", reason="bad_filter_many", limit=MAX_WORDS)
        lexer = shlex.shlex(words.translate(_SIGNS), posix=True)
        lexer.whitespace_split, lexer.escape, lexer.commenters = True, "", ""  # quotes only
        try:
            tokens = list(lexer)
        except ValueError:
            raise DigestError("a quote is not closed", reason="bad_filter_quote") from None
        if len(tokens) > 2 * MAX_WORDS:  # checked before any folding: a wall of words costs nothing
            raise DigestError(f"at most {MAX_WORDS} words", reason="bad_filter_many", limit=MAX_WORDS)
        include, exclude = list(self.include), list(self.exclude)
        for token in tokens:
            sign, word = (token[0], token[1:]) if token[:1] in "+-" else ("+", token)
            word = " ".join(word.split())
            if not word:
                continue
            if len(word) > MAX_WORD_CHARS:
                raise DigestError(
                    f"a word is longer than {MAX_WORD_CHARS} characters",
                    reason="bad_filter_long",
                    limit=MAX_WORD_CHARS,
                )
            target, other = (include, exclude) if sign == "+" else (exclude, include)
            if fold(word) in {fold(w) for w in other}:
                other[:] = [w for w in other if fold(w) != fold(word)]
            if fold(word) not in {fold(w) for w in target}:
                target.append(word)
        if len(include) + len(exclude) > MAX_WORDS:
            raise DigestError(f"at most {MAX_WORDS} words", reason="bad_filter_many", limit=MAX_WORDS)
        return KeywordFilter(tuple(include), tuple(exclude))

    def as_json(self) -> dict[str, list[str]]:
        return {"include": list(self.include), "exclude": list(self.exclude)}

    @classmethod
    def from_json(cls, value: object) -> KeywordFilter:
        """From what ``as_json`` stored; anything else is no filter."""
        if not isinstance(value, dict):
            return cls()
        include = tuple(str(w) for w in value.get("include") or () if str(w).strip())
        exclude = tuple(str(w) for w in value.get("exclude") or () if str(w).strip())
        return cls(include, exclude)


def article_text(article: Article) -> str:
    """An article's title and text as filters read them: title, lead, headings, paragraphs."""
    parts = [article.title, *article.lead]
    for section in article.sections:
        parts.extend([section.heading, *section.paragraphs])
    return "\n".join(parts)


CLEAR_WORDS: Final = frozenset({"clear", "off", "none", "清除", "清空"})


def change_request(words: str) -> str | None:
    """What a user typed after /filter: the words to add, or ``None`` to clear the filter."""
    return None if words.strip().lower() in CLEAR_WORDS else words


def parse_filter(words: str) -> KeywordFilter:
    """A filter from ``+word -word "a phrase"``."""
    return KeywordFilter().changed(words)


# Unicode format characters (category Cf): zero-width spaces and joiners, soft hyphens, bidi
# marks, the BOM. Invisible, so "w\u200bar" reads as "war" and must match as "war".
_FORMAT_CHARACTERS: Final = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)


def fold_case(text: str) -> str:
    """NFKC (full-width to half-width), format characters out, case folded — with the special
    casing that folds İ to i\u0307 undone, so "İstanbul" is "istanbul"."""
    text = _FORMAT_CHARACTERS.sub("", unicodedata.normalize("NFKC", text))
    return text.casefold().replace("i\u0307", "i")


def fold(text: str) -> str:
    """Text as filters compare it: ``fold_case``, then Traditional Chinese as Simplified where
    OpenCC is installed (a text is converted whole: its phrases keep their sense)."""
    folded = fold_case(text)
    converter = _simplifier()
    if converter is not None and _CJK.search(folded):
        folded = converter(folded)
    return folded


@cache
def _simplifier():  # noqa: ANN202 - a str -> str converter, or None
    try:
        import opencc
    except ImportError:  # optional: without it, Traditional and Simplified match only as written
        return None
    return opencc.OpenCC("t2s").convert


@cache
def _pattern(word: str) -> re.Pattern[str]:
    """A word as it matches a folded text. A Chinese word alone may convert unlike the same
    characters inside a phrase of the text (乾 alone is 干, 乾隆 stays 乾隆), so it matches in
    either form: converted, and as written (case and width folded)."""
    forms = dict.fromkeys((fold(word), fold_case(word)))
    alternatives = "|".join(re.escape(form).replace(r"\ ", r"\s+") for form in forms if form)
    if _CJK.search(word):
        return re.compile(f"(?:{alternatives})")
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
