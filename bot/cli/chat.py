"""`digestbot chat`: the real bot in a terminal, through a local fake Bot API server.

You type as a Telegram user; the bot's replies are printed as Telegram would show
them. `/publish PATH` with a local file sends it as a document, as in Telegram;
`press N` presses the Nth button under the last reply; a rich message shows its sections
collapsed (▸), and `expand N` opens the Nth; `quit` or end of input leaves.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import TextIO

from pydantic import SecretStr

from bot.cli.common import load_settings, prepare_database
from bot.fakeapi import FakeTelegram, SentMessage
from bot.frontend import build_application, running
from bot.logs import escape_controls
from bot.settings import Settings

CHAT_USER = 1
# The conversation keeps a database of its own, so trying the bot never touches the real one.
CHAT_DATABASE = "sqlite+aiosqlite:///digestbot-chat.db"
_REPLY_WAIT = 60.0  # the first reply of a publish may take a while on a cold start
_QUIET = 0.4  # more replies are expected until the bot is quiet this long

INTRO = (
    "digestbot chat: you are user {user} (an admin) talking to the real bot through a local Bot API server.\n"
    "Type commands such as /start, /help, /publish PATH, /section 2; `press N` presses a button; "
    "`expand N` opens section N of a rich message; `quit` leaves.\n"
)


_STYLES = {"b": "1", "strong": "1", "i": "3", "em": "3", "u": "4", "ins": "4", "code": "2", "pre": "2"}


class _Terminal(HTMLParser):
    """Telegram HTML as the terminal shows it: bold, italics, underline and dim code as ANSI
    styles (only on a terminal), links with their address, entities decoded."""

    def __init__(self, styled: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.styled = styled
        self.parts: list[str] = []
        self.open: list[str] = []
        self.links: list[str] = []

    def _style(self) -> str:
        codes = [_STYLES[tag] for tag in self.open if tag in _STYLES]
        return "\x1b[0m" + (f"\x1b[{';'.join(codes)}m" if codes else "") if self.styled else ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open.append(tag)
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")
        self.parts.append(self._style())

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:  # close the innermost one
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag)]
        if tag == "a" and self.links:
            self.parts.append(f" <{self.links.pop()}>")
        self.parts.append(self._style())

    def handle_data(self, data: str) -> None:
        self.parts.append(escape_controls(data, keep_newlines=True))


def render_for_terminal(raw: str, *, styled: bool) -> str:
    """A message the bot sent (Telegram HTML) as text for this terminal."""
    parser = _Terminal(styled)
    parser.feed(raw)
    parser.close()
    return "".join(parser.parts) + ("\x1b[0m" if styled else "")


def rich_blocks(message: SentMessage) -> tuple[list[str], list[list[str]]]:
    """A rich message as the terminal shows it collapsed — its lines with each ``<details>``
    closed to its "▸ summary" line — and each details block's content, in order."""
    shown: list[str] = []
    blocks: list[list[str]] = []
    depth: int | None = None  # the indentation of the open block's summary
    for line in map(escape_controls, message.text.splitlines()):
        indent = len(line) - len(line.lstrip(" "))
        if depth is not None and indent > depth:
            blocks[-1].append(line[depth + 2 :])
            continue
        depth = None
        if line.lstrip().startswith("▸ "):
            depth = indent
            blocks.append([])
            line = f"{line}  [{len(blocks)}]"
        shown.append(line)
    return shown, blocks


def _show(message: SentMessage, out: TextIO) -> None:
    styled = message.parse_mode == "HTML" and out.isatty()
    if message.method == "sendRichMessage":
        shown, blocks = rich_blocks(message)
        text = "\n".join(shown) + ("\n(expand N opens block N)" if blocks else "")
    elif message.parse_mode == "HTML":
        text = render_for_terminal(message.raw, styled=styled)
    else:
        text = message.text
    out.write("\n" + text + "\n")
    number = 0
    for row in (message.reply_markup or {}).get("inline_keyboard", []):  # one line per row of buttons
        cells = []
        for button in row:
            number += 1
            opens = f" → {escape_controls(button['url'])}" if button.get("url") else ""
            cells.append(f"[{number}] {escape_controls(button['text'])}{opens}")
        out.write("  " + "  ".join(cells) + "\n")
    out.flush()


def _expanded(message: SentMessage | None, line: str) -> str:
    """``expand N``: the content of the Nth collapsed block of the last rich message."""
    words = line.split()
    blocks = rich_blocks(message)[1] if message is not None else []
    if (
        len(words) != 2
        or not (words[1].isascii() and words[1].isdigit())
        or not 1 <= int(words[1]) <= len(blocks)
    ):
        return "nothing to expand: `expand N` opens block N of the last rich message"
    return "\n".join(blocks[int(words[1]) - 1]) or "(empty)"


async def _replies(fake: FakeTelegram, before: int) -> list[SentMessage]:
    """The bot's replies after ``before``: wait for the first, then until it is quiet."""
    try:
        await fake.wait_for_messages(CHAT_USER, 1, after=before, timeout=_REPLY_WAIT)
    except TimeoutError:
        return []
    seen = len(fake.messages_to(CHAT_USER))
    while True:
        await asyncio.sleep(_QUIET)
        now = len(fake.messages_to(CHAT_USER))
        if now == seen:
            return fake.messages_to(CHAT_USER)[before:]
        seen = now


def _send(fake: FakeTelegram, line: str, last: SentMessage | None, language: str | None) -> str | None:
    """Turn a typed line into an update; an error text when it cannot be."""
    words = line.split()
    if words[0].lower() == "press":
        if (
            last is None
            or len(words) != 2
            or not (words[1].isascii() and words[1].isdigit())
            or not 1 <= int(words[1]) <= len(last.buttons)
        ):
            return "nothing to press: `press N` presses the Nth button under the last reply"
        button = last.buttons[int(words[1]) - 1]
        if "callback_data" not in button:
            return f"that button opens {escape_controls(button.get('url', ''))} in a browser"
        fake.press_button(CHAT_USER, last, button["callback_data"], language_code=language)
        return None
    if words[0] == "/publish" and len(words) == 2 and Path(words[1]).expanduser().is_file():
        path = Path(words[1]).expanduser()
        fake.send_document(CHAT_USER, path.name, path.read_bytes(), language_code=language)
        return None
    fake.send_text(CHAT_USER, line, language_code=language)
    return None


async def run_chat(
    settings: Settings, *, out: TextIO, database_url: str | None = None, lines: TextIO | None = None
) -> int:
    """Run the REPL until `quit` or end of input."""
    source = lines or sys.stdin
    fake = FakeTelegram()
    await fake.start()
    settings = settings.model_copy(
        update={
            "telegram_bot_token": SecretStr(fake.token),
            "telegram_api_base_url": fake.base_url,
            "telegram_api_file_url": fake.base_file_url,
            "admin_user_ids": settings.admin_user_ids | {CHAT_USER},
            "database_url": database_url or CHAT_DATABASE,
        }
    )
    await prepare_database(settings)
    language = None  # like a Telegram client without a language: the bot answers in English
    try:
        async with running(build_application(settings)):
            out.write(INTRO.format(user=CHAT_USER))
            last: SentMessage | None = None
            last_rich: SentMessage | None = None
            while True:
                out.write("\nyou> ")
                out.flush()
                line = await asyncio.to_thread(source.readline)
                if not line:
                    break
                line = line.strip()
                if not line:
                    continue
                if line.lower() in ("quit", "exit", "/quit"):
                    break
                if line.lower().split()[0] == "expand":
                    out.write(_expanded(last_rich, line) + "\n")
                    continue
                before = len(fake.messages_to(CHAT_USER))
                started = time.monotonic()
                problem = _send(fake, line, last, language)
                if problem:
                    out.write(problem + "\n")
                    continue
                replies = await _replies(fake, before)
                if not replies:
                    out.write(f"(no reply after {time.monotonic() - started:.0f} s)\n")
                for message in replies:
                    _show(message, out)
                    if message.buttons:
                        last = message
                    if message.method == "sendRichMessage":
                        last_rich = message
    finally:
        await fake.stop()
    out.write("\nbye\n")
    return 0


def chat(args: argparse.Namespace, out: TextIO) -> int:
    """Try the bot in this terminal, against a local Bot API server."""
    settings = load_settings()
    if not args.verbose:  # the conversation is on stdout; keep stderr for problems
        logging.getLogger().setLevel(logging.WARNING)
    return asyncio.run(run_chat(settings, out=out, database_url=args.database))
