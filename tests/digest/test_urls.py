"""Output paths and links without Pelican: ``relative_root`` is Pelican's own answer; links
to our own pages are IRIs, made URIs for feeds."""

from __future__ import annotations

from urllib.parse import quote, unquote

import pytest
from pelican.utils import get_relative_path, path_to_url
from tag_digest.digest.urls import (
    ROOT,
    Urls,
    iri_to_uri,
    relative_root,
    resolve_root,
    resolve_root_uri,
)


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


@pytest.mark.parametrize(
    ("path", "written"),
    [
        ("tags/машинное_обучение/index.html", "tags/машинное_обучение/index.html"),
        ("tags/python/page/2/index.html", "tags/python/page/2/index.html"),
        ("tags/künstliche/", "tags/künstliche/"),
        # what would end or break an attribute, a path or a URL stays escaped
        ("tags/a b/", "tags/a%20b/"),
        ("tags/\"<x>&'/", "tags/%22%3Cx%3E%26%27/"),
        ("tags/100%/", "tags/100%25/"),
        ("tags/x#y?z/", "tags/x%23y%3Fz/"),
        ("tags/\x01\x7f/", "tags/%01%7F/"),
        # invisible or ambiguous code points: C1 control, no-break space, line separator,
        # bidi override, zero-width joiner, private use, a non-character
        ("tags/\x85\xa0\u2028/", "tags/%C2%85%C2%A0%E2%80%A8/"),
        ("tags/а\u202eб\u200dв/", "tags/а%E2%80%AEб%E2%80%8Dв/"),
        ("tags/\ue000\ufdd0\uffff/", "tags/%EE%80%80%EF%B7%90%EF%BF%BF/"),
    ],
)
def test_links_to_our_pages_are_iris(path: str, written: str) -> None:
    urls = Urls(relative=True, site_url="")
    assert urls.link(path) == written
    assert unquote(written) == path  # nothing lost: the IRI names the same file
    assert iri_to_uri(written) == quote(path, safe="/")  # and is that URI, once a browser sends it


def test_without_relative_urls_a_link_ends_at_the_directory() -> None:
    urls = Urls(relative=False, site_url="https://example.org")
    assert urls.link("tags/хабр/index.html") == "tags/хабр/"
    assert urls.rooted("tags/хабр/index.html") == ROOT + "tags/хабр/"


def test_iri_to_uri_encodes_only_what_is_not_ascii() -> None:
    assert iri_to_uri("https://example.org/tags/хабр/#p-1") == (
        "https://example.org/tags/%D1%85%D0%B0%D0%B1%D1%80/#p-1"
    )
    assert iri_to_uri("tags/a%20b/?q=1&x") == "tags/a%20b/?q=1&x"


def test_feed_content_gets_uris_and_pages_get_iris() -> None:
    fragment = (
        f'<a href="{ROOT}tags/хабр/index.html" class="mention hashtag">#<span>Хабр</span></a>'
        ' <a href="https://habr.com/ru/хабр" rel="nofollow noopener ugc">habr</a>'
    )
    root = "https://example.org/digest/"
    assert resolve_root(fragment, "../../") == fragment.replace(ROOT, "../../")
    assert resolve_root_uri(fragment, root) == (
        '<a href="https://example.org/digest/tags/%D1%85%D0%B0%D0%B1%D1%80/index.html"'
        ' class="mention hashtag">#<span>Хабр</span></a>'
        ' <a href="https://habr.com/ru/хабр" rel="nofollow noopener ugc">habr</a>'
    )  # only our own links change: a post's own links are the post's
