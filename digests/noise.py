"""What is not article text: embedded posts, reference lists, comment footers, boilerplate."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from digests.extract import Block
from digests.language import dominant_script

SOCIAL = "social_post"
REFERENCES = "references"
COMMENTS = "comments"
BOILERPLATE = "boilerplate"

# "— RT (@RT_com) December 2, 2025", also with the tweet's text before it on one line.
_ATTRIBUTION = re.compile(
    r"[—–-]{1,2}\s*[^()\n]{0,80}\(@\w{1,15}\)\s*(?:on\s+)?"
    r"(?:[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}|\d{1,2} [A-Z][a-z]{2,8}\.? \d{4}|\d{4}年\d{1,2}月\d{1,2}日)\s*$"
)
_SOCIAL_LINK = re.compile(
    r"pic\.twitter\.com/\w+|https?://(?:t\.co|twitter\.com|x\.com|instagram\.com|www\.instagram\.com)/\S+"
)
_REFERENCES_MARK = re.compile(
    r"^[\s\-–—*•#>]*(?:参考资料|参考文献|参考来源|资料来源|相关链接|延伸阅读|"
    r"references|sources|further reading|see also|bibliography)\s*[:：]?\s*$",
    re.I,
)
_COMMENTS_MARK = re.compile(
    r"^[\s\-–—*•#>]*(?:\d+\s+)?(?:responses?|comments?|评论|留言|网友评论|发表评论|热门评论|"
    r"leave a (?:reply|comment)|join the discussion|discussion)\s*(?:\(\d+\))?\s*[:：]?\s*$",
    re.I,
)
_BOILERPLATE = re.compile(
    r"^[\s\-–—*•]*(?:share (?:this|on|via)\b|share:|follow us\b|subscribe\b|sign up\b|click here\b|"
    r"advertisement$|sponsored\b|related(?: articles| stories| posts)?\s*:|read more\b|"
    r"read the full\b|all rights reserved|copyright ©|©|分享到|分享：|关注我们|点击订阅|订阅我们|"
    r"扫码关注|长按二维码|责任编辑|本文来源|广告$|版权所有|点击阅读原文|更多精彩)",
    re.I,
)
# What a comment or a reference entry carries and a body paragraph rarely does.
_COMMENT_SIGNS = re.compile(
    r"\b\d{1,2}:\d{2}\b|回复|\d+\s*楼|点赞|赞\s*[(（]?\d|网友|\breply\b|\blikes?\b|\bago\b|@\w", re.I
)
_REFERENCE_SIGNS = re.compile(
    r"https?://|www\.|^\s*[\[【(（]?\d{1,3}[\]】)）.、]|\bdoi\b|ISBN|《[^》]+》", re.I
)
_TWEET_LIMIT = 320  # a tweet's text is at most 280 characters, plus a link
_FOOTER_MAX_LENGTH = 40
_FOOTER_LINE_LENGTH = 60  # "Responses", "12 comments", a name: not a paragraph


def is_boilerplate(text: str) -> bool:
    """Share buttons, subscription prompts, copyright lines and the like."""
    return len(text) <= 160 and bool(_BOILERPLATE.match(text))


def remove_noise(blocks: Sequence[Block], *, script: str | None) -> tuple[list[Block], Counter[str]]:
    """Drop everything that is not article text; count what went, by kind.

    ``script`` is the article's dominant script: text in another script next to
    an embedded post belongs to that post.
    """
    removed: Counter[str] = Counter()
    blocks = _cut_footer(blocks, removed)
    social = _social_post_lines(blocks, script)
    kept: list[Block] = []
    for position, block in enumerate(blocks):
        if position in social:
            removed[SOCIAL] += 1
        elif not block.heading_level and is_boilerplate(block.text):
            removed[BOILERPLATE] += 1
        else:
            kept.append(block)
    return kept, removed


def _cut_footer(blocks: Sequence[Block], removed: Counter[str]) -> list[Block]:
    """Cut at a reference-list or comment marker when what follows is a footer, not body."""
    total = sum(len(b.text) for b in blocks) or 1
    seen = 0
    for position, block in enumerate(blocks):
        text = block.text
        late = seen >= total / 2 or position >= len(blocks) - 2
        seen += len(text)
        if len(text) > _FOOTER_MAX_LENGTH or position == 0:
            continue
        if _REFERENCES_MARK.match(text):
            kind = REFERENCES
        elif _COMMENTS_MARK.match(text):
            kind = COMMENTS
        else:
            continue
        rest = blocks[position:]
        if not _looks_like_footer(rest[1:], kind, late=late):
            continue  # a label such as "评论：" inside the body, with paragraphs after it
        # A comment marker after a reference list still counts as comments.
        for tail in rest:
            if kind == REFERENCES and _COMMENTS_MARK.match(tail.text):
                kind = COMMENTS
            removed[kind] += 1
        return list(blocks[:position])
    return list(blocks)


def _looks_like_footer(rest: Sequence[Block], kind: str, *, late: bool) -> bool:
    """What follows a marker is a footer when it is mostly entries that look like comments
    or references, or, late in the text, only a few short lines; paragraphs of the body
    after a label such as "评论：" are not."""
    signs = _COMMENT_SIGNS if kind == COMMENTS else _REFERENCE_SIGNS
    if late and all(len(b.text) <= _FOOTER_LINE_LENGTH for b in rest):
        return True
    marked = sum(1 for b in rest if signs.search(b.text) or _COMMENTS_MARK.match(b.text))
    return bool(rest) and 2 * marked >= len(rest)


def _social_post_lines(blocks: Sequence[Block], script: str | None) -> set[int]:
    """Positions of blocks that belong to an embedded social-media post."""
    noise = {i for i, b in enumerate(blocks) if _SOCIAL_LINK.search(b.text)}
    for position, block in enumerate(blocks):
        if block.heading_level or not _ATTRIBUTION.search(block.text):
            continue
        noise.add(position)
        # The post's text stands before its attribution line: the line right before
        # it, and more lines back while they are in another script, within a tweet's length.
        budget = _TWEET_LIMIT
        back = position - 1
        first = True
        while back >= 0 and not blocks[back].heading_level:
            if back in noise:
                # A bare link line may stand between the text and its attribution;
                # any other post line means the text before it is not this post's.
                first = first and not _SOCIAL_LINK.sub("", blocks[back].text).strip()
                back -= 1
                continue
            text = blocks[back].text
            if len(text) > budget:
                break
            foreign = _is_foreign(text, script)
            if not foreign and not first:
                break
            first = False
            noise.add(back)
            budget -= len(text)
            back -= 1
        # Posts quoted in another language continue until the article's language resumes.
        ahead = position + 1
        while ahead < len(blocks) and not blocks[ahead].heading_level:
            text = blocks[ahead].text
            if not (_is_foreign(text, script) or _SOCIAL_LINK.search(text) or _ATTRIBUTION.search(text)):
                break
            noise.add(ahead)
            ahead += 1
    return noise


def _is_foreign(text: str, script: str | None) -> bool:
    found = dominant_script(text)
    return script is not None and found is not None and found != script
