"""Weekly digests that summarise (issue 13): the summary's counts and top links on plain data,
and week and day pages paginated at DIGEST_PER_PAGE across page boundaries in a real build."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import lxml.html
import pytest
from digest_support import articles, build, parse, write_archive
from factories import timeline_post
from tag_digest.archive.records import Post
from tag_digest.digest.periods import by_week, post_anchor
from tag_digest.digest.weekly import busiest_day, page_of, split_by_day, summarise, top_links

UTC = dt.UTC
MSK = dt.timezone(dt.timedelta(hours=3))
TAGS = ["Python", "Наука"]


def status(
    n: int, when: str, tags: list[str], *, author: str = "a", links: tuple[str, ...] = (),
    card: dict[str, Any] | None = None, text: str = "Пост",
) -> Post:  # fmt: skip
    html = f"<p>{text} {n}</p>" + "".join(f'<p><a href="{u}">{u}</a></p>' for u in links)
    extra = {"card": card} if card else {}
    return timeline_post(n, when, tags, html, acct=author, name=author.upper(),
                         fetched_at="2025-01-10T00:00:00.000Z", **extra)  # fmt: skip


# -- the summary on plain data ----------------------------------------------------------------

A = "https://example.org/a"
B = "https://example.org/b"
C = "https://example.net/c"


def hand_made_week() -> list[Post]:
    """Week 2025-W02 (6-12 January): 7 posts by 3 authors (one spelled in two cases)."""
    return [
        status(1, "2025-01-06T09:00:00.000Z", ["Python"], author="ann", links=(A, B)),
        status(2, "2025-01-07T09:00:00.000Z", ["Python", "Наука"], author="bob", links=(A,)),
        status(3, "2025-01-07T10:00:00.000Z", ["Наука"], author="Ann", links=(A, C)),
        status(4, "2025-01-07T11:00:00.000Z", ["Наука"], author="cat", links=(B,)),
        status(5, "2025-01-08T09:00:00.000Z", ["Python"], author="cat", links=(C,)),
        status(6, "2025-01-08T10:00:00.000Z", ["Python"], author="bob"),
        status(7, "2025-01-12T20:30:00.000Z", ["Python"], author="bob"),  # 23:30 in Moscow
    ]


def links_of(post: Post) -> tuple[str, ...]:
    found = lxml.html.fromstring(post.content).xpath("//a/@href")
    return tuple(str(u) for u in found)


def about(url: str) -> tuple[str | None, str]:
    return ({A: "Статья A"}.get(url), urlsplit(url).hostname or "")


def test_summary_counts_posts_authors_tags_and_the_busiest_day() -> None:
    (week,) = by_week(hand_made_week(), UTC)
    summary = summarise(week, UTC, TAGS, links_of, about)
    assert summary.posts == 7
    assert summary.authors == 3  # "ann" and "Ann" share a profile URL, compared case-blind
    assert [(c.tag, c.count) for c in summary.tags] == [("Python", 5), ("Наука", 3)]
    assert (summary.busiest_day, summary.busiest_count) == (dt.date(2025, 1, 7), 3)


def test_top_links_count_posts_not_mentions_and_break_ties_by_newest_then_url() -> None:
    posts = hand_made_week()
    doubled = status(8, "2025-01-06T08:00:00.000Z", [], links=(B, B))  # B twice in one post
    ranked = top_links([*posts, doubled], links_of, about)
    # A: posts 1, 2, 3. B: 1, 4, 8 (8 once). C: 3, 5. A and B tie at 3: B's newest share (post 4,
    # 11:00 on the 7th) is newer than A's (post 3, 10:00), so B comes first.
    assert [(t.url, t.posts) for t in ranked] == [(B, 3), (A, 3), (C, 2)]
    assert ranked[1].title == "Статья A" and ranked[1].domain == "example.org"
    assert top_links(posts, links_of, about, limit=1)[0].url == A  # without post 8: A leads
    assert top_links([], links_of, about) == ()


def test_busiest_day_follows_the_site_time_zone_and_prefers_the_earlier_day_on_a_tie() -> None:
    posts = hand_made_week()
    assert busiest_day(posts[5:], UTC) == (dt.date(2025, 1, 8), 1)  # 8th and 12th: earlier
    late = status(9, "2025-01-12T21:30:00.000Z", [])  # Monday 13th, 00:30 in Moscow
    assert busiest_day([late], UTC) == (dt.date(2025, 1, 12), 1)
    assert busiest_day([late], MSK) == (dt.date(2025, 1, 13), 1)
    assert busiest_day([], UTC) == (None, 0)


def test_split_by_day_and_page_of() -> None:
    (week,) = by_week(hand_made_week(), UTC)
    runs = split_by_day(week.posts[:4], UTC)
    assert [(d.isoformat(), [p.uri[-1] for p in run]) for d, run in runs] == [
        ("2025-01-12", ["7"]),
        ("2025-01-08", ["6", "5"]),
        ("2025-01-07", ["4"]),
    ]
    pages = page_of(week.posts, 3)
    # 7 posts by 3: page 1 holds the oldest 3, the index (0) the newest 4.
    assert [pages[p.uri] for p in week.posts] == [0, 0, 0, 0, 1, 1, 1]


# -- pages in a real build --------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("weekly")
    card = {"url": A, "title": "Статья A", "description": "", "type": "link"}
    posts = hand_made_week()
    posts[0] = status(1, "2025-01-06T09:00:00.000Z", ["Python"], author="ann", links=(A, B),
                      card=card)  # fmt: skip
    archive = write_archive(tmp / "archive", posts)
    return build(tmp, archive, DIGEST_TAGS=TAGS, DIGEST_PER_PAGE=3)


def anchors(page: lxml.html.HtmlElement) -> list[str]:
    """The anchors of the posts on ``page`` (a week page shows compact entries, no anchors)."""
    uris = page.xpath('//article[contains(concat(" ", @class, " "), " h-entry ")]/@data-uri')
    return [post_anchor(str(uri)) for uri in uris]


def test_week_pages_split_at_per_page_newest_first_with_a_pager(site: Path) -> None:
    week = site / "weeks" / "2025-W02"
    first, older = parse(week / "index.html"), parse(week / "page" / "1" / "index.html")
    assert not (week / "page" / "2").exists()
    (ordered,) = by_week(hand_made_week(), UTC)
    expected = [post_anchor(p.uri) for p in ordered.posts]
    assert anchors(first) + anchors(older) == expected
    # 7 posts by 3: page 1 (the oldest) holds exactly 3, the index the newest 4.
    assert [len(anchors(p)) for p in (first, older)] == [4, 3]
    # The index holds posts 7 (the 12th), 6 and 5 (the 8th) and 4 (the 7th); page 1 posts 3, 2
    # (the 7th) and 1 (the 6th): each page's day headings follow its own posts.
    days = [p.xpath('//section[@class="day"]/h2//time/@datetime') for p in (first, older)]
    assert days == [["2025-01-12", "2025-01-08", "2025-01-07"], ["2025-01-07", "2025-01-06"]]
    pager = older.xpath('//nav[@class="pager"]')[0]
    here = week / "page" / "1"
    (newer,) = pager.xpath('.//a[@rel="prev"]/@href')
    assert (here / newer).resolve() == (week / "index.html").resolve()
    assert not pager.xpath('.//a[@rel="next"]')
    assert " ".join(pager.xpath('string(.//span[@class="pager-where"])').split()) == (
        "Страница 1 · посты 1–3 от самых ранних"
    )
    (to_older,) = first.xpath('//nav[@class="pager"]//a[@rel="next"]/@href')
    assert (week / to_older).resolve() == (week / "page" / "1" / "index.html").resolve()
    assert not first.xpath('//nav[@class="pager"]//a[@rel="prev"]')
    # Numbered pages carry their number in the title (no two pages share one).
    titles = {p.findtext(".//title") for p in (first, older)}
    assert len(titles) == 2


def test_summary_opens_page_one_only_with_the_hand_counted_figures(site: Path) -> None:
    week = site / "weeks" / "2025-W02"
    first = parse(week / "index.html")
    summary = first.xpath('//section[@class="summary"]')[0]
    facts = [" ".join(d.text_content().split()) for d in summary.xpath(".//dd")]
    assert facts[0] == "7 постов" and facts[1] == "3 автора"
    assert facts[2].startswith("вторник, 7 января 2025") and facts[2].endswith("3 поста")
    chips = [" ".join(li.text_content().split()) for li in summary.xpath(".//ul/li")]
    assert chips == ["#Python 5", "#Наука 3"]
    top = summary.xpath('.//ol[@class="top-links"]/li')
    # A: posts 1, 2, 3; B: 1, 4; C: 3, 5. B and C tie: C's newest share (the 8th) is newer.
    assert [li.xpath("./a/@href")[0] for li in top] == [A, C, B]
    counts = [li.xpath('string(./span[@class="muted"])') for li in top]
    assert [" ".join(c.split()) for c in counts] == [
        "example.org · в 3 постах", "example.net · в 2 постах", "example.org · в 2 постах",
    ]  # fmt: skip
    titled = {li.xpath("./a/@href")[0]: li.xpath("string(./a)") for li in top}
    assert titled[A] == "Статья A" and titled[C] == "example.net/c"
    assert all(li.xpath("./a/@rel")[0] == "nofollow noopener ugc" for li in top)
    busiest = summary.xpath(".//dd//a/@href")[0]
    assert (week / busiest).resolve() == (site / "days" / "2025-01-07" / "index.html").resolve()
    assert not parse(week / "page" / "1" / "index.html").xpath('//section[@class="summary"]')


def test_day_pages_paginate_and_every_post_link_reaches_the_page_that_shows_it(site: Path) -> None:
    day = site / "days" / "2025-01-07"
    assert len(anchors(parse(day / "index.html"))) == 3  # exactly one page's worth
    assert not (day / "page").exists()
    # The link collection's "shared in" links and the home page point at the page with the post.
    checked = 0
    for page_file in [site / "links" / "index.html", site / "index.html"]:
        page = parse(page_file)
        for href in page.xpath('//a[contains(@href, "days/")]/@href'):
            path, _, anchor = str(href).partition("#")
            target = (page_file.parent / path).resolve()
            assert target.is_file(), href
            if anchor:
                assert anchor in anchors(parse(target)), href
                checked += 1
    assert checked >= 5


def test_a_day_with_more_posts_than_a_page_continues_on_page_two(tmp_path: Path) -> None:
    posts = [status(n, f"2025-01-07T{8 + n:02d}:00:00.000Z", ["Python"]) for n in range(5)]
    site = build(tmp_path, write_archive(tmp_path / "archive", posts), DIGEST_TAGS=TAGS,
                 DIGEST_PER_PAGE=2)  # fmt: skip
    day = site / "days" / "2025-01-07"
    # 5 posts by 2: page 1 the oldest 2, the index the newest 3.
    pages = [day / "index.html", day / "page" / "1" / "index.html"]
    seen = [anchors(parse(p)) for p in pages]
    assert [len(s) for s in seen] == [3, 2]
    assert [a for page in seen for a in page] == [post_anchor(p.uri) for p in reversed(posts)]
    assert not (day / "page" / "2").exists()
    # The all-posts feed links each post to the day page that shows it.
    feed = feedparser.parse((site / "feeds" / "all.atom.xml").read_bytes())
    assert len(feed.entries) == 5
    for entry in feed.entries:
        link = urlsplit(entry.link)
        target = site / link.path.lstrip("/")
        target = target / "index.html" if target.is_dir() else target
        assert link.fragment in anchors(parse(target)), entry.link
    on_page_1 = [e.link for e in feed.entries if "/page/1/" in e.link]
    assert len(on_page_1) == 2 and post_anchor(posts[0].uri) in " ".join(on_page_1)


def test_home_page_shows_the_latest_weeks_summary_and_first_posts(site: Path) -> None:
    home = parse(site / "index.html")
    assert home.xpath('//section[@class="summary"]//dd')[0].text_content().strip() == "7 постов"
    assert len(articles(home)) == 7  # fewer than HOME_POSTS this week: all of them
    whole = home.xpath('//a[contains(@href, "weeks/2025-W02/")]/@href')
    assert whole


def test_weekly_feed_entries_carry_the_summary(site: Path) -> None:
    feed = feedparser.parse((site / "feeds" / "weeks.atom.xml").read_bytes())
    (entry,) = feed.entries
    html = lxml.html.fromstring(entry.content[0].value)
    text = " ".join(html.text_content().split())
    assert "7 постов" in text and "3 автора" in text and "#Python: 5" in text
    assert "Статья A" in text
    hrefs = [str(h) for h in html.xpath("//a/@href")]
    assert A in hrefs and all(h.startswith(("http://", "https://")) for h in hrefs)
