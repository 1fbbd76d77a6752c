"""What a build's caches are keyed on: hashes of the theme, the plugin's code, the settings.

- :func:`theme_hash`: every template the digest pages can use, the render code's version
  and the plugin's own source (:func:`code_hash`): part of the render fingerprint, so any
  edit re-renders;
- :func:`page_fingerprint`: what every page depends on besides its own inputs (the theme,
  Pelican's settings, the host site's pages, the tags, the words, the freshness notice);
- :func:`source_key`: what the model is made from (each shard's bytes, the render fingerprint
  and the moderation rules); :func:`build_key`: that and everything else the pages are made
  from, kept in the page manifest, so that a build made from the same renders nothing
  (:meth:`.writer.PageWriter.unchanged_since`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from jinja2 import Environment

from ..digest.model import SiteModel
from ..version import __version__
from .fragment_store import ShardFragments
from .page_output import signature_hash
from .render import RENDER_VERSION

PACKAGE = Path(__file__).resolve().parents[1]


def reads_caches(settings: Mapping[str, object]) -> bool:
    """Whether the build reads the digest's caches (fragments, page manifest).

    Pelican's ``--ignore-cache`` sets ``LOAD_CONTENT_CACHE = False``, which is also
    Pelican's default; so it is honoured where Pelican's own content cache is on
    (``CACHE_CONTENT = True``): then the digest, like Pelican, loads no cache unless
    ``LOAD_CONTENT_CACHE`` is true. With ``CACHE_CONTENT`` off (Pelican's default) the
    digest's caches are always read (each is checked against what it was made from).
    """
    return not settings.get("CACHE_CONTENT") or bool(settings.get("LOAD_CONTENT_CACHE"))


def code_files() -> list[Path]:
    """Every module of the package, subfolders included (what :func:`code_hash` hashes)."""
    return sorted(PACKAGE.rglob("*.py"))


@functools.cache
def code_hash() -> str:
    """A hash of the plugin's own source: any code change re-renders (no stale caches)."""
    return signature_hash(
        *(
            f"{p.relative_to(PACKAGE).as_posix()}\x1f{p.read_text(encoding='utf-8')}"
            for p in code_files()
        )
    )


def theme_hash(env: Environment) -> str:
    """A hash of every template the digest pages can use (any edit re-renders)."""
    loader = env.loader
    assert loader is not None
    parts = []
    for name in sorted(env.list_templates()):
        try:
            source = loader.get_source(env, name)[0]
        except Exception:  # an unreadable template is simply not hashed
            continue
        parts.append(f"{name}\x1f{source}")
    return signature_hash(RENDER_VERSION, __version__, code_hash(), *parts)


def _jsonable(value: object) -> bool:
    if value is None or isinstance(value, str | int | float | bool):
        return True
    if isinstance(value, list | tuple):
        return all(_jsonable(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _jsonable(v) for k, v in value.items())
    return False


def page_fingerprint(
    theme: str,
    settings: Mapping[str, object],
    context: Mapping[str, object],
    model: SiteModel,
    words: Mapping[str, str],
    fetched: str | None = None,
) -> str:
    """What every page depends on besides its own inputs.

    ``theme``: :func:`theme_hash`; ``settings``: Pelican's (those JSON can hold);
    ``context``: Pelican's shared context (its pages and articles, ``digest_fetched``).
    ``fetched``: the footer's last-fetched block, when the pages are spliced with it
    (:func:`~.fetched_block.fetched_block`): then only the stale notice of
    ``digest_fetched`` is in the fingerprint (it appears, or its age in days changes,
    at most once a day)."""
    freshness_part = context.get("digest_fetched")
    if fetched is not None:
        freshness_part = getattr(freshness_part, "stale", None)
    kept = {k: v for k, v in sorted(settings.items()) if _jsonable(v)}
    pages = []
    for key in ("pages", "articles"):  # Pelican's Page and Article objects
        items = context.get(key) or ()
        if isinstance(items, Iterable):
            pages += [(str(getattr(p, "url", "")), str(getattr(p, "title", ""))) for p in items]
    # The chrome shows the tags, not their counts: a new post must not re-render every page.
    tags = [(t.name, t.link) for t in model.tags]
    return signature_hash(
        theme,
        json.dumps(kept, sort_keys=True, default=str),
        json.dumps(pages),
        json.dumps(tags),
        repr(sorted(words.items())),
        repr(freshness_part),
    )


def source_key(fragments: ShardFragments) -> str:
    """What the model and every fragment are made from: each shard's bytes (their hashes),
    under the render fingerprint and the moderation rules (the fragment cache's key), and
    the cached records the build read of each (:meth:`.cache.FragmentCache.index_stamp`)."""
    cache = fragments.job.cache
    return signature_hash(
        cache.fingerprint,
        *(
            f"{month}\x1f{digest}\x1f{cache.index_stamp(month)}"
            for month, (_, digest) in sorted(fragments.shards.items())
        ),
    )


def build_key(
    source: str, fingerprint: str, fetched: str | None, prefix: str, host_urls: list[str]
) -> str:
    """A hash of everything the digest's pages are made from: :func:`source_key`, the page
    fingerprint (:func:`page_fingerprint`), the fetched block, ``DIGEST_PATH`` and the host
    pages the sitemap lists. Nothing else goes into a page (each page's signature is made of
    these and of what the model gives), so two builds of the same key write the same pages."""
    return signature_hash(
        source,
        fingerprint,
        "\x00" if fetched is None else fetched,
        prefix,
        json.dumps(host_urls),
    )
