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
