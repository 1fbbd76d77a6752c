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

Links between the site's own pages are written as IRIs: a tag page's path keeps
its letters (``tags/машинное_обучение/``) instead of percent-encoding each byte of
their UTF-8 (three times as long for Cyrillic). HTML allows it (the WHATWG URL
standard counts every code point from U+00A0 on, but surrogates and
non-characters, as a URL code point) and a browser percent-encodes such a link
itself when it follows it. :func:`iri_path` still percent-encodes every ASCII
character but letters, digits, ``/`` and ``_.-~`` (so a space, ``%``, ``#``,
``?``, quotes, ``<``, ``>`` or ``&`` can never end or break an attribute), and the
code points that are invisible or ambiguous in a link: controls, formatting
(bidi) characters, spaces and separators, private-use and unassigned ones.
Consumers other than a browser get URIs: feeds, the sitemap, canonical and
``og:url`` links and the link exports go through :func:`iri_to_uri` (or
``formats.feeds.absolute_url``), which percent-encodes what is not ASCII.
"""

from __future__ import annotations

import functools
import posixpath
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

ROOT = "<tagdigest-root>"
"""Stands for the site root (with a trailing ``/``) inside rendered fragments."""
_QUOTED_ROOT = '"' + ROOT
INDEX = "index.html"
_ENCODED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})
"""Code points kept percent-encoded in an IRI: controls, formatting characters,
surrogates, private use, unassigned (non-characters included) and separators."""
_NOT_ASCII = re.compile("[^\x00-\x7f]+")
_ROOTED_LINK = re.compile('"' + re.escape(ROOT) + '([^"]*)')


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
        return iri_path(path)

    def rooted(self, path: str) -> str:
        """A link to ``path`` for a fragment: :data:`ROOT` followed by :meth:`link`."""
        return ROOT + self.link(path)

    def resolve(self, html: str, page_path: str) -> str:
        """``html`` written to ``page_path``, its :data:`ROOT` markers made real links."""
        return resolve_root(html, self.siteurl_for(page_path) + "/")


def _iri_char(char: str) -> str:
    if ord(char) >= 0xA0 and unicodedata.category(char) not in _ENCODED_CATEGORIES:
        return char
    return quote(char, safe="/")


@functools.lru_cache(maxsize=1 << 14)
def iri_path(path: str) -> str:
    """``path`` as the path of an IRI for an HTML attribute (see the module docstring):
    ASCII as :func:`urllib.parse.quote` with ``safe="/"`` writes it, letters beyond
    ASCII kept as they are."""
    if path.isascii():
        return quote(path, safe="/")
    return "".join(_iri_char(char) for char in path)


def iri_to_uri(iri: str) -> str:
    """``iri`` as a URI (RFC 3987, 3.1): every non-ASCII code point percent-encoded as
    UTF-8, ASCII (``%`` escapes included) left as it is."""
    if iri.isascii():
        return iri
    return _NOT_ASCII.sub(lambda match: quote(match.group(0), safe=""), iri)


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


def resolve_root_uri(html: str, root: str) -> str:
    """:func:`resolve_root`, the resolved links made URIs (:func:`iri_to_uri`): for a
    feed entry's content, read by feed readers rather than browsers."""
    if ROOT not in html:
        return html
    return _ROOTED_LINK.sub(lambda match: '"' + root + iri_to_uri(match.group(1)), html)
