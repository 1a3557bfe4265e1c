"""Serve the fake Bot API on loopback: `python -m bot.fakeapi [--port N] [--rate-limit 30]`.

Prints the port on the first line of stdout; GET /_stats shows how much was sent and refused.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

from bot.fakeapi.server import FakeTelegram


async def serve(port: int, rate_limit: float, token: str) -> None:
    fake = FakeTelegram(token, rate_limit=rate_limit)
    fake.keep_messages = False
    await fake.start(port=port)
    sys.stdout.write(f"{fake.port}\n")
    sys.stdout.flush()
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--rate-limit", type=float, default=0.0, help="answer 429 above this many sends a second"
    )
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, args.rate_limit, args.token))


if __name__ == "__main__":
    main()
