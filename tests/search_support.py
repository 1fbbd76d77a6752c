"""Shared helpers of the search tests: posts of known authors, and reading a Pagefind index."""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from factories import make_post
from tag_digest.archive.records import Account, Card, Post

TAGS = ["Supervised_finetuning", "LLM"]


def post(
    n: int,
    text: str,
    *,
    indexable: bool | None = True,
    tags: tuple[str, ...] = ("supervised_finetuning",),
    day: str = "2024-12-10",
    **changes: Any,
) -> Post:
    """A post by author ``a<n>`` whose ``indexable`` is as given."""
    fields: dict[str, Any] = {
        "uri": f"https://example.social/users/a{n}/statuses/{n}",
        "url": f"https://example.social/@a{n}/{n}",
        "created_at": f"{day}T10:{n % 60:02d}:00.000Z",
        "account": Account(
            f"a{n}", f"Автор {n}", f"https://example.social/@a{n}", "", indexable=indexable
        ),
        "content": f"<p>{text}</p>",
        "tags": tags,
        "card": None,
    }
    return make_post(n, **{**fields, **changes})


def with_card(p: Post, title: str, url: str) -> Post:
    return replace(p, card=Card(url, title, "", ""))


def indexed(output: Path) -> list[dict[str, Any]]:
    """Every record in the bundles ``output/pagefind/<key>/`` (their fragments, decoded), by URL."""
    found = []
    for path in sorted((output / "pagefind").glob("*/fragment/*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        found.append(json.loads(data[len(b"pagefind_dcd") :]))
    return sorted(found, key=lambda r: r["url"])
