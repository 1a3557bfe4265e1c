"""What a reader receives, composed once and free of Telegram: digests, briefings, their buttons.

A composed message is its text in one form — a rich message (Bot API 10.1: the linked title,
source · date, the lead, one ``<details>`` per section), the classic Telegram HTML message, or
that message as plain text — with its keyboard and the link Telegram may preview. The outbox
and the handlers both compose here; only the sender knows how a form becomes a Bot API call.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

import digests
from bot.texts import Texts, also_in_line, texts_for
from bot.usecases.callbacks import ArticleButton, SectionButton
from bot.usecases.runtime import Runtime
from digests.render import (
    RenderFormat,
    RichPart,
    briefing_block,
    pack_messages,
    pack_rich,
    rich_digest,
    rich_paragraph,
    rich_story,
)
from storage import DigestFormat, DigestLength, session_scope
from storage import articles as article_queries
from storage import stories as story_queries

BUTTON_TEXT = 40
MAX_BUTTONS = 100  # Telegram's limit per keyboard
PER_ROW = 8  # and per row
BRIEFING_ITEMS = 15  # stories per classic briefing: 15 rows of at most 4 buttons stay under 100
_COMPOSED_KEPT = 256  # composed digests kept, by (articles and versions, length, language, form)


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button: it sends callback data to the bot, or opens a URL."""

    text: str
    callback_data: str | None = None
    url: str | None = None

    def as_dict(self) -> dict[str, str]:
        """The Bot API's InlineKeyboardButton."""
        kind = {"url": self.url} if self.url else {"callback_data": self.callback_data or ""}
        return {"text": self.text, **kind}


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class ComposedMessage:
    """One message of a digest; its keyboard serialized once for every chat it goes to."""

    text: str
    form: DigestFormat
    keyboard: Keyboard = ()
    preview_url: str | None = None  # the original, for Telegram's link preview (classic only)
    markup_json: str | None = field(default=None, init=False, compare=False)

    def __post_init__(self) -> None:
        if self.keyboard:
            rows = [[button.as_dict() for button in row] for row in self.keyboard]
            markup = json.dumps({"inline_keyboard": rows}, ensure_ascii=False, separators=(",", ":"))
            object.__setattr__(self, "markup_json", markup)


def _label(text: str) -> str:
    return text if len(text) <= BUTTON_TEXT else text[: BUTTON_TEXT - 1] + "…"


def _within_limit(rows: list[tuple[Button, ...]]) -> Keyboard:
    """Rows up to Telegram's limit on the number of buttons in a keyboard."""
    buttons_left, kept = MAX_BUTTONS, []
    for row in rows:
        if len(row) > buttons_left:
            break
        kept.append(row)
        buttons_left -= len(row)
    return tuple(kept)


def web_url(url: str | None) -> str | None:
    """The article's address when a reader's app can open it (http or https)."""
    return url if url and url.startswith(("http://", "https://")) else None


def open_article_row(url: str | None, texts: Texts) -> tuple[tuple[Button, ...], ...]:
    """The "Open article" button, for an article with a web address."""
    link = web_url(url)
    return ((Button(texts("button_open_article"), url=link),),) if link else ()


def section_keyboard(article_id: int, article: digests.Article, texts: Texts | None = None) -> Keyboard:
    """One button per section (pressing it sends that section in detail), under "Open article"."""
    return articles_keyboard([(article_id, article)], texts)


def articles_keyboard(
    articles: Sequence[tuple[int, digests.Article]], texts: Texts | None = None
) -> Keyboard:
    """Section buttons: for one article "Open article", then a row per section with its heading;
    for a grouped digest a row per article (``#12 · 1``, ``2``, …; a long one wraps)."""
    rows: list[tuple[Button, ...]] = []
    if len(articles) == 1:
        article_id, article = articles[0]
        if texts is not None:
            rows += open_article_row(article.url, texts)
        rows += [
            (Button(_label(f"{s.index}. {s.heading}"), SectionButton(article_id, s.index).pack()),)
            for s in article.sections
        ]
    else:
        for article_id, article in articles:
            buttons = [
                Button(
                    f"#{article_id} · {s.index}" if n == 0 else str(s.index),
                    SectionButton(article_id, s.index).pack(),
                )
                for n, s in enumerate(article.sections)
            ]
            rows += [tuple(buttons[i : i + PER_ROW]) for i in range(0, len(buttons), PER_ROW)]
    return _within_limit(rows)


def briefing_keyboard(
    articles: Sequence[tuple[int, digests.Article]], *, first_number: int, overview: str
) -> Keyboard:
    """A row per briefing item: its overview, then its first three sections."""
    rows = []
    for number, (article_id, article) in enumerate(articles, first_number):
        row = [Button(f"{number}. {overview}", ArticleButton(article_id).pack())]
        row += [
            Button(f"§{s.index}", SectionButton(article_id, s.index).pack()) for s in article.sections[:3]
        ]
        rows.append(tuple(row))
    return _within_limit(rows)


def _messages(
    texts: list[str], keyboard: Keyboard, form: DigestFormat, preview: str | None
) -> list[ComposedMessage]:
    """Messages of one digest: the keyboard and the preview on the last one."""
    return [
        ComposedMessage(
            text,
            form,
            keyboard if n == len(texts) - 1 else (),
            preview if n == len(texts) - 1 else None,
        )
        for n, text in enumerate(texts)
    ]


class Composer:
    """Composes digests for readers; a broadcast composes each (articles, length, language,
    form) once and shares the messages."""

    def __init__(self, runtime: Runtime, *, briefing_after: int = 3, link_previews: bool = True) -> None:
        self.runtime = runtime
        self.briefing_after = briefing_after
        self.link_previews = link_previews
        self._composed: OrderedDict[tuple[object, ...], list[ComposedMessage]] = OrderedDict()

    @classmethod
    def from_settings(cls, runtime: Runtime) -> Composer:
        settings = runtime.settings
        return cls(
            runtime, briefing_after=settings.briefing_after_articles, link_previews=settings.link_previews
        )

    def _preview(self, url: str | None) -> str | None:
        return web_url(url) if self.link_previews else None

    def _render_format(self, form: DigestFormat) -> RenderFormat:
        return "text" if form == DigestFormat.PLAIN else "html"

    async def digest(
        self,
        *,
        article_ids: Sequence[int],
        articles: dict[int, digests.Article],
        length: DigestLength,
        language: str,
        form: DigestFormat,
    ) -> list[ComposedMessage]:
        """A scheduled digest of these articles: each story once, in its fullest version; one
        article, or a few together, as digests; more than ``briefing_after`` as one briefing."""
        renderer = self.runtime.renderer  # its versions: an edited article is composed again
        key = (tuple((i, renderer.version(i)) for i in article_ids), length, language, form)
        if (cached := self._composed.get(key)) is not None:
            self._composed.move_to_end(key)
            return cached
        present = [(i, articles[i]) for i in article_ids if i in articles]
        composed = await self._compose_digest(present, length=length, language=language, form=form)
        if all(i in articles for i in article_ids):  # a missing article may come back
            self._composed[key] = composed
            while len(self._composed) > _COMPOSED_KEPT:
                self._composed.popitem(last=False)
        return composed

    async def _compose_digest(
        self,
        present: list[tuple[int, digests.Article]],
        *,
        length: DigestLength,
        language: str,
        form: DigestFormat,
    ) -> list[ComposedMessage]:
        texts = texts_for(language)
        present, others = await self._one_per_story(present)
        if len(present) > self.briefing_after and length != DigestLength.LONG:
            return await self._briefing(present, others, texts, form)
        if form == DigestFormat.RICH:
            messages: list[ComposedMessage] = []
            for article_id, article in present:
                extra = (
                    [rich_paragraph(also_in_line(others[article_id], texts))] if article_id in others else []
                )
                messages += await self.overview(
                    article_id, article, length=length, language=language, form=form, extra=extra
                )
            return messages
        render_format = self._render_format(form)
        per_article = []
        for article_id, article in present:
            blocks = await self.runtime.renderer.overview_blocks(
                article_id, article, length=length, format=render_format
            )
            if article_id in others:
                blocks = [*blocks, [also_in_line(others[article_id], texts, render_format)]]
            per_article.append((article_id, article, blocks))
        together = pack_messages([block for _, _, blocks in per_article for block in blocks])
        if len(together) == 1:
            pairs = [(i, a) for i, a, _ in per_article]
            keyboard = articles_keyboard(pairs, texts)
            preview = self._preview(pairs[0][1].url) if len(pairs) == 1 else None
            return _messages(together, keyboard, form, preview)
        composed: list[ComposedMessage] = []
        for article_id, article, blocks in per_article:
            keyboard = section_keyboard(article_id, article, texts)
            composed += _messages(pack_messages(blocks), keyboard, form, self._preview(article.url))
        return composed

    async def overview(
        self,
        article_id: int,
        article: digests.Article,
        *,
        length: DigestLength,
        language: str,
        form: DigestFormat,
        extra: Sequence[RichPart] = (),
    ) -> list[ComposedMessage]:
        """One article's overview: in the rich form one message with a ``<details>`` per
        section and "Open article"; classic, the lead and sections with section buttons."""
        texts = texts_for(language)
        if form == DigestFormat.RICH:
            digest = await self.runtime.renderer.overview_digest(article_id, article, length=length)
            keyboard = open_article_row(article.url, texts)
            return _messages(rich_digest(digest, extra=extra), keyboard, form, None)
        messages = await self.runtime.renderer.overview(
            article_id, article, length=length, format=self._render_format(form)
        )
        return _messages(
            messages, section_keyboard(article_id, article, texts), form, self._preview(article.url)
        )

    async def full(
        self,
        article_id: int,
        article: digests.Article,
        *,
        length: DigestLength,
        language: str,
        form: DigestFormat,
    ) -> list[ComposedMessage]:
        """Every section in detail: rich, one ``<details>`` each; classic, as many messages as needed."""
        texts = texts_for(language)
        if form == DigestFormat.RICH:
            digest = await self.runtime.renderer.detailed_digest(article_id, article, length=length)
            return _messages(rich_digest(digest), open_article_row(article.url, texts), form, None)
        messages = await self.runtime.renderer.full_digest(article_id, article, length=length)
        return _messages(messages, open_article_row(article.url, texts), form, self._preview(article.url))

    async def _one_per_story(
        self, present: list[tuple[int, digests.Article]]
    ) -> tuple[list[tuple[int, digests.Article]], dict[int, list[tuple[str, str | None]]]]:
        """Each story once, in its fullest version; for it, where the other versions come from."""
        if len(present) < 2:
            return present, {}
        async with session_scope(self.runtime.sessions) as session:
            stories = await story_queries.story_versions(session, article_ids=[i for i, _ in present])
            origins = await article_queries.origins(session, article_ids=[i for i, _ in present])
        by_story: dict[int, list[tuple[int, digests.Article]]] = {}
        for article_id, article in present:
            by_story.setdefault(stories.get(article_id, article_id), []).append((article_id, article))
        kept: list[tuple[int, digests.Article]] = []
        others: dict[int, list[tuple[str, str | None]]] = {}
        for versions in by_story.values():
            fullest = max(versions, key=lambda version: sum(map(len, version[1].paragraphs)))
            kept.append(fullest)
            elsewhere = [origins.get(i, ("", None)) for i, _ in versions if i != fullest[0]]
            if elsewhere:
                others[fullest[0]] = elsewhere
        order = {article_id: n for n, (article_id, _) in enumerate(present)}
        return sorted(kept, key=lambda version: order[version[0]]), others

    async def _briefing(
        self,
        present: list[tuple[int, digests.Article]],
        others: dict[int, list[tuple[str, str | None]]],
        texts: Texts,
        form: DigestFormat,
    ) -> list[ComposedMessage]:
        """Per story its title (linked), origin and best sentence. Rich: one ``<details>`` per
        story; classic: with a row of buttons each (its overview and first sections), at most
        BRIEFING_ITEMS to a message (Telegram's button limit)."""
        async with session_scope(self.runtime.sessions) as session:
            origins = await article_queries.origins(session, article_ids=[i for i, _ in present])
        renderer = self.runtime.renderer
        header = texts("briefing_header", count=len(present))
        if form == DigestFormat.RICH:
            stories = [
                rich_story(
                    number,
                    article.title,
                    await renderer.best_sentence(article_id, article),
                    origins.get(article_id, ("", None))[0],
                    url=web_url(article.url),
                    link_label=texts("button_open_article"),
                    extra_html=also_in_line(others[article_id], texts) if article_id in others else "",
                )
                for number, (article_id, article) in enumerate(present, 1)
            ]
            head = [rich_paragraph(header)]
            messages = pack_rich(head, stories, continued=rich_paragraph(header))
            # Each story's overview and first sections a press away, as far as Telegram's limit goes.
            keyboard = briefing_keyboard(present, first_number=1, overview=texts("button_overview"))
            return _messages(messages, keyboard, form, None)
        render_format = self._render_format(form)
        composed: list[ComposedMessage] = []
        for start in range(0, len(present), BRIEFING_ITEMS):
            chunk = present[start : start + BRIEFING_ITEMS]
            blocks = [[header if render_format == "html" else header.replace("<b>", "").replace("</b>", "")]]
            for number, (article_id, article) in enumerate(chunk, start + 1):
                sentence = await renderer.best_sentence(article_id, article)
                origin = origins.get(article_id, ("", None))[0]
                block = briefing_block(
                    number, article.title, sentence, origin, render_format, url=web_url(article.url)
                )
                if article_id in others:
                    block = [*block, also_in_line(others[article_id], texts, render_format)]
                blocks.append(block)
            keyboard = briefing_keyboard(chunk, first_number=start + 1, overview=texts("button_overview"))
            composed += _messages(pack_messages(blocks), keyboard, form, None)
        return composed
