"""Feeds, sitemap, robots.txt and head links from real Pelican builds (issue 4)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import quote, urlsplit
from urllib.robotparser import RobotFileParser

import feedparser
import pytest
from digest_support import FIXTURES, ROOT, build, parse, write_archive, write_archive_lines
from factories import mastodon_status
from lxml import etree
from tag_digest.archive.records import Post, to_json_line
from tag_digest.archive.shards import Archive
from tag_digest.archive.statuses import from_status

DEFAULT_ARCHIVE = ROOT / "content" / "archive"
SITE = "https://example.github.io/digest"
FEEDS = "https://feeds.example.org/digest"
ATOM = {"a": "http://www.w3.org/2005/Atom"}
SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def status(n: int, when: str, tags: list[str]) -> Post:
    return from_status(
        mastodon_status(
            n,
            created_at=when,
            language="ru",
            content=f'<p>Пост номер {n} <a href="https://example.org/{n}">ссылка</a> &lt;b&gt;',
            tags=[{"name": t} for t in tags],
        ),
        "https://mastodon.social",
        "2025-01-05T00:00:00.000Z",
    )


@pytest.fixture(scope="module")
def schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(FIXTURES / "atom.rng")))


@pytest.fixture(scope="module")
def sitemap_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(FIXTURES / "sitemap.xsd")))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("feeds")
    posts = list(Archive.load(DEFAULT_ARCHIVE)) + [
        status(n, f"2024-12-{10 + n:02d}T10:00:00.000Z", ["Машинное_обучение"]) for n in range(6)
    ]
    archive = write_archive(tmp / "archive", posts)
    return build(
        tmp,
        archive,
        DIGEST_TAGS=["Supervised_finetuning", "Машинное_обучение"],
        SITEURL=SITE,
        FEED_DOMAIN=FEEDS,
        RELATIVE_URLS=False,
        DIGEST_FEED_LIMIT=4,
    )


def feed_paths(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in (site / "feeds").rglob("*.atom.xml"))


def test_every_feed_is_valid_rfc_4287(site: Path, schema: etree.RelaxNG) -> None:
    assert feed_paths(site) == [
        "feeds/all.atom.xml",
        "feeds/tags/supervised_finetuning.atom.xml",
        "feeds/tags/машинное_обучение.atom.xml",
        "feeds/weeks.atom.xml",
    ]
    for path in feed_paths(site):
        data = (site / path).read_bytes()
        root = etree.fromstring(data)
        assert schema.validate(root), (path, schema.error_log)
        self_link = root.xpath("a:link[@rel='self']/@href", namespaces=ATOM)
        assert self_link == [f"{FEEDS}/{quote(path)}"]
        assert root.findtext("a:id", namespaces=ATOM) == self_link[0]
        for url in root.xpath("//a:link/@href | //a:id/text()", namespaces=ATOM):
            assert urlsplit(url).scheme == "https", url
        parsed = feedparser.parse(data)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert 1 <= len(parsed.entries) <= 4  # DIGEST_FEED_LIMIT


def test_tag_feed_entries_are_the_newest_posts(site: Path) -> None:
    parsed = feedparser.parse((site / "feeds/tags/машинное_обучение.atom.xml").read_bytes())
    assert [e.id for e in parsed.entries] == [
        f"https://mastodon.social/users/a/statuses/{n}" for n in (5, 4, 3, 2)
    ]
    entry = parsed.entries[0]
    assert entry.title == "Пост номер 5 ссылка <b>"
    assert entry.link.startswith(f"{FEEDS}/days/2024-12-15/#p-")
    assert "https://example.org/5" in entry.content[0].value
    assert {t.term for t in entry.tags} == {"машинное_обучение"}
    assert entry.author == "Автор"


def test_weekly_feed_has_one_entry_per_week(site: Path) -> None:
    parsed = feedparser.parse((site / "feeds/weeks.atom.xml").read_bytes())
    assert [e.id for e in parsed.entries] == [
        f"{FEEDS}/weeks/2024-W52/",
        f"{FEEDS}/weeks/2024-W50/",  # 10-15 December; no empty 2024-W51
        f"{FEEDS}/weeks/2024-W30/",
    ]
    assert parsed.entries[0].title.startswith("Неделя 2024-W52")
    assert "#Машинное_обучение: 6" in parsed.entries[1].content[0].value


def test_pages_announce_their_feeds_and_canonical_url(site: Path) -> None:
    tag_page = parse(site / "tags" / "машинное_обучение" / "index.html")
    feeds = tag_page.xpath('//link[@rel="alternate"][@type="application/atom+xml"]/@href')
    assert feeds == [
        f"{FEEDS}/feeds/all.atom.xml",
        f"{FEEDS}/feeds/weeks.atom.xml",
        f"{FEEDS}/feeds/tags/{quote('машинное_обучение')}.atom.xml",
    ]
    week = parse(site / "weeks" / "2024-W52" / "index.html")
    assert len(week.xpath('//link[@type="application/atom+xml"]')) == 2  # no tag feed here
    assert tag_page.xpath('//link[@rel="canonical"]/@href') == [
        f"{SITE}/tags/{quote('машинное_обучение')}/"
    ]
    about = parse(site / "pages" / "about.html")
    assert about.xpath('//link[@rel="canonical"]/@href') == [f"{SITE}/pages/about.html"]


def test_sitemap_and_robots(site: Path, sitemap_schema: etree.XMLSchema) -> None:
    root = etree.parse(str(site / "sitemap.xml")).getroot()
    assert sitemap_schema.validate(root), sitemap_schema.error_log
    locs = root.xpath("s:url/s:loc/text()", namespaces=SITEMAP)
    for expected in (
        f"{SITE}/",
        f"{SITE}/tags/supervised_finetuning/",
        f"{SITE}/weeks/2024-W52/",
        f"{SITE}/days/2024-12-27/",
        f"{SITE}/archive/",
        f"{SITE}/links/",
        f"{SITE}/pages/about.html",
    ):
        assert expected in locs
    assert len(locs) == len(set(locs))
    assert all(loc.isascii() for loc in locs)
    query = f"s:url[s:loc='{SITE}/weeks/2024-W52/']/s:lastmod/text()"
    week = root.xpath(query, namespaces=SITEMAP)
    assert week == ["2024-12-27T09:41:12Z"]
    robots = RobotFileParser()
    robots.parse((site / "robots.txt").read_text(encoding="utf-8").splitlines())
    assert robots.site_maps() == [f"{SITE}/sitemap.xml"]
    assert robots.can_fetch("*", f"{SITE}/weeks/2024-W52/")


def test_without_an_absolute_siteurl_there_are_no_feeds_or_sitemap(tmp_path: Path) -> None:
    site = build(tmp_path, DEFAULT_ARCHIVE, FEED_DOMAIN="")
    assert not (site / "feeds").exists() and not (site / "sitemap.xml").exists()
    assert (site / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nAllow: /\n"
    page = parse(site / "weeks" / "2024-W52" / "index.html")
    assert page.xpath('//link[@type="application/atom+xml"]') == []


def test_a_rebuild_with_nothing_new_writes_identical_bytes(tmp_path: Path) -> None:
    archive = write_archive(tmp_path / "archive", [status(1, "2024-12-20T10:00:00.000Z", ["LLM"])])
    settings = {"DIGEST_TAGS": ["LLM"], "SITEURL": SITE, "RELATIVE_URLS": False}
    site = build(tmp_path, archive, **settings)
    files = ["feeds/all.atom.xml", "feeds/weeks.atom.xml", "feeds/tags/llm.atom.xml", "sitemap.xml",
             "robots.txt", "links.json"]  # fmt: skip
    before = {name: (site / name).read_bytes() for name in files}
    site = build(tmp_path, archive, **settings)
    assert {name: (site / name).read_bytes() for name in files} == before
    updated = etree.fromstring(before["feeds/all.atom.xml"]).findtext("a:updated", namespaces=ATOM)
    assert updated == "2024-12-20T10:00:00Z"  # from the posts, never the clock
    assert dt.datetime.fromisoformat(updated) < dt.datetime.now(dt.UTC)


def test_the_local_build_feeds_point_at_make_serve(tmp_path: Path) -> None:
    """pelicanconf.py's FEED_DOMAIN: `make site` writes feeds that work under `make serve`."""
    site = build(tmp_path, DEFAULT_ARCHIVE)
    feed = etree.parse(str(site / "feeds" / "tags" / "supervised_finetuning.atom.xml"))
    self_link = feed.xpath("/a:feed/a:link[@rel='self']/@href", namespaces=ATOM)
    assert self_link == ["http://127.0.0.1:8000/feeds/tags/supervised_finetuning.atom.xml"]
    assert len(feed.xpath("/a:feed/a:entry", namespaces=ATOM)) == 4


def test_a_feed_never_carries_an_untrusted_url_that_is_not_http(tmp_path: Path) -> None:
    """An author's URL comes from the network: a reader may link the name in the feed to it."""
    records = []
    for n, url in enumerate(["javascript:alert(1)", "data:text/html,<script>alert(2)</script>",
                             " JaVaScRiPt:alert(3)", "https://mastodon.social/@a"]):  # fmt: skip
        record = json.loads(to_json_line(status(n, f"2024-12-1{n}T10:00:00.000Z", ["LLM"])))
        record["account"]["url"] = url
        records.append(record)
    archive = write_archive_lines(tmp_path / "archive", records)
    site = build(tmp_path, archive, DIGEST_TAGS=["LLM"], SITEURL=SITE, RELATIVE_URLS=False)
    for path in sorted((site / "feeds").rglob("*.atom.xml")):
        feed = etree.parse(str(path))
        uris = feed.xpath("//a:uri/text() | //@href", namespaces=ATOM)
        assert uris and all(urlsplit(u).scheme in ("http", "https") for u in uris), (path, uris)
    authors = etree.parse(str(site / "feeds" / "all.atom.xml")).xpath(
        "//a:entry/a:author/a:uri/text()", namespaces=ATOM
    )
    assert authors == ["https://mastodon.social/@a"]
