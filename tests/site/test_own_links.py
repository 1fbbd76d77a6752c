"""Links to the site's own pages, in a real build (issue 14, bytes per page).

In HTML, a link to one of our pages is an IRI (``tags/машинное_обучение/``, its letters
not percent-encoded) that names an output file as it is, and carries no
``rel="nofollow noopener ugc"``; a post's links elsewhere keep that ``rel``. Feeds,
the sitemap, canonical and ``og:url`` links and the link exports stay URIs (ASCII,
percent-encoded): they are read by other tools than browsers.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, urldefrag, urljoin, urlsplit

import lxml.etree
import lxml.html
import pytest
from digest_support import articles, build, iter_html, parse, write_archive
from factories import timeline_post

SITE = "https://digest.example.org/sub"
TAGS = ["Машинное_обучение", "Хабр", "LLM"]
CYRILLIC_PAGES = ("tags/машинное_обучение/", "tags/хабр/")
LINK_REL = {"nofollow", "noopener", "ugc"}


def hashtag(tag: str) -> str:
    return (
        f'<a href="https://mastodon.social/tags/{tag}" class="mention hashtag" rel="tag">'
        f"#<span>{tag}</span></a>"
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("own-links")
    posts = [
        timeline_post(
            n,
            f"2025-01-0{1 + n % 3}T10:0{n}:00.000Z",
            [TAGS[n % 3], "Прочее"],
            f'<p>Пост {n}: <a href="https://habr.com/ru/articles/{n}/">habr.com/ru/articles/{n}</a>'
            f" {hashtag(TAGS[n % 3])} {hashtag('Прочее')}</p>",
        )
        for n in range(6)
    ]
    archive = write_archive(tmp / "archive", posts)
    return build(tmp, archive, DIGEST_TAGS=TAGS, SITEURL=SITE, FEED_DOMAIN=SITE)


def internal(href: str) -> bool:
    parts = urlsplit(href)
    return not parts.scheme and not href.startswith("//")


def target(site: Path, page: Path, href: str) -> Path:
    """The file a relative ``href`` on ``page`` names, read as it is (no unquoting)."""
    joined = Path(urldefrag(urljoin("file://" + str(page), href))[0].removeprefix("file://"))
    return joined / "index.html" if joined.is_dir() else joined


def test_links_to_cyrillic_tag_pages_are_iris_that_name_existing_files(site: Path) -> None:
    seen: dict[str, int] = {}
    for page in iter_html(site):
        if page.name == "bookmarks.html":
            continue
        for a in parse(page).xpath("//a[@href] | //link[@href]"):
            href = a.get("href")
            if not internal(href):
                continue
            assert "%" not in href, (str(page.relative_to(site)), href)
            assert target(site, page, href).is_file(), (str(page.relative_to(site)), href)
            for path in CYRILLIC_PAGES:
                if path in href:
                    seen[path] = seen.get(path, 0) + 1
    assert set(seen) == set(CYRILLIC_PAGES)
    assert min(seen.values()) > 10  # the nav of every page, the posts' hashtags, the chips
    day = parse(next((site / "days").glob("*/index.html")))
    hashtags = [a.get("href") for a in day.xpath('//div[contains(@class, "e-content")]//a')]
    assert any("tags/машинное_обучение/" in h or "tags/хабр/" in h for h in hashtags), hashtags


def test_links_to_our_pages_have_no_nofollow_and_links_elsewhere_keep_it(site: Path) -> None:
    ours = theirs = 0
    for page in iter_html(site):
        if page.name == "bookmarks.html":
            continue
        root = parse(page)
        for a in root.xpath("//a[@href]"):
            rel = set((a.get("rel") or "").split())
            if internal(a.get("href")):
                assert not rel & LINK_REL, (str(page.relative_to(site)), a.get("href"), rel)
                ours += 1
        for post in articles(root):
            for a in post.xpath(".//a[@href]"):
                if not internal(a.get("href")):
                    rel = set((a.get("rel") or "").split())
                    assert rel >= LINK_REL, (str(page.relative_to(site)), a.get("href"))
                    theirs += 1
    assert ours > 100 and theirs > 10


def test_feeds_sitemap_canonical_and_exports_stay_percent_encoded(site: Path) -> None:
    encoded = f"{SITE}/tags/{quote('машинное_обучение')}/"
    feeds = sorted((site / "feeds").rglob("*.atom.xml"))
    assert feeds
    in_content = 0
    for feed in feeds:
        text = feed.read_text(encoding="utf-8")
        tree = lxml.etree.fromstring(feed.read_bytes())
        for element in tree.iter():
            for name in ("href", "uri", "scheme"):
                value = element.get(name)
                if value:
                    assert value.isascii(), (feed.name, value)
        for content in tree.iter("{http://www.w3.org/2005/Atom}content"):
            body = lxml.html.fragment_fromstring(content.text or "", create_parent="div")
            for href in body.xpath("//a/@href"):
                if href.startswith(SITE):
                    assert href.isascii(), (feed.name, href)
                    in_content += href.startswith(encoded)
        assert "tags/машинное_обучение/" not in text.replace("#Машинное_обучение", "")
    assert in_content > 0
    sitemap = lxml.etree.fromstring((site / "sitemap.xml").read_bytes())
    locations = [e.text or "" for e in sitemap.iter("{*}loc")]
    assert encoded in locations and all(loc.isascii() for loc in locations)
    tag_page = parse(site / "tags" / "машинное_обучение" / "index.html")
    assert tag_page.xpath('//link[@rel="canonical"]/@href') == [encoded]
    assert tag_page.xpath('//meta[@property="og:url"]/@content') == [encoded]
    exported = json.loads((site / "links.json").read_text(encoding="utf-8"))
    digest_urls = [share["digest_url"] for link in exported for share in link["posts"]]
    assert digest_urls and all(u.startswith(SITE + "/") and u.isascii() for u in digest_urls)
