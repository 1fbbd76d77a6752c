"""A page's :class:`~tag_digest.site.page_output.Lazy` context values are made only for a render.

A no-change rebuild skips every page by its signature (:mod:`tag_digest.site.writer`): what
a page only shows (its views, its resolved fragments) must not be computed for it then.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from builder_support import digest
from factories import timeline_post
from jinja2 import DictLoader, Environment
from tag_digest.archive.records import Post
from tag_digest.digest.urls import Urls
from tag_digest.site.fetched_block import fetched_block
from tag_digest.site.page_output import Lazy, PageOutput
from tag_digest.site.writer import PageWriter

PAGE = "<p>{{ greeting }}, {{ name }}</p>{% include 'fetched.html' %}"


def output(tmp_path: Path, footer: str = "", fetched: str | None = None) -> PageOutput:
    """Pages of ``PAGE``; ``footer``: the template of their fetched block, ``fetched`` it."""
    loader = DictLoader({"page.html": PAGE, "fetched.html": footer})
    env = Environment(loader=loader, autoescape=True)
    return PageOutput(
        env=env,
        template_file=lambda name: f"{name}.html",
        shared={"greeting": "Hello"},
        chrome={},
        urls=Urls(relative=True, site_url=""),
        writer=PageWriter(tmp_path / "out", tmp_path / "pages.json"),
        fingerprint="test",
        fetched=fetched,
    )


def test_a_lazy_value_is_made_only_when_the_page_is_rendered(tmp_path: Path) -> None:
    made: list[str] = []

    def name() -> str:
        made.append("name")
        return "<world>"

    first = output(tmp_path)
    first.write_page("a/index.html", "page", inputs=["a", 1], name=Lazy(name))
    assert first.writer.finish().written == 1
    assert made == ["name"]
    # made into its value before the template sees it (and escaped like any other)
    assert (tmp_path / "out" / "a" / "index.html").read_text() == "<p>Hello, &lt;world&gt;</p>"

    second = output(tmp_path)
    second.write_page("a/index.html", "page", inputs=["a", 1], name=Lazy(name))
    assert second.writer.finish().skipped == 1
    assert made == ["name"]  # not made again for a page that is not rendered

    third = output(tmp_path)
    third.write_page("a/index.html", "page", inputs=["a", 2], name=Lazy(name))
    assert third.writer.finish().written == 0  # rendered: the same bytes, so unchanged
    assert made == ["name", "name"]


def test_only_the_fetched_block_changed_no_lazy_value_is_made(tmp_path: Path) -> None:
    made: list[str] = []

    def name() -> str:
        made.append("name")
        return "world"

    footer = "<time data-fetched>{{ when }}</time>"
    for when in ("one", "two"):
        out = output(tmp_path, footer, fetched=f"<time data-fetched>{when}</time>")
        out.write_page("a/index.html", "page", inputs=[], name=Lazy(name), when=when)
        out.writer.finish()
    assert made == ["name"]
    assert out.writer.stats.spliced == 1
    page = (tmp_path / "out" / "a" / "index.html").read_text()
    assert page == "<p>Hello, world</p><time data-fetched>two</time>"


def feed_posts(name: str) -> list[Post]:
    return [
        timeline_post(1, "2024-12-28T09:00:00.000Z", ["rstats"], "<p>One</p>", name=name),
        timeline_post(2, "2024-12-27T09:00:00.000Z", ["python"], "<p>Two</p>", name="Other"),
    ]


def test_an_unchanged_feed_is_not_rendered_and_a_changed_one_is(tmp_path: Path) -> None:
    base = "https://example.org"
    site = digest(tmp_path / "a", feed_posts("Author"), tags=("rstats", "python"), site_url=base)
    site.pages.feeds.write(site.out)
    assert site.writer.finish().written == 4
    site.pages.feeds.write(site.out)
    assert site.writer.finish().skipped == 4  # (the writer's counts add up over its builds)

    # the author of the #rstats post renames themself: its feeds change, #python's does not
    renamed = digest(
        tmp_path / "b", feed_posts("Renamed"), tags=("rstats", "python"), site_url=base
    )
    renamed.pages.feeds.write(dataclasses.replace(renamed.out, writer=site.writer))
    stats = site.writer.finish()  # counted since the first write
    assert (stats.written, stats.skipped) == (4 + 3, 4 + 1)  # all, weeks, #rstats; not #python
    renamed.pages.feeds.write(renamed.out)  # the same posts from scratch
    renamed.writer.finish()
    for path in renamed.written():
        assert (site.output / path).read_bytes() == (renamed.output / path).read_bytes(), path


def theme(**templates: str) -> Environment:
    return Environment(loader=DictLoader(templates), autoescape=True)


FOOTER = "<p>{{ digest_fetched }}</p>"


def test_the_fetched_block_is_the_footer_template_rendered() -> None:
    env = theme(
        **{"digest/fetched.html": FOOTER, "base.html": "{% include 'digest/fetched.html' %}"}
    )
    assert fetched_block(env, [".html"], {"digest_fetched": "<now>"}) == "<p>&lt;now&gt;</p>"


@pytest.mark.parametrize(
    "templates",
    [
        {"base.html": "{{ digest_fetched.when }}"},  # the time shown outside the block
        {"base.html": "<footer></footer>"},  # no digest/fetched.html at all
    ],
)
def test_a_theme_that_shows_the_time_elsewhere_is_not_spliced(templates: dict[str, str]) -> None:
    if "digest_fetched" in templates["base.html"]:
        templates = {**templates, "digest/fetched.html": FOOTER}
    env = theme(**templates, **{"digest/stale.html": "{{ digest_fetched.stale }}"})
    assert fetched_block(env, [".html"], {"digest_fetched": "now"}) is None
