"""How big the built site is, against GitHub Pages' limit of 1 GB for a published site.

Pages refuses to deploy a site over the limit, so a busy digest would stop publishing
without a word from the build. After every build (Pelican's ``finalized``) the plugin adds
up the output folder and warns, in one line, once the site passes 80 % of the limit.
"""

from __future__ import annotations

import os
from pathlib import Path

PAGES_LIMIT = 1_000_000_000
"""Bytes: the most GitHub Pages publishes."""
WARN_SHARE = 0.8
"""Warn past this share of :data:`PAGES_LIMIT`."""


def tree_bytes(root: Path) -> int:
    """The bytes of every file under ``root`` (links are not followed; missing root: 0)."""
    total = 0
    stack = [str(root)]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    total += entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue
    return total


def size_warning(total: int, limit: int = PAGES_LIMIT, share: float = WARN_SHARE) -> str | None:
    """The warning for a site of ``total`` bytes, or ``None`` while it is small enough."""
    if total <= limit * share:
        return None
    return (
        f"the built site is {total / 1e6:,.0f} MB, {total / limit:.0%} of GitHub Pages' "
        f"{limit / 1e9:g} GB limit: past it Pages refuses to deploy (see README, Performance)"
    )
