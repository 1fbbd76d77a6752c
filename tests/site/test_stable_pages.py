"""Stable pagination in real Pelican builds (issue 14): a rebuild after fewer new posts than a
page holds rewrites only the index pages of each listing; numbered pages keep their bytes and
their mtime, and every ``DIGEST_PER_PAGE`` new posts add exactly one numbered page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import lxml.html
from digest_support import articles, build, parse, write_archive
from factories import timeline_post
from tag_digest.archive.records import Post

PER_PAGE = 3
LISTINGS = ("tags/python", "weeks/2025-W02", "days/2025-01-07")
"""A tag, a week and a day: all the posts below are in each."""


def post(n: int) -> Post:
    """Post ``n`` (``n`` minutes after 08:00 on Tuesday 7 January 2025, UTC), tagged #Python."""
    when = f"2025-01-07T{8 + n // 60:02d}:{n % 60:02d}:00.000Z"
    return timeline_post(n, when, ["Python"], f"<p>Post {n}</p>", acct="ann", name="Ann")


def rebuild(tmp: Path, count: int) -> Path:
    """A build of posts 0 … ``count - 1`` into the same output and cache as the last one."""
    archive = write_archive(tmp / "archive", (post(n) for n in range(count)))
    return build(tmp, archive, DIGEST_TAGS=["Python"], DIGEST_PER_PAGE=PER_PAGE)


def numbered(site: Path) -> dict[str, tuple[bytes, int]]:
    """Every numbered page of the listings: its bytes and mtime, by path."""
    pages = {}
    for listing in LISTINGS:
        for path in sorted((site / listing / "page").glob("*/index.html")):
            pages[path.relative_to(site).as_posix()] = (path.read_bytes(), path.stat().st_mtime_ns)
    return pages


def anchors(path: Path) -> list[str]:
    """The ids of a page's posts: their ``<div class="entry">`` (the anchors post links use)."""
    return [str(a) for a in parse(path).xpath('//div[@class="entry"]/@id')]


def uris(path: Path) -> list[str]:
    """The posts a page shows, by their ``uri``."""
    return [str(a.get("data-uri")) for a in articles(parse(path))]


def shown(site: Path, listing: str) -> list[str]:
    """The posts of a listing, page by page from the index down to page 1."""
    root = site / listing
    pages = sorted((root / "page").glob("*/index.html"), key=lambda p: -int(p.parent.name))
    return [u for path in [root / "index.html", *pages] for u in uris(path)]


def test_fewer_new_posts_than_a_page_leave_every_numbered_page_untouched(tmp_path: Path) -> None:
    site = rebuild(tmp_path, 9)  # 9 by 3: pages 1 and 2, and 3 posts on the index
    before = numbered(site)
    assert set(before) == {f"{listing}/page/{n}/index.html" for listing in LISTINGS for n in (1, 2)}
    index_before = {listing: (site / listing / "index.html").read_bytes() for listing in LISTINGS}
    site = rebuild(tmp_path, 11)  # 2 new posts: still pages 1 and 2, 5 posts on the index
    assert numbered(site) == before  # same bytes, not even rewritten
    for listing in LISTINGS:
        index = site / listing / "index.html"
        assert index.read_bytes() != index_before[listing]
        assert len(uris(index)) == 5
        every = shown(site, listing)
        assert len(every) == len(set(every)) == 11  # each post on exactly one page
        assert every[:2] == [post(n).uri for n in (10, 9)]  # the new posts, on the index
    # The index's "older" link goes to page 2; page 2's "newer" link back to the index.
    tag = site / "tags" / "python"
    (older,) = parse(tag / "index.html").xpath('//nav[@class="pager"]//a[@rel="next"]/@href')
    assert follow(tag / "index.html", older) == tag / "page" / "2" / "index.html"
    page_2 = tag / "page" / "2" / "index.html"
    (newer,) = parse(page_2).xpath('//nav[@class="pager"]//a[@rel="prev"]/@href')
    assert follow(page_2, newer) == tag / "index.html"

    # One more post fills a page: exactly one new numbered page, page 3 (posts 7 to 9).
    site = rebuild(tmp_path, 12)
    after = numbered(site)
    for listing in LISTINGS:
        assert set(after) - set(before) & {p for p in after if p.startswith(listing)} == {
            f"{listing}/page/3/index.html"
        }
        assert after[f"{listing}/page/1/index.html"] == before[f"{listing}/page/1/index.html"]
        # Page 2 keeps its posts; only its "newer" link now goes to page 3, not the index.
        again = site / listing / "page" / "2" / "index.html"
        assert uris(again) == uris_of(before[f"{listing}/page/2/index.html"][0])
        assert uris(again) == [post(n).uri for n in (5, 4, 3)]
        (newer,) = lxml.html.fromstring(after[f"{listing}/page/2/index.html"][0]).xpath(
            '//nav[@class="pager"]//a[@rel="prev"]/@href'
        )
        assert follow(again, newer) == site / listing / "page" / "3" / "index.html"
        assert uris(site / listing / "index.html") == [post(n).uri for n in (11, 10, 9)]
        assert len(set(shown(site, listing))) == len(shown(site, listing)) == 12


def follow(page: Path, href: str) -> Path:
    """The file a relative link on ``page`` leads to (a directory: its ``index.html``)."""
    target = (page.parent / href).resolve()
    return target / "index.html" if target.is_dir() else target


def uris_of(html: bytes) -> list[str]:
    return [str(a.get("data-uri")) for a in articles(lxml.html.fromstring(html))]


def test_every_post_link_lands_on_its_anchor_in_its_day(tmp_path: Path) -> None:
    site = rebuild(tmp_path, 11)
    feed = feedparser.parse((site / "feeds" / "all.atom.xml").read_bytes())
    assert len(feed.entries) == 11
    pages = set()
    for entry in feed.entries:
        link = urlsplit(entry.link)
        target = site / link.path.lstrip("/")
        target = target / "index.html" if target.is_dir() else target
        assert link.fragment in anchors(target), entry.link
        pages.add(target.relative_to(site).as_posix())
    assert pages == {
        "days/2025-01-07/index.html",
        "days/2025-01-07/page/1/index.html",
        "days/2025-01-07/page/2/index.html",
    }


def _sharing(n: int, link: int, when: str) -> Post:
    """Post ``n`` at ``when`` sharing ``https://links.example/<link>``."""
    url = f"https://links.example/{link}"
    return timeline_post(n, when, ["Python"], f'<p>Post {n} <a href="{url}">{url}</a></p>')


def _link_urls(path: Path) -> list[str]:
    """The links a link listing page shows, in order (their ``Wayback`` siblings aside)."""
    found = parse(path).xpath('//a[starts-with(@href, "https://links.example/")]/@href')
    return list(dict.fromkeys(str(u) for u in found))


def test_a_link_shared_again_keeps_its_place_in_the_link_listing(tmp_path: Path) -> None:
    # 250 links, one a post, a minute apart: pages 1 (the oldest 100) and the index (150).
    posts = [
        _sharing(n, n, f"2025-01-07T{8 + n // 60:02d}:{n % 60:02d}:00.000Z") for n in range(250)
    ]
    archive = write_archive(tmp_path / "archive", posts)
    site = build(tmp_path, archive, DIGEST_TAGS=["Python"])
    page1 = site / "links" / "page" / "1" / "index.html"
    before = _link_urls(page1)
    assert before == [f"https://links.example/{n}" for n in range(99, -1, -1)]
    index_before = _link_urls(site / "links" / "index.html")
    assert index_before[0] == "https://links.example/249"

    # A new post shares the oldest link again: it stays on page 1, in its place; only its
    # item (two posts now, last seen today) changes.
    again = _sharing(1000, 0, "2025-01-08T09:00:00.000Z")
    archive = write_archive(tmp_path / "archive", [*posts, again])
    site = build(tmp_path, archive, DIGEST_TAGS=["Python"])
    assert _link_urls(page1) == before
    assert _link_urls(site / "links" / "index.html") == index_before
    exported = (site / "links.json").read_text("utf-8")
    assert '"last_seen":"2025-01-08T09:00:00.000Z"' in exported.replace(" ", "")
