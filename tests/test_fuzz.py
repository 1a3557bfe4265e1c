"""Property-based: any text after any command, any button data, any CLI arguments get a
well-formed answer and never the generic error, a crash or a traceback.

One real bot runs for the module in a loop of its own thread; Hypothesis drives it through the
fake Bot API. Nothing here can reach the network: arguments of commands that fetch hold no ':'.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import redirect_stderr
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.cli import main
from bot.fakeapi import FakeTelegram
from bot.frontend.app import COMMAND_HANDLERS
from tests.helpers import OWN_SAMPLE, reset_database, running_bot, sqlite_url

GENERIC_ERROR = ("Something went wrong", "我这边出了点问题")
FETCHING = {"publish", "addsource"}
FIRST_USER = 700_000
Run = Callable[[Coroutine[Any, Any, Any]], Any]


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Run, FakeTelegram]]:
    """The real bot with one published article; every fuzzed user is an admin of the bot."""
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()

    def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout=60)

    fake = FakeTelegram()
    run(fake.start())
    url = sqlite_url(tmp_path_factory.mktemp("fuzz"))
    run(reset_database(url))
    admins = frozenset(range(FIRST_USER, FIRST_USER + 10_000))
    context = running_bot(fake, url, admin_user_ids=admins)
    run(context.__aenter__())
    fake.send_document(FIRST_USER, OWN_SAMPLE.name, OWN_SAMPLE.read_bytes())
    run(fake.wait_for_messages(FIRST_USER, 2))
    try:
        yield run, fake
    finally:
        run(context.__aexit__(None, None, None))
        run(fake.stop())
        loop.call_soon_threadsafe(loop.stop)


_users = itertools.count(FIRST_USER + 1)


async def _answers(fake: FakeTelegram, chat_id: int, before_calls: int) -> list[str]:
    """What the bot said to a chat: its first message, then anything more until it is quiet."""
    for _ in range(200):
        if fake.messages_to(chat_id) or len(fake.calls("answerCallbackQuery")) > before_calls:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)
    return [m.text for m in fake.messages_to(chat_id)]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(sorted(COMMAND_HANDLERS)), argument=st.text(max_size=200))
def test_any_text_after_any_command_gets_a_well_formed_reply(
    bot: tuple[Run, FakeTelegram], command: str, argument: str
) -> None:
    if command in FETCHING:
        assume(":" not in argument)
    run, fake = bot
    user = next(_users)
    fake.send_text(user, f"/{command} {argument}")
    replies = run(_answers(fake, user, len(fake.calls("answerCallbackQuery"))))
    assert replies, f"/{command} {argument!r} got no reply"
    assert not any(text.startswith(GENERIC_ERROR) for text in replies), (command, argument, replies)
    assert all(0 < len(text) <= 4096 for text in replies)
    assert fake.state.html_errors == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.one_of(st.sampled_from(["sec:", "set:", "do:", "sec:1:", "set:schedule:"]), st.just("")).flatmap(
        lambda prefix: st.text(max_size=60).map(lambda rest: (prefix + rest)[:64])
    )
)
def test_any_button_data_is_answered_or_ignored_never_an_error(
    bot: tuple[Run, FakeTelegram], data: str
) -> None:
    run, fake = bot
    user = next(_users)
    fake.send_text(user, "/start")
    [welcome] = run(fake.wait_for_messages(user, 1))
    fake.press_button(user, welcome, data)
    replies = run(_answers(fake, user, len(fake.calls("answerCallbackQuery"))))
    assert not any(text.startswith(GENERIC_ERROR) for text in replies), (data, replies)
    assert fake.state.html_errors == []


SUBCOMMANDS = [
    ["preview"],
    ["summarize"],
    ["publish"],
    ["stats", "--failures"],
    ["subscribers", "list", "--limit"],
    ["sources", "add"],
    ["sources", "remove"],
    ["sources", "pause"],
    ["sources", "import"],
    ["sources", "export"],
    ["channels", "add"],
    ["db"],
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.sampled_from(SUBCOMMANDS), argument=st.text(min_size=1, max_size=80))
def test_any_cli_argument_fails_in_one_line_or_works(
    words: list[str], argument: str, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    assume(":" not in argument and not argument.startswith("-") and "\x00" not in argument)
    folder = tmp_path_factory.mktemp("cli")
    # Migrated before: the CLI would migrate each example's new database itself, a second each.
    asyncio.run(reset_database(sqlite_url(Path(folder))))
    monkeypatch.chdir(folder)
    monkeypatch.setenv("DATABASE_URL", sqlite_url(Path(folder)))
    for name in ("TELEGRAM_BOT_TOKEN", "ADMIN_USER_IDS"):
        monkeypatch.delenv(name, raising=False)
    errors = io.StringIO()
    with redirect_stderr(errors):
        try:
            code = main([*words, argument])
        except SystemExit as exit_:  # argparse: a usage error, its own two lines
            code = int(exit_.code or 0)
    lines = [line for line in errors.getvalue().splitlines() if line.startswith("digestbot: ")]
    assert "Traceback" not in errors.getvalue()
    assert code == 0 or code == 2 or len(lines) == 1, (words, argument, errors.getvalue())


ARGUMENTS = {
    "empty": "",
    "huge": "长" * 3000 + " " + "x" * 3000,
    "html": '<b>bold</b> <a href="javascript:alert(1)">x</a> &amp; <script>',
    "mixed": "Mars/Base 天气预报 ١٢٣ ²① \u202eevil\u202c 07:30 zh-hant",
}


@pytest.mark.parametrize("argument", sorted(ARGUMENTS))
@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_every_command_with_empty_huge_html_and_mixed_arguments(
    bot: tuple[Run, FakeTelegram], argument: str, language: str
) -> None:
    """Each command gets a reply that Telegram accepts, short, in the user's language, with the
    user's text cut and escaped."""
    run, fake = bot
    for command in sorted(COMMAND_HANDLERS):
        if command in FETCHING and ":" in ARGUMENTS[argument]:
            continue
        user = next(_users)
        fake.send_text(user, f"/{command} {ARGUMENTS[argument]}", language_code=language)
        replies = run(_answers(fake, user, len(fake.calls("answerCallbackQuery"))))
        assert replies, (command, argument)
        for text in replies:
            assert not text.startswith(GENERIC_ERROR), (command, argument, text)
            assert "<script>" not in text or "&lt;script&gt;" in fake.messages_to(user)[-1].raw
            assert "长" * 100 not in text and "x" * 100 not in text, (command, "echoed the whole input")
    assert fake.state.html_errors == []
