"""One story once: near-duplicates grouped across sources, measured on built pairs, and delivered
as one item with "also in" links."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bot.fakeapi import FakeTelegram
from digests import parse_article
from digests.stories import band_keys, same_story, signature
from storage import articles as article_queries
from storage import session_scope
from storage import sources as source_queries
from storage import stories as story_queries
from storage import subscribers as subscriber_queries
from tests.helpers import running_bot, store_article
from tests.storyfixtures import story_pairs

STORY = (
    "俄罗斯总统普京周二在莫斯科会见了美国特使，双方就结束冲突的方案进行了长达五个小时的会谈。"
    "克里姆林宫发言人表示，会谈富有建设性，但在领土问题上仍有分歧。"
    "美方特使在会后对记者说，双方同意在下周继续磋商，并将邀请欧洲国家参与。"
    "分析人士指出，这是今年以来双方级别最高的一次接触，外界对谈判前景看法不一。"
    "据报道，会谈涉及停火监督机制、战俘交换以及重建资金的安排等多项议题。"
    "乌克兰方面尚未对会谈结果作出正式回应，但外交部表示将密切关注事态发展。"
)
OTHER = (
    "欧洲央行周四宣布维持利率不变，并表示将继续观察通胀走势。央行行长在记者会上说，"
    "能源价格的回落有助于缓解通胀压力，但劳动力市场依然紧张。多数经济学家预计明年降息。"
    "欧元兑美元汇率在声明发布后小幅走高，欧洲股市涨跌互现，银行股表现落后。"
)


def test_story_detection_precision_and_recall_on_built_pairs() -> None:
    """The figures docs/quality.md reports: same-story pairs (boilerplate, light edits, both) and
    different-story pairs (neighbours in one set: same genre, same site) from the dev sets."""
    signatures: dict[str, bytes | None] = {}

    def signed(text: str) -> bytes | None:
        if text not in signatures:
            signatures[text] = signature(text)
        return signatures[text]

    counts = {"tp": 0, "fp": 0, "fn": 0}
    for pair in story_pairs():
        first, second = signed(pair.first), signed(pair.second)
        found = (
            first is not None
            and second is not None
            and bool(set(band_keys(first)) & set(band_keys(second)))  # an LSH candidate …
            and same_story(first, second)  # … and similar enough
        )
        if found and pair.same:
            counts["tp"] += 1
        elif found:
            counts["fp"] += 1
        elif pair.same:
            counts["fn"] += 1
    precision = counts["tp"] / (counts["tp"] + counts["fp"])
    recall = counts["tp"] / (counts["tp"] + counts["fn"])
    assert precision >= 0.95 and recall >= 0.95, (precision, recall, counts)


async def _three_sources(session) -> list[int]:
    ids = []
    for name in ("Outlet A", "Outlet B", "Outlet C"):
        source, _ = await source_queries.add_source(
            session,
            url=f"https://{name[-1].lower()}.example/feed",
            kind="feed",
            title=name,
            poll_interval_seconds=1800,
        )
        ids.append(source.id)
    return ids


def _version(n: int) -> str:
    """The story as outlet n printed it: its own headline, boilerplate and one sentence more or less."""
    extra = ["", "记者补充说，会场外有数百名示威者。", ""][n]
    sentences = STORY if n != 2 else STORY.replace("分析人士指出，", "有分析认为，")
    return f"# 第{n}家媒体：普京会见美国特使\n\n{sentences}{extra}\n\n本文来源：第{n}家媒体，转载请注明出处。"


async def test_copies_of_one_story_share_it_and_others_do_not(runtime) -> None:
    now = datetime.now(UTC)
    async with session_scope(runtime.sessions) as session:
        sources = await _three_sources(session)
        rows = [
            (await store_article(session, article=parse_article(_version(n)), source_id=sources[n]))[0]
            for n in range(3)
        ]
        other, _ = await store_article(session, article=parse_article(f"# 央行\n\n{OTHER}"))
        late, _ = await store_article(
            session, article=parse_article(_version(0) + "三天后的报道。"), now=now + timedelta(days=3)
        )
    assert rows[0].story_id == rows[0].id and rows[1].story_id == rows[2].story_id == rows[0].id
    assert other.story_id == other.id
    assert late.story_id == late.id  # outside the 48-hour window: a story of its own again
    edited = parse_article(_version(1).replace("五个小时", "将近五个小时"))
    async with session_scope(runtime.sessions) as session:
        row = await article_queries.get_article(session, article_id=rows[1].id)
        from bot.usecases import ingestion

        assert await ingestion.store_edit(session, row=row, article=edited)
        assert row.story_id == rows[0].id  # an edited copy is not a new story


async def test_three_copies_arrive_as_one_item_with_two_also_in_links(
    fake: FakeTelegram, sqlite_url: str
) -> None:
    async with running_bot(fake, sqlite_url, scheduler_interval_seconds=0.3) as application:
        await fake.reply_to(1201, "/subscribe")
        runtime = application.bot_data.runtime
        seen = len(fake.messages_to(1201))  # counted before the digest is due
        async with session_scope(runtime.sessions) as session:
            sources = await _three_sources(session)
            for n in range(3):
                await store_article(
                    session,
                    article=parse_article(_version(n)),
                    source_id=sources[n],
                    url=f"https://{'abc'[n]}.example/story",
                )
            await store_article(session, article=parse_article(f"# 央行决定\n\n{OTHER}"))
            reader = await subscriber_queries.get_subscriber(session, chat_id=1201)
            reader.next_digest_at = datetime.now(UTC) - timedelta(seconds=1)
            session.add(reader)
        [digest] = await fake.wait_for_messages(1201, 1, after=seen, timeout=10)
        assert digest.text.count("普京会见美国特使") == 1  # the story once …
        assert "第1家媒体" in digest.text  # … in its fullest version (outlet 1 has a sentence more)
        assert "央行决定" in digest.text
        also_in = next(line for line in digest.raw.splitlines() if line.startswith("Also in"))
        links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', also_in)
        assert sorted(links) == [
            ("https://a.example/story", "Outlet A"),
            ("https://c.example/story", "Outlet C"),
        ]
        assert "Also in" in digest.text

        # A fourth copy, later: this reader has the story already and is not sent it again.
        async with session_scope(runtime.sessions) as session:
            await store_article(
                session, article=parse_article(_version(0) + "最新消息：双方确认了下次会谈的日期。")
            )
            reader = await subscriber_queries.get_subscriber(session, chat_id=1201)
            reader.next_digest_at = datetime.now(UTC) - timedelta(seconds=1)
            session.add(reader)
        await __import__("asyncio").sleep(1.5)
        assert len(fake.messages_to(1201)) == 2  # "Subscribed", the one digest


async def test_articles_stored_before_stories_are_grouped_by_the_tick(runtime) -> None:
    from sqlalchemy import delete, update

    from bot.usecases import upkeep
    from storage.models import ArticleBand, StoredArticle

    async with session_scope(runtime.sessions) as session:
        sources = await _three_sources(session)
        ids = [
            (await store_article(session, article=parse_article(_version(n)), source_id=sources[n]))[0].id
            for n in range(3)
        ]
        other, _ = await store_article(session, article=parse_article(f"# 央行\n\n{OTHER}"))
        # As before migration 0009: no signatures, no bands, no stories.
        await session.exec(update(StoredArticle).values(story_id=None, signature=None))
        await session.exec(delete(ArticleBand))
    assert await upkeep.group_ungrouped(runtime) == 4
    async with session_scope(runtime.sessions) as session:
        stories = await story_queries.story_versions(session, article_ids=[*ids, other.id])
    assert stories[ids[0]] == stories[ids[1]] == stories[ids[2]] == ids[0] and stories[other.id] == other.id
    assert await upkeep.group_ungrouped(runtime) == 0 and runtime.stories_complete


def test_a_copy_disguised_with_look_alike_letters_is_one_story() -> None:
    original = (
        "The river town switched on forty flood sensors on Wednesday, and officials said the network "
        "cut the warning time before a flood from about one hour to nearly six hours during its first "
        "test. Each sensor measures the water level every five minutes and texts every household in the "
        "streets most at risk when two neighbouring sensors report a fast rise."
    )
    # Cyrillic а, е, о, р, с, х and Greek ο in place of their Latin look-alikes.
    disguised = original.translate(
        str.maketrans({"a": "а", "e": "е", "o": "ο", "p": "р", "c": "с", "x": "х"})
    )
    assert disguised != original
    first, second = signature(original), signature(disguised)
    assert first is not None and second is not None and same_story(first, second)


FOOTER = "\n\n".join(
    f"本网站所载内容仅供参考，第{n}条：未经书面许可，任何单位和个人不得转载、摘编或以其他方式使用本站内容，"
    "违者将依法追究其法律责任。投资有风险，入市需谨慎，本文不构成任何投资建议，读者据此操作风险自担。"
    for n in range(1, 31)
)  # about 3,000 characters a site puts under every page


async def test_two_different_stories_sharing_a_long_footer_stay_two_stories(runtime) -> None:
    from storage import sources as source_queries

    async with session_scope(runtime.sessions) as session:
        source, _ = await source_queries.add_source(
            session,
            url="https://broker.example/feed",
            kind="feed",
            title="Broker",
            poll_interval_seconds=1800,
        )
        first, _ = await store_article(
            session, article=parse_article(f"# 普京会见特使\n\n{STORY}\n\n{FOOTER}"), source_id=source.id
        )
        second, _ = await store_article(
            session, article=parse_article(f"# 央行维持利率\n\n{OTHER}\n\n{FOOTER}"), source_id=source.id
        )
        # The same story from another site, with that site's own footer: still one story.
        elsewhere, _ = await source_queries.add_source(
            session, url="https://other.example/feed", kind="feed", title="Other", poll_interval_seconds=1800
        )
        copy, _ = await store_article(
            session,
            article=parse_article(f"# 普京与特使会谈\n\n{STORY}\n\n版权所有 © 2026 示例网。"),
            source_id=elsewhere.id,
        )
    assert first.story_id == first.id and second.story_id == second.id  # two stories, both delivered
    assert copy.story_id == first.id
