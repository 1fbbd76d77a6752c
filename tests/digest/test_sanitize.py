"""The allow-list sanitiser and hashtag rewriting, on crafted input and on every real status."""

from __future__ import annotations

import lxml.html
import pytest
from digest_support import corpus_statuses
from tag_digest.digest.sanitize import (
    ALLOWED_CLASSES,
    ALLOWED_TAGS,
    LINK_REL,
    clean_html,
    link_hashtags,
    plain,
    safe_url,
)

CORPUS_FILES = [
    "rtoot/get_timeline_hashtag_anonymous.yml",
    "rtoot/get_status_instance.yml",
    "rtoot/handle_params_max_id.yml",
    "mastodon-py/test_status_post(Content_warning-public).yaml",
]


def fragment(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(html, create_parent="div")


def assert_allow_listed(html: str, ours: str | None = None) -> None:
    """Only allow-listed markup; every link ``rel="nofollow noopener ugc"`` but those to our
    own pages (``href`` starting with ``ours``), which have no ``rel``."""
    root = fragment(html)
    for element in root.iter():
        if element is root or not isinstance(element.tag, str):
            continue
        assert element.tag in ALLOWED_TAGS, element.tag
        for name, value in element.attrib.items():
            assert name in {"href", "class", "rel"}, (element.tag, name)
            if name == "href":
                assert value.split(":", 1)[0].lower() in {"http", "https", "mailto"}, value
            if name == "class":
                assert set(value.split()) <= ALLOWED_CLASSES.get(element.tag, set()), value
        if element.tag == "a":
            own = ours is not None and element.get("href", "").startswith(ours)
            assert element.get("rel") == (None if own else LINK_REL)


@pytest.mark.parametrize(
    "dirty",
    [
        "<script>alert(1)</script><p>x</p>",
        "<p>x<style>body{display:none}</style></p>",
        '<iframe src="https://evil.example/"></iframe><p>x</p>',
        '<object data="x.swf"></object><embed src="x.swf"><p>x</p>',
        '<form action="https://evil.example/"><input name="a"><button>go</button></form>',
        '<p onclick="alert(1)" onmouseover="alert(2)">x</p>',
        '<img src="x" onerror="alert(1)">',
        "<svg><script>alert(1)</script></svg><math><mi>x</mi></math>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<a href="java&#x09;script:alert(1)">x</a>',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        '<a href="vbscript:msgbox(1)">x</a>',
        '<a href="/relative">x</a><a href="//evil.example/">y</a>',
        '<p style="background:url(javascript:alert(1))">x</p>',
        '<a href="https://ok.example/" target="_blank" rel="opener" class="u-url h-entry">x</a>',
        '<span class="h-card p-author ellipsis invisible">x</span>',
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
        '<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://e/">',
        '<details open ontoggle="alert(1)"><summary>x</summary></details>',
        "<!-- <script>alert(1)</script> --><p>x</p>",
    ],
)
def test_dangerous_markup_does_not_survive(dirty: str) -> None:
    clean = clean_html(dirty)
    assert_allow_listed(clean)
    lowered = clean.lower()
    for needle in ("<script", "<style", "<iframe", "<object", "<embed", "<form", "<img", "<svg"):
        assert needle not in lowered
    assert "javascript:" not in lowered and "onerror" not in lowered and "<!--" not in clean


def test_links_keep_mastodon_markup_and_get_rel() -> None:
    clean = clean_html(
        '<p><a href="https://habr.com/ru/articles/869674/" target="_blank" rel="nofollow noopener" '
        'translate="no"><span class="invisible">https://</span><span class="">habr.com/ru/'
        'articles/869674/</span><span class="invisible"></span></a> '
        '<a href="mailto:a@example.org">mail</a></p>'
    )
    assert clean == (
        '<p><a href="https://habr.com/ru/articles/869674/" rel="nofollow noopener ugc">'
        '<span class="invisible">https://</span><span>habr.com/ru/articles/869674/</span>'
        '<span class="invisible"></span></a> '
        '<a href="mailto:a@example.org" rel="nofollow noopener ugc">mail</a></p>'
    )


def test_headings_become_paragraphs_and_controls_are_dropped() -> None:
    assert clean_html("<h1>Title</h1>text\x00\x07") == "<p>Title</p>text"
    assert plain("a\x00b\x1fc\ufffe") == "abc"


def test_every_real_status_comes_out_allow_listed() -> None:
    count = 0
    for name in CORPUS_FILES:
        for status in corpus_statuses(name):
            assert_allow_listed(clean_html(status["content"]))
            count += 1
    assert count > 150


def hrefs(html: str) -> list[str]:
    return [a.get("href") for a in fragment(html).iter("a")]


def test_configured_hashtags_point_at_our_tag_page() -> None:
    clean = clean_html(
        '<p><a href="https://mastodon.social/tags/Supervised_finetuning" class="mention hashtag" '
        'rel="tag">#<span>Supervised_finetuning</span></a> <a href="https://mastodon.social/tags/'
        'LLM" class="mention hashtag" rel="tag">#<span>LLM</span></a> <a class="hashtag" '
        'rel="nofollow noopener" href="https://bsky.app/search?q=%23rstats">#rstats</a> '
        '<a href="https://example.org/tags/x" class="mention">#x</a></p>'
    )
    seen: list[str] = []
    ours = {"supervised_finetuning": "OURS/sf", "rstats": "OURS/r", "x": "OURS/x"}

    def href_for(name: str) -> str | None:
        seen.append(name)
        return ours.get(name.casefold())

    result = link_hashtags(clean, href_for)
    assert seen == ["Supervised_finetuning", "LLM", "rstats"]
    assert hrefs(result) == [
        "OURS/sf",
        "https://mastodon.social/tags/LLM",
        "OURS/r",
        "https://example.org/tags/x",  # a mention-only link is no hashtag
    ]
    assert_allow_listed(result.replace("OURS/", "https://ours.example/"), "https://ours.example/")
    rels = {a.get("href"): a.get("rel") for a in fragment(result).iter("a")}
    assert rels == {  # a link to our own tag page is not the author's: no nofollow/ugc
        "OURS/sf": None,
        "https://mastodon.social/tags/LLM": "nofollow noopener ugc",
        "OURS/r": None,
        "https://example.org/tags/x": "nofollow noopener ugc",
    }
    assert 'class="mention hashtag">#<span>Supervised_finetuning</span>' in result


def test_safe_url() -> None:
    assert safe_url("https://a.example/x") == "https://a.example/x"
    assert safe_url(" HTTP://a.example ") == "HTTP://a.example"
    for bad in (
        "javascript:alert(1)",
        "data:text/html,x",
        "//a.example",
        "/x",
        "https:x",
        "",
        None,
    ):
        assert safe_url(bad) is None
    assert safe_url("mailto:a@b.example") is None
    assert safe_url("mailto:a@b.example", mailto=True) == "mailto:a@b.example"
