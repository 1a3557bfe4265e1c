"""Settings from the environment and `.env`, as pydantic-settings read them before."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import Settings


def test_the_environment_wins_over_the_env_file_and_names_are_in_any_case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# a comment\nDATABASE_URL=sqlite+aiosqlite:///from-file.db\nADMIN_USER_IDS=1, 2;3\n"
        "MONITORING_PORT=\nDIGEST_SENTENCES=3\nNOT_A_SETTING=x\nexport LOG_FORMAT=json\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("digest_sentences", "4")
    monkeypatch.setenv("FETCH_ALLOW_PRIVATE_ADDRESSES", "true")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = Settings.from_environment(env_file)
    assert settings.database_url.endswith("from-file.db")
    assert settings.admin_user_ids == frozenset({1, 2, 3})
    assert settings.monitoring_port is None and settings.log_format == "json"
    assert settings.digest_sentences == 4 and settings.fetch_allow_private_addresses is True


def test_a_missing_env_file_leaves_the_defaults_and_a_bad_value_names_its_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DIGEST_SENTENCES", raising=False)
    assert Settings.from_environment(tmp_path / "absent.env").digest_sentences == 2
    monkeypatch.setenv("DIGEST_SENTENCES", "eleven")
    with pytest.raises(ValidationError) as invalid:
        Settings.from_environment(None)
    assert invalid.value.errors()[0]["loc"] == ("digest_sentences",)


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("DEFAULT_SCHEDULE", "8am", "is not a schedule"),
        ("DEFAULT_TIMEZONE", "Mars", "is not an IANA timezone"),
        ("DATABASE_URL", "sqlite:///no/such/folder/bot.db", "does not exist"),
        ("DATABASE_URL", "mysql://user@localhost/bot", "driver is not supported"),
        ("DATABASE_URL", "not a url", "is not a database URL"),
        ("MONITORING_HOST", " ", "is empty"),
    ],
)
def test_bad_settings_are_refused_at_start_in_one_line(cli, name: str, value: str, said: str) -> None:
    result = cli("stats", **{name: value})
    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    assert f"setting {name} is invalid" in line and said in line and "Value error" not in line


def test_good_defaults_are_normalized() -> None:
    settings = Settings(default_timezone="asia/shanghai", default_schedule="7:30 MON-FRI")
    assert settings.default_timezone == "Asia/Shanghai" and settings.default_schedule == "07:30 mon-fri"
