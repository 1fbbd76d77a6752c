"""Compact entries rendered once per post and build, not once per page that shows them.

A post is a compact entry on each of its tag pages and on its week page (``DIGEST_COMPACT_PAGES``):
4.7 pages a post in the benchmark's posts, some 470,000 renders of the theme's
``digest/compact.html`` at 100,000 posts, most of the time the tag and week pages took.
:class:`CompactEntries` renders the template for one entry at a time and keeps the result
(:data:`KEPT`, least recently used first out); the pages that show compact entries are written
newest first across tags and weeks (:func:`.site_pages.SitePages.write`), so a post's
entry is still kept when its next page asks for it.

An entry is rendered with the page's context but ``SITEURL`` set to :data:`MARK`, so
the one rendering serves pages at every depth: ``"MARK/`` becomes :data:`~.urls.ROOT`,
which each page resolves for its own depth (:meth:`~.urls.Urls.resolve`), as it does for
the fragments. A theme's ``compact.html`` that shows ``SITEURL`` otherwise (not as the
start of a quoted link) is rendered for every page again, as before. Like the bundled
one, it must not show what differs between pages (the page number, ``output_file``): the
entry of the first page that showed a post is the one every page shows.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from ..digest.model import Entry
from ..digest.urls import ROOT
from .compact import CompactView
from .fragment_store import give_back_memory
from .placement import Placement

TEMPLATE = "digest/compact.html"
MARK = "<tagdigest-siteurl>"
"""``SITEURL`` while an entry is rendered for every page: a raw ``<`` after a quote, which
escaped text cannot hold (as :data:`~.urls.ROOT`)."""
_LINK_MARK = '"' + MARK + "/"
KEPT = 10_000
"""Entries kept (some 15 MB): a few days of posts across the pages written in time order, and
the few old posts of rare tags' pages (at 100,000 posts, 5,000 gave one rendering per post)."""


class CompactEntries:
    """The build's compact entries: ``compact`` in the context of the pages that show them.

    ``compact(entries)`` gives their :class:`~.compact.CompactView` (for a theme's own
    ``days.html`` or ``week.html`` that includes ``digest/compact.html`` with them);
    ``compact.html(entries)`` gives them rendered, as ``{% include %}`` would."""

    def __init__(self, place: Placement, kept: int = KEPT) -> None:
        self.place = place
        self.kept = kept
        self._html: OrderedDict[str, str] = OrderedDict()
        self.shared = True
        """Whether one rendering serves every page (False: the theme shows ``SITEURL`` else)."""
        self.renders = 0
        """How many entries were rendered (tests and the benchmark read it)."""

    def release(self) -> None:
        """Forget the kept entries (when the pages that show them are written)."""
        self._html.clear()
        give_back_memory()

    def __call__(self, entries: Iterable[Entry]) -> list[CompactView]:
        return self.place.compact(entries)

    @pass_context
    def html(self, context: Context, entries: Iterable[Entry]) -> Markup:
        """``entries`` rendered by the theme's ``digest/compact.html``, in order."""
        page: dict[str, object] | None = None
        parts = []
        for entry in entries:
            found = self._html.get(entry.post.uri) if self.shared else None
            if found is not None:
                self._html.move_to_end(entry.post.uri)
                parts.append(found)
                continue
            if page is None:  # the page's context, copied once for the entries it renders
                page = dict(context.get_all())
            parts.append(self._render(context, page, entry))
        return Markup("".join(parts))

    def _render(self, context: Context, page: dict[str, object], entry: Entry) -> str:
        page["entries"] = tuple(self.place.compact((entry,)))
        self.renders += 1
        if self.shared:
            page["SITEURL"] = Markup(MARK)
            html = _render(context, page).replace(_LINK_MARK, '"' + ROOT)
            page["SITEURL"] = context.get("SITEURL")
            if MARK not in html:
                self._html[entry.post.uri] = html
                if len(self._html) > self.kept:
                    self._html.popitem(last=False)
                return html
            self.shared = False  # the theme shows SITEURL in a way one rendering cannot serve
            self._html.clear()
        return _render(context, page)


def _render(context: Context, variables: dict[str, object]) -> str:
    """The theme's compact.html with ``variables`` as its context, as they are (Jinja's
    ``render`` would copy them twice: for 100,000 entries, with the whole of Pelican's context)."""
    template = context.environment.get_template(TEMPLATE)
    try:
        return "".join(template.root_render_func(template.new_context(variables, shared=True)))
    except Exception:
        return template.environment.handle_exception()
