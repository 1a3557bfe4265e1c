"""The digestbot command line: preview, summarize, and one-line errors for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from storage import head_revision
from tests.helpers import OWN_SAMPLE, LocalSite

TITLE = "普京在克里姆林宫与川普特使威特科夫与库什纳会谈5小时"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_preview_json_of_the_sample(capsys, sample_path: Path) -> None:
    code, out, _ = run(capsys, "preview", str(sample_path), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["title"] == TITLE and data["language"] == "zh"
    assert [s["heading"] for s in data["sections"]] == [
        "高规格接待与入城安排",
        "闭门会谈过程与克宫会前会后定调",
    ]
    assert data["lead"] and data["source"] == "路德社"


def test_preview_section_two_prints_only_that_section(capsys, sample_path: Path) -> None:
    code, out, _ = run(capsys, "preview", str(sample_path), "--section", "2", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["lead"] == []
    assert [s["heading"] for s in data["sections"]] == ["闭门会谈过程与克宫会前会后定调"]


def test_preview_section_three_fails_and_names_the_count(capsys, sample_path: Path) -> None:
    code, out, err = run(capsys, "preview", str(sample_path), "--section", "3")
    assert code != 0 and out == ""
    assert err.count("\n") == 1 and "2 sections" in err


@pytest.mark.parametrize("fmt", ["text", "html", "md"])
def test_preview_formats_and_options(capsys, sample_path: Path, fmt: str) -> None:
    code, out, _ = run(
        capsys,
        "preview",
        str(sample_path),
        "--format",
        fmt,
        "--sentences",
        "1",
        "--algorithm",
        "lexrank",
        "--language",
        "zh",
    )
    assert code == 0 and "高规格接待与入城安排" in out


def test_preview_reads_stdin(sample_text: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "preview", "-", "--format", "json"],
        input=sample_text.encode(),
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"] == TITLE


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        (bytes(range(0x80, 0x100)) * 40, "encoding"),
        ("——\n……\n".encode(), "no article text"),
    ],
)
def test_bad_input_gives_one_line_and_non_zero_exit(
    capsys, tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "input.txt"
    if content is not None:
        path.write_bytes(content)
    code, out, err = run(capsys, "preview", str(path))
    assert code != 0 and out == ""
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_wrong_arguments_are_usage_errors(capsys, sample_path: Path) -> None:
    for args in (["--sentences", "zero"], ["--algorithm", "magic"], ["--format", "pdf"]):
        with pytest.raises(SystemExit) as exit_info:
            main(["preview", str(sample_path), *args])
        assert exit_info.value.code == 2
        assert "Traceback" not in capsys.readouterr().err


def test_summarize_jsonl(capsys, caplog, tmp_path: Path, sample_text: str) -> None:
    rows = [
        {"id": "zh-1", "article": sample_text, "language": "zh"},
        {"id": 2, "article": "Cats sleep. Dogs bark loudly at night. Birds sing at dawn. Fish swim."},
        {"id": "empty", "article": ""},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    code, out, err = run(capsys, "summarize", str(source), "--sentences", "2")
    assert code == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in results] == ["zh-1", 2, "empty"]
    assert len(results[0]["summary"]) == 2 and all(s in sample_text for s in results[0]["summary"])
    assert len(results[1]["summary"]) == 2
    assert results[2]["summary"] == []
    assert "row empty: the document contains no text" in caplog.text  # reported, not fatal
    assert "summarizing" in err  # the progress bar goes to stderr


def test_summarize_rejects_broken_jsonl(capsys, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "article": "ok"}\n{not json\n', encoding="utf-8")
    code, _, err = run(capsys, "summarize", str(source))
    assert code != 0 and "in.jsonl:2" in err


def test_console_script_is_installed(sample_path: Path) -> None:
    script = Path(sys.executable).parent / "digestbot"
    result = subprocess.run(
        [str(script), "preview", str(sample_path), "--section", "二"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
    )
    assert result.returncode == 0, result.stderr
    assert "闭门会谈过程与克宫会前会后定调" in result.stdout
    assert "高规格接待与入城安排" not in result.stdout


def _clean_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a fresh machine: no token, no .env, a database in tmp_path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "ADMIN_"))}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    return env


def test_run_without_token_points_to_env_example(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "digestbot"
    result = subprocess.run(
        [str(script), "run"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=_clean_env(tmp_path),
    )
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert ".env.example" in result.stderr and "TELEGRAM_BOT_TOKEN" in result.stderr


def test_chat_without_token_runs_the_real_bot(tmp_path: Path, sample_path: Path) -> None:
    script = Path(sys.executable).parent / "digestbot"
    typed = f"/start\n/publish {sample_path}\n/section 2\n/section 9\nquit\n"
    result = subprocess.run(
        [str(script), "chat"],
        input=typed,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
        env=_clean_env(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "I send digests of long articles" in out  # the welcome
    assert "Published #1" in out
    detail = out.split("you>")[3]  # the reply to /section 2
    assert "闭门会谈过程与克宫会前会后定调" in detail and "高规格接待与入城安排" not in detail
    missing = out.split("you>")[4]
    assert "There is no section 9" in missing and "1. 高规格接待与入城安排" in missing
    assert "Traceback" not in result.stderr


def test_db_upgrade_publish_and_subscribers_list(cli, sample_path: Path) -> None:
    upgraded = cli("db", "upgrade")
    assert upgraded.returncode == 0 and f"revision {head_revision()}" in upgraded.stdout
    published = cli("publish", str(sample_path))
    assert published.returncode == 0, published.stderr
    assert (
        "#1 普京在克里姆林宫与川普特使威特科夫与库什纳会谈5小时 (2 sections, published)" in published.stdout
    )
    assert "already stored" in cli("publish", str(sample_path)).stdout
    listed = cli("subscribers", "list")
    assert listed.returncode == 0 and "chat id" in listed.stdout


def test_every_setting_is_documented_in_env_example() -> None:
    from bot.settings import Settings

    documented = (Path(__file__).resolve().parents[1] / ".env.example").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"\n{name.upper()}=" in documented, name


def test_sources_commands_and_opml(tmp_path: Path, site: LocalSite, cli) -> None:
    feed = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>CLI feed</title><item><title>One</title>'
        b"<guid>1</guid><description>The one and only entry of this feed.</description></item></channel></rss>"
    )
    site.pages["/feed.xml"] = ("application/rss+xml", feed)
    url = site.url("/feed.xml")

    def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
        return cli(*args, FETCH_ALLOW_PRIVATE_ADDRESSES="true")

    added = run_cli("sources", "add", url)
    assert added.returncode == 0, added.stderr
    assert "#1 CLI feed (feed): following; 1 entries stored" in added.stdout
    assert "CLI feed" in run_cli("sources", "list").stdout
    filtered = run_cli("sources", "filter", "1", "+乌克兰", "-体育")
    assert filtered.returncode == 0 and "only 乌克兰; never 体育" in filtered.stdout
    too_long = run_cli("sources", "filter", "1", "+" + "x" * 50)
    assert (
        too_long.returncode == 1 and too_long.stderr.count("\n") == 1 and "40 characters" in too_long.stderr
    )
    assert "no keyword filter" in run_cli("sources", "filter", "1", "clear").stdout
    opml = tmp_path / "out.opml"
    assert run_cli("sources", "export", str(opml)).returncode == 0
    assert url in opml.read_text()
    assert "source 1 paused" in run_cli("sources", "pause", "1").stdout
    assert "source 1 removed" in run_cli("sources", "remove", "1").stdout
    imported = run_cli("sources", "import", str(opml))
    assert imported.returncode == 0 and "following" in imported.stdout
    refused = cli("sources", "add", "http://127.0.0.1:1/")
    assert refused.returncode != 0 and "loopback" in refused.stderr and "Traceback" not in refused.stderr
    stats = run_cli("stats")
    assert stats.returncode == 0 and "outbox:" in stats.stdout


def test_preview_checks_the_language_and_honours_the_fetch_settings(cli, site: LocalSite) -> None:
    wrong = cli("preview", "-", "--language", "xx")
    assert wrong.returncode == 2 and "unsupported language 'xx'" in wrong.stderr and "zh" in wrong.stderr
    site.pages["/a.md"] = ("text/markdown", b"# Title\n\nThe first sentence of the lead. A second one.\n")
    refused = cli("preview", site.url("/a.md"))
    assert refused.returncode == 1 and "loopback" in refused.stderr
    allowed = cli("preview", site.url("/a.md"), FETCH_ALLOW_PRIVATE_ADDRESSES="true")
    assert allowed.returncode == 0 and "The first sentence of the lead." in allowed.stdout


def test_the_sample_articles_of_the_repository_make_digests(cli) -> None:
    examples = Path(__file__).resolve().parents[1] / "examples"
    chinese = cli("preview", str(examples / "sample-zh.txt"))
    assert chinese.returncode == 0 and "三、下一步安排" in chinese.stdout and "示例通讯社" in chinese.stdout
    english = cli("preview", str(examples / "sample-en.md"), "--section", "2")
    assert english.returncode == 0 and "October" in english.stdout


def test_chat_shows_bold_and_links_on_a_terminal() -> None:
    from bot.cli.chat import render_for_terminal

    raw = '<b>Title</b> &amp; <i>more</i> <a href="https://example.org/x">link</a>'
    assert render_for_terminal(raw, styled=False) == "Title & more link <https://example.org/x>"
    styled = render_for_terminal(raw, styled=True)
    assert "\x1b[0m\x1b[1mTitle\x1b[0m" in styled and "\x1b[3mmore" in styled


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("preview", str(OWN_SAMPLE), "--sentences", "nan"), "a positive count"),
        (("preview", str(OWN_SAMPLE), "--sentences", "1e30"), "at most 10000 sentences"),
        (("subscribers", "list", "--limit", "99999999999999999999"), "a whole number from 1"),
        (("sources", "export", "/nonexistent/folder/x.opml"), "cannot write /nonexistent/folder/x.opml"),
    ],
)
def test_bad_arguments_get_a_line_that_names_them(cli, args: tuple[str, ...], said: str) -> None:
    result = cli(*args)
    assert result.returncode != 0 and said in result.stderr
    assert "unexpected" not in result.stderr and "database" not in result.stderr


def test_a_channel_may_be_added_in_each_language_of_the_bot() -> None:
    from bot.cli import build_parser
    from bot.texts import LANGUAGES

    parser = build_parser()
    for language in LANGUAGES:
        assert parser.parse_args(["channels", "add", "@news", "--language", language]).language == language
    with pytest.raises(SystemExit):
        parser.parse_args(["channels", "add", "@news", "--language", "klingon"])
