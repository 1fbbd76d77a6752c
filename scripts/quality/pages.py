"""One representative page of each type in a built site (the largest, where there are several)."""

from __future__ import annotations

from pathlib import Path

# type: glob patterns relative to the output root, first match wins.
PAGE_TYPES: dict[str, tuple[str, ...]] = {
    "index": ("index.html",),
    "tag": ("tags/*/index.html",),
    "tag-page-2": ("tags/*/page/2/index.html",),
    "week": ("weeks/*/index.html",),
    "day": ("days/*/index.html",),
    "archive": ("archive/index.html",),
    "links": ("links/index.html",),
    "links-by": ("links/*/index.html", "links/*/*/index.html"),
    "page": ("pages/*.html", "pages/*/index.html"),
    "removal": ("removal/index.html",),
    "search": ("search/index.html",),
}
REQUIRED = ("index", "tag", "week", "day", "archive", "links", "removal", "search")
"""Page types every digest site has (the others exist only with enough posts or pages)."""
LIGHTHOUSE_TYPES = ("index", "tag", "week", "links", "search")
SEARCH_QUERY = "?q=%D0%BC%D0%BE%D0%B4%D0%B5%D0%BB%D0%B8"
"""The search page is checked showing the results for «модели» (a word of the generated posts)."""


def representative_pages(root: Path) -> dict[str, Path]:
    """``{type: file}``; among several candidates the biggest file (the worst case)."""
    found: dict[str, Path] = {}
    for kind, patterns in PAGE_TYPES.items():
        candidates = [p for pattern in patterns for p in root.glob(pattern) if p.is_file()]
        if candidates:
            found[kind] = max(candidates, key=lambda p: (p.stat().st_size, p.as_posix()))
    return found


def missing_types(pages: dict[str, Path]) -> list[str]:
    return [kind for kind in REQUIRED if kind not in pages]


def digest_pages(root: Path) -> list[Path]:
    """Pages that show posts (``h-entry``): the ones the shell budget applies to."""
    pages = []
    for path in sorted(root.rglob("*.html")):
        if b'h-entry' in path.read_bytes():
            pages.append(path)
    return pages
