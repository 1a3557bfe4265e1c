"""The code checks CI runs with the tests: the type checker (mypy, configured in pyproject.toml,
unused ``type: ignore`` comments reported) and ruff, lint and format."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    tool = Path(sys.executable).parent / command[0]
    return subprocess.run([str(tool), *command[1:]], capture_output=True, text=True, cwd=REPO, timeout=600)


def test_the_type_checker_finds_nothing() -> None:
    result = _run("mypy", "--no-error-summary", "--cache-dir", str(REPO / ".mypy_cache"))
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert result.returncode == 0 and not errors, "\n".join(errors[:20]) or result.stderr


def test_ruff_finds_nothing_to_lint_or_format() -> None:
    lint = _run("ruff", "check", ".")
    assert lint.returncode == 0, lint.stdout[-3000:]
    formatted = _run("ruff", "format", "--check", ".")
    assert formatted.returncode == 0, formatted.stdout[-3000:]
