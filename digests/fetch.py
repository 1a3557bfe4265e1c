"""The one module that reaches the network: safe HTTP fetching of articles and feeds.

Only http and https. Every host is resolved once, every address checked
(no loopback, private, link-local, CGNAT, multicast, reserved or unspecified
address, in any IPv4 or IPv6 spelling), and the connection goes to the address
that was checked, so a second DNS answer cannot rebind it. Each redirect hop is
checked again. A whole fetch has one deadline, and the body a size cap counted
after decompression.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import logging
import re
import socket
import ssl
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from digests.decode import decode_text
from digests.errors import DigestError

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
# IANA's special-purpose address registries (IPv4 and IPv6): every range they mark as not
# globally reachable, or that is no place for a web page (documentation, benchmarking,
# multicast), held here so that the guard does not depend on what a Python version's
# ``ipaddress`` believes (3.11 calls fec0::/10 and most of 192.0.0.0/24 global).
NOT_GLOBAL: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = tuple(
    ipaddress.ip_network(block)
    for block in (
        *("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12"),
        *("192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24", "192.88.99.0/24"),
        *("192.168.0.0/16", "192.175.48.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24"),
        *("224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32"),
        # IPv4-mapped (::ffff:0:0/96) and 6to4 (2002::/16) addresses are judged by the IPv4
        # address they carry (check_address), so they are not listed whole here.
        *("::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "3fff::/20"),
        *("5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8"),
    )
)
_TEXT_TYPES = (
    "text/",
    "application/xhtml",
    "application/xml",
    "application/rss",
    "application/atom",
    "application/rdf",
    "application/x-rss",
    "application/feed",
    "application/json",
)
_REDIRECTS = {301, 302, 303, 307, 308}


class FetchError(DigestError):
    """A URL that may not or could not be fetched; the message says why."""


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Limits of one fetch."""

    max_bytes: int = 5_000_000
    deadline: float = 20.0
    max_redirects: int = 5
    allow_private_addresses: bool = False  # unsafe outside tests
    exempt_addresses: frozenset[str] = frozenset()  # tests only: these exact addresses pass the check
    user_agent: str = "digestbot/0.1 (+https://github.com/digestbot)"
    extra_types: frozenset[str] = frozenset()  # media types accepted besides text (gzip sitemaps)


@dataclass(frozen=True, slots=True)
class FetchedDocument:
    """A fetched body with what its headers said."""

    url: str
    content: bytes
    content_type: str | None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    max_age: int | None = None  # seconds, from Cache-Control: how long the server says it stays fresh

    @property
    def text(self) -> str:
        """The body decoded by the declared, embedded or detected charset."""
        return decode_text(self.content, content_type=self.content_type)


def check_address(address: str | IPAddress, *, allow_private: bool = False) -> IPAddress:
    """The address, or ``FetchError`` when it points into a private or special network."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if mapped is not None:
            check_address(mapped, allow_private=allow_private)
            return ip
    if allow_private:
        return ip
    reasons = (
        (ip.is_loopback, "a loopback"),
        (ip.is_unspecified, "an unspecified"),
        (ip.is_link_local, "a link-local"),
        (ip.is_multicast, "a multicast"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT, "a carrier-grade NAT"),
        (ip.is_private, "a private"),
        (ip.is_reserved, "a reserved"),
        (any(ip in block for block in NOT_GLOBAL if block.version == ip.version), "a special-purpose"),
        (not ip.is_global, "a non-public"),
    )
    for matched, kind in reasons:
        if matched:
            raise FetchError(f"refused: {ip} is {kind} address", reason="blocked_address", address=str(ip))
    return ip


async def system_resolver(host: str, port: int) -> list[str]:
    """All addresses of ``host``, from the operating system's resolver."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise FetchError(
            f"cannot resolve host {host!r}: {err.strerror}", reason="unknown_host", host=host
        ) from err
    except UnicodeError as err:
        raise FetchError(f"not a valid host name: {host[:100]!r} ({err})", reason="bad_url") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def resolve_checked(
    host: str, port: int, *, policy: FetchPolicy, resolver: Resolver = system_resolver
) -> IPAddress:
    """The address to connect to; every address of the host must pass the check."""
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    addresses = [str(literal)] if literal is not None else await resolver(host, port)
    if not addresses:
        raise FetchError(f"host {host!r} has no address", reason="unknown_host", host=host)
    checked = [
        ipaddress.ip_address(a)
        if a in policy.exempt_addresses
        else check_address(a, allow_private=policy.allow_private_addresses)
        for a in addresses
    ]
    return checked[0]


def _check_url(url: httpx.URL) -> None:
    if url.scheme not in ("http", "https"):
        raise FetchError(
            f"refused: only http and https URLs can be fetched, not {url.scheme or 'this'}:",
            reason="not_http",
        )
    if not url.host:
        raise FetchError("refused: the URL has no host", reason="bad_url")


async def fetch(
    url: str,
    *,
    policy: FetchPolicy = FetchPolicy(),
    etag: str | None = None,
    last_modified: str | None = None,
    resolver: Resolver = system_resolver,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FetchedDocument:
    """GET a URL within the policy; ``FetchError`` says why when it cannot."""
    try:
        async with asyncio.timeout(policy.deadline):
            return await _fetch(url, policy, etag, last_modified, resolver, transport)
    except TimeoutError:
        raise FetchError(
            f"gave up after {policy.deadline:g} s: the server is too slow",
            reason="too_slow",
            seconds=policy.deadline,
        ) from None
    except httpx.HTTPError as err:
        raise FetchError(
            f"cannot fetch {_safe(url)}: {type(err).__name__}: {err}", reason="network"
        ) from None
    except UnicodeError as err:  # a host name IDNA cannot encode (a label over 63 characters, say)
        raise FetchError(f"not a valid host name in {_safe(url)}: {err}", reason="bad_url") from None


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every fetch: building one (loading the CA bundle) costs more than
    parsing a page. A client per fetch stays: connections are pinned to the checked address of
    one host name, and a shared pool could hand one host's TLS connection to another."""
    return httpx.create_ssl_context()


def _safe(url: str) -> str:
    return url if len(url) <= 200 else url[:200] + "…"


async def _fetch(
    url: str,
    policy: FetchPolicy,
    etag: str | None,
    last_modified: str | None,
    resolver: Resolver,
    transport: httpx.AsyncBaseTransport | None,
) -> FetchedDocument:
    try:
        current = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as err:
        raise FetchError(f"not a valid URL: {err}", reason="bad_url") from None
    headers = {"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    timeout = httpx.Timeout(policy.deadline)
    async with httpx.AsyncClient(
        transport=transport, timeout=timeout, follow_redirects=False, trust_env=False, verify=_tls_context()
    ) as client:
        for _hop in range(policy.max_redirects + 1):
            _check_url(current)
            port = current.port or (443 if current.scheme == "https" else 80)
            address = await resolve_checked(current.host, port, policy=policy, resolver=resolver)
            host_header = current.host if current.port is None else f"{current.host}:{current.port}"
            pinned = current.copy_with(host=str(address))
            extensions = {"sni_hostname": current.host} if current.scheme == "https" else {}
            request = client.build_request(
                "GET", pinned, headers={**headers, "Host": host_header}, extensions=extensions
            )
            response = await client.send(request, stream=True)
            try:
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    current = current.join(response.headers["location"])
                    continue
                return await _read(str(current), response, policy)
            finally:
                await response.aclose()
        raise FetchError(f"refused: more than {policy.max_redirects} redirects", reason="redirects")


_MAX_AGE = re.compile(r"(?:^|[,\s])(?:s-)?max-age\s*=\s*\"?(\d{1,9})", re.I)


def cache_max_age(header: str | None) -> int | None:
    """Seconds from a Cache-Control header's ``max-age`` (``None`` without one, or with
    ``no-cache``/``no-store``, which say nothing of how often to come back)."""
    if not header or re.search(r"no-(?:cache|store)", header, re.I):
        return None
    found = _MAX_AGE.search(header)
    return int(found.group(1)) if found else None


async def _read(url: str, response: httpx.Response, policy: FetchPolicy) -> FetchedDocument:
    etag = response.headers.get("etag")
    last_modified = response.headers.get("last-modified")
    max_age = cache_max_age(response.headers.get("cache-control"))
    if response.status_code == 304:
        return FetchedDocument(url, b"", None, etag, last_modified, not_modified=True, max_age=max_age)
    if response.status_code >= 400:
        raise FetchError(
            f"the server answered {response.status_code} {response.reason_phrase}",
            reason="http_status",
            status=response.status_code,
        )
    content_type = response.headers.get("content-type")
    kind = (content_type or "").split(";")[0].strip().lower()
    accepted = kind.startswith(_TEXT_TYPES) or kind in policy.extra_types
    if kind and not accepted and kind != "application/octet-stream":
        raise FetchError(
            f"refused: {kind} is not a text, HTML or feed document", reason="not_text", kind=kind
        )
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "", "gzip", "x-gzip", "deflate"):
        raise FetchError(f"refused: unsupported content encoding {encoding}", reason="broken_body")
    # Our own inflater with an output bound: a compressed chunk of zeros can inflate a thousandfold.
    compressed = encoding in ("gzip", "x-gzip", "deflate")
    inflater: zlib._Decompress | None = None
    body = bytearray()
    async for raw in response.aiter_raw():
        data = raw
        if compressed and inflater is None and data:
            inflater = zlib.decompressobj(wbits=_window_bits(encoding, data))
        while data:
            room = policy.max_bytes + 1 - len(body)
            if inflater is None:
                body += data[:room]
                data = b""
            else:
                try:
                    body += inflater.decompress(data, room)
                except zlib.error as error:
                    raise FetchError(
                        f"the server sent a broken {encoding} body: {error}", reason="broken_body"
                    ) from None
                data = inflater.unconsumed_tail
            if len(body) > policy.max_bytes:
                raise FetchError(
                    f"refused: the document is larger than {policy.max_bytes:,} bytes",
                    reason="too_large",
                    megabytes=policy.max_bytes // 1_000_000,
                )
    return FetchedDocument(url, bytes(body), content_type, etag, last_modified, max_age=max_age)


def _window_bits(encoding: str, head: bytes) -> int:
    """gzip or zlib-wrapped bodies by their header (47 detects both); "deflate" without the zlib
    wrapper, as some servers send it, is raw deflate (-15)."""
    if encoding != "deflate" or len(head) < 2:
        return 47
    wrapped = head[0] & 0x0F == 8 and int.from_bytes(head[:2], "big") % 31 == 0
    return 47 if wrapped else -15
