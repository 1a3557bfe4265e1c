"""Search terms: what the full-text index of an article holds, and what a query asks for.

Both database engines split text on spaces and punctuation, which leaves Chinese as one long
run: the index holds the text as words instead — Chinese segmented by jieba-rs (the tokenizer
the summarizer uses; for the index every word and its sub-words, so "乌克兰" is found in
"乌克兰问题"), other scripts by word — folded as keyword filters fold it (case, width,
Traditional as Simplified), so a query in either script finds both.
"""

from __future__ import annotations

import re
from typing import Final

from digests.filters import fold

MAX_QUERY_TERMS: Final = 12
_RUNS: Final = re.compile(r"([\u3400-\u9fff\uf900-\ufaff]+)|(\w+)")


def search_terms(text: str, *, query: bool = False) -> list[str]:
    """The words of ``text`` as the index stores them (``query=False``: Chinese words and their
    sub-words) or as a query asks for them (each word once, in order)."""
    terms: list[str] = []
    for chinese, other in _RUNS.findall(fold(text)):
        if chinese:
            import rjieba  # its dictionary takes memory: loaded for the first Chinese text

            words = rjieba.cut(chinese, True) if query else rjieba.cut_for_search(chinese, True)
            terms.extend(w for w in words if w.strip())
        else:
            terms.append(other)
    if query:
        terms = list(dict.fromkeys(terms))[:MAX_QUERY_TERMS]
    return terms
