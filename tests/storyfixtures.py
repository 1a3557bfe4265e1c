"""Same-story and different-story pairs for measuring story grouping, built from the dev sets in
``../shared/eval/dev`` (read there, not copied): Chinese news, Chinese broker reports (one
genre, one topic: hard negatives) and English news.

Same story: an article and (a) itself between a site's navigation, "related" links to other
articles and a footer; (b) a lightly edited copy (one sentence dropped, a few words changed, a
new title line); (c) the two together. Different stories: neighbouring articles of one set.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from tests.helpers import SHARED, shared_file

SETS = ("zh_news_title", "zh_finreport", "en_cnndm")


@dataclass(frozen=True)
class Pair:
    first: str
    second: str
    same: bool
    kind: str


def _articles(name: str) -> list[str]:
    path = shared_file(SHARED / "eval" / "dev" / f"{name}.jsonl")
    return [
        json.loads(line)["article"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def _title(text: str) -> str:
    return text.strip().splitlines()[0][:60]


def _boilerplate(text: str, others: list[str], chinese: bool) -> str:
    related = "\n".join(_title(other) for other in others)
    if chinese:
        head = "首页 | 国内 | 国际 | 财经 | 体育 | 娱乐 | 科技 | 登录 注册\n"
        foot = f"\n相关阅读\n{related}\n责任编辑：张三\n版权所有 © 2026 示例网 京ICP备00000000号 联系我们 广告服务"
    else:
        head = "Home | World | Business | Sport | Culture | Sign in | Subscribe\n"
        foot = f"\nRelated stories\n{related}\nShare this article. © 2026 Example News. All rights reserved."
    return head + text + foot


def _edited(text: str, rng: random.Random, chinese: bool) -> str:
    separator = "。" if chinese else ". "
    sentences = [s for s in text.split(separator) if s.strip()]
    if len(sentences) > 4:
        del sentences[rng.randrange(1, len(sentences) - 1)]
    edited = separator.join(sentences)
    for _ in range(3):
        if chinese:
            start = rng.randrange(0, max(1, len(edited) - 2))
            edited = edited[:start] + "有关" + edited[start + 2 :]
        else:
            words = edited.split(" ")
            words[rng.randrange(len(words))] = "reportedly"
            edited = " ".join(words)
    title = ("【更新】" if chinese else "UPDATED: ") + _title(text)
    return title + "\n" + edited


def story_pairs() -> list[Pair]:
    pairs: list[Pair] = []
    for name in SETS:
        articles = _articles(name)
        chinese = name.startswith("zh")
        rng = random.Random(name)
        for i, text in enumerate(articles):
            others = [articles[(i + k) % len(articles)] for k in (3, 5, 7, 11)]
            framed = _boilerplate(text, others, chinese)
            edited = _edited(text, rng, chinese)
            pairs += [
                Pair(text, framed, True, f"{name}: boilerplate"),
                Pair(text, edited, True, f"{name}: edited"),
                Pair(framed, edited, True, f"{name}: boilerplate and edited"),
                Pair(text, articles[(i + 1) % len(articles)], False, f"{name}: different"),
                Pair(
                    framed,
                    _boilerplate(articles[(i + 2) % len(articles)], others, chinese),
                    False,
                    f"{name}: different, same site",
                ),
            ]
    return pairs
