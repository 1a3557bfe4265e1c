"""Does a section's overview carry its point? Measured on ../shared/eval/dev/sections.jsonl.

Usage: uv run python -m benchmarks.eval_sections [--file PATH] [--sentences N] [--verbose]

Each row is one section of a real article, with the sentence a news editor picked as its point
(``key_sentence``) and an acceptable alternative. A section scores when its overview (the
digest's N sentences for it, 2 at normal length) holds the key or the alternative: a match
after removing whitespace and punctuation when 2·LCS ÷ (sum of the lengths) ≥ 0.8. Printed
beside it: the same for the section's first sentence and its first two, and the key alone.

The articles are rebuilt from their rows: the title, and each page's sections in order.
"""

from __future__ import annotations

import argparse
import json
import unicodedata
from collections import defaultdict
from pathlib import Path

from digests import Article, Section, digest_article, split_sentences

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev" / "sections.jsonl"


def _bare(text: str) -> str:
    """The text without whitespace and punctuation, for matching."""
    return "".join(c for c in text if not (c.isspace() or unicodedata.category(c).startswith(("P", "S"))))


def _lcs(a: str, b: str) -> int:
    previous = [0] * (len(b) + 1)
    for char in a:
        current = [0]
        for j, other in enumerate(b, 1):
            current.append(previous[j - 1] + 1 if char == other else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def matches(sentence: str, wanted: str | None) -> bool:
    """The same sentence, up to whitespace, punctuation and small differences (LCS ratio ≥ 0.8)."""
    if not wanted:
        return False
    a, b = _bare(sentence), _bare(wanted)
    if not a or not b:
        return False
    return 2 * _lcs(a, b) / (len(a) + len(b)) >= 0.8


def holds(sentences: list[str] | tuple[str, ...], row: dict, *, key_only: bool = False) -> bool:
    wanted = [row["key_sentence"]] + ([] if key_only else [row.get("alt_sentence")])
    return any(matches(s, w) for s in sentences for w in wanted)


def rebuild_articles(rows: list[dict]) -> dict[str, Article]:
    """One article per page: its title and its sections (the rows), paragraphs as given."""
    by_page: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_page[row["page"]].append(row)
    articles = {}
    for page, sections in by_page.items():
        sections.sort(key=lambda r: r["section_index"])
        articles[page] = Article(
            title=sections[0]["title"],
            language=sections[0]["language"],
            lead=(),
            sections=tuple(
                Section(
                    index=r["section_index"],
                    heading=r["heading"],
                    paragraphs=tuple(p for p in r["text"].split("\n") if p.strip()),
                )
                for r in sections
            ),
        )
    return articles


def evaluate(rows: list[dict], *, sentences: int = 2, verbose: bool = False) -> dict[str, float]:
    articles = rebuild_articles(rows)
    digests = {
        page: digest_article(a, lead_budget=1, section_budget=sentences) for page, a in articles.items()
    }
    scores: dict[str, list[bool]] = defaultdict(list)
    for row in rows:
        digest = digests[row["page"]]
        overview = next(s.sentences for s in digest.sections if s.index == row["section_index"])
        split = split_sentences([p for p in row["text"].split("\n") if p.strip()], row["language"])
        scores["first sentence"].append(holds(split[:1], row))
        scores["first two sentences"].append(holds(split[:2], row))
        scores["overview"].append(holds(overview, row))
        scores["overview, key only"].append(holds(overview, row, key_only=True))
        if verbose and not holds(overview, row):
            print(f"MISS {row['page']} §{row['section_index']} {row['heading'][:40]}")
            print(f"  key: {row['key_sentence'][:100]}")
            for sentence in overview:
                print(f"  got: {sentence[:100]}")
    return {name: sum(values) / len(values) for name, values in scores.items()}


def search(rows: list[dict], *, sentences: int) -> None:
    """How the overview's share moves when one weight of the section ranker moves: a broad
    plateau around the shipped weights, not a peak, is what a held-out set can expect."""
    import numpy as np

    from digests import points
    from digests.summarize import build_summarizer

    summarizers = {build_summarizer("points", r["language"]) for r in rows}
    names = ("salience", *points.POINT_FEATURES)
    shipped = (points.SALIENCE_WEIGHT, *points.POINT_WEIGHTS)
    for position, name in enumerate(names):
        cells = []
        for factor in (0.0, 0.5, 1.0, 1.5, 2.0):
            weights = list(shipped)
            weights[position] = shipped[position] * factor
            for summarizer in summarizers:
                summarizer.salience_weight = weights[0]
                summarizer.weights = np.asarray(weights[1:], dtype=float)
            cells.append(f"×{factor:.1f} {evaluate(rows, sentences=sentences)['overview']:.2f}")
        print(f"  {name:<10} " + "  ".join(cells))
    for summarizer in summarizers:
        summarizer.salience_weight = shipped[0]
        summarizer.weights = np.asarray(shipped[1:], dtype=float)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--sentences", type=int, default=2)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--search", action="store_true", help="the share as each weight moves alone")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.search:
        search(rows, sentences=args.sentences)
        return
    figures = evaluate(rows, sentences=args.sentences, verbose=args.verbose)
    print(
        f"eval_sections: {len(rows)} sections of {len({r['page'] for r in rows})} articles, {args.sentences} sentences"
    )
    for name, value in figures.items():
        print(f"  {name:<22} {value:.2f}")


if __name__ == "__main__":
    main()
