"""Reading and rendering the archive shards the cache cannot give, in worker processes.

:class:`ShardJob` does one shard: it parses the shard, sorts its lines (kept posts,
tombstones, posts the moderation rules hide), renders each kept post once and stores
the fragments and the rest in the cache (:mod:`.cache`), returning the
:class:`~.cache.ShardIndex` (no HTML: the fragments stay on disk). :func:`start_shards`
runs the jobs in ``DIGEST_WORKERS`` processes, one task per shard, beside the build process
(which meanwhile loads the shards the cache gives), and gives the results back in shard
order; each shard is rendered by the same code either way, so the site is byte-identical
to a one-process build.

Workers are forked (the job, with its compiled theme template, is inherited rather
than pickled); where ``fork`` is not available, or there is no cache directory to
hand the fragments back through, the shards are done in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from ..archive.moderation import Rules
from ..archive.records import Post
from ..archive.shards import Shard, parse_shard
from ..digest.links import post_links
from ..digest.model import fragment_digest
from ..errors import ArchiveError, TagDigestError
from ..formats.feeds import post_title
from .beside import forkable
from .cache import FragmentCache, ShardIndex, content_hash, slim
from .render import RenderContext, Template, render_fragment

MAX_AUTO_WORKERS = 4
"""``DIGEST_WORKERS = 0`` uses one process per core, at most this many."""


def worker_count(setting: int) -> int:
    """The processes ``DIGEST_WORKERS`` asks for: ``0`` is one per core (at most 4)."""
    if setting > 0:
        return setting
    return max(1, min(os.cpu_count() or 1, MAX_AUTO_WORKERS))


def beside_the_build(setting: int) -> bool:
    """Whether ``DIGEST_WORKERS`` lets work run in processes beside the build (the search
    index, the link exports): when it asks for more than one process."""
    return worker_count(setting) > 1


def read_bytes(shard: Shard) -> bytes:
    try:
        return shard.path.read_bytes()
    except OSError as exc:
        raise ArchiveError(f"{shard.path}: cannot read archive shard: {exc.strerror}") from None


@dataclass(frozen=True, slots=True)
class ShardJob:
    """Everything that decides what a shard gives: the template, the render context, the rules."""

    template: Template
    ctx: RenderContext
    rules: Rules
    cache: FragmentCache

    def run(self, shard: Shard) -> ShardIndex:
        """Read, sort, render and store ``shard`` (see the module docstring)."""
        data = read_bytes(shard)
        wanted = set(self.ctx.tag_hrefs)
        kept: list[Post] = []
        tombstones: list[Post] = []
        hidden: dict[str, str] = {}
        for p in parse_shard(shard.path, data):
            if p.is_tombstone:
                tombstones.append(p)
                if p.withheld:
                    hidden[p.uri] = p.withheld
            elif wanted.intersection(p.tags):
                reason = self.rules.verdict(p)
                if reason is None:
                    kept.append(p)
                else:
                    hidden[p.uri] = reason
        fragments = {p.uri: render_fragment(self.template, p, self.ctx) for p in kept}
        index = ShardIndex(
            posts=slim(kept),
            tombstones=slim(tombstones),
            hidden=hidden,
            digests={uri: fragment_digest(html) for uri, html in fragments.items()},
            links={p.uri: post_links(p) for p in kept},
            titles={p.uri: post_title(p) for p in kept},
        )
        self.cache.store(shard.month, content_hash(data), index, fragments)
        return index


_JOB: ShardJob | None = None
"""The job of the pool being run (forked workers inherit it)."""


def _run_inherited(shard: Shard) -> ShardIndex:
    assert _JOB is not None
    try:
        return _JOB.run(shard)
    except TagDigestError as error:  # its own arguments may not survive pickling: its message does
        raise TagDigestError(str(error)) from None


WORKER_GC = (100_000, 50, 100)
"""The garbage collector's thresholds in a render worker: a shard's posts are parsed and
rendered into objects that seldom form cycles, and a collection every 700 new objects (the
default) took some 8 % of a worker's time (10,000 posts: 5.8 s of CPU, 5.3 s with these)."""


def _worker_start() -> None:
    gc.freeze()  # what the worker inherited is never garbage: not scanned again
    gc.set_threshold(*WORKER_GC)


def _beside(job: ShardJob, workers: int) -> bool:
    return workers > 1 and job.cache.root is not None and forkable()


def pool_size(job: ShardJob, shards: int, workers: int) -> int:
    """How many processes :func:`start_shards` renders ``shards`` shards in (1: one, this
    process or, where workers may run, one beside it)."""
    return min(workers, shards) if _beside(job, workers) and shards > 1 else 1


def start_shards(
    job: ShardJob, shards: Sequence[Shard], workers: int
) -> Callable[[], list[ShardIndex]]:
    """Begin ``job.run`` of each of ``shards``; the call returned gives the results in their
    order. Where ``workers`` allows more than one process (and a cache directory hands the
    fragments back), they are rendered in :func:`pool_size` forked processes from now on,
    even a single shard, while this process goes on; otherwise in this process, when the
    results are asked for."""
    if not shards or not _beside(job, workers):
        return lambda: [job.run(shard) for shard in shards]
    global _JOB
    _JOB = job  # inherited by the workers, forked as the tasks are handed out
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(
        max_workers=pool_size(job, len(shards), workers),
        mp_context=context,
        initializer=_worker_start,
    )
    futures = [pool.submit(_run_inherited, shard) for shard in shards]

    def results() -> list[ShardIndex]:
        global _JOB
        try:
            return [future.result() for future in futures]
        finally:
            pool.shutdown(cancel_futures=True)
            _JOB = None

    return results
