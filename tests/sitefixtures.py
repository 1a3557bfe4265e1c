"""Section pages of three made-up news sites, each link labelled: an article or not.

Written for the tests (no third-party page is copied): the shapes are those of common
publishing systems — a WordPress blog with dated URLs, a Chinese portal with ``.shtml`` and
``c_123.htm`` pages, and a modern site with slugs and numeric ids — with the navigation, tags,
authors, pagination, login, share buttons, ads and footers such pages carry.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SectionPage:
    name: str
    path: str
    html: str
    articles: frozenset[str]  # paths of the links that lead to articles


def _wordpress() -> SectionPage:
    articles = [
        ("/2026/11/28/ceasefire-talks-resume-in-geneva/", "Ceasefire talks resume in Geneva"),
        ("/2026/11/29/grain-exports-rise-for-third-month/", "Grain exports rise for a third month"),
        ("/2026/11/30/what-the-new-budget-means-for-schools/", "What the new budget means for schools"),
        ("/2026/11/30/rail-strike-called-off/", "Rail strike called off"),
        ("/2026/12/01/markets-open-higher/", "Markets open higher"),
        ("/2026/11/27/interview-the-mayor-on-housing/", "Interview: the mayor on housing"),
    ]
    cards = "".join(
        f'<article class="post"><header class="entry-header"><h2 class="entry-title">'
        f'<a href="{path}" rel="bookmark">{title}</a></h2></header>'
        f'<div class="entry-meta">By <a href="/author/jane-doe/">Jane Doe</a> in '
        f'<a href="/category/world/">World</a></div>'
        f"<p>{title}. A short teaser of the story follows here.</p>"
        f'<a class="more-link" href="{path}#more">Continue reading</a>'
        f'<footer class="entry-footer"><a href="/tag/ukraine/">ukraine</a> <a href="/tag/trade/">trade</a>'
        f' <a href="{path}#comments">3 comments</a></footer></article>'
        for path, title in articles
    )
    most_read = "/2026/10/02/an-old-story-everyone-reads/"  # an article, in the sidebar
    html = f"""<!doctype html><html><head><title>World – The Daily Example</title>
<link rel="stylesheet" href="/wp-content/themes/x/style.css"></head><body>
<header id="masthead" class="site-header"><a href="/" class="logo">The Daily Example</a>
<nav class="main-navigation"><ul><li><a href="/category/world/">World</a></li><li><a href="/category/business/">Business</a></li>
<li><a href="/category/sport/">Sport</a></li><li><a href="/about/">About us</a></li><li><a href="/wp-login.php">Log in</a></li></ul></nav></header>
<main id="main">{cards}
<nav class="navigation pagination"><a class="page-numbers" href="/category/world/page/2/">2</a>
<a class="page-numbers" href="/category/world/page/3/">3</a><a class="next" href="/category/world/page/2/">Next stories about the world</a></nav>
</main>
<aside id="secondary" class="widget-area"><h3>Most read</h3><ul>
<li><a href="{most_read}">An old story everyone reads</a></li></ul>
<a href="https://ads.example.net/click?id=9" rel="sponsored">Buy now</a></aside>
<footer id="colophon" class="site-footer"><a href="/privacy-policy/">Privacy policy</a> <a href="/contact/">Contact</a>
<a href="/feed/">RSS</a> <a href="https://twitter.com/dailyexample">Twitter</a> <a href="/2026/">Archive 2026</a></footer>
</body></html>"""
    return SectionPage(
        "wordpress", "/category/world/", html, frozenset([*(p for p, _ in articles), most_read])
    )


def _portal() -> SectionPage:
    articles = [
        ("/world/2026-11/30/c_1130012345.htm", "普京在莫斯科会见美国特使讨论和平方案"),
        ("/world/2026-11/30/c_1130012346.htm", "欧盟外长会议就援助问题达成一致意见"),
        ("/world/2026-11/29/c_1130012201.htm", "联合国安理会就中东局势举行紧急会议"),
        ("/news/202611/t20261130_7781234.shtml", "国际油价连续三日上涨创下近期新高"),
        ("/news/202611/t20261129_7781001.shtml", "多国央行宣布维持基准利率不变"),
        ("/news/202611/t20261128_7780876.shtml", "专家解读新一轮贸易谈判的关键议题"),
        ("/photo/2026-11/30/c_1130012399.htm", "图集：各地迎来今冬第一场雪"),
    ]
    items = "".join(f'<li><a href="{p}" target="_blank">{t}</a><span>11-30</span></li>' for p, t in articles)
    html = f"""<html><head><meta charset="utf-8"><title>国际频道</title></head><body>
<div class="topbar"><a href="/">首页</a> | <a href="/login.html">登录</a> | <a href="/register/">注册</a></div>
<div id="nav" class="nav"><a href="/world/">国际</a><a href="/china/">国内</a><a href="/finance/">财经</a>
<a href="/sports/">体育</a><a href="/video/">视频</a><a href="/photo/">图片</a></div>
<div class="breadcrumb"><a href="/">首页</a> &gt; <a href="/world/">国际</a></div>
<div class="main-list"><ul>{items}</ul>
<div class="page"><a href="/world/index_2.htm">下一页</a><a href="/world/index_3.htm">3</a><a href="/world/index.htm">首页</a></div></div>
<div class="side"><div class="ad"><a href="http://ad.example.cn/x?y=1"><img src="/ad.jpg"></a></div>
<a href="/special/2026/peace/">专题：和平进程</a><a href="/topics/ukraine/">乌克兰专题</a></div>
<div class="footer"><a href="/about/">关于我们</a><a href="/contact.html">联系我们</a><a href="/copyright.htm">版权声明</a>
<a href="https://weibo.com/example">微博</a></div></body></html>"""
    return SectionPage("portal", "/world/", html, frozenset(p for p, _ in articles))


def _modern() -> SectionPage:
    articles = [
        (
            "/world/europe/putin-meets-us-envoys-in-moscow-as-talks-stall",
            "Putin meets US envoys in Moscow as talks stall",
        ),
        ("/world/asia/typhoon-makes-landfall-in-the-north", "Typhoon makes landfall in the north"),
        ("/world/article/98765432", "Election results: what we know so far"),
        ("/world/americas/border-deal-faces-a-vote-next-week", "Border deal faces a vote next week"),
        ("/a/31415926", "The long road to a trade agreement"),
        ("/world/africa/drought-drives-grain-prices-up", "Drought drives grain prices up"),
        ("/world/live/2026-12-01-summit-updates", "Live: summit updates"),
        ("/world/analysis/why-the-talks-matter", "Analysis: why the talks matter to everyone"),
    ]
    cards = "".join(
        f'<div class="card"><a class="card-link" href="{path}?utm_source=section&amp;utm_medium=web">'
        f'<h3>{title}</h3></a><a class="card-section" href="/world/europe/">Europe</a></div>'
        for path, title in articles
    )
    html = f"""<html><head><title>World news</title><base href="/"></head><body>
<div class="site-header"><a href="/">Home</a><a href="/account/login?next=/world">Sign in</a><a href="/subscribe">Subscribe</a></div>
<div role="navigation"><a href="/world">World</a><a href="/world/europe/">Europe</a><a href="/world/asia/">Asia</a>
<a href="/search?q=world">Search</a><a href="/newsletters">Newsletters</a></div>
<section class="stories">{cards}</section>
<div class="load-more"><a href="/world?page=2">More stories from around the world</a></div>
<div class="share-tools"><a href="https://www.facebook.com/sharer?u=x">Share</a><a href="mailto:?subject=x">Mail</a></div>
<div class="promo"><a href="/offers/black-friday-half-price-subscription">Half price: subscribe today for one year</a></div>
<div class="site-footer"><a href="/terms">Terms of use</a><a href="/privacy">Privacy</a><a href="/authors/john-smith">John Smith</a>
<a href="/tags/climate">Climate</a><a href="/world/europe/page/2">Older</a><a href="/static/report.pdf">Annual report (PDF) for the year</a></div>
</body></html>"""
    return SectionPage("modern", "/world", html, frozenset(p for p, _ in articles))


def _portal_b() -> SectionPage:
    """Written after the rules were, and not used to tune them: its figures are the honest ones."""
    articles = [
        ("/w/2026-11-30/doc-infxkq1234567.shtml", "外交部发言人就近期国际局势答记者问"),
        ("/w/2026-11-30/doc-infxkq1234568.shtml", "两国领导人通电话 就双边关系交换意见"),
        ("/26/1130/08/KABCDEF000123456.html", "全球气候大会闭幕 各方达成最终文件"),
        ("/26/1130/09/KABCDEF000123457.html", "海外市场：欧洲股市收盘普遍上涨"),
        ("/rain/a/20261130A01XYZ00", "深度：一场谈判背后的五个关键人物"),
        ("/rain/a/20261130A02XYZ00", "评论：和平进程需要更多耐心"),
        ("/w/2026-11-29/doc-infxkq1234001.shtml", "热榜：昨日最受关注的国际新闻"),  # in the ranking box
    ]
    ranking, news = articles[-1:], articles[:-1]
    items = "".join(
        f'<div class="news-item"><h2><a href="{p}">{t}</a></h2><div class="info"><span>1小时前</span>'
        f'<a href="/comment/{i}" class="cmt">评论</a></div></div>'
        for i, (p, t) in enumerate(news)
    )
    rank = "".join(f'<li><em>1</em><a href="{p}">{t}</a></li>' for p, t in ranking)
    html = f"""<html><head><meta charset="utf-8"><title>国际新闻_示例网</title></head><body>
<div class="top-bar"><a href="https://www.example-portal.cn/">示例网首页</a><a href="/app/download">下载客户端</a>
<a href="https://passport.example-portal.cn/login">登录</a></div>
<div class="channel-nav"><ul><li><a href="/china/">国内</a></li><li><a href="/world/">国际</a></li>
<li><a href="/mil/">军事</a></li><li><a href="/society/">社会</a></li></ul></div>
<div class="left-col">{items}
<div class="more"><a href="/world/more.shtml">查看更多国际新闻</a></div></div>
<div class="right-col"><div class="rank"><h3>24小时热榜</h3><ol>{rank}</ol></div>
<div class="video-box"><a href="/v/2026-11-30/video-abc.html">视频</a></div>
<div class="hot-topics"><a href="/zt/2026peace/">和平进程专题</a></div>
<a href="https://finance.example-portal.cn/stock/2026-11-30/doc-abcdef1234567.shtml">财经：A股三大指数集体收涨</a></div>
<div class="bottom"><a href="/about/index.shtml">关于示例网</a><a href="/help/">帮助</a><a href="/jobs/">招聘</a>
<a href="http://www.beian.example/">京ICP证000000号</a></div></body></html>"""
    return SectionPage("portal_b", "/world/", html, frozenset(p for p, _ in articles))


SECTION_PAGES: tuple[SectionPage, ...] = (_wordpress(), _portal(), _modern(), _portal_b())
