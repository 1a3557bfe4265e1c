"""The bot's HTTP transport: a python-telegram-bot request class with less work per API call.

A broadcast is thousands of small ``sendMessage`` calls. For each, ``httpx.AsyncClient``
merges URLs, handles auth, follows redirects and stores cookies — a third of the client's work
per message, and none of it has a use against the Bot API, which answers every call itself.
``LeanHTTPXRequest`` is a ``BaseRequest`` of its own over a public ``httpx.AsyncHTTPTransport``
(its connection pool): calls without files go to the transport directly; uploads go through an
``httpx.AsyncClient`` over the same transport, for its multipart encoding. A proxy named by the
environment (``HTTPS_PROXY``, ``NO_PROXY``) is honoured as httpx's client would. Timeouts and
errors are reported as PTB's own request class reports them.
"""

from __future__ import annotations

import functools
import urllib.request
from urllib.parse import urlsplit

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_TIMEOUT_POOL_MESSAGE = (
    "Pool timeout: all connections in the pool are busy; the request was not sent to Telegram"
)
_MEDIA_WRITE_TIMEOUT = 20.0  # uploads (documents) get longer to write, as in PTB's own class


def _proxy_for(base_url: str) -> str | None:
    """The proxy the environment names for the Bot API's host, if any."""
    parts = urlsplit(base_url)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    return proxy


class LeanHTTPXRequest(BaseRequest):
    """A ``BaseRequest`` whose calls without files skip httpx's client layers (redirects, auth,
    cookies): the request goes to the connection pool as it is."""

    def __init__(
        self,
        *,
        base_url: str = "https://api.telegram.org",
        connection_pool_size: int = 4,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._timeout = httpx.Timeout(
            connect=connect_timeout, read=read_timeout, write=write_timeout, pool=pool_timeout
        )
        self._limits = httpx.Limits(
            max_connections=connection_pool_size, max_keepalive_connections=connection_pool_size
        )
        self._proxy = _proxy_for(base_url)
        self._transport: httpx.AsyncHTTPTransport | None = None
        self._uploads: httpx.AsyncClient | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeout.read

    async def initialize(self) -> None:
        if self._transport is None:
            self._transport = httpx.AsyncHTTPTransport(limits=self._limits, proxy=self._proxy)
            # trust_env off: the proxy is the transport's already; the client only encodes uploads.
            self._uploads = httpx.AsyncClient(
                transport=self._transport, timeout=self._timeout, trust_env=False
            )

    async def shutdown(self) -> None:
        if self._uploads is not None:
            await self._uploads.aclose()  # closes the transport it was given
        self._transport = self._uploads = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._transport is None or self._uploads is None:
            raise RuntimeError("this request object is not initialized")
        files = request_data.multipart_data if request_data is not None else None
        write_default = _MEDIA_WRITE_TIMEOUT if files else self._timeout.write
        timeout = httpx.Timeout(
            connect=_given(connect_timeout, self._timeout.connect),
            read=_given(read_timeout, self._timeout.read),
            write=_given(write_timeout, write_default),
            pool=_given(pool_timeout, self._timeout.pool),
        )
        data = request_data.json_parameters if request_data is not None else None
        try:
            if files:
                response = await self._uploads.request(
                    method,
                    url,
                    headers={"User-Agent": self.USER_AGENT},
                    data=data,
                    files=files,
                    timeout=timeout,
                )
                return response.status_code, response.content
            request = httpx.Request(
                method,
                _parsed(url),
                headers={"User-Agent": self.USER_AGENT},
                data=data,
                extensions={"timeout": timeout.as_dict()},
            )
            answer = await self._transport.handle_async_request(request)
            try:
                content = await answer.aread()
            finally:
                await answer.aclose()
        except httpx.PoolTimeout as error:
            raise TimedOut(_TIMEOUT_POOL_MESSAGE) from error
        except httpx.TimeoutException as error:
            raise TimedOut from error
        except httpx.HTTPError as error:
            raise NetworkError(f"httpx.{error.__class__.__name__}: {error}") from error
        return answer.status_code, content


# A bot calls a handful of endpoints: each URL is parsed once, not once per message (httpx.URL is
# immutable, and a Request given one does not parse it again).
_parsed = functools.lru_cache(maxsize=64)(httpx.URL)


def _given(value: object, default: float | None) -> float | None:
    """A timeout given to the call, else the default."""
    if isinstance(value, type(BaseRequest.DEFAULT_NONE)):
        return default
    return value if isinstance(value, int | float) or value is None else default
