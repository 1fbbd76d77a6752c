"""Week, day, archive and home pages from real Pelican builds (issue 4)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import lxml.html
import mf2py
import pytest
from cldr import plain
from digest_support import ROOT, articles, build, parse, write_archive
from factories import timeline_post
from tag_digest.archive.records import Post
from tag_digest.archive.shards import Archive
from tag_digest.digest.periods import post_anchor
from tag_digest.digest.urls import ROOT as ROOT_MARKER

DEFAULT_ARCHIVE = ROOT / "content" / "archive"
NNBSP = "\u202f"


@pytest.fixture(scope="module")
def default_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("periods"), DEFAULT_ARCHIVE)


def status(n: int, when: str, tags: list[str], text: str = "Пост", link: str = "") -> Post:
    html = f"<p>{text} {n}</p>"
    if link:
        html += f'<p><a href="{link}">{link}</a></p>'
    return timeline_post(n, when, tags, html)


def squash(text: str) -> str:
    """Runs of ASCII whitespace as one space (CLDR's narrow no-break spaces kept)."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def uris(page: lxml.html.HtmlElement) -> list[str]:
    return [a.get("data-uri") for a in articles(page)]


def nav(page: lxml.html.HtmlElement, rel: str) -> str | None:
    found = page.xpath(f'//nav[contains(@class, "period-nav")]//a[@rel="{rel}"]/@href')
    return found[0] if found else None


def test_weeks_hold_their_posts_by_day_and_skip_empty_weeks(default_site: Path) -> None:
    archive = {p.uri: p for p in Archive.load(DEFAULT_ARCHIVE).visible()}
    w30 = parse(default_site / "weeks" / "2024-W30" / "index.html")
    w52 = parse(default_site / "weeks" / "2024-W52" / "index.html")
    assert sorted(uris(w30)) == sorted(u for u, p in archive.items() if p.created_at < "2024-08")
    assert uris(w52) == [u for u, p in archive.items() if p.created_at > "2024-12"]
    # Newest day first, each under a readable Russian date with its ISO value.
    days = w30.xpath('//section[@class="day"]/h2/a/time')
    assert [t.get("datetime") for t in days] == ["2024-07-24", "2024-07-23", "2024-07-22"]
    assert days[0].text == f"среда, 24 июля 2024{NNBSP}г."
    # Previous/next skip the empty weeks in between.
    assert nav(w30, "prev") is None and nav(w30, "next") == "../../weeks/2024-W52/index.html"
    assert nav(w52, "prev") == "../../weeks/2024-W30/index.html" and nav(w52, "next") is None
    assert not (default_site / "weeks" / "2024-W31").exists()
    assert w30.xpath("string(//h1)") == "Неделя 2024-W30"
    assert w30.xpath('//p[@class="lede"]/time/@datetime') == ["2024-W30"]
    counts = w30.xpath('//section[@class="summary"]//ul[@class="chips"]/li')
    assert [squash(li.text_content()) for li in counts] == ["#Supervised_finetuning 3"]


def test_every_post_is_an_h_entry_once_with_an_anchor(default_site: Path) -> None:
    page = default_site / "weeks" / "2024-W30" / "index.html"
    parsed = mf2py.parse(doc=page.read_text(encoding="utf-8"))
    entries = [i for i in parsed["items"] if "h-entry" in i["type"]]
    assert len(entries) == 3
    # The week shows compact entries; each post sits in full, with its anchor, on its day.
    tree = parse(page)
    assert len(uris(tree)) == 3
    for article in articles(tree):
        href = article.xpath("./p/a[not(@rel)]/@href")[0]
        path, _, anchor = href.partition("#")
        assert anchor == post_anchor(article.get("data-uri"))
        day = parse((page.parent / path).resolve())
        holder = day.xpath(f'//div[@id="{anchor}"]')
        uri = article.get("data-uri")
        assert len(holder) == 1 and articles(holder[0])[0].get("data-uri") == uri
    page = default_site / "days" / "2024-07-22" / "index.html"
    tree = parse(page)
    for uri in uris(tree):
        holder = tree.xpath(f'//div[@id="{post_anchor(uri)}"]')
        assert len(holder) == 1 and articles(holder[0])[0].get("data-uri") == uri


def test_day_pages_chain_and_link_their_week(default_site: Path) -> None:
    days = sorted(p.parent.name for p in (default_site / "days").glob("*/index.html"))
    assert days == ["2024-07-22", "2024-07-23", "2024-07-24", "2024-12-27"]
    page = parse(default_site / "days" / "2024-07-24" / "index.html")
    assert nav(page, "prev") == "../../days/2024-07-23/index.html"
    assert nav(page, "next") == "../../days/2024-12-27/index.html"
    assert page.xpath("//h1/time/@datetime") == ["2024-07-24"]
    assert page.xpath("string(//h1)") == f"среда, 24 июля 2024{NNBSP}г."
    up = page.xpath('//nav[contains(@class, "period-nav")]//a[not(@rel)]/@href')
    assert up == ["../../weeks/2024-W30/index.html"]
    assert len(articles(page)) == 1


def test_archive_lists_every_week_by_year_and_month(default_site: Path) -> None:
    page = parse(default_site / "archive" / "index.html")
    assert [squash(h.text_content()) for h in page.xpath("//h2[not(@class)]")] == [
        "2024 4 поста"
    ]
    months = [squash(h.text_content()) for h in page.xpath("//h3")]
    assert months == [f"декабрь 2024{NNBSP}г. 1 пост", f"июль 2024{NNBSP}г. 3 поста"]
    weeks = page.xpath('//ul[@class="week-list"]/li/a')
    assert [(a.text, a.get("href")) for a in weeks] == [
        ("2024-W52", "../weeks/2024-W52/index.html"),
        ("2024-W30", "../weeks/2024-W30/index.html"),
    ]


def test_home_shows_the_latest_week_tag_counts_and_newest_links(default_site: Path) -> None:
    page = parse(default_site / "index.html")
    latest = Archive.load(DEFAULT_ARCHIVE).visible()
    newest = max(latest, key=lambda p: p.created_at)
    assert uris(page) == [newest.uri]
    assert page.xpath('//h2[@id="latest-week"]/a/@href') == ["./weeks/2024-W52/index.html"]
    tags = page.xpath('//ul[@class="tag-list"]/li')
    assert "4 поста" in tags[0].text_content()
    links = page.xpath('//section[@aria-labelledby="newest-links"]//a[@class="link-title"]/@href')
    assert links[0] == "https://habr.com/ru/articles/869674/" and len(links) == 4
    # The post's own links were resolved for the home page's depth.
    hashtags = page.xpath('//div[@class="entry"]//a[contains(@class, "hashtag")]/@href')
    assert "./tags/supervised_finetuning/index.html" in hashtags
    assert ROOT_MARKER not in (default_site / "index.html").read_text(encoding="utf-8")


def test_time_zone_and_iso_year_boundaries_in_english(tmp_path: Path) -> None:
    posts = [
        status(1, "2024-12-29T21:30:00.000Z", ["LLM"]),  # Monday 30 December in Moscow: 2025-W01
        status(2, "2024-12-28T10:00:00.000Z", ["LLM", "NLP"]),  # 2024-W52, in both tags once
        status(3, "2024-12-20T10:00:00.000Z", ["NLP"]),
    ]
    archive = write_archive(tmp_path / "archive", posts)
    site = build(tmp_path, archive, DIGEST_TAGS=["LLM", "NLP"], DEFAULT_LANG="en")
    assert sorted(p.parent.name for p in (site / "weeks").glob("*/index.html")) == [
        "2024-W51",
        "2024-W52",
        "2025-W01",
    ]
    assert (site / "days" / "2024-12-30" / "index.html").is_file()
    assert not (site / "days" / "2024-12-29").exists()
    w52 = parse(site / "weeks" / "2024-W52" / "index.html")
    assert uris(w52) == [posts[1].uri]  # once, though it carries both tags
    chips = w52.xpath('//section[@class="summary"]//ul[@class="chips"]/li')
    counts = [squash(li.text_content()) for li in chips]
    assert counts == ["#LLM 1", "#NLP 1"]
    day = parse(site / "days" / "2024-12-30" / "index.html")
    assert day.xpath("string(//h1)") == "Monday, December 30, 2024"
    archive_page = parse(site / "archive" / "index.html")
    assert [squash(h.text_content()) for h in archive_page.xpath("//h3")] == [
        "January 2025 1 post",
        "December 2024 2 posts",
    ]
    assert parse(site / "index.html").xpath('//h2[@id="latest-week"]/a/@href') == [
        "./weeks/2025-W01/index.html"
    ]


def test_week_53_and_sunday_night_in_moscow(tmp_path: Path) -> None:
    posts = [
        status(1, "2020-12-31T12:00:00.000Z", ["LLM"]),  # Thursday: 2020-W53, December 2020
        status(2, "2021-01-03T10:00:00.000Z", ["LLM"]),  # Sunday 3 January 2021: still 2020-W53
        status(3, "2021-01-03T21:30:00.000Z", ["LLM"]),  # 00:30 on Monday 4 January in Moscow
        status(4, "2021-03-01T10:00:00.000Z", ["LLM"]),  # weeks without posts in between
    ]
    archive = write_archive(tmp_path / "archive", posts)
    site = build(tmp_path, archive, DIGEST_TAGS=["LLM"], DEFAULT_LANG="en")
    weeks = sorted(p.parent.name for p in (site / "weeks").glob("*/index.html"))
    assert weeks == ["2020-W53", "2021-W01", "2021-W09"]
    w53 = parse(site / "weeks" / "2020-W53" / "index.html")
    assert uris(w53) == [posts[1].uri, posts[0].uri]
    assert w53.xpath('//section[@class="day"]/h2/a/time/@datetime') == ["2021-01-03", "2020-12-31"]
    assert [plain(t) for t in w53.xpath('//p[@class="lede"]/time/text()')] == [
        "Dec 28, 2020-Jan 3, 2021"
    ]
    assert nav(w53, "next") == "../../weeks/2021-W01/index.html"
    w01 = parse(site / "weeks" / "2021-W01" / "index.html")
    assert uris(w01) == [posts[2].uri]
    assert nav(w01, "next") == "../../weeks/2021-W09/index.html"
    day = parse(site / "days" / "2021-01-04" / "index.html")
    assert uris(day) == [posts[2].uri]
    assert day.xpath("//article//time/text()") == ["00:30"]
    assert uris(parse(site / "days" / "2021-01-03" / "index.html")) == [posts[1].uri]
    # In the archive, 2020-W53 is under December 2020 (its Thursday), though it ends in 2021.
    page = parse(site / "archive" / "index.html")
    listed = [
        (squash(h.text_content()), h.xpath("following-sibling::ul[1]/li/a/text()"))
        for h in page.xpath("//h3")
    ]
    assert listed == [
        ("March 2021 1 post", ["2021-W09"]),
        ("January 2021 1 post", ["2021-W01"]),
        ("December 2020 2 posts", ["2020-W53"]),
    ]


def test_absolute_urls_canonical_and_open_graph(tmp_path: Path) -> None:
    site = build(
        tmp_path, DEFAULT_ARCHIVE, SITEURL="https://example.org/digest", RELATIVE_URLS=False
    )
    page = parse(site / "weeks" / "2024-W52" / "index.html")
    assert page.xpath('//link[@rel="canonical"]/@href') == [
        "https://example.org/digest/weeks/2024-W52/"
    ]
    assert page.xpath('//meta[@property="og:url"]/@content') == [
        "https://example.org/digest/weeks/2024-W52/"
    ]
    title = page.xpath('//meta[@property="og:title"]/@content')[0]
    assert plain(title).startswith("Неделя 2024-W52 · 23-29 дек.")
    assert title == page.findtext(".//title").replace(NNBSP, " ")  # striptags: plain spaces
    description = page.xpath('//meta[@property="og:description"]/@content')[0]
    assert "2024-W52" in description
    assert page.xpath('//nav[contains(@class, "period-nav")]//a[@rel="prev"]/@href') == [
        "https://example.org/digest/weeks/2024-W30/"
    ]
    home = parse(site / "index.html")
    assert home.xpath('//link[@rel="canonical"]/@href') == ["https://example.org/digest/"]


def test_relative_builds_have_no_canonical(default_site: Path) -> None:
    page = parse(default_site / "weeks" / "2024-W52" / "index.html")
    assert page.xpath('//link[@rel="canonical"]') == []
    assert page.xpath('//meta[@property="og:title"]/@content')


def test_deleted_posts_leave_the_period_pages(tmp_path: Path) -> None:
    posts = [
        status(1, "2024-12-27T10:00:00.000Z", ["LLM"]),
        status(2, "2024-12-20T10:00:00.000Z", ["LLM"]),
    ]
    archive = write_archive(tmp_path / "archive", posts)
    site = build(tmp_path, archive, DIGEST_TAGS=["LLM"])
    assert (site / "weeks" / "2024-W52" / "index.html").is_file()
    store = Archive.load(archive)
    store.put(posts[0].tombstone("2025-01-01T00:00:00.000Z"))
    store.save()
    site = build(tmp_path, archive, DIGEST_TAGS=["LLM"])
    assert not (site / "weeks" / "2024-W52").exists()
    assert not (site / "days" / "2024-12-27").exists()
    w51 = parse(site / "weeks" / "2024-W51" / "index.html")
    assert nav(w51, "next") is None
    assert [p.name for p in (site / "days").iterdir()] == [dt.date(2024, 12, 20).isoformat()]
