"""The bytes of a built site per page kind: the top-level directory a file is under.

Our site's kinds are ``tags/``, ``weeks/``, ``days/``, ``links/``, ``feeds/``,
``pagefind/`` (the search index) and ``search/``; the Hugo peer's are ``posts/``
and ``tags/``. Everything else (the index page, ``archive/``, ``theme/``, the link
exports, the sitemap) is ``other``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

KINDS = ("tags", "weeks", "days", "links", "feeds", "pagefind", "search", "posts")
OTHER = "other"


def kind_of(relative: str) -> str:
    """The kind of the file at ``relative`` (a ``/``-separated path inside the output)."""
    parts = PurePosixPath(relative).parts
    return parts[0] if len(parts) > 1 and parts[0] in KINDS else OTHER


def tally(files: Iterable[tuple[str, int]]) -> dict[str, dict[str, int]]:
    """``{kind: {"bytes": …, "files": …}}`` of ``(relative path, size)`` pairs, kinds in order."""
    out: dict[str, dict[str, int]] = {}
    for relative, size in files:
        entry = out.setdefault(kind_of(relative), {"bytes": 0, "files": 0})
        entry["bytes"] += size
        entry["files"] += 1
    order = {kind: i for i, kind in enumerate((*KINDS, OTHER))}
    return dict(sorted(out.items(), key=lambda item: order[item[0]]))


def _walk(root: Path) -> Iterable[tuple[str, int]]:
    for folder, _, names in os.walk(root):
        base = Path(folder).relative_to(root).as_posix()
        for name in names:
            relative = name if base == "." else f"{base}/{name}"
            yield relative, os.stat(os.path.join(folder, name)).st_size


def by_kind(root: Path) -> dict[str, dict[str, int]]:
    """:func:`tally` of every file under ``root``."""
    return tally(_walk(root))


def per_post(kinds: Mapping[str, Mapping[str, int]], posts: int) -> float:
    """Output bytes per archived post."""
    return sum(k["bytes"] for k in kinds.values()) / posts if posts else 0.0
