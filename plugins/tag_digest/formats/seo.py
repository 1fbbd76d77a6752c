"""Discovery files: ``sitemap.xml`` (the sitemaps.org protocol 0.9) and ``robots.txt``.

The sitemap lists absolute page URLs (``<loc>``), each once, in the order
given, with the date of the page's newest post as ``<lastmod>`` where there is
one. Past :data:`MAX_URLS` the protocol's limit per file, the URLs are split
into ``sitemap-1.xml``, ``sitemap-2.xml``, … and ``sitemap.xml`` becomes the
sitemap index naming them, so ``robots.txt`` always points at ``sitemap.xml``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

from ..times import format_time

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP_PATH = "sitemap.xml"
ROBOTS_PATH = "robots.txt"
MAX_URLS = 50_000


@dataclass(frozen=True, slots=True)
class SitemapUrl:
    loc: str
    """Absolute URL."""
    lastmod: dt.date | dt.datetime | None = None


def _lastmod(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        return format_time(value, whole_seconds=True)
    return value.isoformat()


def _document(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _unique(urls: Iterable[SitemapUrl]) -> list[SitemapUrl]:
    seen: set[str] = set()
    kept = []
    for url in urls:
        if url.loc not in seen:
            seen.add(url.loc)
            kept.append(url)
    return kept


def urlset(urls: Sequence[SitemapUrl]) -> bytes:
    """One ``<urlset>`` document."""
    root = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS})
    for url in urls:
        element = etree.SubElement(root, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(element, f"{{{SITEMAP_NS}}}loc").text = url.loc
        if url.lastmod is not None:
            etree.SubElement(element, f"{{{SITEMAP_NS}}}lastmod").text = _lastmod(url.lastmod)
    return _document(root)


def sitemap_files(
    urls: Iterable[SitemapUrl], base: str, max_urls: int = MAX_URLS
) -> dict[str, bytes]:
    """``{output path: bytes}``: ``sitemap.xml``, plus numbered parts when there are too many URLs.

    ``base`` is the site's absolute URL (for the index's links to its parts).
    """
    unique = _unique(urls)
    if len(unique) <= max_urls:
        return {SITEMAP_PATH: urlset(unique)}
    files: dict[str, bytes] = {}
    index = etree.Element(f"{{{SITEMAP_NS}}}sitemapindex", nsmap={None: SITEMAP_NS})
    for number, start in enumerate(range(0, len(unique), max_urls), start=1):
        chunk = unique[start : start + max_urls]
        name = f"sitemap-{number}.xml"
        files[name] = urlset(chunk)
        entry = etree.SubElement(index, f"{{{SITEMAP_NS}}}sitemap")
        etree.SubElement(entry, f"{{{SITEMAP_NS}}}loc").text = f"{base.rstrip('/')}/{name}"
        dates = [_lastmod(u.lastmod) for u in chunk if u.lastmod is not None]
        if dates:
            etree.SubElement(entry, f"{{{SITEMAP_NS}}}lastmod").text = max(dates)
    files[SITEMAP_PATH] = _document(index)
    return files


def robots_txt(sitemap_url: str | None) -> str:
    """Everything may be crawled; the sitemap's absolute URL when the site has one."""
    lines = ["User-agent: *", "Allow: /"]
    if sitemap_url:
        lines += ["", f"Sitemap: {sitemap_url}"]
    return "\n".join(lines) + "\n"
