"""digestbot's Telegram side: the bot (``bot.frontend``), its use cases and the command line."""

import sys

# httpx imports its command-line client (click and pygments, ~1.5 MB) whenever click is
# installed, and NLTK installs it. Nothing here runs httpx's CLI: a None entry makes that one
# import fail, and httpx falls back to its stub ``main``.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
