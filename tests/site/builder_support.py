"""A small digest for the page builders, without a Pelican build.

:func:`digest` makes the typed :class:`~tag_digest.site.context.PageContext` and the page
builders (:class:`~tag_digest.site.site_pages.SitePages`) from a few archive records, the
way the generator does, and a :class:`~tag_digest.site.page_output.PageOutput` that renders
through the real Jinja templates of ``theme/`` and writes with the real
:class:`~tag_digest.site.writer.PageWriter` into a temporary folder. A test calls one builder
and reads back what it wrote.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from digest_support import ROOT
from jinja2 import Environment, FileSystemLoader
from tag_digest.archive.records import Post
from tag_digest.digest.dates import Dates
from tag_digest.digest.grouping import zone
from tag_digest.digest.model import build_model
from tag_digest.digest.strings import catalogue, posts_count
from tag_digest.digest.strings import catalogue as page_catalogue
from tag_digest.digest.tagnames import normalise_tag, tag_slug
from tag_digest.digest.urls import Urls, tag_page_path
from tag_digest.formats.feeds import post_title
from tag_digest.settings import load_settings
from tag_digest.site.context import PageContext, SiteFacts
from tag_digest.site.owned import owns_output
from tag_digest.site.page_output import PageOutput
from tag_digest.site.render import RenderContext, render_fragment
from tag_digest.site.site_pages import SitePages
from tag_digest.site.writer import PageWriter

TEMPLATES = ROOT / "theme" / "templates"
SITENAME = "Test digest"


@dataclass
class Digest:
    """One build's builders, and where they write."""

    ctx: PageContext
    pages: SitePages
    out: PageOutput
    output: Path

    @property
    def writer(self) -> PageWriter:
        return self.out.writer

    def written(self) -> set[str]:
        """Every file under the output folder, as a relative ``/``-separated path."""
        return {
            p.relative_to(self.output).as_posix() for p in self.output.rglob("*") if p.is_file()
        }

    def text(self, path: str) -> str:
        return (self.output / path).read_text(encoding="utf-8")

    def html(self, path: str) -> lxml.html.HtmlElement:
        return lxml.html.fromstring((self.output / path).read_bytes())


def digest(
    tmp: Path,
    posts: Sequence[Post],
    *,
    tags: Sequence[str] = ("rstats",),
    per_page: int = 2,
    lang: str = "en",
    timezone: str = "UTC",
    site_url: str = "",
    compact_pages: Sequence[str] = ("tags", "weeks"),
) -> Digest:
    """The builders over ``posts``; links relative unless ``site_url`` is given."""
    settings = load_settings(
        {
            "DIGEST_SERVERS": ["https://mastodon.social"],
            "DIGEST_TAGS": list(tags),
            "DIGEST_ARCHIVE_PATH": str(tmp / "archive"),
            "DIGEST_PER_PAGE": per_page,
            "DIGEST_COMPACT_PER_PAGE": per_page,
            "DEFAULT_LANG": lang,
            "TIMEZONE": timezone,
            "DIGEST_COMPACT_PAGES": list(compact_pages),
        },
        base=tmp,
    )
    tz = zone(timezone)
    urls = Urls(relative=not site_url, site_url=site_url)
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
    chrome = catalogue(lang)
    hrefs = {normalise_tag(t): urls.rooted(tag_page_path(tag_slug(t))) for t in tags}
    render = RenderContext(tz=tz, tag_hrefs=hrefs, words=chrome)
    post_template = env.get_template("digest/post.html")
    fragments = {p.uri: render_fragment(post_template, p, render) for p in posts}
    model = build_model(posts, fragments, settings.tags, settings.servers, tz, urls)
    ctx = PageContext(
        model=model,
        urls=urls,
        settings=settings,
        words=page_catalogue(lang),
        dates=Dates(lang, timezone),
        site=SiteFacts.from_settings({"SITEURL": site_url, "SITENAME": SITENAME}, ""),
    )
    output = tmp / "output"
    pages = SitePages(
        ctx,
        chrome_words=chrome,
        known_links={},
        known_titles={p.uri: post_title(p) for p in posts},
        output=output,
        search_state=tmp / "search.hash",
    )
    shared: dict[str, object] = {
        "SITENAME": SITENAME,
        "DEFAULT_LANG": lang,
        "THEME_STATIC_DIR": "theme",
        "pages": (),
        "digest": model,
        "posts_count": functools.partial(posts_count, chrome, lang),
        **pages.shared(),
    }
    out = PageOutput(
        env=env,
        template_file=lambda name: f"{name}.html",
        shared=shared,
        chrome={},
        urls=urls,
        writer=PageWriter(output, None, owned=owns_output),
        fingerprint="test",
    )
    return Digest(ctx, pages, out, output)
