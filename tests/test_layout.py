"""The layout holds: layers import in one direction, the use cases know nothing of Telegram,
no import cycle inside bot/, and no two modules of a package with near-same names."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.helpers import REPO

PACKAGES = ("bot", "digests", "storage")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules(package: str) -> dict[str, Path]:
    return {_module_name(path): path for path in (REPO / package).rglob("*.py")}


def _imports(path: Path) -> Iterator[str]:
    """Every module an import statement names, at any depth of the file (lazy imports too)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _graph(package: str) -> dict[str, set[str]]:
    modules = _modules(package)
    return {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}


def test_layers_import_in_one_direction() -> None:
    """digests ← storage ← bot: digests imports neither, storage never imports bot or telegram."""
    forbidden = {"digests": ("storage", "bot", "telegram", "sqlmodel"), "storage": ("bot", "telegram")}
    for package, names in forbidden.items():
        for module, path in _modules(package).items():
            bad = [m for m in _imports(path) if m.split(".")[0] in names]
            assert not bad, f"{module} imports {bad}"


def test_only_the_front_end_and_the_fake_api_import_telegram() -> None:
    allowed = ("bot.frontend", "bot.fakeapi")
    for module, path in _modules("bot").items():
        if module.startswith(allowed):
            continue
        bad = [m for m in _imports(path) if m.split(".")[0] == "telegram"]
        assert not bad, f"{module} imports {bad}"


def test_the_use_cases_run_without_telegram_loaded() -> None:
    """Importing every use case loads no module of python-telegram-bot, even indirectly."""
    names = sorted(m for m in _modules("bot") if m.startswith("bot.usecases"))
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'telegram' or m.startswith('telegram.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def _loaded_after(code: str, prefixes: tuple[str, ...]) -> list[str]:
    """The modules under ``prefixes`` a fresh interpreter has loaded after running ``code``."""
    code += (
        "\nimport sys\nprint(sorted({m.split('.')[0] for m, module in list(sys.modules.items())"
        f" if module is not None and m.startswith({prefixes!r})}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])


def test_a_chinese_digest_loads_neither_nltk_nor_the_database_stack() -> None:
    """Start-up cost: Chinese has no stemmer, so NLTK (most of a second) is not imported."""
    code = (
        "from digests import digest_article, parse_article\n"
        "article = parse_article('# 标题\\n\\n俄罗斯总统普京会见特使。双方会谈五小时。克里姆林宫表示满意。')\n"
        "assert digest_article(article).lead\n"
    )
    assert _loaded_after(code, ("nltk", "sqlalchemy", "alembic", "telegram")) == []


def test_a_database_at_the_newest_schema_is_opened_without_alembic(tmp_path) -> None:
    """The bot checks the schema at start; Alembic (with Mako and Pygments) loads only to migrate."""
    from storage.migrate import upgrade

    url = f"sqlite+aiosqlite:///{tmp_path / 'current.db'}"
    upgrade(url)
    code = f"import asyncio\nfrom storage import ensure_schema\nasyncio.run(ensure_schema({url!r}))"
    assert _loaded_after(code, ("alembic", "mako")) == []
    assert _loaded_after(code.replace("current.db", "new.db"), ("alembic",)) == ["alembic"]


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, if there is any (depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle() -> None:
    for package in PACKAGES:
        cycle = _cycle(_graph(package))
        assert cycle is None, " → ".join(cycle or [])


def test_the_cycle_check_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_two_modules_of_a_package_differ_only_by_a_plural() -> None:
    for folder in [p for p in (REPO / "bot").rglob("*") if p.is_dir() and (p / "__init__.py").exists()]:
        stems = [p.stem for p in folder.glob("*.py")] + [p.name for p in folder.iterdir() if p.is_dir()]
        singular = [stem.removesuffix("s") for stem in stems if not stem.startswith("__")]
        assert len(singular) == len(set(singular)), f"{folder}: {sorted(stems)}"


def test_a_bot_serving_no_http_loads_no_http_server_and_counts_no_metrics(tmp_path) -> None:
    """Long polling without MONITORING_PORT: neither tornado (PTB's webhooks, our /metrics) nor
    prometheus_client is loaded, the application still builds, and metrics are no-ops."""
    code = (
        "from bot.cli.serve import without_http_server\n"
        "without_http_server()\n"
        "from bot.frontend import build_application\n"
        "from bot.settings import Settings\n"
        f"settings = Settings(telegram_bot_token='1:x', database_url='sqlite+aiosqlite:///{tmp_path}/b.db')\n"
        "application = build_application(settings)\n"
        "from bot.metrics import DELIVERIES, TICK_SECONDS\n"
        "DELIVERIES.labels(outcome='sent').inc()\n"
        "with TICK_SECONDS.time(): pass\n"
        "import httpx\n"
        "assert callable(httpx.main)\n"
    )
    assert _loaded_after(code, ("tornado", "prometheus_client", "click", "pygments")) == []


def test_metrics_count_once_the_registry_exists() -> None:
    code = (
        "from bot.metrics import DELIVERIES, registry\n"
        "DELIVERIES.labels(outcome='sent').inc()\n"
        "created = registry()\n"
        "DELIVERIES.labels(outcome='sent').inc(2)\n"
        "print(created.get_sample_value('digestbot_deliveries_total', {'outcome': 'sent'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2.0"
