"""The archive read for a build: every visible post with a configured tag, and its fragment.

Each shard is read; a shard whose bytes and render fingerprint are unchanged since the
last build takes its fragments (and each post's links and feed title) from the cache
(:mod:`.cache`), any other is sanitised and rendered, each post once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from jinja2 import Template
from markupsafe import Markup

from ..archive.moderation import count_by_setting, summary
from ..archive.records import Post, standing
from ..archive.shards import list_shards, read_shard
from ..console import console
from ..digest.links import post_links
from ..errors import TagDigestError
from ..formats.feeds import post_title
from ..settings import DigestSettings
from .cache import FragmentCache, ShardCache, content_hash
from .render import RenderContext, render_fragment

log = logging.getLogger("tag_digest")


@dataclass(frozen=True, slots=True)
class Loaded:
    """What a build reads from the archive, by status URI."""

    posts: list[Post]
    """Visible posts with a configured tag (their ``content`` dropped: the fragment has it)."""
    fragments: dict[str, Markup]
    links: dict[str, tuple[str, ...]]
    """Each post's :func:`~.links.post_links` (kept in the cache with its fragment)."""
    titles: dict[str, str]
    """Each post's :func:`~.feeds.post_title` (kept in the cache with its fragment)."""


def load_posts(
    settings: DigestSettings, template: Template, ctx: RenderContext, cache: FragmentCache
) -> Loaded:
    """Every visible post with a configured tag, and its fragment (cached per shard).

    A status deleted anywhere in the archive stays deleted: should its URI
    also have a live line (two archives merged by hand, say), the tombstone wins.
    A post the moderation rules refuse is left out here, before it is rendered.
    """
    wanted = set(ctx.tag_hrefs)
    records: dict[str, Post] = {}
    fragments: dict[str, Markup] = {}
    links: dict[str, tuple[str, ...]] = {}
    titles: dict[str, str] = {}
    lines: dict[str, Post] = {}
    """The line of each URI that stands (:func:`~.records.standing`) among its tombstones
    and the posts kept here: a tombstone anywhere in the archive wins."""
    rules = settings.moderation
    hidden: dict[str, str] = {}
    rendered = reused = 0
    months = set()
    for shard in list_shards(settings.archive_path):
        months.add(shard.month)
        try:
            shard_hash = content_hash(shard.path.read_bytes())
        except OSError as exc:
            raise TagDigestError(
                f"{shard.path}: cannot read archive shard: {exc.strerror}"
            ) from None
        posts = []
        for p in read_shard(shard.path):
            if p.is_tombstone:
                known = lines.get(p.uri)
                lines[p.uri] = p if known is None else standing(known, p)
                if p.withheld:
                    hidden[p.uri] = p.withheld
            elif wanted.intersection(p.tags):
                reason = rules.verdict(p)
                if reason is None:
                    posts.append(p)
                else:
                    hidden[p.uri] = reason
        cached = cache.load(shard.month, shard_hash)
        if cached is None or any(
            p.uri not in cached.fragments or p.uri not in cached.links or p.uri not in cached.titles
            for p in posts
        ):
            cached = ShardCache(
                {p.uri: render_fragment(template, p, ctx) for p in posts},
                {p.uri: post_links(p) for p in posts},
                {p.uri: post_title(p) for p in posts},
            )
            cache.store(shard.month, shard_hash, cached)
            rendered += len(posts)
        else:
            reused += len(posts)
        for post in posts:
            # Everything the post's HTML gives (fragment, links, feed title) is made:
            # the record keeps no copy of it, which halves the memory of a large build.
            records[post.uri] = replace(post, content="")
            known, line = lines.get(post.uri), records[post.uri]
            lines[post.uri] = line if known is None else standing(known, line)
            # Markup now, once: the model keeps this very string (no second copy in memory)
            fragments[post.uri] = Markup(cached.fragments[post.uri])
            links[post.uri] = cached.links[post.uri]
            titles[post.uri] = cached.titles[post.uri]
    cache.prune(months)
    for uri in [uri for uri in records if lines[uri].is_tombstone]:
        del records[uri], fragments[uri], links[uri], titles[uri]
    log.info("tag_digest: %d posts (%d rendered, %d from cache)", len(records), rendered, reused)
    if rules.active or hidden:  # one line, shown like Pelican's own "Done:"
        console().print(
            f"tag_digest: moderation: {summary(count_by_setting(hidden))}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    return Loaded(list(records.values()), fragments, links, titles)
