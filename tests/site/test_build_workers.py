"""Loading the archive: worker processes, the render cache across builds, fragments on disk.

Real Pelican builds of generated posts (``bench/gen_archive.py``) over several months
(one archive shard each), some deleted, one hidden by a moderation rule.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sys
from pathlib import Path

import pytest
from digest_support import ROOT, build, post_template, write_archive
from tag_digest.archive.records import Post
from tag_digest.archive.shards import Shard
from tag_digest.digest.model import build_model, fragment_digest
from tag_digest.digest.strings import catalogue
from tag_digest.digest.tagnames import normalise_tag, tag_slug
from tag_digest.digest.urls import Urls, tag_page_path
from tag_digest.settings import load_settings
from tag_digest.site.cache import FragmentCache, ShardIndex
from tag_digest.site.fragment_store import ShardFragments
from tag_digest.site.loading import load_posts
from tag_digest.site.render import RenderContext, render_fragment
from tag_digest.site.workers import ShardJob

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.gen_archive import DEFAULT_TAGS, generate

TAGS = list(DEFAULT_TAGS[:4])


def posts() -> list[Post]:
    made = generate(320, seed=11, tags=TAGS, span_days=150)
    return [
        p.tombstone("2025-07-01T00:00:00.000Z") if i % 17 == 0 else p for i, p in enumerate(made)
    ]


def settings(workers: int) -> dict[str, object]:
    return {
        "DIGEST_TAGS": TAGS,
        "DIGEST_PER_PAGE": 5,
        "DIGEST_WORKERS": workers,
        "DIGEST_BLOCK_ACCOUNTS": [posts()[3].account.acct + "@mastodon.social"],
    }


PAGEFIND_UNSTABLE = re.compile(
    r"pagefind/(?:[^/]+/)?(filter/.*|pagefind\..*\.pf_meta|pagefind-entry\.json|pagefind-worker\.js|wasm\..*)"
)
"""Pagefind's filter files (and the meta, entry and worker files naming them) and its wasm file can
differ between two builds of one process each, in every bundle (``pagefind/<bundle>/``): left
out (its fragment and index files, made from the records it is given, are compared)."""


def tree(root: Path) -> dict[str, bytes]:
    return {
        name: p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not PAGEFIND_UNSTABLE.fullmatch(name := p.relative_to(root).as_posix())
    }


def loading_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("tag_digest: ")]


def test_two_worker_processes_build_the_same_bytes_as_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tag_digest")
    archive = write_archive(tmp_path / "archive", posts())
    assert len(list(archive.rglob("*.jsonl"))) >= 5  # several shards to share out
    one = build(tmp_path / "one", archive, **settings(1))
    assert any(
        re.search(r"shards read and rendered, in 1 processes", m) for m in loading_lines(caplog)
    )
    caplog.clear()
    two = build(tmp_path / "two", archive, **settings(2))
    assert any(
        re.search(r"shards read and rendered, in 2 processes", m) for m in loading_lines(caplog)
    )
    first, second = tree(one), tree(two)
    assert len(first) > 100
    assert first.keys() == second.keys()
    assert [path for path in first if first[path] != second[path]] == []
    assert any(re.match(r"pagefind/[^/]+/fragment/", path) for path in first)  # a bundle


def test_a_build_after_the_output_was_deleted_renders_nothing_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """``DELETE_OUTPUT_DIRECTORY`` (``make publish``): the next build takes every unchanged
    shard from the render cache, neither parsed, sanitised nor rendered again."""
    archive = write_archive(tmp_path / "archive", posts())
    options = {**settings(2), "DELETE_OUTPUT_DIRECTORY": True}
    caplog.set_level(logging.INFO, logger="tag_digest")
    first = tree(build(tmp_path, archive, **options))
    cache = tmp_path / "cache" / "tag_digest"
    stored = {
        p: p.stat().st_mtime_ns
        for kind in ("index", "fragments")
        for p in cache.glob(f"{kind}/*.json")
    }
    shards = len(list(archive.rglob("*.jsonl")))
    assert len(stored) == 2 * shards
    shown = re.search(r"(\d+) posts \((\d+) rendered", " ".join(loading_lines(caplog)))
    assert shown is not None and int(shown[1]) > 200 and shown[1] == shown[2]
    caplog.clear()
    second = tree(build(tmp_path, archive, **options))
    lines = loading_lines(caplog)
    assert f"tag_digest: {shown[1]} posts (0 rendered, {shown[1]} from cache)" in lines
    assert not any("shards read and rendered" in line for line in lines)
    assert {p: p.stat().st_mtime_ns for p in stored} == stored  # not one cache file rewritten
    unindexed = [name for name in first if not name.startswith("pagefind/")]  # re-indexed anew
    assert {name: second.get(name) for name in unindexed} == {
        name: first[name] for name in unindexed
    }

    # One shard changed: only it is read and rendered again.
    changed = posts()
    changed[-1] = changed[-1].tombstone("2025-07-02T00:00:00.000Z")
    write_archive(archive, changed)
    caplog.clear()
    build(tmp_path, archive, **options)
    lines = loading_lines(caplog)
    assert f"tag_digest: 1 of {shards} shards read and rendered, in 1 processes" in lines


def test_pages_read_each_fragment_from_the_cache_and_a_lost_shard_is_rendered_again(
    tmp_path: Path,
) -> None:
    """The model holds no fragment: each one is read from the shard's cache file when asked,
    and is the post's own rendering; a fragments file gone during the build is made again."""
    originals = {p.uri: p for p in posts() if not p.is_tombstone}
    archive = write_archive(tmp_path / "archive", posts())
    settings = load_settings(
        {"DIGEST_TAGS": TAGS, "DIGEST_ARCHIVE_PATH": str(archive), "DIGEST_WORKERS": 1}
    )
    template = post_template()
    urls = Urls(relative=True, site_url="")
    tags = {normalise_tag(t): urls.rooted(tag_page_path(tag_slug(t))) for t in TAGS}
    ctx = RenderContext(tz=dt.UTC, tag_hrefs=tags, words=catalogue("en"))
    cache = FragmentCache(tmp_path / "cache", ctx.fingerprint)
    loaded = load_posts(settings, template, ctx, cache)
    model = build_model(loaded.posts, loaded.fragments, TAGS, (), dt.UTC, urls)
    shards = len(list(archive.rglob("*.jsonl")))
    assert len(model.entries) > 250 and loaded.fragments.reads == 0
    for entry in model.entries:
        assert entry.post.content == ""  # the record keeps no HTML
        made = render_fragment(template, originals[entry.post.uri], ctx)
        assert str(entry.fragment) == made and entry.digest == fragment_digest(made)
    assert loaded.fragments.reads == shards  # newest first: each shard read once

    for path in (tmp_path / "cache").rglob("fragments/*.json"):
        path.unlink()
    again = ShardFragments(
        loaded.fragments.job, loaded.fragments.shards, loaded.fragments.where, {}
    )
    entry = model.entries[-1]
    made = render_fragment(template, originals[entry.post.uri], ctx)
    assert again.fragment(entry.post.uri) == made
    assert len(list((tmp_path / "cache").rglob("fragments/*.json"))) == 1


def test_a_changed_shard_is_rendered_beside_the_build_and_gives_the_same_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One shard to render: where workers may run, a forked process renders it while this
    one loads the shards the cache gives (in one process, this one renders it)."""
    archive = write_archive(tmp_path / "archive", posts())
    for workers in (1, 2):
        build(tmp_path / str(workers), archive, **settings(workers))
    changed = posts()
    changed[-2] = changed[-2].tombstone("2025-07-02T00:00:00.000Z")
    write_archive(archive, changed)

    calls = tmp_path / "runs.txt"
    run = ShardJob.run

    def noted(job: ShardJob, shard: Shard) -> ShardIndex:
        with calls.open("a", encoding="utf-8") as file:  # from whichever process runs it
            file.write(f"{os.getpid()}\n")
        return run(job, shard)

    monkeypatch.setattr(ShardJob, "run", noted)
    sites = {}
    for workers in (1, 2):
        calls.unlink(missing_ok=True)
        sites[workers] = tree(build(tmp_path / str(workers), archive, **settings(workers)))
        pids = calls.read_text(encoding="utf-8").split()
        assert len(pids) == 1  # only the changed shard
        assert (pids[0] == str(os.getpid())) == (workers == 1)
    assert sites[1] == sites[2]
