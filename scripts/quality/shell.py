"""The shell of a digest page: its HTML without the posts, plus its CSS, raw and gzip-compressed.

The 14 kB budget is TCP's initial congestion window (10 segments of 1,460
bytes, 14,600 bytes, less the TLS and HTTP headers): what a server can send
before it waits for the first acknowledgement. What travels is the compressed
response, so the budget applies to the gzip size (level 6, as common servers
use) of the page shell and of every stylesheet it links, added up as if they
all had to fit in that first flight; the raw sizes are reported beside them.
A post is everything inside an ``<article class="h-entry">``.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html

BUDGET = 14_000
"""Bytes (gzip) for the shell and its CSS together."""

_POSTS = "//article[contains(concat(' ', normalize-space(@class), ' '), ' h-entry ')]"
_SHEETS = "//link[@href][contains(concat(' ', normalize-space(@rel), ' '), ' stylesheet ')]"
_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)""")


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


@dataclass(frozen=True, slots=True)
class ShellSize:
    page: str
    posts_removed: int
    html_raw: int
    html_gzip: int
    css_raw: int
    css_gzip: int
    stylesheets: tuple[str, ...]

    @property
    def total_raw(self) -> int:
        return self.html_raw + self.css_raw

    @property
    def total_gzip(self) -> int:
        return self.html_gzip + self.css_gzip

    @property
    def within_budget(self) -> bool:
        return self.total_gzip <= BUDGET


def strip_posts(document: bytes) -> tuple[bytes, int]:
    """The page without its posts (``article.h-entry``), and how many were removed."""
    root = lxml.html.document_fromstring(document)
    posts = root.xpath(_POSTS)
    for post in posts:
        post.drop_tree()
    html = lxml.html.tostring(root, encoding="utf-8", doctype="<!DOCTYPE html>")
    return html, len(posts)


def _local(root: Path, page: Path, href: str, site_url: str | None = None) -> Path | None:
    """The file under ``root`` that ``href`` (on ``page``) names, if it is one of ours."""
    if site_url and href.startswith(site_url.rstrip("/") + "/"):
        href = "/" + href[len(site_url.rstrip("/")) + 1 :]
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    path = unquote(parts.path)
    target = (root / path.lstrip("/")) if path.startswith("/") else (page.parent / path)
    target = target.resolve()
    return target if target.is_file() and root.resolve() in target.parents else None


def _stylesheets(root: Path, page: Path, document: bytes, site_url: str | None) -> list[Path]:
    tree = lxml.html.document_fromstring(document)
    found: list[Path] = []
    queue = [
        _local(root, page, link.get("href", ""), site_url)
        for link in tree.xpath(_SHEETS)
    ]
    while queue:
        css = queue.pop(0)
        if css is None or css in found:
            continue
        found.append(css)
        text = css.read_text(encoding="utf-8", errors="replace")
        queue.extend(_local(root, css, m.group(1), site_url) for m in _IMPORT.finditer(text))
    return found


def measure_shell(root: Path, page: Path, site_url: str | None = None) -> ShellSize:
    """The shell size of ``page`` (a file under the output directory ``root``).

    ``site_url`` is the site's own absolute URL, for stylesheets linked by absolute URL.
    """
    document = page.read_bytes()
    shell, removed = strip_posts(document)
    sheets = _stylesheets(root, page, document, site_url)
    css = [s.read_bytes() for s in sheets]
    if not sheets and b"stylesheet" in document:
        raise ValueError(f"{page}: a stylesheet is linked but not found under {root}")
    return ShellSize(
        page=page.relative_to(root).as_posix(),
        posts_removed=removed,
        html_raw=len(shell),
        html_gzip=gz(shell),
        css_raw=sum(len(c) for c in css),
        css_gzip=sum(gz(c) for c in css),
        stylesheets=tuple(s.relative_to(root.resolve()).as_posix() for s in sheets),
    )
