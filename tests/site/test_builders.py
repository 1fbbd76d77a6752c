"""Each page builder called directly on a small digest, and what it wrote read back.

No Pelican build: :mod:`builder_support` makes the typed context and the builders, and
renders through the real templates of ``theme/`` into a temporary folder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import lxml.etree
import pytest
from builder_support import SITENAME, digest
from digest_support import articles, corpus_posts
from factories import timeline_post
from tag_digest.archive.records import Post
from tag_digest.digest.periods import post_anchor
from tag_digest.site.owned import owns_output

ATOM = {"a": "http://www.w3.org/2005/Atom"}
TIMES = [
    "2024-12-28T09:00:00.000Z",
    "2024-12-27T23:30:00.000Z",  # 28 December in Moscow, 27 in UTC
    "2024-12-27T20:00:00.000Z",
    "2024-12-26T10:00:00.000Z",
    "2024-12-25T10:00:00.000Z",
]


@pytest.fixture(scope="module")
def rstats_posts() -> list[Post]:
    """Five real posts of a recorded timeline, tagged #rstats, newest first."""
    posts = corpus_posts("rtoot/get_timeline_hashtag_anonymous.yml")
    return [
        replace(post, created_at=when, tags=tuple(sorted({*post.tags, "rstats"})))
        for post, when in zip(posts, TIMES, strict=False)
    ]


def status(n: int, when: str, tags: list[str], link: str = "") -> Post:
    html = f"<p>Post {n}</p>"
    if link:
        html += f'<p><a href="{link}">{link}</a></p>'
    return timeline_post(n, when, tags, html, language="en", name="Author")


def target(output: Path, page: str, href: str) -> str:
    """The output path a relative link on ``page`` leads to (``…/`` is its index.html)."""
    url = urljoin((output / page).as_uri(), href)
    path = Path(unquote(urlsplit(url).path)).relative_to(output).as_posix()
    return f"{path}/index.html" if url.split("#")[0].endswith("/") else path


def day_sections(page: lxml.html.HtmlElement) -> list[tuple[str, int]]:
    return [
        (s.findtext(".//h2/time"), len(articles(s)))
        for s in page.xpath('//section[contains(@class, "day")]')
    ]


# -- tag pages ------------------------------------------------------------------


def test_tag_pages_paginate_newest_first(tmp_path: Path, rstats_posts: list[Post]) -> None:
    site = digest(tmp_path, rstats_posts, per_page=2)
    site.pages.tag_pages.write(site.out)
    # 5 posts by 2: page 1 holds the oldest 2, the index the newest 3.
    pages = ["tags/rstats/index.html", "tags/rstats/page/1/index.html"]
    assert site.written() == set(pages)
    assert [day_sections(site.html(p)) for p in pages] == [
        [("2024-12-28", 1), ("2024-12-27", 2)],
        [("2024-12-26", 1), ("2024-12-25", 1)],
    ]
    shown = [a.get("data-uri") for p in pages for a in articles(site.html(p))]
    assert shown == [p.uri for p in rstats_posts]
    index, oldest = site.html(pages[0]), site.html(pages[1])
    assert "5 posts · Newest posts" in index.text_content()
    assert "Page 1 · posts 1–2 from the oldest" in oldest.text_content()
    assert "5 posts" not in oldest.text_content()  # a numbered page names no total


def test_tag_pages_number_from_the_oldest(tmp_path: Path, rstats_posts: list[Post]) -> None:
    site = digest(tmp_path, rstats_posts, per_page=1)
    site.pages.tag_pages.write(site.out)
    # By 1: the index holds the newest post, page 4 the next, … page 1 the oldest.
    pages = ["tags/rstats/index.html", *(f"tags/rstats/page/{n}/index.html" for n in (4, 3, 2, 1))]
    assert site.written() == set(pages)
    shown = [[a.get("data-uri") for a in articles(site.html(p))] for p in pages]
    assert shown == [[p.uri] for p in rstats_posts]
    for number, path in enumerate(pages):
        root = site.html(path)
        older = root.xpath('//nav[@class="pager"]//a[@rel="next"]/@href')
        newer = root.xpath('//nav[@class="pager"]//a[@rel="prev"]/@href')
        assert [target(site.output, path, h) for h in older] == pages[number + 1 : number + 2]
        assert [target(site.output, path, h) for h in newer] == pages[max(0, number - 1) : number]
        assert root.xpath('//head/link[@rel="next"]/@href') == older
        assert root.findtext(".//h1") == "#rstats"
    assert "Page 3 · posts 3–3 from the oldest" in site.html(pages[2]).text_content()


def test_tag_pages_group_by_the_site_time_zone(tmp_path: Path, rstats_posts: list[Post]) -> None:
    moscow = digest(tmp_path / "msk", rstats_posts, per_page=10, timezone="Europe/Moscow")
    moscow.pages.tag_pages.write(moscow.out)
    assert day_sections(moscow.html("tags/rstats/index.html")) == [
        ("2024-12-28", 2), ("2024-12-27", 1), ("2024-12-26", 1), ("2024-12-25", 1),
    ]  # fmt: skip
    utc = digest(tmp_path / "utc", rstats_posts, per_page=10)
    utc.pages.tag_pages.write(utc.out)
    assert day_sections(utc.html("tags/rstats/index.html")) == [
        ("2024-12-28", 1), ("2024-12-27", 2), ("2024-12-26", 1), ("2024-12-25", 1),
    ]  # fmt: skip


def test_tag_pages_under_an_absolute_siteurl(tmp_path: Path, rstats_posts: list[Post]) -> None:
    base = "https://example.org/digest"
    site = digest(tmp_path, rstats_posts, per_page=2, site_url=base)
    site.pages.tag_pages.write(site.out)
    page = site.html("tags/rstats/page/1/index.html")
    full = page.xpath('//article[contains(@class, "compact")]/p/a[not(@rel)]/@href')
    assert len(full) == 2 and all(h.startswith(f"{base}/days/") and "#p-" in h for h in full)
    site = digest(tmp_path / "full", rstats_posts, per_page=1, site_url=base, compact_pages=())
    site.pages.tag_pages.write(site.out)
    page = site.html("tags/rstats/page/2/index.html")
    assert page.xpath('//link[@rel="stylesheet"]/@href') == [f"{base}/theme/css/main.css"]
    assert page.xpath('//a[@rel="next"]/@href') == [f"{base}/tags/rstats/page/1/"]
    assert page.xpath('//a[@rel="prev"]/@href') == [f"{base}/tags/rstats/page/3/"]
    newest = site.html("tags/rstats/page/4/index.html")
    assert newest.xpath('//a[@rel="prev"]/@href') == [f"{base}/tags/rstats/"]
    hashtags = page.xpath('//a[contains(@class, "hashtag")]')
    ours = {a.get("href") for a in hashtags if a.text_content().lower() == "#rstats"}
    assert ours == {f"{base}/tags/rstats/"}


def test_an_unchanged_page_is_not_rendered_again(tmp_path: Path, rstats_posts: list[Post]) -> None:
    site = digest(tmp_path, rstats_posts, per_page=2)
    site.pages.tag_pages.write(site.out)
    assert site.writer.finish().written == 2
    site.pages.tag_pages.write(site.out)
    stats = site.writer.finish()
    assert (stats.written, stats.unchanged, stats.skipped) == (2, 0, 2)


# -- week and day pages ---------------------------------------------------------

POSTS = [
    status(1, "2024-12-30T09:00:00.000Z", ["rstats"]),  # Monday of 2025-W01
    status(2, "2024-12-27T12:00:00.000Z", ["rstats"], link="https://example.org/a"),
    status(3, "2024-12-27T11:00:00.000Z", ["rstats"], link="https://www.example.org/b"),
    status(4, "2024-12-27T10:00:00.000Z", ["rstats", "python"], link="https://example.org/a"),
    status(5, "2024-12-23T10:00:00.000Z", ["python"], link="https://other.example/c"),
]


def test_week_pages_with_their_days_and_navigation(tmp_path: Path) -> None:
    site = digest(tmp_path, POSTS, tags=("rstats", "python"), per_page=10)
    site.pages.period_pages.write_weeks(site.out)
    assert site.written() == {"weeks/2024-W52/index.html", "weeks/2025-W01/index.html"}
    week = site.html("weeks/2024-W52/index.html")
    assert [a.get("data-uri") for a in articles(week)] == [p.uri for p in POSTS[1:]]
    days = [
        (s.xpath("string(.//h2//time/@datetime)"), len(articles(s)))
        for s in week.xpath('//section[contains(@class, "day")]')
    ]
    assert days == [("2024-12-27", 3), ("2024-12-23", 1)]
    following = week.xpath('//nav[contains(@class, "period-nav")]//a[@rel="next"]/@href')
    assert [target(site.output, "weeks/2024-W52/index.html", h) for h in following] == [
        "weeks/2025-W01/index.html"
    ]
    assert not week.xpath('//nav[contains(@class, "period-nav")]//a[@rel="prev"]')
    assert ("weeks/2024-W52/index.html", dt.datetime(2024, 12, 27, 12, tzinfo=dt.UTC)) in (
        site.ctx.sitemap
    )


def test_day_pages_paginate_and_posts_link_to_the_page_that_shows_them(tmp_path: Path) -> None:
    site = digest(tmp_path, POSTS, tags=("rstats", "python"), per_page=1)
    site.pages.period_pages.write_days(site.out)
    day = "days/2024-12-27/"
    # Its 3 posts by 1: the newest on the index, then page 2, then the oldest on page 1.
    pages = [f"{day}index.html", f"{day}page/2/index.html", f"{day}page/1/index.html"]
    assert {p for p in site.written() if p.startswith(day)} == set(pages)
    shown = [[a.get("data-uri") for a in articles(site.html(p))] for p in pages]
    assert shown == [[POSTS[1].uri], [POSTS[2].uri], [POSTS[3].uri]]
    for post, page in zip(POSTS[1:4], pages, strict=True):
        link = site.pages.place.post_link(post)
        assert link == f"{page}#{post_anchor(post.uri)}"
        assert site.html(page).xpath(f'//*[@id="{link.split("#")[1]}"]')


def test_the_archive_page_lists_every_week(tmp_path: Path) -> None:
    site = digest(tmp_path, POSTS, tags=("rstats", "python"))
    site.pages.period_pages.write_archive(site.out)
    page = site.html("archive/index.html")
    hrefs = [target(site.output, "archive/index.html", h) for h in page.xpath("//main//a/@href")]
    assert "weeks/2024-W52/index.html" in hrefs
    assert "weeks/2025-W01/index.html" in hrefs


# -- link pages and exports -----------------------------------------------------


def test_link_pages_by_month_and_domain(tmp_path: Path) -> None:
    site = digest(tmp_path, POSTS, tags=("rstats", "python"))
    site.pages.link_pages.write(site.out)
    assert site.written() == {
        "links/index.html",
        "links/months/2024-12/index.html",
        "links/domains/example.org/index.html",
        "links/domains/other.example/index.html",
    }
    listed = site.html("links/index.html").xpath('//main//a[@href="https://example.org/a"]')
    assert listed, "the most shared link is listed"
    domain = site.html("links/domains/example.org/index.html").text_content()
    assert "example.org/a" in domain and "example.org/b" in domain
    assert "other.example" not in site.html("links/domains/example.org/index.html").xpath(
        "string(//main//ul)"
    )


def test_exports_use_absolute_digest_urls(tmp_path: Path) -> None:
    base = "https://example.org/digest"
    site = digest(tmp_path, POSTS, tags=("rstats", "python"), site_url=base)
    site.pages.link_pages.write_exports(site.out)
    site.writer.finish()  # the exports are made beside the build: done once the writer is
    assert site.written() == {"links.json", "links.csv", "bookmarks.html"}
    exported = site.text("links.json")
    assert f"{base}/days/2024-12-27/" in exported
    assert "https://other.example/c" in exported
    assert f"{SITENAME}: " in site.text("bookmarks.html")


# -- feeds, sitemap, robots.txt -------------------------------------------------


def test_feeds_carry_the_posts_with_absolute_links(tmp_path: Path) -> None:
    base = "https://example.org/digest"
    site = digest(tmp_path, POSTS, tags=("rstats", "python"), site_url=base, per_page=1)
    site.pages.feeds.write(site.out)
    assert site.written() == {
        "feeds/all.atom.xml",
        "feeds/weeks.atom.xml",
        "feeds/tags/rstats.atom.xml",
        "feeds/tags/python.atom.xml",
    }
    everything = lxml.etree.fromstring((site.output / "feeds/all.atom.xml").read_bytes())
    assert everything.findtext("a:title", namespaces=ATOM) == SITENAME
    links = everything.xpath("a:entry/a:link/@href", namespaces=ATOM)
    assert len(links) == len(POSTS)
    assert f"{base}/days/2024-12-27/page/1/#{post_anchor(POSTS[3].uri)}" in links
    python = lxml.etree.fromstring((site.output / "feeds/tags/python.atom.xml").read_bytes())
    assert len(python.xpath("a:entry", namespaces=ATOM)) == 2
    weeks = lxml.etree.fromstring((site.output / "feeds/weeks.atom.xml").read_bytes())
    assert weeks.xpath("a:entry/a:link/@href", namespaces=ATOM) == [
        f"{base}/weeks/2025-W01/",
        f"{base}/weeks/2024-W52/",
    ]


def test_no_absolute_url_no_feeds_and_no_sitemap(tmp_path: Path) -> None:
    site = digest(tmp_path, POSTS, tags=("rstats", "python"))
    site.pages.feeds.write(site.out)
    site.pages.sitemap.write(site.out)
    assert site.written() == {"robots.txt"}
    assert site.pages.shared()["digest_feeds"] == ()


def test_the_sitemap_lists_the_pages_written_and_the_host_pages(tmp_path: Path) -> None:
    base = "https://example.org"
    site = digest(tmp_path, POSTS, tags=("rstats", "python"), site_url=base)
    site.pages.period_pages.write(site.out)
    site.pages.sitemap.write(site.out, host_urls=["pages/about.html"])
    sitemap = site.text("sitemap.xml")
    for url in ("/", "/tags/rstats/", "/weeks/2024-W52/", "/days/2024-12-23/", "/archive/"):
        assert f"<loc>{base}{url}</loc>" in sitemap
    assert f"<loc>{base}/pages/about.html</loc>" in sitemap
    assert f"Sitemap: {base}/sitemap.xml" in site.text("robots.txt")


def test_every_path_a_builder_writes_is_claimed_as_the_plugins(tmp_path: Path) -> None:
    site = digest(tmp_path, POSTS, tags=("rstats", "python"), site_url="https://example.org")
    pages = site.pages
    pages.tag_pages.write(site.out)
    pages.period_pages.write(site.out)
    pages.link_pages.write(site.out)
    pages.link_pages.write_exports(site.out)
    pages.removal.write(site.out)
    pages.feeds.write(site.out)
    pages.sitemap.write(site.out)
    site.writer.finish()
    written = site.written()
    assert len(written) > 20 and {"links.json", "links.csv", "bookmarks.html"} <= written
    assert [p for p in written if not owns_output(p)] == []
