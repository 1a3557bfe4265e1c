"""The bot's HTTP transport: python-telegram-bot's HTTPX request, with less work per API call.

A broadcast is thousands of small ``sendMessage`` calls. For each, ``httpx.AsyncClient``
merges URLs, handles auth, follows redirects and stores cookies — a third of the client's
work per message, and none of it has a use against the Bot API, which answers every call
itself. Calls without files go straight to the client's transport (its connection pool, with
the proxy the client was given); uploads take PTB's own path. Timeouts and errors are PTB's.
"""

from __future__ import annotations

import functools

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest, RequestData
from telegram.request._baserequest import BaseRequest  # PTB's DEFAULT_NONE and ODVInput, as in HTTPXRequest

_TIMEOUT_POOL_MESSAGE = (
    "Pool timeout: all connections in the pool are busy; the request was not sent to Telegram"
)


class LeanHTTPXRequest(HTTPXRequest):
    """``HTTPXRequest`` whose calls without files skip the client's redirect, auth and cookie layers."""

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
        if self._client.is_closed or (request_data is not None and request_data.multipart_data):
            return await super().do_request(
                url,
                method,
                request_data,
                read_timeout,  # type: ignore[arg-type]
                write_timeout,  # type: ignore[arg-type]
                connect_timeout,  # type: ignore[arg-type]
                pool_timeout,  # type: ignore[arg-type]
            )
        defaults = self._client.timeout
        timeout = httpx.Timeout(
            connect=_given(connect_timeout, defaults.connect),
            read=_given(read_timeout, defaults.read),
            write=_given(write_timeout, defaults.write),
            pool=_given(pool_timeout, defaults.pool),
        )
        request = httpx.Request(
            method,
            _parsed(url),
            headers={"User-Agent": self.USER_AGENT},
            data=request_data.json_parameters if request_data is not None else None,
            extensions={"timeout": timeout.as_dict()},
        )
        try:
            response = await self._client._transport_for_url(request.url).handle_async_request(request)
            try:
                content = await response.aread()
            finally:
                await response.aclose()
        except httpx.PoolTimeout as error:
            raise TimedOut(_TIMEOUT_POOL_MESSAGE) from error
        except httpx.TimeoutException as error:
            raise TimedOut from error
        except httpx.HTTPError as error:
            raise NetworkError(f"httpx.{error.__class__.__name__}: {error}") from error
        return response.status_code, content


# A bot calls a handful of endpoints: each URL is parsed once, not once per message (httpx.URL is
# immutable, and a Request given one does not parse it again).
_parsed = functools.lru_cache(maxsize=64)(httpx.URL)


def _given(value: object, default: float | None) -> float | None:
    """A timeout given to the call, else the client's."""
    return default if isinstance(value, type(BaseRequest.DEFAULT_NONE)) else value  # type: ignore[return-value]
