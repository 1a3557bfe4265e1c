"""Shared fixtures: the sample article and evaluation sets from ../shared/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# CI lays ../shared/ beside the clone; DIGESTBOT_SHARED points elsewhere when it is not.
SHARED = Path(os.environ.get("DIGESTBOT_SHARED", REPO.parent / "shared"))
SAMPLE_ARTICLE = SHARED / "articles" / "zh-putin-witkoff-kushner.txt"


@pytest.fixture(scope="session")
def sample_path() -> Path:
    assert SAMPLE_ARTICLE.exists(), f"the sample article is expected at {SAMPLE_ARTICLE}"
    return SAMPLE_ARTICLE


@pytest.fixture(scope="session")
def sample_text(sample_path: Path) -> str:
    return sample_path.read_text(encoding="utf-8")
