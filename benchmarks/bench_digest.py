"""Speed and memory of the digest pipeline on the sample article.

Usage: uv run python benchmarks/bench_digest.py [--article PATH] [--repeat N]

Prints, in one run: the warm median time to digest the article (structure,
noise removal, per-section summaries of every section) with our pipeline and
with plain sumy LexRank over the same text, and their ratio; the cold-start
time of `digestbot preview` on the article; peak memory of both. Then a 200,000-character
one-section article in Chinese and in English (tests/helpers.long_section): the warm time to
digest it in-process and `digestbot preview` of it end to end.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "articles" / "zh-putin-witkoff-kushner.txt"


def ours(text: str) -> int:
    from digests import digest_article, digest_section, parse_article
    from digests.tokenizers import chinese_words

    chinese_words.cache_clear()  # each run digests the article as if for the first time

    article = parse_article(text)
    overview = digest_article(article)
    details = [digest_section(article, s) for s in article.sections]
    return len(overview.lead) + sum(len(s.sentences) for s in (*overview.sections, *details))


def plain_lexrank(text: str, sentences: int) -> int:
    from sumy.nlp.stemmers import Stemmer
    from sumy.nlp.tokenizers import Tokenizer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    parser = PlaintextParser.from_string(text, Tokenizer("chinese"))
    summarizer = LexRankSummarizer(Stemmer("chinese"))
    summarizer.stop_words = get_stop_words("chinese")
    return len(summarizer(parser.document, sentences))


def median_time(function: Callable[[], object], repeat: int) -> float:
    function()  # warm: imports, jieba dictionary, language model
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def cold_start(article: Path, repeat: int) -> tuple[float, float]:
    """Median wall time of a fresh `digestbot preview` process, and its peak RSS in MB."""
    script = Path(sys.executable).parent / "digestbot"
    times, peaks = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        subprocess.run([str(script), "preview", str(article)], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
        peaks.append(max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024)
    return statistics.median(times), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--article", type=Path, default=SAMPLE)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    text = args.article.read_text(encoding="utf-8")

    picked = ours(text)
    ours_time = median_time(lambda: ours(text), args.repeat)
    lexrank_time = median_time(lambda: plain_lexrank(text, picked), args.repeat)
    cold_time, cold_peak = cold_start(args.article, max(3, args.repeat // 5))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"article: {args.article.name} ({len(text):,} characters)")
    print(f"our pipeline, warm median:      {ours_time * 1000:8.2f} ms  ({picked} sentences picked)")
    print(f"plain sumy LexRank, warm median: {lexrank_time * 1000:7.2f} ms")
    print(f"ratio ours / plain LexRank:      {ours_time / lexrank_time:7.2f}  (target <= 0.6)")
    print(f"digestbot preview cold start:    {cold_time:7.2f} s   (target <= 3 s)")
    print(f"peak memory, preview process:    {cold_peak:7.1f} MB")
    print(f"peak memory, this benchmark:     {peak:7.1f} MB")
    long_articles(max(3, args.repeat // 5))


def long_articles(repeat: int) -> None:
    """Every sentence of a 200,000-character section ranked: in-process and end to end."""
    import tempfile

    from tests.helpers import long_section

    for language in ("zh", "en"):
        body, _best = long_section(language)
        text = f"# Quarterly results\n\n{body}"
        in_process = median_time(lambda text=text: ours(text), repeat)
        path = Path(tempfile.mkdtemp(prefix="bench-long-")) / f"long-{language}.md"
        path.write_text(text, encoding="utf-8")
        end_to_end, peak = cold_start(path, repeat)
        print(
            f"long article ({language}, {len(text):,} characters, one section): in-process "
            f"{in_process:.2f} s (target <= 2 s), digestbot preview {end_to_end:.2f} s (target <= 3 s), "
            f"peak {peak:.0f} MB"
        )


if __name__ == "__main__":
    main()
