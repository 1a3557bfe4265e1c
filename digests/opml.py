"""OPML subscription lists, read with defusedxml (no entities, no external references)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

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


# What XML 1.0 does not allow in a document (control characters but tab and line ends, lone
# surrogates, U+FFFE/U+FFFF), and the bidirectional overrides that would make a title read
# backwards: a feed's title holds whatever its site put there.
_NOT_IN_XML = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)


def xml_safe(text: str) -> str:
    """Text that can stand in any XML document: disallowed characters dropped."""
    return _NOT_IN_XML.sub("", text)


def export_opml(outlines: Iterable[Outline], *, title: str = "digestbot sources") -> str:
    """An OPML 2.0 document listing the feeds; well-formed whatever the titles hold."""
    body = "\n".join(
        f'    <outline type="rss" text={quoteattr(xml_safe(o.title))} title={quoteattr(xml_safe(o.title))} '
        f"xmlUrl={quoteattr(xml_safe(o.url))}/>"
        for o in outlines
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">\n'
        f"  <head><title>{escape(xml_safe(title))}</title></head>\n  <body>\n{body}\n  </body>\n</opml>\n"
    )
