"""The link collection as files: ``links.json``, ``links.csv`` and ``bookmarks.html``.

Each function returns the whole file as text, built from the links alone, so a
rebuild with nothing new gives identical bytes. Links are written oldest first
(by ``first_seen``, then URL): new links are appended at the end, which keeps
diffs of the exports small.

``bookmarks.html`` is the Netscape bookmark file that browsers export and that
browsers, Pinboard and linkding import: ``<DT><A HREF ADD_DATE LAST_MODIFIED
PRIVATE TAGS>title</A>`` inside one ``<DL>``; dates are epoch seconds, tags
comma-separated.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from html import escape
from typing import Any

from ..digest.csp import CONTENT_SECURITY_POLICY
from ..digest.links import Link

CSV_COLUMNS = (
    "url", "title", "domain", "first_seen", "last_seen", "count", "tags", "posts", "wayback",
)  # fmt: skip
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_order(links: Iterable[Link]) -> list[Link]:
    """Oldest first (``first_seen``), then by URL: a stable order new links append to."""
    return sorted(links, key=lambda link: (link.first_seen_at, link.url))


def link_record(link: Link) -> dict[str, Any]:
    """One link as a JSON object (the ``links.json`` contract)."""
    return {
        "url": link.url,
        "title": link.title,
        "domain": link.domain,
        "first_seen": link.first_seen,
        "last_seen": link.last_seen,
        "count": link.count,
        "tags": list(link.tags),
        "posts": [
            {"uri": s.uri, "url": s.url, "digest_url": s.digest_url, "published": s.published}
            for s in link.posts
        ],
        "wayback": link.wayback,
    }


def links_json(links: Iterable[Link]) -> str:
    """``links.json``: a list of link objects, UTF-8, one object a line, newline at the end.

    One line per link keeps the file diffable and a third smaller than an indented one.
    """
    return "".join(links_json_parts(links))


def links_json_parts(links: Iterable[Link], *, ordered: bool = False) -> Iterator[str]:
    """:func:`links_json` in pieces, one link each (a build writes them as they come);
    ``ordered``: ``links`` already come in :func:`export_order`."""
    first = True
    for link in links if ordered else export_order(links):
        yield ("[\n" if first else ",\n") + json.dumps(
            link_record(link), ensure_ascii=False, separators=(",", ":")
        )
        first = False
    yield "[]\n" if first else "\n]\n"


def csv_text(value: str) -> str:
    """A text cell that a spreadsheet shows as text, never runs as a formula.

    A title comes from the network; one starting with ``=``, ``+``, ``-``, ``@``
    (or a tab or carriage return) would be a formula in Excel or LibreOffice, so
    it gets a leading ``'`` (OWASP's advice against CSV injection).
    """
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def links_csv(links: Iterable[Link]) -> str:
    """``links.csv``: a header row, then one row per link (RFC 4180 quoting and CRLF).

    ``tags`` and ``posts`` (the posts' URIs) are space-separated lists. Text
    cells go through :func:`csv_text`.
    """
    return "".join(links_csv_parts(links))


def links_csv_parts(
    links: Iterable[Link], rows: int = 500, *, ordered: bool = False
) -> Iterator[str]:
    """:func:`links_csv` in pieces of ``rows`` rows (``ordered``: as :func:`links_json_parts`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for n, link in enumerate(links if ordered else export_order(links), start=1):
        writer.writerow(
            [
                csv_text(link.url),
                csv_text(link.title or ""),
                csv_text(link.domain),
                link.first_seen,
                link.last_seen,
                link.count,
                csv_text(" ".join(link.tags)),
                csv_text(" ".join(s.uri for s in link.posts)),
                csv_text(link.wayback),
            ]
        )
        if n % rows == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def _epoch(link: Link, which: str) -> int:
    moment = link.first_seen_at if which == "first" else link.last_seen_at
    return int(moment.timestamp())


def bookmarks_html(links: Iterable[Link], title: str = "Bookmarks") -> str:
    """``bookmarks.html`` in the Netscape bookmark format; every text and attribute escaped."""
    return "".join(bookmarks_parts(links, title))


def bookmarks_parts(
    links: Iterable[Link], title: str = "Bookmarks", *, ordered: bool = False
) -> Iterator[str]:
    """:func:`bookmarks_html` in pieces, a line each (``ordered``: as :func:`links_json_parts`)."""
    yield "\n".join(
        [
            "<!DOCTYPE NETSCAPE-Bookmark-file-1>",
            "<!-- This is an automatically generated file.",
            "     It will be read and overwritten.",
            "     DO NOT EDIT! -->",
            '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">',
            f'<META HTTP-EQUIV="Content-Security-Policy" CONTENT="{CONTENT_SECURITY_POLICY}">',
            f"<TITLE>{escape(title)}</TITLE>",
            f"<H1>{escape(title)}</H1>",
            "<DL><p>",
        ]
    )
    for link in links if ordered else export_order(links):
        attributes = (
            f'HREF="{escape(link.url)}" ADD_DATE="{_epoch(link, "first")}" '
            f'LAST_MODIFIED="{_epoch(link, "last")}" PRIVATE="0" '
            f'TAGS="{escape(",".join(link.tags))}"'
        )
        label = " ".join(link.label.split())  # one line each: Chromium's importer reads lines
        yield f"\n    <DT><A {attributes}>{escape(label)}</A>"
    yield "\n</DL><p>\n"
