"""Section-level digests of articles: structure, summarize, render.

Pure functions over frozen dataclasses; the only I/O lives in ``digests.fetch``.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from digests.errors import DigestError, SectionNotFound
from digests.model import Article, ArticleDigest, Section, SectionDigest

if TYPE_CHECKING:
    from digests.structure import parse_article, parse_document
    from digests.summarize import (
        METHODS,
        default_method,
        digest_article,
        digest_section,
        find_section,
        split_paragraphs,
        split_sentences,
        summarize_article,
        summarize_paragraphs,
        summarize_sentences,
    )

# The pipeline's modules load on first use (PEP 562): a process that only stores and sends
# digests (the bot at idle) does not compile the parser's and summarizer's patterns.
_LAZY = {
    **dict.fromkeys(("parse_article", "parse_document"), "digests.structure"),
    **dict.fromkeys(
        (
            "METHODS",
            "default_method",
            "digest_article",
            "digest_section",
            "find_section",
            "split_paragraphs",
            "split_sentences",
            "summarize_article",
            "summarize_paragraphs",
            "summarize_sentences",
        ),
        "digests.summarize",
    ),
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'digests' has no attribute {name!r}")


__all__ = [
    "METHODS",
    "Article",
    "ArticleDigest",
    "DigestError",
    "Section",
    "SectionDigest",
    "SectionNotFound",
    "default_method",
    "digest_article",
    "digest_section",
    "find_section",
    "parse_article",
    "parse_document",
    "split_paragraphs",
    "split_sentences",
    "summarize_article",
    "summarize_paragraphs",
    "summarize_sentences",
]
