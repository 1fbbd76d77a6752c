"""The link collection's pages and exports from real Pelican builds (issue 4)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin

import pytest
from digest_support import build, corpus_posts, parse, write_archive
from factories import mastodon_status
from tag_digest.archive.records import Post
from tag_digest.archive.statuses import from_status
from tag_digest.digest.links import normalise_url

CORPUS = "rtoot/get_timeline_hashtag_anonymous.yml"
HOSTILE_TITLE = '<img src=x onerror="alert(1)"> & «кавычки»'


def shared(n: int, when: str, links: list[str], tags: list[str], card: str | None = None) -> Post:
    html = "<p>Ссылки</p>" + "".join(f'<p><a href="{u}">{u}</a></p>' for u in links)
    return from_status(
        mastodon_status(
            n,
            created_at=when,
            content=html,
            tags=[{"name": t} for t in tags],
            card={"url": links[0], "title": card, "provider_name": "x"} if card else None,
        ),
        "https://mastodon.social",
        "2025-07-18T00:00:00.000Z",
    )


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("links")
    one = ["https://Habr.com/ru/articles/1/?utm_source=m"]
    two = ["https://habr.com/ru/articles/1/#c"]
    posts = [
        *corpus_posts(CORPUS),
        shared(1, "2025-07-10T10:00:00.000Z", one, ["rstats"]),
        shared(2, "2025-07-12T10:00:00.000Z", two, ["rstats", "LLM"], HOSTILE_TITLE),
    ]
    archive = write_archive(tmp / "archive", posts)
    return build(tmp, archive, DIGEST_TAGS=["rstats", "LLM"], DEFAULT_LANG="en")


def resolve(site: Path, page: Path, href: str) -> tuple[Path, str]:
    """The output file a relative link on ``page`` points to, and its fragment."""
    base = "file://" + str(page)
    url, fragment = urldefrag(urljoin(base, href))
    target = Path(unquote(url.removeprefix("file://")))
    return (target / "index.html" if target.is_dir() else target), fragment


def test_every_shared_link_once_without_hashtags_mentions_or_media(corpus_site: Path) -> None:
    page = parse(corpus_site / "links" / "index.html")
    urls = page.xpath('//li[@class="link"]/a[@class="link-title"]/@href')
    assert len(urls) == len(set(urls))
    assert "https://habr.com/ru/articles/1/" in urls  # two spellings, one link
    assert "https://github.com/cloudyr/aws.s3/pull/438" in urls
    assert "https://github.com/mailund/tailr" in urls
    for url in urls:
        assert normalise_url(url) == url
        assert "/tags/" not in url and "bsky.app/search" not in url
        assert "genomic.social/@snystrom" not in url and "files.mastodon.social" not in url


def test_a_link_entry_names_its_posts_tags_dates_and_wayback(corpus_site: Path) -> None:
    page_path = corpus_site / "links" / "index.html"
    page = parse(page_path)
    entry = page.xpath('//li[@class="link"][a/@href="https://habr.com/ru/articles/1/"]')[0]
    assert entry.xpath('string(a[@class="link-title"])') == HOSTILE_TITLE  # escaped text
    assert entry.xpath(".//img") == []
    meta = " ".join(entry.text_content().split())
    assert "First shared July 10, 2025, last July 12, 2025" in meta
    assert "shared by 2 posts" in meta
    assert entry.xpath('.//a[starts-with(@href, "https://web.archive.org/web/")]/@href') == [
        "https://web.archive.org/web/https://habr.com/ru/articles/1/"
    ]
    assert entry.xpath('.//a[text()="#rstats"]/@href') == ["../tags/rstats/index.html"]
    # Each "shared in" link reaches that very post on its day page.
    shares = entry.xpath('.//a[starts-with(text(), "post of")]/@href')
    assert len(shares) == 2
    for href in shares:
        target, fragment = resolve(corpus_site, page_path, href)
        day = parse(target)
        holder = day.xpath(f'//div[@id="{fragment}"]/article')
        assert len(holder) == 1 and holder[0].get("data-uri").startswith("https://mastodon.social/")


def test_browse_by_month_and_by_domain(corpus_site: Path) -> None:
    page_path = corpus_site / "links" / "index.html"
    page = parse(page_path)
    months = page.xpath('//details[@class="browse"][1]//a/@href')
    domains = page.xpath('//details[@class="browse"][2]//a')
    assert months and all(resolve(corpus_site, page_path, h)[0].is_file() for h in months)
    github = next(a for a in domains if a.text == "github.com")
    target, _ = resolve(corpus_site, page_path, github.get("href"))
    assert target == corpus_site / "links" / "domains" / "github.com" / "index.html"
    listed = parse(target).xpath('//li[@class="link"]/a[@class="link-title"]/@href')
    assert sorted(listed) == [
        "https://github.com/cloudyr/aws.s3/pull/438",
        "https://github.com/mailund/tailr",
    ]
    july = parse(corpus_site / "links" / "months" / "2025-07" / "index.html")
    assert "https://habr.com/ru/articles/1/" in july.xpath('//a[@class="link-title"]/@href')


def test_exports_match_the_page_and_are_stable(corpus_site: Path, tmp_path: Path) -> None:
    page = parse(corpus_site / "links" / "index.html")
    on_page = set(page.xpath('//li[@class="link"]/a[@class="link-title"]/@href'))
    data = json.loads((corpus_site / "links.json").read_text(encoding="utf-8"))
    assert {d["url"] for d in data} == on_page
    habr = next(d for d in data if d["url"] == "https://habr.com/ru/articles/1/")
    assert habr["count"] == 2 and habr["tags"] == ["llm", "rstats"]
    assert habr["title"] == HOSTILE_TITLE
    assert habr["posts"][0]["digest_url"].startswith("days/2025-07-10/index.html#p-")
    text = (corpus_site / "links.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert {r["url"] for r in rows} == on_page
    bookmarks = (corpus_site / "bookmarks.html").read_text(encoding="utf-8")
    assert bookmarks.startswith("<!DOCTYPE NETSCAPE-Bookmark-file-1>")
    assert bookmarks.count("<DT><A HREF=") == len(on_page)
    assert "<img" not in bookmarks


def test_a_rebuild_with_nothing_new_writes_identical_exports(tmp_path: Path) -> None:
    posts = [shared(1, "2025-07-10T10:00:00.000Z", ["https://example.org/a"], ["LLM"], "Заголовок")]
    archive = write_archive(tmp_path / "archive", posts)
    absolute = {"SITEURL": "https://d.example", "RELATIVE_URLS": False}
    site = build(tmp_path, archive, DIGEST_TAGS=["LLM"], **absolute)
    names = ("links.json", "links.csv", "bookmarks.html")
    first = {name: (site / name).read_bytes() for name in names}
    stamps = {name: (site / name).stat().st_mtime_ns for name in first}
    site = build(tmp_path, archive, DIGEST_TAGS=["LLM"], **absolute)
    for name, data in first.items():
        assert (site / name).read_bytes() == data
        assert (site / name).stat().st_mtime_ns == stamps[name]  # not even rewritten
    record = json.loads(first["links.json"])[0]
    assert record["posts"][0]["digest_url"].startswith("https://d.example/days/2025-07-10/#p-")


def test_many_links_are_paginated(tmp_path: Path) -> None:
    posts = [
        shared(n, f"2025-07-{1 + n // 10:02d}T10:{n % 60:02d}:00Z", [f"https://e.ex/{n}"], ["LLM"])
        for n in range(230)
    ]
    archive = write_archive(tmp_path / "archive", posts)
    site = build(tmp_path, archive, DIGEST_TAGS=["LLM"])
    first = parse(site / "links" / "index.html")
    second = parse(site / "links" / "page" / "1" / "index.html")
    one = first.xpath('//a[@class="link-title"]/@href')
    two = second.xpath('//a[@class="link-title"]/@href')
    # 230 links by 100: page 1 holds the oldest 100, the index the newest 130.
    assert len(one) == 130 and len(two) == 100 and not set(one) & set(two)
    assert not (site / "links" / "page" / "2").exists()
    assert one[0] == "https://e.ex/229" and two[0] == "https://e.ex/99"  # newest first
    assert first.xpath('//a[@rel="next"]/@href') == ["../links/page/1/index.html"]
    # The month's listing is paginated the same way, and every page of it shows the short item.
    month = parse(site / "links" / "months" / "2025-07" / "page" / "1" / "index.html")
    assert len(month.xpath('//li[@class="link"]')) == 100
    assert not month.xpath('//a[starts-with(@href, "https://web.archive.org/")]')


def test_month_and_domain_listings_show_a_compact_item(corpus_site: Path) -> None:
    """Title, the link without its scheme, the first day linked to the first post, the count;
    the full item (tags, every post, Wayback) only on links/, which lists every link."""
    page_path = corpus_site / "links" / "months" / "2025-07" / "index.html"
    entry = parse(page_path).xpath('//li[@class="link"][a/@href="https://habr.com/ru/articles/1/"]')
    assert len(entry) == 1
    assert entry[0].xpath('string(a[@class="link-title"])') == HOSTILE_TITLE
    assert entry[0].xpath('string(span[@class="link-url"])') == "habr.com/ru/articles/1/"
    meta = " ".join(entry[0].xpath('string(p[@class="link-meta"])').split())
    assert meta == "First shared July 10, 2025 · shared by 2 posts"
    (first,) = entry[0].xpath('p[@class="link-meta"]/a')
    assert first.xpath("time/@datetime") == ["2025-07-10"]
    target, fragment = resolve(corpus_site, page_path, first.get("href"))
    holder = parse(target).xpath(f'//div[@id="{fragment}"]/article/@data-uri')
    assert holder == ["https://mastodon.social/users/a/statuses/1"]  # the post that shared it first
    assert not entry[0].xpath('.//a[starts-with(@href, "https://web.archive.org/")]')
    full = parse(corpus_site / "links" / "index.html")
    assert full.xpath('//li[@class="link"]//a[starts-with(@href, "https://web.archive.org/")]')
    domain = parse(corpus_site / "links" / "domains" / "habr.com" / "index.html")
    assert len(domain.xpath('//li[@class="link"]/p[@class="link-meta"]')) == len(
        domain.xpath('//li[@class="link"]')
    )  # one line of facts an item
