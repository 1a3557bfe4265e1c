"""Which fetched pages the bot takes for articles: real article pages kept, listings refused.

Usage: uv run python -m benchmarks.eval_pages DIR [--verbose]

DIR holds HTML pages that are articles (e.g. trafilatura's ``tests/eval`` and ``tests/cache``
from a snapshot of github.com/adbar/trafilatura: most are article pages, a few are not). Each is
read as a link a section page or a sitemap led to (``digests.sites.page_article``); printed:
how many are refused, by the structure test alone and with the page's own links taken out
(link density), the time the decision takes, and the refused pages with the reason. The
section-page fixtures of the tests are read the same way: all four must be refused.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from digests import DigestError, parse_document
from digests.decode import decode_text
from digests.sites import link_texts, not_an_article


def _decision(data: bytes, name: str) -> tuple[str | None, str | None, float] | None:
    """Without the page's links, with them, and the seconds the second took; None if unreadable."""
    try:
        html = decode_text(data, content_type="text/html")
        paragraphs = parse_document(data, name=name, content_type="text/html").paragraphs
    except DigestError:
        return None
    started = time.perf_counter()
    with_links = not_an_article(paragraphs, links=link_texts(html))
    return not_an_article(paragraphs), with_links, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--verbose", action="store_true", help="print every refused page")
    options = parser.parse_args()

    from tests.sitefixtures import SECTION_PAGES

    for page in SECTION_PAGES:
        decision = _decision(page.html.encode(), f"http://news.test{page.path}")
        assert decision is not None
        print(
            f"fixture {page.name:10} structure: {decision[0] or 'article'} | with links: {decision[1] or 'article'}"
        )
    rows = []
    for path in sorted(options.directory.rglob("*.htm*")):
        decision = _decision(path.read_bytes(), "http://news.test/" + path.name)
        if decision is not None:
            rows.append((path.name, *decision))
    if not rows:
        raise SystemExit(f"no readable HTML pages under {options.directory}")
    seconds = sorted(row[3] for row in rows)
    print(f"pages read: {len(rows)}")
    print(f"refused by structure alone: {sum(row[1] is not None for row in rows)}")
    print(f"refused with links taken out: {sum(row[2] is not None for row in rows)}")
    print(
        f"decision time: median {statistics.median(seconds) * 1000:.1f} ms, "
        f"p99 {seconds[int(0.99 * len(seconds))] * 1000:.1f} ms, max {seconds[-1] * 1000:.1f} ms"
    )
    for name, alone, with_links, _ in rows:
        if with_links is not None and (options.verbose or alone is None):
            print(f"  {'newly ' if alone is None else ''}refused {name}: {with_links}")


if __name__ == "__main__":
    main()
