"""OPML subscription lists, read with defusedxml (no entities, no external references)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from digests.errors import DigestError


@dataclass(frozen=True, slots=True)
class Outline:
    title: str
    url: str


def parse_opml(data: bytes) -> list[Outline]:
    """The feeds an OPML file lists, in order, each once."""
    import defusedxml.ElementTree
    from defusedxml import DefusedXmlException

    try:
        root = defusedxml.ElementTree.fromstring(
            data, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as error:
        raise DigestError(
            f"refused: the OPML declares entities or external resources ({type(error).__name__})"
        ) from None
    except Exception as error:
        raise DigestError(f"not an OPML file: {error}") from None
    outlines: dict[str, Outline] = {}
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("url") or "").strip()
        if url and url not in outlines:
            outlines[url] = Outline(
                title=(outline.get("title") or outline.get("text") or url).strip(), url=url
            )
    return list(outlines.values())


def export_opml(outlines: Iterable[Outline], *, title: str = "digestbot sources") -> str:
    """An OPML 2.0 document listing the feeds."""
    body = "\n".join(
        f'    <outline type="rss" text={quoteattr(o.title)} title={quoteattr(o.title)} '
        f"xmlUrl={quoteattr(o.url)}/>"
        for o in outlines
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">\n'
        f"  <head><title>{title}</title></head>\n  <body>\n{body}\n  </body>\n</opml>\n"
    )
