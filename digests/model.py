"""The article and digest models: frozen dataclasses shared by every stage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

NoiseCounts = Mapping[str, int]


def _frozen_counts(counts: Mapping[str, int] | None = None) -> NoiseCounts:
    return MappingProxyType(dict(counts or {}))


@dataclass(frozen=True, slots=True)
class Section:
    """One section of an article: its position, heading and body paragraphs."""

    index: int
    heading: str
    paragraphs: tuple[str, ...]
    label: str = ""  # the ordinal as printed in the article ("一、", "2.", "II."), if any


@dataclass(frozen=True, slots=True)
class Article:
    """A structured article: metadata, lead paragraphs and numbered sections."""

    title: str
    language: str
    lead: tuple[str, ...]
    sections: tuple[Section, ...]
    source: str | None = None
    published: date | None = None
    url: str | None = None  # the original, when it came from the web (uploads have none)
    removed: NoiseCounts = field(default_factory=_frozen_counts)
    truncated: bool = False

    def section(self, index: int) -> Section:
        """The section numbered ``index`` (1-based); ``KeyError`` when absent."""
        for section in self.sections:
            if section.index == index:
                return section
        raise KeyError(index)

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """All body paragraphs in document order, lead first."""
        return self.lead + tuple(p for s in self.sections for p in s.paragraphs)


@dataclass(frozen=True, slots=True)
class SectionDigest:
    """The key sentences of one section, in document order."""

    index: int
    heading: str
    sentences: tuple[str, ...]
    label: str = ""


@dataclass(frozen=True, slots=True)
class ArticleDigest:
    """What the bot sends: the lead's key sentences, then each section's."""

    title: str
    language: str
    lead: tuple[str, ...]
    sections: tuple[SectionDigest, ...]
    source: str | None = None
    published: date | None = None
    url: str | None = None

    def as_dict(self) -> dict[str, object]:
        """The digest as plain JSON-ready data."""
        return {
            "title": self.title,
            "language": self.language,
            "source": self.source,
            "published": self.published.isoformat() if self.published else None,
            "lead": list(self.lead),
            "sections": [
                {"index": s.index, "label": s.label, "heading": s.heading, "sentences": list(s.sentences)}
                for s in self.sections
            ],
        }
