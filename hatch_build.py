"""Build hook: an editable install compiles the project's own packages to bytecode, in place.

uv compiles the packages it installs (``compile-bytecode`` in pyproject.toml), but an editable
install leaves ``bot``, ``digests`` and ``storage`` as sources in the checkout. Where
PYTHONDONTWRITEBYTECODE is set, as on many servers and CI machines, Python then compiles them
again at every start: 0.6 s of the bot's first reply on a slow machine. Python checks each
``.pyc`` against its source's time and size, so a module edited later is compiled again when
imported, never run stale.
"""

from __future__ import annotations

import compileall
import os
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompileInPlace(BuildHookInterface):
    """Compile the wheel's packages where they are, for editable installs only (a regular wheel
    is compiled by its installer)."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version != "editable":
            return
        for package in self.build_config.packages:
            # Best effort: a read-only checkout still installs, it only starts slower.
            compileall.compile_dir(os.path.join(self.root, package), quiet=2)
