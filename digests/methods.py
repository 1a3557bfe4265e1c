"""The summarizers by name: a table without imports, so that naming them (the command line's
help, a setting's check) loads none of them."""

from __future__ import annotations

# Chosen by benchmarks/eval_rouge.py on the development sets (see README): the fitted
# salience model, for every language and genre.
DEFAULT_METHOD = "salience"
SECTION_METHOD = "points"  # a section's overview and detail: the sentences that carry its point

# Imported on first use: each pulls in NumPy or NLTK code the others may not need.
SUMMARIZER_CLASSES: dict[str, tuple[str, str]] = {
    "salience": ("digests.salience", "SalienceSummarizer"),
    # Sections: the salience score turned towards each section's point (digests.points).
    "points": ("digests.points", "PointSummarizer"),
    "centrality": ("digests.centrality", "CentralitySummarizer"),
    "lexrank": ("sumy.summarizers.lex_rank", "LexRankSummarizer"),
    "textrank": ("sumy.summarizers.text_rank", "TextRankSummarizer"),
    "lsa": ("sumy.summarizers.lsa", "LsaSummarizer"),
    "luhn": ("sumy.summarizers.luhn", "LuhnSummarizer"),
    "edmundson": ("sumy.summarizers.edmundson", "EdmundsonSummarizer"),
    "kl": ("sumy.summarizers.kl", "KLSummarizer"),
    "sumbasic": ("digests.sumbasic", "SumBasicSummarizer"),  # sumy's algorithm, incremental
}
METHODS: tuple[str, ...] = tuple(SUMMARIZER_CLASSES)
