"""The fetch guard: refused addresses and schemes, redirects, size cap, deadline, charsets.

Every connection these tests open goes to a server on 127.0.0.1; private and
public addresses are only ever given to the address check or a stubbed resolver.
"""

from __future__ import annotations

import ipaddress
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from digests.fetch import NOT_GLOBAL, FetchError, FetchPolicy, check_address, fetch, resolve_checked
from tests.helpers import LocalSite, send

LOCAL = FetchPolicy(allow_private_addresses=True, deadline=5.0)
PAGE_GBK = "<html><head><title>新闻</title></head><body><p>今天的新闻很重要，值得一读。</p></body></html>"


def _gzip_bomb(size: int = 1 << 30) -> bytes:
    """About 1 MB of gzip that inflates to 1 GB of zeros, made without holding the gigabyte."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    return b"".join(compressor.compress(block) for _ in range(size >> 20)) + compressor.flush()


BOMB = _gzip_bomb()


def _hop(handler: BaseHTTPRequestHandler) -> None:
    hops = int(handler.path.rsplit("/", 1)[1])
    send(handler, 302, None, b"", headers={"Location": f"/hop/{hops - 1}" if hops > 0 else "/gbk"})


def _slow(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/plain")
    handler.end_headers()
    for _ in range(30):
        handler.wfile.write(b"x")
        handler.wfile.flush()
        time.sleep(0.5)


def _etag(handler: BaseHTTPRequestHandler) -> None:
    if handler.headers.get("If-None-Match") == '"v1"':
        send(handler, 304, None, b"")
    else:
        send(handler, 200, "text/plain; charset=utf-8", b"hello", etag='"v1"')


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    site = LocalSite()
    site.pages["/gbk"] = ("text/html; charset=gb2312", PAGE_GBK.encode("gbk"))
    site.pages["/image"] = ("image/png", b"\x89PNG....")
    site.routes.update(
        {
            "/hop/": _hop,
            "/slow": _slow,
            "/etag": _etag,
            "/bomb": lambda handler: send(
                handler, 200, "text/html", BOMB, headers={"Content-Encoding": "gzip"}
            ),
        }
    )
    yield site.start().base
    site.stop()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "::1",
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "224.0.0.1",
        "0.0.0.0",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "240.0.0.1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "2002:7f00:1::1",
        "64:ff9b::a00:1",
    ],
)
def test_special_addresses_are_refused(address: str) -> None:
    with pytest.raises(FetchError, match="refused"):
        check_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700:4700::1111", "8.8.8.8"])
def test_public_addresses_pass_the_check(address: str) -> None:
    assert str(check_address(address)) == address  # only checked, never contacted


async def test_every_resolved_address_must_pass() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "10.0.0.1"]  # a public answer hiding a private one

    with pytest.raises(FetchError, match=r"10\.0\.0\.1"):
        await resolve_checked("mixed.example", 80, policy=FetchPolicy(), resolver=resolver)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://[::1]/",
        "http://0x7f.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://localhost/",
        "http://2130706433/",
    ],
)
async def test_loopback_urls_are_refused_before_connecting(url: str) -> None:
    with pytest.raises(FetchError, match="refused"):
        await fetch(url)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/file.txt", "gopher://x/"])
async def test_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(FetchError, match="only http and https"):
        await fetch(url)


async def test_a_host_name_that_resolves_to_loopback_is_refused() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    with pytest.raises(FetchError, match="loopback"):
        await fetch("http://innocent-looking.example/", resolver=resolver)


async def test_stubbed_resolver_to_private_address_is_refused() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return ["192.168.1.1"]

    with pytest.raises(FetchError, match="private"):
        await fetch("http://intranet.example/", resolver=resolver)


async def test_gbk_page_is_fetched_and_decoded(server: str) -> None:
    document = await fetch(f"{server}/gbk", policy=LOCAL)
    assert "今天的新闻很重要，值得一读。" in document.text


async def test_five_redirects_are_followed_six_are_refused(server: str) -> None:
    assert "新闻" in (await fetch(f"{server}/hop/4", policy=LOCAL)).text  # 5 redirects
    with pytest.raises(FetchError, match="more than 5 redirects"):
        await fetch(f"{server}/hop/5", policy=LOCAL)


async def test_gzip_bomb_stops_at_the_cap(server: str) -> None:
    assert len(BOMB) < 2_000_000
    tracemalloc.start()
    with pytest.raises(FetchError, match="larger than"):
        await fetch(f"{server}/bomb", policy=FetchPolicy(allow_private_addresses=True, max_bytes=5_000_000))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 40_000_000  # the cap, not the gigabyte


async def test_slow_server_hits_the_total_deadline(server: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="gave up after 2 s"):
        await fetch(f"{server}/slow", policy=FetchPolicy(allow_private_addresses=True, deadline=2.0))
    assert time.monotonic() - started < 4


async def test_binary_content_type_is_refused(server: str) -> None:
    with pytest.raises(FetchError, match="image/png"):
        await fetch(f"{server}/image", policy=LOCAL)


async def test_conditional_get_reports_not_modified(server: str) -> None:
    first = await fetch(f"{server}/etag", policy=LOCAL)
    assert first.etag == '"v1"' and first.text == "hello"
    second = await fetch(f"{server}/etag", policy=LOCAL, etag=first.etag)
    assert second.not_modified and second.content == b""


async def test_http_errors_are_reported(server: str) -> None:
    with pytest.raises(FetchError, match="404"):
        await fetch(f"{server}/missing", policy=LOCAL)


@pytest.mark.parametrize("block", [str(block) for block in NOT_GLOBAL])
def test_every_special_purpose_range_is_refused_whatever_python_says(block: str) -> None:
    """IANA's special-purpose registries, as our own table: the first address of each range and
    one inside it (fec0::/10 and 192.0.0.0/24 passed Python 3.11's is_global)."""
    network = ipaddress.ip_network(block)
    for address in {network.network_address, network.network_address + (network.num_addresses // 2)}:
        with pytest.raises(FetchError, match="refused"):
            check_address(address)


@pytest.mark.parametrize("address", ["fec0::1", "192.0.0.100", "192.0.0.9"])
def test_site_local_and_ietf_protocol_addresses_are_refused(address: str) -> None:
    with pytest.raises(FetchError, match="refused"):
        check_address(address)
