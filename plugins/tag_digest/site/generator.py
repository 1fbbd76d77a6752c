"""The Pelican generator that renders the archive into digest pages.

How a build goes
----------------
``generate_context`` (before any page is written):

1. reads the settings, then each archive shard; a shard whose bytes and render
   fingerprint are unchanged since the last build takes its fragments from the
   cache (:mod:`.cache`), any other is sanitised and rendered: each post once,
   with the theme's ``digest/post.html``;
2. builds :attr:`DigestGenerator.model`, a :class:`~.model.SiteModel`, and the
   :class:`~.context.PageContext` every page builder is given;
3. makes the page builders (:class:`~.site_pages.SitePages`) and puts ``digest``
   (the model), ``t`` (the words) and what the builders share into Pelican's
   shared context, so every template, Pelican's own included, can show them.

``generate_output`` hands the builders a :class:`~.page_output.PageOutput`: each
page is rendered through the theme and written by :mod:`.writer` only when its
inputs changed. When nothing the digest is made from changed since the last build (its
:func:`~.build_keys.build_key`: the archive's shards, the settings, the theme and the
plugin's code, the fetched block) and every page it wrote is still there, no page builder
runs at all: only the search page is written (its bundles are checked beside the build).
A new kind of page is a builder class taking the context (see :mod:`.context`), composed
in :mod:`.site_pages`.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import logging
from pathlib import Path

from jinja2 import Environment
from pelican.generators import Generator, PelicanTemplateNotFound

from ..archive.state import last_success
from ..digest.dates import Dates
from ..digest.freshness import freshness
from ..digest.grouping import zone
from ..digest.model import SiteModel, build_model
from ..digest.strings import catalogue, posts_count
from ..digest.tagnames import normalise_tag, tag_slug
from ..digest.urls import Urls, tag_page_path
from ..errors import SettingError, TagDigestError, fail
from ..settings import DigestSettings, load_settings
from ..version import REPOSITORY, __version__
from .build_keys import build_key, page_fingerprint, reads_caches, source_key, theme_hash
from .cache import FragmentCache
from .context import PageContext, SiteFacts, under
from .fetched_block import fetched_block
from .link_cache import FILE as LINKS_FILE
from .link_cache import LinkStore
from .loading import load_posts
from .owned import owns_output
from .page_output import PageOutput
from .render import RenderContext
from .search_pages import STATE_FILE
from .site_pages import SitePages
from .tag_pages import TAG_TEMPLATE
from .theme_files import (
    BUNDLED_STATIC_DIR,
    copy_bundled_static,
    digest_loader,
    template_cache,
    template_name,
)
from .writer import PageWriter

log = logging.getLogger("tag_digest")

POST_TEMPLATE = "digest/post"
CACHE_DIR = "tag_digest"


class DigestGenerator(Generator):  # type: ignore[misc]
    """Renders the archive into digest pages (see the module docstring)."""

    model: SiteModel
    digest_settings: DigestSettings

    def generate_context(self) -> None:
        try:
            self.digest_settings = load_settings(self.settings)
            tz = zone(self.digest_settings.timezone)
        except TagDigestError as error:
            fail(error)
        except ValueError as error:
            fail(SettingError("TIMEZONE", str(error)))
        prefix = self.digest_settings.digest_path
        site_urls = Urls.from_settings(self.settings)
        self.urls = Urls(site_urls.relative, under(site_urls.site_url, prefix) or "")
        self.words = catalogue(self.digest_settings.default_lang)
        extensions = list(self.settings.get("TEMPLATE_EXTENSIONS") or [".html"])
        try:
            bundled = digest_loader(self.env, extensions)
        except TagDigestError as error:
            fail(error)
        # The site's theme renders the digest pages when it has digest templates; any other
        # theme gets the plugin's own (theme_files.py) for the digest pages alone.
        self.bundled = bundled is not None
        cache_root = Path(self.settings.get("CACHE_PATH") or "cache") / CACHE_DIR
        reads = reads_caches(self.settings)
        # No auto_reload: templates never change within a build (each use stat'd its file).
        compiled = template_cache(cache_root, reads)
        self.page_env: Environment = (
            self.env.overlay(autoescape=True, auto_reload=False, bytecode_cache=compiled)
            if bundled is None
            else self.env.overlay(
                autoescape=True, auto_reload=False, bytecode_cache=compiled, loader=bundled
            )
        )
        self.theme_hash = theme_hash(self.page_env)
        for name in (POST_TEMPLATE, TAG_TEMPLATE):
            if template_name(self.page_env, name, extensions) is None:
                fail(
                    SettingError(
                        "THEME",
                        f"{self.theme} has no templates/{name}.html; use tagdigest's theme/ "
                        "or copy its templates/digest/ into yours",
                    )
                )
        tag_hrefs = {
            normalise_tag(name): self.urls.rooted(tag_page_path(tag_slug(name)))
            for name in self.digest_settings.tags
        }
        render_context = RenderContext(
            tz=tz, tag_hrefs=tag_hrefs, words=self.words, salt=self.theme_hash
        )
        template = self.page_env.get_template(self._template_file(POST_TEMPLATE))
        cache = FragmentCache(cache_root, render_context.fingerprint, read=reads)
        try:
            loaded = load_posts(self.digest_settings, template, render_context, cache)
        except TagDigestError as error:
            fail(error)
        self.model = build_model(
            loaded.posts,
            loaded.fragments,
            self.digest_settings.tags,
            self.digest_settings.servers,
            tz,
            self.urls,
        )
        links, titles = loaded.links, loaded.titles
        fragments = loaded.fragments
        self.source_key = source_key(fragments)
        del loaded  # the model holds the posts; the fragments stay in the cache (fragment_store)
        self.writer = PageWriter(
            Path(self.output_path) / prefix,
            cache_root / "pages.json",
            owned=owns_output,
            read_manifest=reads,
        )
        # What the digest pages see differently from the host site's pages: under a
        # DIGEST_PATH the digest is a site of its own (its nav lists no host pages), and the
        # plugin's own theme has its static files in theme_files.BUNDLED_STATIC_DIR.
        self.chrome: dict[str, object] = {}
        if prefix:
            self.chrome["pages"] = ()
        if self.bundled:
            self.chrome["THEME_STATIC_DIR"] = BUNDLED_STATIC_DIR
        self.context["digest"] = self.model
        self.context["t"] = self.words
        self.context["TAGDIGEST_VERSION"] = __version__
        self.context["TAGDIGEST_REPOSITORY"] = REPOSITORY
        self.context["digest_home"] = self.urls.link("index.html")
        self.context["posts_count"] = functools.partial(
            posts_count, self.words, self.digest_settings.default_lang
        )
        try:  # the footer's "last fetched" (issue 15); Dates names a bad DEFAULT_LANG
            self.context["digest_fetched"] = freshness(
                last_success(self.digest_settings.archive_path),
                dt.datetime.now(dt.UTC),
                self.digest_settings.stale_days,
                Dates(self.digest_settings.default_lang, self.digest_settings.timezone),
                self.words,
            )
        except TagDigestError as error:
            fail(error)
        lang = self.digest_settings.default_lang
        self.page_context = PageContext(
            model=self.model,
            urls=self.urls,
            settings=self.digest_settings,
            words=catalogue(lang),
            dates=Dates(lang, self.digest_settings.timezone),
            site=SiteFacts.from_settings(self.settings, prefix),
        )
        self.pages = SitePages(
            self.page_context,
            chrome_words=self.words,
            known_links=links,
            known_titles=titles,
            output=Path(self.output_path),
            search_state=cache_root / STATE_FILE,
            fragments=fragments,
            link_store=LinkStore(cache_root / LINKS_FILE, render_context.fingerprint, reads),
        )
        self.context.update(self.pages.shared())
        # The model lives until the pages are written: the collector need not walk it in every
        # full collection meanwhile (generate_output unfreezes it: `pelican -r` builds again).
        gc.freeze()

    # -- loading --------------------------------------------------------------

    def _template_file(self, name: str) -> str:
        """The file name of template ``name`` (Pelican's ``TEMPLATE_EXTENSIONS``)."""
        extensions = list(self.settings.get("TEMPLATE_EXTENSIONS") or [".html"])
        found = template_name(self.page_env, name, extensions)
        if found is None:
            raise PelicanTemplateNotFound(f"[tag_digest] template {name} not found")
        return found

    # -- writing --------------------------------------------------------------

    def generate_output(self, writer: object) -> None:
        try:
            self._generate_output()
        finally:
            gc.unfreeze()

    def _generate_output(self) -> None:
        prefix = self.digest_settings.digest_path
        if self.bundled:
            copy_bundled_static(Path(self.output_path) / prefix / BUNDLED_STATIC_DIR)
        fetched = fetched_block(
            self.page_env,
            list(self.settings.get("TEMPLATE_EXTENSIONS") or [".html"]),
            {**self.context, **self.chrome},
        )
        out = PageOutput(
            env=self.page_env,
            template_file=self._template_file,
            shared=self.context,
            chrome=self.chrome,
            urls=self.urls,
            writer=self.writer,
            fingerprint=page_fingerprint(
                self.theme_hash, self.settings, self.context, self.model, self.words, fetched
            ),
            fetched=fetched,
        )
        host_urls = self._host_urls()
        build = build_key(self.source_key, out.fingerprint, fetched, prefix, host_urls)
        if self.writer.unchanged_since(build):
            self.pages.write_unchanged(out)
            self.writer.keep_unwritten()
            log.info("tag_digest: nothing changed since the last build: no page rendered")
        else:
            self.pages.write(out, home=bool(prefix), host_urls=host_urls)
        stats = self.writer.finish(build)
        log.info(
            "tag_digest: %d pages: %d written, %d unchanged, %d not re-rendered, "
            "%d spliced (only the fetched time changed), %d removed",
            stats.total, stats.written, stats.unchanged, stats.skipped, stats.spliced,
            stats.removed,
        )  # fmt: skip

    def _host_urls(self) -> list[str]:
        """The host site's own pages and articles (Pelican's), for the sitemap."""
        urls = []
        for key in ("pages", "articles"):
            for item in self.context.get(key) or ():
                url = getattr(item, "url", None)  # a Pelican Page or Article
                if url:
                    urls.append(str(url))
        return urls
