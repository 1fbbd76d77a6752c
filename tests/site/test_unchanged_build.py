"""A build after one made from exactly the same inputs renders nothing (issue 14).

The generator hashes everything the digest is made from (its *build key*: the shards'
bytes, the settings, the theme, the plugin's code, the fetched block) and the writer keeps
it in the page manifest. When the key is the last build's and every page the last build
wrote is still there with its size, no page builder runs. Anything else takes the usual
page-by-page path, whose pages are those of a build from scratch. Real Pelican builds over
a copy of the shipped archive, and the writer on its own.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest
from digest_support import ROOT, build
from jinja2 import Environment
from pelican.log import LimitFilter
from tag_digest.archive.shards import Archive
from tag_digest.archive.state import STATE_FILE
from tag_digest.site.writer import PageWriter
from test_fetched_splice import fresh_build, set_fetched, stats, tree

NOTHING = "nothing changed since the last build"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    copy = tmp_path / "archive"
    shutil.copytree(ROOT / "content" / "archive", copy)
    (copy / STATE_FILE).unlink(missing_ok=True)
    set_fetched(copy, dt.datetime.now(dt.UTC) - dt.timedelta(hours=2))
    return copy


def rebuild(
    site: Path, archive: Path, caplog: pytest.LogCaptureFixture, **override: object
) -> tuple[Path, dict[str, int], bool]:
    """A build; its page counts, and whether it found nothing changed."""
    caplog.clear()
    LimitFilter._raised_messages.clear()  # Pelican logs a message once per process
    with caplog.at_level(logging.INFO, logger="tag_digest"):
        output = build(site, archive, **override)
    return output, stats(caplog), NOTHING in caplog.text


def test_a_build_with_nothing_changed_renders_nothing_and_leaves_every_file(
    tmp_path: Path, archive: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = tmp_path / "site"
    output, first, unchanged = rebuild(site, archive, caplog)
    assert not unchanged and first["written"] == first["total"] > 0
    manifest = json.loads((site / "cache" / "tag_digest" / "pages.json").read_text("utf-8"))
    assert len(manifest["build"]) == 32  # the key of what it was made from
    pages = [output / name for name in manifest["pages"]]  # the digest's files (not Pelican's)
    assert len(pages) == first["total"]
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in pages}

    output, second, unchanged = rebuild(site, archive, caplog)
    assert unchanged
    assert second["skipped"] == second["total"] == first["total"], second
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in pages} == before  # untouched
    assert tree(output) == fresh_build(tmp_path, archive)


def test_a_missing_or_changed_page_takes_the_usual_path_and_is_made_again(
    tmp_path: Path, archive: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = tmp_path / "site"
    output, _, _ = rebuild(site, archive, caplog)
    expected = tree(output)
    day = next((output / "days").glob("*/index.html"))
    day.unlink()
    output, counts, unchanged = rebuild(site, archive, caplog)
    assert not unchanged and counts["written"] == 1, counts
    assert tree(output) == expected

    feed = output / "feeds" / "all.atom.xml"
    feed.write_bytes(feed.read_bytes() + b"<!-- edited -->")  # another size
    output, counts, unchanged = rebuild(site, archive, caplog)
    assert not unchanged and counts["written"] == 1, counts
    assert tree(output) == expected


def test_a_deletion_a_setting_or_a_fetch_time_takes_the_usual_path(
    tmp_path: Path, archive: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = tmp_path / "site"
    output, _, _ = rebuild(site, archive, caplog)
    assert rebuild(site, archive, caplog)[2]  # nothing changed yet

    # An author deletes a post: its shard's bytes change, the post leaves every page.
    store = Archive.load(archive)
    gone = next(iter(store))
    store.put(gone.tombstone("2024-12-30T00:00:00.000Z"))
    store.save()
    output, counts, unchanged = rebuild(site, archive, caplog)
    assert not unchanged and counts["written"] > 0
    assert not any(gone.url.encode() in p.read_bytes() for p in output.rglob("*.html"))
    assert tree(output) == fresh_build(tmp_path / "a", archive)

    # A new fetch time alone: the pages are spliced, not kept as they were.
    set_fetched(archive, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    output, counts, unchanged = rebuild(site, archive, caplog)
    assert not unchanged and counts["spliced"] > 0, counts
    assert rebuild(site, archive, caplog)[2]  # and then nothing changed again

    # A setting the pages show.
    output, counts, unchanged = rebuild(site, archive, caplog, SITENAME="Другое имя")
    assert not unchanged and counts["written"] > 0
    assert "Другое имя" in (output / "archive" / "index.html").read_text("utf-8")
    assert rebuild(site, archive, caplog, SITENAME="Другое имя")[2]


def writer(tmp_path: Path) -> PageWriter:
    return PageWriter(tmp_path / "out", tmp_path / "pages.json")


def must_not_render() -> str:
    raise AssertionError("rendered")


def test_the_writer_keeps_every_page_only_for_the_same_key_and_files(tmp_path: Path) -> None:
    first = writer(tmp_path)
    first.write("a/index.html", lambda: "<p>a</p>", "sa")
    first.write("b.xml", lambda: "<b/>", "sb")
    first.finish("key-1")

    assert not writer(tmp_path).unchanged_since("key-2")  # other inputs
    assert not writer(tmp_path).unchanged_since("")
    busy = writer(tmp_path)
    busy.write("a/index.html", must_not_render, "sa")
    assert not busy.unchanged_since("key-1")  # asked after a page was written

    same = writer(tmp_path)
    assert same.unchanged_since("key-1")
    same.write("b.xml", must_not_render, "sb")  # what is made beside the build still is
    same.keep_unwritten()
    kept = same.finish("key-1")
    assert (kept.skipped, kept.written, kept.removed) == (2, 0, 0)
    assert (tmp_path / "out" / "a" / "index.html").read_text() == "<p>a</p>"
    assert writer(tmp_path).unchanged_since("key-1")  # the key is saved again

    (tmp_path / "out" / "a" / "index.html").write_text("<p>other</p>")  # another size
    assert not writer(tmp_path).unchanged_since("key-1")
    (tmp_path / "out" / "a" / "index.html").unlink()
    assert not writer(tmp_path).unchanged_since("key-1")


def test_without_a_manifest_nothing_is_taken_as_unchanged(tmp_path: Path) -> None:
    first = writer(tmp_path)
    first.write("a/index.html", lambda: "<p>a</p>", "sa")
    first.finish("key-1")
    (tmp_path / "pages.json").unlink()
    assert not writer(tmp_path).unchanged_since("key-1")
    ignoring = PageWriter(tmp_path / "out", tmp_path / "pages.json", read_manifest=False)
    assert not ignoring.unchanged_since("key-1")


def test_the_digest_templates_are_compiled_once_and_kept_in_the_cache(
    tmp_path: Path, archive: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Jinja's bytecode cache in ``CACHE_PATH/tag_digest/templates/``: a later build loads the
    digest templates compiled (Jinja checks each against its source) and renders the same."""
    compiled: list[str] = []
    compile_ = Environment.compile

    def noted(env: Environment, source: str, name: str | None = None, *args: Any, **kw: Any) -> Any:
        if env.bytecode_cache is not None:  # the digest's templates (Pelican's own have none)
            compiled.append(str(name))
        return compile_(env, source, name, *args, **kw)

    monkeypatch.setattr(Environment, "compile", noted)
    site = tmp_path / "site"
    first = tree(rebuild(site, archive, caplog)[0])
    assert "digest/post.html" in compiled
    assert any((site / "cache" / "tag_digest" / "templates").glob("__jinja2_*.cache"))
    compiled.clear()
    shutil.rmtree(site / "output")  # so that the pages are rendered again
    assert tree(rebuild(site, archive, caplog)[0]) == first
    assert compiled == []
    assert first == fresh_build(tmp_path, archive)
