"""An internal link checker: every href, src and srcset of every page, resolved as a browser would.

Pages are read from the output directory and each reference is resolved
against the page's URL on the local server; references to the site's own
origin are fetched from that server once each (redirects followed, 200
required), and a ``#fragment`` must name an ``id`` (or ``<a name>``) in the
target page. The sitemap's ``<loc>`` and the feeds' links are checked the
same way. Links to other hosts are counted, not fetched: the checks never
leave 127.0.0.1.

A reference may be an IRI (the site writes links to its own pages with their
letters, ``tags/машинное_обучение/``): like a browser, the checker percent-encodes
its non-ASCII characters as UTF-8 before it fetches, so an IRI and its
percent-encoded form are the same URL, fetched once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urldefrag, urljoin, urlsplit

import httpx
import lxml.html
from lxml import etree

NOT_PAGES = frozenset({"bookmarks.html"})
"""Files with an .html name that are exports, not web pages (the Netscape bookmark file)."""

_NOT_ASCII = re.compile("[^\x00-\x7f]+")

_REFERENCES = (
    ("a", "href"), ("area", "href"), ("link", "href"), ("img", "src"), ("script", "src"),
    ("source", "src"), ("iframe", "src"), ("audio", "src"), ("video", "src"), ("track", "src"),
    ("video", "poster"), ("form", "action"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Broken:
    page: str
    reference: str
    reason: str


@dataclass(slots=True)
class LinkReport:
    pages: int = 0
    internal: int = 0
    external: int = 0
    broken: list[Broken] = field(default_factory=list)


def page_files(root: Path) -> list[Path]:
    pages = (p for p in root.rglob("*.html") if p.relative_to(root).as_posix() not in NOT_PAGES)
    return sorted(pages)


def page_url(root: Path, path: Path, base_url: str) -> str:
    return urljoin(base_url, quote(path.relative_to(root).as_posix()))


def as_uri(reference: str) -> str:
    """``reference`` with its non-ASCII characters percent-encoded as UTF-8, as a browser
    sends an IRI (RFC 3987, 3.1)."""
    return _NOT_ASCII.sub(lambda match: quote(match.group(0), safe=""), reference)


def _srcset(value: str) -> Iterator[str]:
    for candidate in value.split(","):
        parts = candidate.split()
        if parts:
            yield parts[0]


def html_references(document: bytes) -> Iterator[str]:
    root = lxml.html.document_fromstring(document)
    base = root.find(".//base[@href]")
    if base is not None:
        yield base.get("href")
    for tag, attribute in _REFERENCES:
        for element in root.iter(tag):
            value = element.get(attribute)
            if value is not None:
                yield value
    for element in root.xpath("//*[@srcset]"):
        yield from _srcset(element.get("srcset"))


def xml_references(document: bytes) -> Iterator[str]:
    root = etree.fromstring(document)
    for element in root.iter("{*}loc"):
        if element.text:
            yield element.text.strip()
    for element in root.iter("{*}link"):
        href = element.get("href")
        if href:
            yield href


def _anchors(body: bytes) -> set[str]:
    root = lxml.html.document_fromstring(body)
    names = {e.get("id") for e in root.xpath("//*[@id]")}
    names |= {e.get("name") for e in root.xpath("//a[@name]")}
    return {n for n in names if n}


class _Fetcher:
    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.status: dict[str, str | None] = {}
        self.anchors: dict[str, set[str]] = {}

    def problem(self, url: str) -> str | None:
        """Why ``url`` (no fragment) does not resolve, or ``None``."""
        if url not in self.status:
            try:
                response = self.client.get(url, follow_redirects=True)
            except httpx.HTTPError as exc:
                self.status[url] = f"cannot fetch: {exc}"
            else:
                if response.status_code != 200:
                    self.status[url] = f"HTTP {response.status_code}"
                else:
                    self.status[url] = None
                    if response.headers.get("content-type", "").startswith("text/html"):
                        self.anchors[url] = _anchors(response.content)
        return self.status[url]

    def has_anchor(self, url: str, fragment: str) -> bool:
        return fragment in self.anchors.get(url, set())


def check_links(root: Path, base_url: str) -> LinkReport:
    """Check every internal reference of the site in ``root`` served at ``base_url``."""
    report = LinkReport()
    origin = urlsplit(base_url).netloc
    sources = [(p, html_references) for p in page_files(root)]
    sources += [(p, xml_references) for p in sorted(root.rglob("*.xml"))]
    with httpx.Client(timeout=30) as client:
        fetcher = _Fetcher(client)
        for path, read in sources:
            report.pages += 1
            here = page_url(root, path, base_url)
            for reference in read(path.read_bytes()):
                target = urljoin(here, as_uri(reference.strip()))
                parts = urlsplit(target)
                if parts.scheme not in ("http", "https"):
                    continue
                if parts.netloc != origin:
                    report.external += 1
                    continue
                report.internal += 1
                url, fragment = urldefrag(target)
                reason = fetcher.problem(url)
                if reason is None and fragment and not fetcher.has_anchor(url, unquote(fragment)):
                    reason = f"no element with id {unquote(fragment)!r}"
                if reason is not None:
                    page = path.relative_to(root).as_posix()
                    report.broken.append(Broken(page, reference, reason))
    return report
