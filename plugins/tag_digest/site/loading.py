"""The archive read for a build: every visible post with a configured tag, and its fragment.

Each shard's bytes are hashed; a shard whose bytes, render fingerprint and moderation
rules are unchanged since the last build takes its posts (and each post's fragment
digest, links and feed title) from the cache (:mod:`.cache`) without being parsed;
any other is parsed, sanitised and rendered, each post once, in worker processes beside
this one, which meanwhile loads what the cache gives (:mod:`.workers`). The fragments
themselves stay in the cache: pages read them one shard at a time (:mod:`.fragment_store`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace

from ..archive.moderation import Rules, count_by_setting, summary
from ..archive.records import Post, standing
from ..archive.shards import Shard, list_shards
from ..console import console
from ..settings import DigestSettings
from .cache import Accounts, FragmentCache, ShardIndex, content_hash, slim
from .fragment_store import ShardFragments
from .render import RenderContext, Template
from .workers import ShardJob, pool_size, read_bytes, start_shards, worker_count

log = logging.getLogger("tag_digest")


@dataclass(frozen=True, slots=True)
class Loaded:
    """What a build reads from the archive, by status URI."""

    posts: list[Post]
    """Visible posts with a configured tag (without ``content``: see :func:`.cache.slim`)."""
    fragments: ShardFragments
    """Their fragments (read from the cache when a page shows them) and fragment digests."""
    links: dict[str, tuple[str, ...]]
    """Each post's :func:`~.links.post_links` (kept in the cache with its fragment)."""
    titles: dict[str, str]
    """Each post's :func:`~.feeds.post_title` (kept in the cache with its fragment)."""
    rendered: int = 0
    """How many posts were rendered (the others came from the cache)."""


def rules_key(rules: Rules) -> str:
    """The moderation rules as text that is the same in every process (part of the cache key)."""
    fields = {
        name: sorted(value) if isinstance(value, frozenset) else value
        for name in Rules.__dataclass_fields__
        if name != "pattern" and (value := getattr(rules, name)) is not None
    }
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)


def load_posts(
    settings: DigestSettings, template: Template, ctx: RenderContext, cache: FragmentCache
) -> Loaded:
    """Every visible post with a configured tag, and its fragment (cached per shard).

    A status deleted anywhere in the archive stays deleted: should its URI
    also have a live line (two archives merged by hand, say), the tombstone wins.
    A post the moderation rules refuse is left out here, before it is rendered.
    """
    rules = settings.moderation
    # what a shard gives depends on the rules too: the cache's key has them
    cache = replace(
        cache, fingerprint=f"{cache.fingerprint}:{content_hash(rules_key(rules).encode())}"
    )
    job = ShardJob(template, ctx, rules, cache)
    accounts: Accounts = {}
    shards = list_shards(settings.archive_path)
    hashes: dict[str, tuple[Shard, str]] = {}
    found: dict[str, ShardIndex] = {}
    rendered = reused = 0
    for shard in shards:
        hashes[shard.month] = (shard, content_hash(read_bytes(shard)))
    missing = [s for s in shards if not cache.has_index(s.month, hashes[s.month][1])]
    workers = worker_count(settings.workers)
    if missing:
        log.info(
            "tag_digest: %d of %d shards read and rendered, in %d processes",
            len(missing), len(shards), pool_size(job, len(missing), workers),
        )  # fmt: skip
    made = start_shards(job, missing, workers)  # beside this process, where it may fork
    cached = [s for s in shards if s not in missing]
    for shard in cached:  # meanwhile, what the cache gives
        index = cache.load_index(shard.month, hashes[shard.month][1], accounts)
        if index is not None:
            found[shard.month] = index
            reused += len(index.posts)
    unusable = [s for s in cached if s.month not in found]
    if unusable:  # a cache file cut short, say: made again here
        log.info("tag_digest: %d cached shards unusable, read and rendered", len(unusable))
    made_here = [job.run(shard) for shard in unusable]
    for shard, index in zip([*missing, *unusable], [*made(), *made_here], strict=True):
        # a shard rendered now gives the very records a cached one gives (shared names)
        found[shard.month] = ShardIndex(
            slim(index.posts, accounts), slim(index.tombstones, accounts),
            index.hidden, index.digests, index.links, index.titles,
        )  # fmt: skip
        rendered += len(index.posts)
    records: dict[str, Post] = {}
    where: dict[str, str] = {}
    """Status URI -> the month of the shard its kept line is in."""
    digests: dict[str, str] = {}
    links: dict[str, tuple[str, ...]] = {}
    titles: dict[str, str] = {}
    lines: dict[str, Post] = {}
    """The line of each URI that stands (:func:`~.records.standing`) among its tombstones
    and the posts kept here: a tombstone anywhere in the archive wins."""
    hidden: dict[str, str] = {}
    for shard in shards:  # merged in shard order, however they were made
        index = found[shard.month]
        hidden.update(index.hidden)
        for stone in index.tombstones:
            known = lines.get(stone.uri)
            lines[stone.uri] = stone if known is None else standing(known, stone)
        for post in index.posts:
            records[post.uri] = post
            known = lines.get(post.uri)
            lines[post.uri] = post if known is None else standing(known, post)
            where[post.uri] = shard.month
            digests[post.uri] = index.digests[post.uri]
            links[post.uri] = index.links[post.uri]
            titles[post.uri] = index.titles[post.uri]
    cache.prune({shard.month for shard in shards})
    for uri in [uri for uri in records if lines[uri].is_tombstone]:
        del records[uri], where[uri], digests[uri], links[uri], titles[uri]
    log.info("tag_digest: %d posts (%d rendered, %d from cache)", len(records), rendered, reused)
    if rules.active or hidden:  # one line, shown like Pelican's own "Done:"
        console().print(
            f"tag_digest: moderation: {summary(count_by_setting(hidden))}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    return Loaded(
        list(records.values()), ShardFragments(job, hashes, where, digests), links, titles, rendered
    )
