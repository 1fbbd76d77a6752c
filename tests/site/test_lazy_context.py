"""A page's :class:`~tag_digest.site.page_output.Lazy` context values are made only for a render.

A no-change rebuild skips every page by its signature (:mod:`tag_digest.site.writer`): what
a page only shows (its views, its resolved fragments) must not be computed for it then.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import DictLoader, Environment
from tag_digest.digest.urls import Urls
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
