"""The text a post is searched by: the fast reading of a fragment against lxml's tree.

:func:`fragment_text` reads the markup the theme writes with regular expressions and
hands anything unexpected to :func:`tree_text`. Both must give the same text: for every
real recorded status, every XSS vector of ``fixtures/xss`` put in a post's body and
displayed name, and odd markup written by hand (some of which a theme of one's own could
write) that sends the reading down each of its three paths.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from digest_support import FIXTURES, corpus_statuses, post_template
from tag_digest.archive.records import Post
from tag_digest.archive.statuses import from_status
from tag_digest.site import fragment_text as ft
from tag_digest.site.render import RenderContext, render_fragment
from test_render import context

CASSETTES = [
    "rtoot/get_timeline_hashtag_anonymous.yml",
    "rtoot/handle_params_max_id.yml",
    "rtoot/get_status_instance.yml",
    "mastodon-py/test_hashtag_tl.yaml",
    "mastodon-py/test_fetch_remaining.yaml",
    "mastodon-py/test_status_edit.yaml",
    "mastodon-py/test_status_post(Content_warning-public).yaml",
]
PAYLOADS: list[str] = json.loads((FIXTURES / "xss" / "payloads.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def template():  # type: ignore[no-untyped-def]
    return post_template()


def _posts() -> list[Post]:
    return [
        from_status(s, "https://mastodon.social", "2025-07-18T00:00:00.000Z")
        for name in CASSETTES
        for s in corpus_statuses(name)
    ]


def _path(fragment: str) -> str:
    """Which reading gives ``fragment``'s text: ``quick``, ``scan`` or ``tree``."""
    if ft._quick(fragment) is not None:
        return "quick"
    try:
        ft._scan(fragment)
    except ft._Unexpected:
        return "tree"
    return "scan"


def test_every_recorded_status_reads_as_the_tree_reads_it(template) -> None:  # type: ignore[no-untyped-def]
    ctx: RenderContext = context("rstats", "python")
    posts = _posts()
    assert len(posts) > 150
    paths: dict[str, int] = {}
    for post in posts:
        fragment = render_fragment(template, post, ctx)
        assert ft.fragment_text(fragment) == ft.tree_text(fragment), post.uri
        paths[_path(fragment)] = paths.get(_path(fragment), 0) + 1
    assert paths.get("quick", 0) > 0.9 * len(posts), paths  # the theme's markup is the fast one


def test_hostile_bodies_and_names_read_as_the_tree_reads_them(template) -> None:  # type: ignore[no-untyped-def]
    ctx = context("rstats")
    base = _posts()[0]
    checked = 0
    for payload in PAYLOADS:
        for content in (payload, f"<p>before {payload} after</p>", f"<p>{payload}<br>x</p>"):
            post = replace(base, content=content, spoiler_text="")
            fragment = render_fragment(template, post, ctx)
            assert ft.fragment_text(fragment) == ft.tree_text(fragment), content
            checked += 1
        named = replace(base, account=replace(base.account, display_name=payload))
        fragment = render_fragment(template, named, ctx)
        assert ft.fragment_text(fragment) == ft.tree_text(fragment), payload
    assert checked == 3 * len(PAYLOADS) > 100


def _article(body: str, *, open_tag: str = '<div class="e-content content">') -> str:
    return f'<article class="h-entry"><header>A 10:00</header>{open_tag}{body}</div></article>'


ODD = {
    # The theme's markup, Mastodon's hidden URL parts: the quick reading.
    "quick": [
        _article("<p>a<br>b<br/>c</p><p>d &amp; e &lt;f&gt; &nbsp;g</p>"),
        _article(
            '<p><a href="https://x.org/?a=1&amp;b=>"><span class="invisible">https://</span>'
            '<span class="ellipsis">x.org/</span><span class="invisible">?a=1</span></a></p>'
        ),
        _article('<p title="a > b">tag text "quoted" and \'single\'</p>'),
        _article(""),
        _article("<p>closes nothing</span></p>"),
        _article("<p>Кириллица <strong>жирно</strong></p><p>ещё</p>"),
        _article("<BR><P>upper</P>"),
    ],
    # Markup the quick reading leaves alone but the scan reads.
    "scan": [
        _article('<p><span class="invisible">hidden <b>bold</b></span>shown</p>'),
        _article("<div><p>nested div</p></div><p>after</p>"),
        '<article><section class="content e-content"><p>a</p></section></article>',
        _article(
            '<p><span class="x invisible">gone</span>kept <span class=invisible>gone too</span></p>'
        ),
        _article('<p><span class="invisible"><p>inner p</p></span>tail</p>'),
        _article("<p>the word invisible in text</p>"),
        "<article><div class=e-content data-x='1'>unquoted class</div></article>",
        '<article><p class="e-content-like">not it</p>'
        "<div class='e-content'>single</div></article>",
        _article('<p title="<div class=&quot;e-content">t</p>'),
    ],
    # Anything else: the tree reads it.
    "tree": [
        _article("<p>a <!-- comment --> b</p>"),
        _article("<p>a</p><script>x()</script>"),
        _article("<p>a < b</p>"),
        _article('<p>one<span class="invisible">two</p>three</p>'),
        '<div class="e-content"><p>never closed',
    ],
}


@pytest.mark.parametrize(
    ("expected", "fragment"), [(kind, f) for kind, fragments in ODD.items() for f in fragments]
)
def test_odd_markup_takes_its_path_and_reads_as_the_tree_reads_it(
    expected: str, fragment: str
) -> None:
    assert ft.fragment_text(fragment) == ft.tree_text(fragment)
    assert _path(fragment) == expected


def test_no_content_no_text_and_a_bound_on_the_text() -> None:
    assert ft.fragment_text("<p>no post</p>") == ""
    assert ft.fragment_text('<article><img class="e-content" src="x"></article>') == ""
    long = _article("<p>" + "word " * 10_000 + "</p>")
    assert len(ft.fragment_text(long)) == ft.CONTENT_CHARS == len(ft.tree_text(long))
