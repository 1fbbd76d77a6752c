"""The posts' full HTML during a build, read from the fragment cache one shard at a time.

A build never holds every post's fragment: :class:`ShardFragments` knows which shard
each post came from and reads a shard's ``fragments/<month>.json`` (:mod:`.cache`)
when a page first asks for one of its posts. The shards read last stay in memory while
they are small together (:data:`KEPT_CHARS`), the last :data:`SHARDS_KEPT` always.
Pages are written roughly in time order (days, weeks, a tag's pages newest first), so
each shard is read about once per kind of page. Should a shard's file have gone (the
cache folder removed during the build), the shard is rendered again
(:class:`~.workers.ShardJob`).
"""

from __future__ import annotations

import ctypes
import functools
from collections import OrderedDict
from collections.abc import Callable, Mapping

from markupsafe import Markup

from ..archive.shards import Shard
from .cache import content_hash
from .workers import ShardJob, read_bytes

SHARDS_KEPT = 2
"""Shards whose fragments always stay in memory (a week spans two months at most)."""
KEPT_CHARS = 16_000_000
"""More shards stay while their fragments are this many characters together (some 32 MB):
the day pages, the feeds and the week pages read the shards in time order, each about once;
pages that show full posts in tag order (tag pages, when ``DIGEST_COMPACT_PAGES`` leaves
them full) read the shards they do not keep once per tag. At 100,000 posts a month's
fragments are some 10 million characters, so the last two are kept."""


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc (macOS, musl, Windows)
        return None
    return trim


def give_back_memory() -> None:
    """Return the freed memory at the top and in the middle of the C heap to the system
    (glibc's ``malloc_trim``; nothing elsewhere). A fragment is a string of some kilobytes,
    which Python takes from the C heap, and the heap keeps what is freed unless asked (the
    strings are freed as their last reference goes: no garbage collection is needed)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


class ShardFragments:
    """Each post's fragment and its digest, by status URI (a :class:`.model.FragmentSource`)."""

    def __init__(
        self,
        job: ShardJob,
        shards: Mapping[str, tuple[Shard, str]],
        where: Mapping[str, str],
        digests: Mapping[str, str],
        kept_chars: int = KEPT_CHARS,
    ) -> None:
        self.job = job
        self.shards = shards
        """Month -> (its shard, the hash of its bytes this build read)."""
        self.where = where
        """Status URI -> the month of the shard its kept line is in."""
        self.digests = digests
        self.kept_chars = kept_chars
        """The :data:`KEPT_CHARS` of this reader."""
        self._kept: OrderedDict[str, tuple[dict[str, str], int]] = OrderedDict()
        self.reads = 0
        """How many shard files were read (each shard once per pass over the pages)."""

    def reader(self) -> ShardFragments:
        """Another reader of the same fragments, keeping only its last :data:`SHARDS_KEPT`
        shards: for the search index, which reads the posts once, in time order, in a
        process of its own (a fork would otherwise carry this reader's kept shards along)."""
        return ShardFragments(self.job, self.shards, self.where, self.digests, kept_chars=0)

    def release(self) -> None:
        """Forget the kept shards (a later :meth:`fragment` reads its shard again), and hand
        the memory they held back to the system, so that what the build does next starts
        from a lower peak (:func:`give_back_memory`)."""
        self._kept.clear()
        give_back_memory()

    def digest(self, uri: str) -> str | None:
        return self.digests.get(uri)

    def fragment(self, uri: str) -> Markup:
        # .get: a shard rewritten during the build may no longer have the post
        return Markup(self._shard(self.where[uri]).get(uri, ""))

    def _shard(self, month: str) -> dict[str, str]:
        found = self._kept.get(month)
        if found is not None:
            self._kept.move_to_end(month)
            return found[0]
        shard, shard_hash = self.shards[month]
        self.reads += 1
        loaded = self.job.cache.load_fragments(month, shard_hash)
        if loaded is None:  # gone or changed since this build read it: render it again
            self.job.run(shard)
            loaded = self.job.cache.load_fragments(month, content_hash(read_bytes(shard))) or {}
        self._kept[month] = (loaded, sum(map(len, loaded.values())))
        while len(self._kept) > SHARDS_KEPT and (
            sum(size for _, size in self._kept.values()) > self.kept_chars
        ):
            self._kept.popitem(last=False)
        return loaded
