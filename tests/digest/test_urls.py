"""Output paths and links without Pelican: ``relative_root`` is Pelican's own answer."""

from __future__ import annotations

import pytest
from pelican.utils import get_relative_path, path_to_url
from tag_digest.digest.urls import Urls, relative_root


@pytest.mark.parametrize(
    "page_path",
    [
        "",
        "index.html",
        "tags/python/index.html",
        "tags/python/page/2/index.html",
        "weeks/2024-W52/index.html",
        "digest/links/example.org/index.html",
        "a//b/index.html",
        "a/b/",
    ],
)
def test_relative_root_is_what_pelican_gives(page_path: str) -> None:
    assert relative_root(page_path) == path_to_url(get_relative_path(page_path))


def test_siteurl_for_a_page() -> None:
    relative = Urls(relative=True, site_url="https://example.org")
    assert relative.siteurl_for("tags/x/index.html") == "../.."
    assert relative.siteurl_for("index.html") == "."
    assert Urls(relative=False, site_url="https://example.org").siteurl_for(
        "tags/x/index.html"
    ) == ("https://example.org")
