"""Shared helpers for the digest rendering tests: corpus statuses and real Pelican builds."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import lxml.html
import yaml
from jinja2 import Environment, FileSystemLoader, Template
from pelican import Pelican
from pelican.settings import read_settings
from tag_digest.archive.records import Post
from tag_digest.archive.shards import Archive
from tag_digest.archive.statuses import from_status

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
CORPUS = FIXTURES / "corpus"


def post_template() -> Template:
    """The theme's ``digest/post.html`` in an environment set as the build sets its own."""
    env = Environment(
        loader=FileSystemLoader(str(ROOT / "theme" / "templates")),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("digest/post.html")


def corpus_statuses(name: str) -> list[dict[str, Any]]:
    """Every Status object in a recorded cassette (``rtoot/…yml`` or ``mastodon-py/…yaml``)."""
    data = yaml.safe_load((CORPUS / name).read_text(encoding="utf-8"))
    interactions = data.get("interactions") or data.get("http_interactions") or []
    statuses: list[dict[str, Any]] = []
    for interaction in interactions:
        body = (interaction.get("response") or {}).get("body") or {}
        text = body.get("string") if isinstance(body, dict) else None
        if not text:
            continue
        try:
            payload = json.loads(text)
        except ValueError:
            continue
        for item in payload if isinstance(payload, list) else [payload]:
            if isinstance(item, dict) and "content" in item and "uri" in item:
                statuses.append(item)
    return statuses


def corpus_posts(name: str, server: str = "https://mastodon.social") -> list[Post]:
    return [from_status(s, server, "2025-07-18T00:00:00.000Z") for s in corpus_statuses(name)]


def status_by_uri_part(name: str, part: str) -> dict[str, Any]:
    return next(s for s in corpus_statuses(name) if part in s["uri"])


def write_archive(root: Path, posts: Iterable[Post]) -> Path:
    archive = Archive(root)
    for post in posts:
        archive.put(post)
    archive.save()
    return root


def write_archive_lines(root: Path, records: Iterable[dict[str, Any]]) -> Path:
    """Write raw archive records (bypassing :func:`from_status`'s own filtering)."""
    by_month: dict[str, list[str]] = {}
    for record in records:
        by_month.setdefault(record["created_at"][:7], []).append(
            json.dumps(record, ensure_ascii=False)
        )
    for month, lines in by_month.items():
        path = root / month[:4] / f"{month}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return root


def build(tmp: Path, archive: Path, **override: Any) -> Path:
    """A real Pelican build of the project's settings into ``tmp/output``; returns it.

    A test that sets ``DIGEST_PER_PAGE`` gets the same ``DIGEST_COMPACT_PER_PAGE`` unless it
    sets that too, so pages of compact and of full entries paginate alike in tests.
    """
    output = tmp / "output"
    if "DIGEST_PER_PAGE" in override:
        override.setdefault("DIGEST_COMPACT_PER_PAGE", override["DIGEST_PER_PAGE"])
    settings = read_settings(
        str(ROOT / "pelicanconf.py"),
        override={
            "OUTPUT_PATH": str(output),
            "CACHE_PATH": str(tmp / "cache"),
            "DIGEST_FETCH": False,
            "DIGEST_ARCHIVE_PATH": str(archive),
            **override,
        },
    )
    logging.getLogger("pelican").setLevel(logging.WARNING)
    Pelican(settings).run()
    return output


def parse(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def visible_text(element: lxml.html.HtmlElement) -> str:
    """Text as a reader sees it: Mastodon's ``invisible`` spans hidden, ``ellipsis`` shown as …"""
    clone = lxml.html.fromstring(lxml.html.tostring(element, encoding="unicode"))
    for span in clone.xpath('.//*[contains(concat(" ", @class, " "), " invisible ")]'):
        tail = span.tail
        parent = span.getparent()
        previous = span.getprevious()
        parent.remove(span)
        if tail:
            if previous is not None:
                previous.tail = (previous.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
    for span in clone.xpath('.//*[contains(concat(" ", @class, " "), " ellipsis ")]'):
        span.text = (span.text or "") + "…"
    return " ".join(clone.text_content().split())


def articles(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return root.xpath('.//article[contains(concat(" ", @class, " "), " h-entry ")]')


def iter_html(output: Path) -> Iterator[Path]:
    yield from sorted(output.rglob("*.html"))
