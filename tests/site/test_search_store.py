"""Search bundles in real builds: only a changed bundle is re-indexed, a deleted output
is refilled from the cache without Pagefind, a bundle no longer produced goes away."""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

import pytest
from digest_support import build, parse, write_archive
from pagefind.service import get_executable
from search_support import indexed, post
from tag_digest.archive.shards import Archive
from tag_digest.errors import TagDigestError
from tag_digest.site.search import SearchRecord
from tag_digest.site.search_store import SEARCH_DIR, Bundle, update_bundles

OLD = [post(1, "Старый пост про кошек", day="2022-03-01"), post(2, "Пост 2023", day="2023-05-02")]
NEW = post(3, "Новый пост про кошек", day="2024-12-10")


def files(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder``: its bytes and modification time, by relative path."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def state(tmp: Path) -> dict[str, str]:
    data = json.loads((tmp / "cache" / "tag_digest" / "search.json").read_text("utf-8"))
    bundles: dict[str, str] = data["bundles"]
    return bundles


def test_a_new_post_reindexes_only_its_bundle_and_a_deleted_output_is_copied_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    archive = write_archive(tmp_path / "archive", [*OLD, NEW])
    output = build(tmp_path, archive)
    search = parse(output / "search" / "index.html")
    assert search.xpath("//form/@data-bundles") == [
        "2024-12 2023 2022"
    ]  # newest first (2024-12: the newest month)
    assert sorted(p.name for p in (output / "pagefind").iterdir()) == ["2022", "2023", "2024-12"]
    assert sorted(state(tmp_path)) == ["2022", "2023", "2024-12"]
    assert len(indexed(output)) == 3
    old = {key: files(output / "pagefind" / key) for key in ("2022", "2023")}
    newest = files(output / "pagefind" / "2024-12")

    store = Archive.load(archive)
    store.put(post(4, "Ещё один пост про собак", day="2024-12-11"))
    store.save()
    caplog.set_level(logging.INFO, logger="tag_digest")
    output = build(tmp_path, archive)
    assert "search bundle 2024-12 indexed (2 posts)" in caplog.text
    assert "3 bundles, 1 indexed, 0 copied from the cache, 2 unchanged" in caplog.text
    for key, before in old.items():  # the past bundles keep their bytes and their mtimes
        assert files(output / "pagefind" / key) == before
    assert files(output / "pagefind" / "2024-12") != newest
    assert "Ещё один пост про собак" in " ".join(r["content"] for r in indexed(output))

    records = indexed(output)
    caplog.clear()
    output = build(tmp_path, archive, DELETE_OUTPUT_DIRECTORY=True)
    assert "3 bundles, 0 indexed, 3 copied from the cache, 0 unchanged" in caplog.text
    assert "indexed (" not in caplog.text  # Pagefind did not run
    assert indexed(output) == records
    cached = tmp_path / "cache" / "tag_digest" / "search" / "2022" / "pagefind-entry.json"
    assert (output / "pagefind" / "2022" / "pagefind-entry.json").samefile(cached)  # a link
    for key, before in old.items():  # copied with their bytes
        assert {k: v[0] for k, v in files(output / "pagefind" / key).items()} == {
            k: v[0] for k, v in before.items()
        }


def test_a_bundle_no_longer_produced_leaves_output_and_cache(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    archive = write_archive(tmp_path / "archive", [*OLD, NEW])
    output = build(tmp_path, archive)
    cache = tmp_path / "cache" / "tag_digest" / "search"
    assert (cache / "2022" / "pagefind-entry.json").is_file()
    leftover = output / "pagefind" / "pagefind-entry.json"  # the single index of before
    leftover.write_text("{}", encoding="utf-8")
    store = Archive.load(archive)
    store.put(OLD[0].tombstone("2024-12-12T00:00:00.000Z"))
    store.save()
    caplog.set_level(logging.INFO, logger="tag_digest")
    output = build(tmp_path, archive)
    assert sorted(p.name for p in (output / "pagefind").iterdir()) == ["2023", "2024-12"]
    assert sorted(p.name for p in cache.iterdir()) == ["2023", "2024-12"]
    assert sorted(state(tmp_path)) == ["2023", "2024-12"]
    assert "2 bundles, 0 indexed, 0 copied from the cache, 2 unchanged, 2 removed" in caplog.text
    assert parse(output / "search" / "index.html").xpath("//form/@data-bundles") == ["2024-12 2023"]


def test_a_bundle_whose_output_differs_from_its_cached_copy_is_copied_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    archive = write_archive(tmp_path / "archive", [*OLD, NEW])
    output = build(tmp_path, archive)
    entry = output / "pagefind" / "2023" / "pagefind-entry.json"
    good = entry.read_bytes()
    entry.unlink()  # replaced, as another build would (the file is a link to the cached copy)
    entry.write_text('{"version": "other"}', encoding="utf-8")
    caplog.set_level(logging.INFO, logger="tag_digest")
    build(tmp_path, archive)
    assert "search bundle 2023 copied from the cache" in caplog.text
    assert "0 indexed, 1 copied from the cache, 2 unchanged" in caplog.text
    assert entry.read_bytes() == good


def _record(n: int, text: str) -> SearchRecord:
    return SearchRecord(
        url=f"days/2024-12-10/#p-{n}",
        content=text,
        language="ru",
        meta={"title": f"Автор {n}", "handle": f"@a{n}", "date": "2024-12-10", "day": "10"},
        filters={"tag": ["#LLM"], "month": ["2024-12"]},
    )


def _bundle(key: str, texts: list[str]) -> Bundle:
    records = [_record(n, text) for n, text in enumerate(texts)]
    return Bundle(key, len(records), lambda: f"sig-{key}", lambda: iter(records))


def _wrap_pagefind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *lines: str) -> None:
    """Pagefind is started through a shell script that runs ``lines``, then the real binary."""
    real = get_executable()
    assert real is not None
    wrapper = tmp_path / "pagefind"
    script = ["#!/bin/sh", *lines, f'exec "{real}" "$@"']
    wrapper.write_text("\n".join(script) + "\n", encoding="utf-8")
    wrapper.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(wrapper))


def test_bundles_are_written_while_the_next_is_fed_and_a_failure_claims_nothing_unwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real binary, started through a script that, on its second start, stops at once:
    # the second bundle's Pagefind dies while the first one is being written.
    count = tmp_path / "starts"
    _wrap_pagefind(
        tmp_path, monkeypatch, f'echo x >> "{count}"', f'[ "$(wc -l < "{count}")" -eq 2 ] && exit 3'
    )
    output, cache, state_file = tmp_path / "out", tmp_path / "cache", tmp_path / "search.json"
    bundles = [
        _bundle("2024", ["кошки", "собаки"]),
        _bundle("2023", ["лисы"]),
        _bundle("2022", ["ежи"]),
    ]
    with pytest.raises(TagDigestError, match=r"^search: (the Pagefind binary stopped|Pagefind)"):
        update_bundles(bundles, output, cache, state_file)
    assert len(count.read_text().splitlines()) == 2  # the third was never started
    saved = json.loads(state_file.read_text("utf-8"))["bundles"]
    assert saved == {"2024": "sig-2024"}  # written and claimed; the others not
    assert (output / SEARCH_DIR / "2024" / "pagefind-entry.json").is_file()
    assert sorted(p.name for p in cache.iterdir()) == ["2024"]  # no half-written folder
    assert not (output / SEARCH_DIR / "2023").exists()

    monkeypatch.delenv("PAGEFIND_BINARY_PATH")
    report = update_bundles(bundles, output, cache, state_file)
    assert report.kept == ["2024"] and report.indexed == ["2023", "2022"]
    assert sorted(p.name for p in (output / SEARCH_DIR).iterdir()) == ["2022", "2023", "2024"]
    assert json.loads(state_file.read_text("utf-8"))["bundles"] == {
        "2022": "sig-2022",
        "2023": "sig-2023",
        "2024": "sig-2024",
    }
    texts = {}
    for key in ("2022", "2023", "2024"):
        site = tmp_path / f"only-{key}"
        shutil.copytree(output / SEARCH_DIR / key, site / SEARCH_DIR / key)
        texts[key] = sorted(r["content"] for r in indexed(site))
    assert texts == {"2022": ["ежи"], "2023": ["лисы"], "2024": ["кошки", "собаки"]}


@pytest.mark.skipif(
    len(getattr(os, "sched_getaffinity", lambda _: ())(0)) < 2, reason="needs two cores"
)
def test_each_pagefind_process_runs_on_one_core_the_cores_taken_in_turn_with_huge_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real binary, started through a script that notes the cores it may run on and
    # what its allocator is told.
    starts = tmp_path / "starts"
    _wrap_pagefind(
        tmp_path,
        monkeypatch,
        f'grep Cpus_allowed_list /proc/self/status >> "{starts}"',
        f'echo "allocator $_RJEM_MALLOC_CONF" >> "{starts}"',
    )
    mine = os.sched_getaffinity(0)
    bundles = [_bundle(key, [f"пост {key}"]) for key in ("2024", "2023", "2022", "2021")]
    report = update_bundles(bundles, tmp_path / "out", tmp_path / "cache", tmp_path / "s.json")
    assert report.indexed == ["2024", "2023", "2022", "2021"]
    lines = starts.read_text().splitlines()
    assert lines[1::2] == ["allocator thp:always"] * 4  # huge pages for its allocator
    cores = [line.split()[-1] for line in lines[::2]]
    assert len(cores) == 4 and all(core.isdigit() for core in cores)  # one core each
    assert cores[0] != cores[1] and cores[1] != cores[2] and cores[2] != cores[3]
    assert {int(core) for core in cores} <= mine
    assert os.sched_getaffinity(0) == mine  # this process's own cores are given back
    assert "_RJEM_MALLOC_CONF" not in os.environ
