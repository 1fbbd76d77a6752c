"""The output paths the plugin claims come from the path builders (no hand-kept pattern)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tag_digest.digest.urls import tag_page_path
from tag_digest.formats.feeds import tag_feed_path
from tag_digest.site.link_pages import domain_page, links_page_path
from tag_digest.site.owned import owns_output
from tag_digest.site.period_pages import page_path


@pytest.mark.parametrize(
    "path",
    [
        tag_page_path("rstats"),
        tag_page_path("rstats", 7),
        page_path("weeks/2024-W52/", 1),
        page_path("days/2024-12-27/", 12),
        links_page_path("links", 3),
        links_page_path("links/months/2024-12"),
        domain_page("https://www.example.org/a"),
        tag_feed_path("rstats"),
        "feeds/all.atom.xml",
        "feeds/weeks.atom.xml",
        "archive/index.html",
        "removal/index.html",
        "search/index.html",
        "links.json",
        "bookmarks.html",
        "robots.txt",
        "sitemap.xml",
        "sitemap-3.xml",
    ],
)
def test_every_kind_of_page_is_claimed(path: str) -> None:
    assert owns_output(path)


@pytest.mark.parametrize(
    "path",
    [
        "index.html",  # the theme's home page (Pelican's own)
        "theme/css/main.css",
        "tags/a/b/index.html",
        "tags/rstats/page/x/index.html",
        "pagefind/pagefind.js",
        "feeds/other.atom.xml",
        "about/index.html",
    ],
)
def test_other_files_are_not(path: str) -> None:
    assert not owns_output(path)


def test_the_render_cache_key_hashes_every_module_of_the_package() -> None:
    import tag_digest
    from tag_digest.site.build_keys import code_files

    package = Path(tag_digest.__file__).parent
    hashed = {p.relative_to(package).as_posix() for p in code_files()}
    every = {p.relative_to(package).as_posix() for p in package.rglob("*.py")}
    assert hashed == every
    for folder in ("fetch", "archive", "digest", "formats", "site"):
        assert f"{folder}/__init__.py" in hashed or any(h.startswith(f"{folder}/") for h in hashed)
    assert "site/generator.py" in hashed and "digest/model.py" in hashed
