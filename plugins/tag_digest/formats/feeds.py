"""Atom feeds (RFC 4287), built as XML trees: untrusted text is never concatenated into markup.

One feed per configured tag (:func:`tag_feed_path`), one of the weekly digests
(:data:`WEEKS_FEED_PATH`) and one of all posts (:data:`ALL_FEED_PATH`). Every
URL in a feed is absolute, from ``FEED_DOMAIN`` or else ``SITEURL``
(:func:`absolute_url`). Entries are newest first and capped at
``DIGEST_FEED_LIMIT``. The content of an entry is HTML that the caller has
already sanitised; here it is only escaped into ``<content type="html">``.
A feed with no entries takes its ``updated`` from the caller, never from the
clock, so an unchanged archive gives identical bytes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import lxml.html
from lxml import etree

from ..archive.records import Post
from ..digest.sanitize import safe_url
from ..times import format_time
from ..version import REPOSITORY, __version__

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ATOM_TYPE = "application/atom+xml"

WEEKS_FEED_PATH = "feeds/weeks.atom.xml"
ALL_FEED_PATH = "feeds/all.atom.xml"

# Characters XML 1.0 cannot hold at all (C0 controls but tab, CR, LF; surrogates; FFFE/FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_URL_SAFE = "/:@!$&'()*+,;=-._~%?#"
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")


def tag_feed_path(slug: str) -> str:
    return f"feeds/tags/{slug}.atom.xml"


def xml_text(text: str) -> str:
    """``text`` without the characters XML cannot carry (a post may contain any)."""
    return _NOT_XML.sub("", text)


def feed_base(feed_domain: str | None, site_url: str | None) -> str | None:
    """The absolute base of feed URLs: ``FEED_DOMAIN``, else ``SITEURL``; ``None`` if neither is."""
    for candidate in (feed_domain, site_url):
        if candidate and urlsplit(candidate).scheme in ("http", "https"):
            return candidate.rstrip("/")
    return None


def absolute_url(base: str, path: str) -> str:
    """``path`` (relative to the site root) under ``base``, non-ASCII percent-encoded."""
    if urlsplit(base).scheme not in ("http", "https"):
        raise ValueError(f"feed URLs need an absolute http(s) base, got {base!r}")
    return base.rstrip("/") + "/" + quote(path.lstrip("/"), safe=_URL_SAFE)


def atom_time(moment: dt.datetime) -> str:
    """RFC 3339 in UTC with ``Z``, whole seconds."""
    return format_time(moment, whole_seconds=True)


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    uri: str | None = None


@dataclass(frozen=True, slots=True)
class Category:
    term: str
    label: str | None = None
    scheme: str | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    title: str
    link: str
    """Absolute URL of the entry's page (``rel="alternate"``)."""
    updated: dt.datetime
    content_html: str
    """Sanitised HTML, from the caller."""
    published: dt.datetime | None = None
    categories: tuple[Category, ...] = ()
    author: Person | None = None
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class Feed:
    id: str
    title: str
    self_url: str
    alternate_url: str
    author: Person
    entries: tuple[Entry, ...]
    updated: dt.datetime
    """Used when no entry is newer (an empty feed)."""
    subtitle: str | None = None
    lang: str | None = None


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ATOM_NS}}}{tag}")
    for key, value in attrs.items():
        element.set(key, xml_text(value))
    if text is not None:
        element.text = xml_text(text)
    return element


def _person(parent: etree._Element, tag: str, person: Person) -> None:
    element = _sub(parent, tag)
    _sub(element, "name", person.name.strip() or "?")
    if person.uri:
        _sub(element, "uri", person.uri)


def _entry(parent: etree._Element, entry: Entry) -> None:
    element = _sub(parent, "entry")
    if entry.lang and _LANGUAGE_TAG.match(entry.lang):
        element.set(XML_LANG, entry.lang)
    _sub(element, "id", entry.id)
    _sub(element, "title", entry.title, type="text")
    _sub(element, "updated", atom_time(entry.updated))
    if entry.published is not None:
        _sub(element, "published", atom_time(entry.published))
    if entry.author is not None:
        _person(element, "author", entry.author)
    _sub(element, "link", rel="alternate", type="text/html", href=entry.link)
    for category in entry.categories:
        attrs = {"term": category.term}
        if category.label:
            attrs["label"] = category.label
        if category.scheme:
            attrs["scheme"] = category.scheme
        _sub(element, "category", **attrs)
    _sub(element, "content", entry.content_html, type="html")


def select_entries(entries: Iterable[Entry], limit: int) -> tuple[Entry, ...]:
    """The newest ``limit`` entries, newest first (ties by id, descending)."""
    ordered = sorted(entries, key=lambda e: (atom_time(e.updated), e.id), reverse=True)
    return tuple(ordered[:limit])


def render_atom(feed: Feed, limit: int) -> bytes:
    """The Atom document of ``feed`` with at most ``limit`` entries (UTF-8, XML declaration)."""
    entries = select_entries(feed.entries, limit)
    root = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    if feed.lang and _LANGUAGE_TAG.match(feed.lang):
        root.set(XML_LANG, feed.lang)
    _sub(root, "id", feed.id)
    _sub(root, "title", feed.title, type="text")
    if feed.subtitle:
        _sub(root, "subtitle", feed.subtitle, type="text")
    newest = max([atom_time(e.updated) for e in entries], default=atom_time(feed.updated))
    _sub(root, "updated", newest)
    _person(root, "author", feed.author)
    _sub(root, "link", rel="self", type=ATOM_TYPE, href=feed.self_url)
    _sub(root, "link", rel="alternate", type="text/html", href=feed.alternate_url)
    _sub(root, "generator", "tagdigest", uri=REPOSITORY, version=__version__)
    for entry in entries:
        _entry(root, entry)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def plain_text(html: str) -> str:
    """The text of an HTML fragment, whitespace collapsed."""
    if not html.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    for br in root.iter("br"):
        br.tail = " " + (br.tail or "")
    for block in root.iter("p", "li", "div", "blockquote"):
        block.tail = " " + (block.tail or "")
    return " ".join(root.text_content().split())


def short_title(text: str, limit: int = 80) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" .,;:—-") + "…"


def post_title(post: Post, limit: int = 80) -> str:
    """An entry title for a post: its content warning, else the start of its text."""
    if post.spoiler_text.strip():
        return short_title(post.spoiler_text, limit)
    text = plain_text(post.content)
    return short_title(text, limit) or (f"@{post.account.acct}" if post.account.acct else post.uri)


def post_entry(
    post: Post,
    *,
    link: str,
    content_html: str,
    tag_scheme: str | None = None,
    title: str | None = None,
) -> Entry:
    """The feed entry of ``post``: id is its status URI, content the caller's sanitised HTML.

    ``tag_scheme`` (an absolute URL ending in ``/``) becomes each category's scheme;
    ``title``, when the caller already has the post's :func:`post_title`, is used as is.
    """
    author = Person(
        post.account.display_name.strip() or post.account.acct or post.server,
        safe_url(post.account.url),  # untrusted: a reader may link the author's name
    )
    return Entry(
        id=post.uri,
        title=post_title(post) if title is None else title,
        link=link,
        updated=post.updated,
        published=post.created,
        content_html=content_html,
        categories=tuple(Category(t, f"#{t}", tag_scheme) for t in post.tags),
        author=author,
        lang=post.language or None,
    )
