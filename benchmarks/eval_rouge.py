"""ROUGE of each summarizer on the development sets in ../shared/eval/dev/.

Usage: uv run python benchmarks/eval_rouge.py [--sentences K] [--sets DIR] [--methods a,b]

Prints ROUGE-1/2/Lsum F1 x100 for Lead-K, every summarizer through our pipeline
(structure, tokenizers, the cohesion rule), and marks the default, per set: 3
sentences, 1 on zh_news_title (its reference is a headline). "orphans" is the share
of chosen sentences that open by pointing back (他, However, ...) without the
sentence before them. English is scored with rouge-score's tokenizer and Porter
stemming; Chinese with one token per CJK character plus lower-cased ASCII runs
(rouge-score's tokenizer drops CJK).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from rouge_score import rouge_scorer

from digests import DigestError, parse_article, split_sentences, summarize_article
from digests.cohesion import opens_by_pointing_back
from digests.summarize import METHODS, candidate_paragraphs, default_method, split_paragraphs

DEFAULT_SETS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev"
# The reference of zh_news_title is a headline: one sentence is scored there.
SENTENCES_PER_SET = {"zh_news_title": 1}
_CJK_OR_ASCII = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]|[a-z0-9]+")


class CjkTokenizer:
    """One token per CJK character plus lower-cased ASCII letter/digit runs."""

    def tokenize(self, text: str) -> list[str]:
        return _CJK_OR_ASCII.findall(text.lower())


def scorer_for(language: str) -> rouge_scorer.RougeScorer:
    metrics = ["rouge1", "rouge2", "rougeLsum"]
    if language == "zh":
        return rouge_scorer.RougeScorer(metrics, tokenizer=CjkTokenizer())
    return rouge_scorer.RougeScorer(metrics, use_stemmer=True)


def reference_lines(row: dict) -> str:
    """The reference with one sentence a line, as ROUGE-Lsum expects."""
    reference = row["reference"]
    if row.get("language") == "zh":
        return "\n".join(part.strip() for part in reference.split("｜"))
    return "\n".join(split_sentences([reference], row.get("language", "en")))


def summarize_row(row: dict, method: str, sentences: int) -> tuple[list[str], list[str]]:
    """The summary and the sentences it was chosen from."""
    try:
        article = parse_article(row["article"], format="text", language=row.get("language"))
    except DigestError:
        return [], []
    candidates = [
        s for p in candidate_paragraphs(split_paragraphs(article.paragraphs, article.language)) for s in p
    ]
    if method == "lead":
        return candidates[:sentences], candidates
    return list(summarize_article(article, budget=sentences, method=method)), candidates


def orphans(summary: list[str], candidates: list[str], language: str) -> int:
    """Chosen sentences that point back while the sentence before them is not shown."""
    position = {s: i for i, s in enumerate(candidates)}
    return sum(
        1
        for s in summary
        if opens_by_pointing_back(s, language)
        and (position.get(s, 0) == 0 or candidates[position[s] - 1] not in summary)
    )


def score_method(rows: list[dict], method: str, sentences: int) -> tuple[float, float, float, float]:
    """Mean ROUGE-1, -2, -Lsum F1 x100 and the orphans' share of chosen sentences, in %."""
    totals = [0.0, 0.0, 0.0]
    orphaned = chosen = 0
    for row in rows:
        language = row.get("language", "en")
        summary, candidates = summarize_row(row, method, sentences)
        scores = scorer_for(language).score(reference_lines(row), "\n".join(summary))
        for i, key in enumerate(("rouge1", "rouge2", "rougeLsum")):
            totals[i] += scores[key].fmeasure
        orphaned += orphans(summary, candidates, language)
        chosen += len(summary)
    r1, r2, rl = (100 * t / len(rows) for t in totals)
    return r1, r2, rl, 100 * orphaned / max(chosen, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sentences", type=int, help="sentences per summary (default: 3, 1 on zh_news_title)"
    )
    parser.add_argument("--sets", type=Path, default=DEFAULT_SETS)
    parser.add_argument("--methods", default=",".join(("lead", *METHODS)))
    args = parser.parse_args()
    methods = args.methods.split(",")
    for path in sorted(args.sets.glob("*.jsonl")):
        rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
        if not rows or "article" not in rows[0] or "reference" not in rows[0]:
            continue  # another shape (sections.jsonl: benchmarks/eval_sections.py scores it)
        language = rows[0].get("language", "en")
        default = default_method(language)
        sentences = args.sentences or SENTENCES_PER_SET.get(path.stem, 3)
        print(f"\n{path.name} ({len(rows)} articles, {sentences} sentences; default: {default})")
        print(f"{'method':<12} {'R-1':>6} {'R-2':>6} {'R-Lsum':>7} {'orphans':>8}")
        with ProcessPoolExecutor(max_workers=2) as pool:
            futures = {m: pool.submit(score_method, rows, m, sentences) for m in methods}
            for method, future in futures.items():
                r1, r2, rl, orphaned = future.result()
                label = f"{method}*" if method == default else method
                print(f"{label:<12} {r1:6.2f} {r2:6.2f} {rl:7.2f} {orphaned:7.1f}%")
        sys.stdout.flush()
    print("\n* the default method (every language); lead = the first K sentences")


if __name__ == "__main__":
    main()
