"""Compact entries rendered once per post and build (:mod:`tag_digest.site.compact_html`):
the real builders and templates of ``theme/`` (:mod:`builder_support`), pages read back."""

from __future__ import annotations

import datetime as dt
import filecmp
import shutil
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from builder_support import TEMPLATES, digest
from digest_support import articles
from factories import timeline_post
from jinja2 import ChoiceLoader, FileSystemLoader
from tag_digest.archive.records import Post
from tag_digest.digest.model import InMemoryFragments
from tag_digest.digest.periods import post_anchor
from tag_digest.site.context import TimedPage, in_time_order

TAGS = ("rstats", "dataviz")


def posts() -> list[Post]:
    """Twelve posts over two weeks, each under both tags or one, newest first."""
    start = dt.datetime(2024, 12, 30, 12, tzinfo=dt.UTC)
    out = []
    for n in range(12):
        when = (start - dt.timedelta(hours=20 * n)).isoformat().replace("+00:00", ".000Z")
        tags = list(TAGS) if n % 3 else ["rstats"]
        out.append(timeline_post(n + 1, when, tags, f"<p>Post {n + 1} #rstats</p>", name="A"))
    return out


def compact_pages(output: Path) -> list[str]:
    return sorted(
        p.relative_to(output).as_posix()
        for kind in ("tags", "weeks")
        for p in (output / kind).rglob("index.html")
    )


def summary_target(output: Path, page: str, href: str) -> tuple[str, str]:
    """The page and anchor a link on ``page`` leads to."""
    url = urljoin((output / page).as_uri(), href)
    path = Path(unquote(urlsplit(url).path)).relative_to(output).as_posix()
    return path, urlsplit(url).fragment


def test_each_entry_is_rendered_once_and_links_right_from_every_depth(tmp_path: Path) -> None:
    site = digest(tmp_path, posts(), tags=TAGS, per_page=2)
    site.pages.write(site.out, home=False)
    pages = compact_pages(site.output)
    assert any("/page/" in p for p in pages)  # pages at two depths below the tag folders
    shown = 0
    for page in pages:
        for entry in articles(site.html(page)):
            assert "compact" in entry.get("class", "").split()
            (href,) = entry.xpath(".//a[contains(@class, 'p-summary')]/@href")
            day_page, anchor = summary_target(site.output, page, href)
            uri = entry.get("data-uri")
            assert anchor == post_anchor(uri)
            # the link leads to the day page that holds the post in full
            full = site.html(day_page).xpath(f"//div[@id='{anchor}']//article/@data-uri")
            assert full == [uri], (page, href)
            shown += 1
    assert shown == sum(len(p.tags) + 1 for p in posts())  # every tag page and the week page
    assert site.pages.compact.renders == len(posts())


def test_what_is_kept_changes_how_often_an_entry_is_rendered_never_a_page(
    tmp_path: Path,
) -> None:
    sites = []
    for kept in (1, 20_000):
        site = digest(tmp_path / str(kept), posts(), tags=TAGS, per_page=2)
        site.pages.compact.kept = kept
        site.pages.write(site.out, home=False)
        sites.append(site)
    few, many = sites
    assert many.pages.compact.renders == len(posts()) < few.pages.compact.renders
    pages = compact_pages(few.output)
    assert pages == compact_pages(many.output)
    _, mismatch, errors = filecmp.cmpfiles(few.output, many.output, pages, shallow=False)
    assert not mismatch and not errors


def test_a_theme_showing_siteurl_otherwise_gets_a_rendering_per_page(tmp_path: Path) -> None:
    theme = tmp_path / "theme" / "digest"
    theme.mkdir(parents=True)
    shutil.copy(TEMPLATES / "digest" / "compact.html", theme / "compact.html")
    own = (theme / "compact.html").read_text(encoding="utf-8")
    (theme / "compact.html").write_text(
        own.replace(
            '<article class="h-entry compact"',
            '<article data-root="{{ SITEURL }}" class="h-entry compact"',
        ),
        encoding="utf-8",
    )
    site = digest(tmp_path / "site", posts(), tags=TAGS, per_page=2)
    site.out.env.loader = ChoiceLoader([FileSystemLoader(tmp_path / "theme"), site.out.env.loader])
    site.pages.write(site.out, home=False)
    assert not site.pages.compact.shared
    roots = {
        "tags/rstats/index.html": "../..",
        "tags/rstats/page/1/index.html": "../../../..",
        "weeks/2024-W52/index.html": "../..",
    }
    for page, root in roots.items():
        entries = articles(site.html(page))
        assert entries and {e.get("data-root") for e in entries} == {root}, page
    shown = sum(len(articles(site.html(p))) for p in compact_pages(site.output))
    assert site.pages.compact.renders == shown


def test_pages_are_written_newest_first_those_without_posts_first() -> None:
    written: list[str] = []

    def page(day: int | None, name: str) -> TimedPage:
        newest = None if day is None else dt.datetime(2024, 12, day, tzinfo=dt.UTC)
        return newest, lambda out: written.append(name)

    pages = [page(2, "old"), page(9, "tag"), page(None, "empty"), page(9, "week"), page(5, "mid")]
    for write in in_time_order(pages):
        write(None)  # type: ignore[arg-type]  # these writers need no sink
    assert written == ["empty", "tag", "week", "mid", "old"]  # ties keep their order


def test_pages_of_compact_entries_read_no_fragment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = digest(tmp_path, posts(), tags=TAGS, per_page=2)
    read: list[str] = []
    fragment = InMemoryFragments.fragment
    monkeypatch.setattr(
        InMemoryFragments, "fragment", lambda self, uri: read.append(uri) or fragment(self, uri)
    )
    site.pages.tag_pages.write(site.out)
    site.pages.period_pages.write_weeks(site.out)
    assert any(p.startswith("weeks/") for p in site.written()) and not read
    site.pages.period_pages.write_days(site.out)  # the days show the posts in full
    assert sorted(read) == sorted(p.uri for p in posts())


def test_a_theme_that_still_includes_compact_html_shows_the_same_pages(tmp_path: Path) -> None:
    theme = tmp_path / "theme" / "digest"
    theme.mkdir(parents=True)
    for name in ("days.html", "week.html"):
        own = (TEMPLATES / "digest" / name).read_text(encoding="utf-8")
        for entries in ("group.items", "section.compact"):
            own = own.replace(
                f"{{{{ compact.html({entries}) }}}}",
                f'{{% with entries = compact({entries}) %}}{{% include "digest/compact.html" %}}'
                "{% endwith %}",
            )
        assert "compact.html(" not in own
        (theme / name).write_text(own, encoding="utf-8")
    sites = []
    for name, loader in (("own", FileSystemLoader(tmp_path / "theme")), ("bundled", None)):
        site = digest(tmp_path / name, posts(), tags=TAGS, per_page=2)
        if loader is not None:
            site.out.env.loader = ChoiceLoader([loader, site.out.env.loader])
        site.pages.write(site.out, home=False)
        sites.append(site)
    own_site, bundled = sites
    assert own_site.pages.compact.renders == 0  # the theme rendered them itself
    pages = compact_pages(bundled.output)
    _, mismatch, errors = filecmp.cmpfiles(own_site.output, bundled.output, pages, shallow=False)
    assert pages and not mismatch and not errors
