"""Section-level digests of articles: structure, summarize, render.

Pure functions over frozen dataclasses; the only I/O lives in ``digests.fetch``.
"""

from digests.errors import DigestError, SectionNotFound
from digests.model import Article, ArticleDigest, Section, SectionDigest
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
