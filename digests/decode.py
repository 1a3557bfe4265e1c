"""Bytes to text: declared charset, BOM, in-document declaration, then detection."""

from __future__ import annotations

import codecs
import re

from digests.errors import DigestError

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)["']""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Labels that name a subset of what pages labelled so really contain.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "sjis": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
}


def charset_from_content_type(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, if any."""
    match = _HEADER_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def _usable(label: str | None) -> str | None:
    if not label:
        return None
    label = _SUPERSETS.get(label.lower(), label.lower())
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def looks_binary(data: bytes) -> bool:
    """NUL bytes in text that is not UTF-16/32: an image, a PDF, an archive."""
    head = data[:8192]
    return b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def decode_text(data: bytes, *, content_type: str | None = None) -> str:
    """Decode a document; undecodable bytes become U+FFFD, never an exception."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if looks_binary(data):
        raise DigestError("this is a binary file, not a text, Markdown or HTML document", reason="binary")
    declared = _usable(charset_from_content_type(content_type))
    if declared is None:
        head = data[:4096]
        match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
        declared = _usable(match.group(1).decode("ascii", "replace")) if match else None
    if declared is None:
        text = data.decode("utf-8", errors="replace")
        # UTF-8 with a few broken bytes stays UTF-8; anything else is detected.
        if text.count("\ufffd") <= len(text) // 200:
            return text
        declared = _detect(data)
        if declared is None:
            raise DigestError(
                "cannot tell the character encoding: this does not look like text", reason="binary"
            )
    return data.decode(declared, errors="replace")


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    return _usable(best.encoding) if best is not None else None
