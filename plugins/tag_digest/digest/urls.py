"""Output paths of the digest pages, and the URLs that link them.

Every page is an ``index.html`` in its own directory (``tags/<slug>/index.html``,
``tags/<slug>/page/2/index.html``). A link is written relative to the site root
and needs the root's address on the page it appears in: ``../..`` with
``RELATIVE_URLS`` (Pelican's convention for ``SITEURL``), ``SITEURL`` otherwise.

Post fragments are rendered once and shown on pages at different depths, so
their internal links start with :data:`ROOT`, a marker that each page replaces
with its own root (:meth:`Urls.resolve`). The marker is ``"<`` followed by a
name: an attribute's opening quote followed by a raw ``<``, which neither nh3's
output nor escaped text can contain (both escape ``<`` and ``"``), so only our
own templates can produce it.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import quote

ROOT = "<tagdigest-root>"
"""Stands for the site root (with a trailing ``/``) inside rendered fragments."""
_QUOTED_ROOT = '"' + ROOT
INDEX = "index.html"


def tag_dir(slug: str) -> str:
    return f"tags/{slug}/"


def tag_page_path(slug: str, number: int = 0) -> str:
    """``tags/<slug>/index.html`` for the index (0, the newest posts), else
    ``tags/<slug>/page/<n>/index.html`` (numbered from the oldest, :func:`.grouping.paginate`)."""
    if number < 1:
        return f"{tag_dir(slug)}{INDEX}"
    return f"{tag_dir(slug)}page/{number}/{INDEX}"


@dataclass(frozen=True, slots=True)
class Urls:
    """How links are written: relative (``RELATIVE_URLS``) or under ``SITEURL``."""

    relative: bool
    site_url: str
    """``SITEURL`` without a trailing ``/`` (may be empty: root-absolute links)."""

    @classmethod
    def from_settings(cls, settings: dict[str, object]) -> Urls:
        return cls(
            relative=bool(settings.get("RELATIVE_URLS")),
            site_url=str(settings.get("SITEURL") or "").rstrip("/"),
        )

    def siteurl_for(self, page_path: str) -> str:
        """What ``SITEURL`` is on the page written to ``page_path`` (as Pelican sets it)."""
        if self.relative:
            return relative_root(page_path)
        return self.site_url

    def link(self, path: str) -> str:
        """The site-root-relative form of a link to an output ``path``.

        With ``RELATIVE_URLS`` the ``index.html`` stays, so the site also works
        opened from disk; otherwise links end at the directory.
        """
        if not self.relative and posixpath.basename(path) == INDEX:
            path = path[: -len(INDEX)]
        return quote(path, safe="/")

    def rooted(self, path: str) -> str:
        """A link to ``path`` for a fragment: :data:`ROOT` followed by :meth:`link`."""
        return ROOT + self.link(path)

    def resolve(self, html: str, page_path: str) -> str:
        """``html`` written to ``page_path``, its :data:`ROOT` markers made real links."""
        return resolve_root(html, self.siteurl_for(page_path) + "/")


def relative_root(page_path: str) -> str:
    """``..`` once per directory above ``page_path``, ``.`` at the root: what Pelican's
    ``path_to_url(get_relative_path(page_path))`` gives for these ``/``-separated paths
    (written here so that the site model needs no Pelican)."""
    parts = [part for part in page_path.split("/") if part]
    return "/".join([".."] * (len(parts) - 1)) or "."


def resolve_root(html: str, root: str) -> str:
    """``html`` with its :data:`ROOT` markers replaced by ``root`` (e.g. an absolute
    ``https://example.org/digest/`` for a feed; ``root`` must be a safe URL prefix)."""
    if ROOT not in html:
        return html
    return html.replace(_QUOTED_ROOT, '"' + root)
