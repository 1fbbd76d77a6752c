"""A fetch that only moves the footer's last-fetched time re-renders no page (issue 14).

The writer splices the new ``digest/fetched.html`` block into each page written with the
old one (:mod:`tag_digest.site.writer`); the pages are byte for byte those of a build
from scratch. Real Pelican builds over the shipped archive, and the writer on its own.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
from pathlib import Path

import pytest
from digest_support import ROOT, build
from tag_digest.archive.state import STATE_FILE, FetchState
from tag_digest.site.writer import PageWriter
from tag_digest.times import format_time

DEFAULT_ARCHIVE = ROOT / "content" / "archive"
STATS = re.compile(
    r"tag_digest: (\d+) pages: (\d+) written, (\d+) unchanged, (\d+) not re-rendered, "
    r"(\d+) spliced"
)


def set_fetched(archive: Path, when: dt.datetime) -> None:
    state, problem = FetchState.load(archive)
    assert problem is None
    state.last_success = format_time(when)
    state.save()


def tree(output: Path) -> dict[str, bytes]:
    """Every file of the site but the search index (Pagefind's, not the writer's pages)."""
    files = (p for p in output.rglob("*") if p.is_file())
    return {
        name: p.read_bytes()
        for p in files
        if not (name := p.relative_to(output).as_posix()).startswith("pagefind/")
    }


def stats(caplog: pytest.LogCaptureFixture) -> dict[str, int]:
    (found,) = [m for r in caplog.records if (m := STATS.search(r.getMessage()))]
    names = ("total", "written", "unchanged", "skipped", "spliced")
    return dict(zip(names, (int(g) for g in found.groups()), strict=True))


def rebuild(
    tmp: Path, archive: Path, caplog: pytest.LogCaptureFixture
) -> tuple[Path, dict[str, int]]:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="tag_digest"):
        output = build(tmp, archive)
    return output, stats(caplog)


def fresh_build(tmp: Path, archive: Path) -> dict[str, bytes]:
    """The same archive built into an empty output with no cache."""
    return tree(build(tmp / "fresh", archive))


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    copy = tmp_path / "archive"
    shutil.copytree(DEFAULT_ARCHIVE, copy)
    (copy / STATE_FILE).unlink(missing_ok=True)
    set_fetched(copy, dt.datetime.now(dt.UTC) - dt.timedelta(hours=2))
    return copy


def test_a_new_fetch_time_alone_is_spliced_into_every_page(
    tmp_path: Path, archive: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = tmp_path / "site"
    _, first = rebuild(site, archive, caplog)
    assert first["written"] == first["total"] > 0 and first["spliced"] == 0

    later = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    set_fetched(archive, later)
    output, second = rebuild(site, archive, caplog)

    assert second["written"] == 0 and second["unchanged"] == 0, second
    assert second["spliced"] > 0, second
    assert second["spliced"] + second["skipped"] == second["total"] == first["total"]
    pages = [p for p in output.rglob("*.html") if b"data-fetched" in p.read_bytes()]
    assert len(pages) >= second["spliced"]  # every spliced page shows the time
    # byte for byte what a build from scratch (which renders the new time) gives
    assert tree(output) == fresh_build(tmp_path, archive)

    _, third = rebuild(site, archive, caplog)  # nothing new: nothing rendered, nothing spliced
    assert third["skipped"] == third["total"] and third["spliced"] == 0, third


def test_the_stale_notice_appearing_re_renders_the_pages(
    tmp_path: Path, archive: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = tmp_path / "site"
    rebuild(site, archive, caplog)
    set_fetched(archive, dt.datetime.now(dt.UTC) - dt.timedelta(days=30))
    output, second = rebuild(site, archive, caplog)
    assert second["spliced"] == 0 and second["written"] > 0, second
    assert b"data-stale" in (output / "archive" / "index.html").read_bytes()
    assert tree(output) == fresh_build(tmp_path, archive)


OLD = '\n<p class="fetched">Fetched: <time data-fetched datetime="1">one</time></p>\n'
NEW = '\n<p class="fetched">Fetched: <time data-fetched datetime="2">two</time></p>\n'


def page(block: str, extra: str = "") -> str:
    return f"<html><body><main>{extra}posts</main><footer>{block}</footer></body></html>"


def writer(tmp_path: Path) -> PageWriter:
    return PageWriter(tmp_path / "out", tmp_path / "pages.json")


def test_the_writer_splices_a_page_whose_only_change_is_its_block(tmp_path: Path) -> None:
    first = writer(tmp_path)
    first.write("a/index.html", lambda: page(OLD), "sig", OLD)
    first.write("feed.xml", lambda: "<feed/>", "feed")
    first.finish()

    def must_not_render() -> str:
        raise AssertionError("rendered")

    second = writer(tmp_path)
    second.write("a/index.html", must_not_render, "sig", NEW)
    second.write("feed.xml", must_not_render, "feed")
    stats = second.finish()
    assert (stats.spliced, stats.skipped, stats.written) == (1, 1, 0)
    assert (tmp_path / "out" / "a" / "index.html").read_text() == page(NEW)

    third = writer(tmp_path)  # the manifest now remembers the new block
    third.write("a/index.html", must_not_render, "sig", NEW)
    assert third.finish().skipped == 1


@pytest.mark.parametrize("twice", [True, False])
def test_a_page_without_exactly_its_old_block_is_rendered(tmp_path: Path, twice: bool) -> None:
    """The old block twice (which one is the footer?), or not at all: a full render."""
    filler = "x" * len(OLD)
    first = writer(tmp_path)
    first.write("a/index.html", lambda: page(OLD, filler), "sig", OLD)
    first.finish()
    target = tmp_path / "out" / "a" / "index.html"
    # the same size as written, so that only the block check can tell
    edited = page(OLD, OLD) if twice else page(OLD.replace('"1"', '"3"'), filler)
    assert len(edited) == len(page(OLD, filler))
    target.write_text(edited)

    second = writer(tmp_path)
    second.write("a/index.html", lambda: page(NEW), "sig", NEW)
    stats = second.finish()
    assert (stats.spliced, stats.written) == (0, 1)
    assert target.read_text() == page(NEW)


def test_a_changed_signature_is_rendered_even_with_a_new_block(tmp_path: Path) -> None:
    first = writer(tmp_path)
    first.write("a/index.html", lambda: page(OLD), "sig", OLD)
    first.finish()
    second = writer(tmp_path)
    second.write("a/index.html", lambda: page(NEW, "new post "), "sig2", NEW)
    stats = second.finish()
    assert (stats.spliced, stats.written) == (0, 1)
    assert (tmp_path / "out" / "a" / "index.html").read_text() == page(NEW, "new post ")
