"""The archive: format, upsert rules, tombstones, atomic writes, corrupt shards."""

from __future__ import annotations

import ast
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
import tag_digest
from factories import make_post
from tag_digest.archive.atomic import is_temp_name, write_parts_if_changed
from tag_digest.archive.merge import merge
from tag_digest.archive.records import ARCHIVE_KEYS, from_json, to_json_line
from tag_digest.archive.shards import Archive, list_shards, shard_path
from tag_digest.errors import CorruptShardError

ROOT = Path(__file__).resolve().parents[2]


def test_line_format_is_stable() -> None:
    line = to_json_line(make_post(1))
    data = json.loads(line)
    assert tuple(data) == ARCHIVE_KEYS
    assert "Пост" in line  # UTF-8, not \u escapes
    assert "\n" not in line
    assert from_json(data) == make_post(1)
    assert to_json_line(from_json(data)) == line


def test_shards_by_month_sorted_and_byte_identical_on_resave(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    for n in (5, 3, 9):
        archive.put(make_post(n, "2024-12"))
    archive.put(make_post(7, "2025-01"))
    archive.save()
    assert [s.path for s in list_shards(tmp_path)] == [
        shard_path(tmp_path, "2024-12"),
        shard_path(tmp_path, "2025-01"),
    ]
    lines = shard_path(tmp_path, "2024-12").read_text(encoding="utf-8").splitlines()
    keys = [(json.loads(x)["created_at"], json.loads(x)["uri"]) for x in lines]
    assert keys == sorted(keys)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.jsonl")}
    mtimes = {p: p.stat().st_mtime_ns for p in before}
    reloaded = Archive.load(tmp_path)
    for post in list(reloaded):
        reloaded.put(
            merge(reloaded.get(post.uri), replace(post, fetched_at="2030-01-01T00:00:00.000Z")).post
            or post
        )
    assert reloaded.save() == []
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.jsonl")} == before
    assert {p: p.stat().st_mtime_ns for p in before} == mtimes


def test_merge_rules() -> None:
    old = make_post(1)
    assert merge(None, old).kind == "new"
    # Unchanged (only fetched_at differs): no write.
    assert merge(old, replace(old, fetched_at="2031-01-01T00:00:00.000Z")).post is None
    # Seen through another tag: tags merged.
    other_tag = merge(old, replace(old, tags=("sft",)))
    assert other_tag.kind == "updated" and other_tag.post is not None
    assert other_tag.post.tags == ("llm", "sft")
    # An edit replaces the record.
    edited = replace(old, content="<p>исправлено</p>", edited_at="2024-12-02T00:00:00.000Z")
    result = merge(old, edited)
    assert result.kind == "updated" and result.post is not None
    assert result.post.content == "<p>исправлено</p>"
    # Another server's stale copy does not undo the edit.
    stale = replace(old, server="https://other.example", content="<p>старое</p>")
    assert merge(result.post, stale).post is None
    # A tombstone is final.
    tomb = old.tombstone("2024-12-30T00:00:00.000Z")
    assert tomb.content == "" and tomb.account.display_name == "" and tomb.is_tombstone
    assert merge(tomb, old).post is None


def test_tombstones_are_kept_but_not_visible(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    archive.put(make_post(1))
    archive.put(make_post(2).tombstone("2024-12-30T00:00:00.000Z"))
    archive.save()
    reloaded = Archive.load(tmp_path)
    assert len(reloaded) == 2
    assert [p.uri for p in reloaded.visible()] == [make_post(1).uri]
    text = shard_path(tmp_path, "2024-12").read_text(encoding="utf-8")
    assert "Пост номер 2" not in text


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "invalid JSON"),
        ('["a list"]', "not a JSON object"),
        ('{"uri": "x", "server": "s"}', "missing 'created_at'"),
        ('{"uri": "x", "server": "s", "created_at": "soon"}', "not an ISO-8601 time"),
    ],
)
def test_corrupt_line_is_named_and_shard_never_overwritten(
    tmp_path: Path, line: str, problem: str
) -> None:
    archive = Archive(tmp_path)
    archive.put(make_post(1))
    archive.put(make_post(2))
    archive.save()
    path = shard_path(tmp_path, "2024-12")
    good = path.read_text(encoding="utf-8").splitlines()
    path.write_text(f"{good[0]}\n{line}\n{good[1]}\n", encoding="utf-8")
    damaged = path.read_bytes()
    with pytest.raises(CorruptShardError) as info:
        Archive.load(tmp_path)
    assert str(info.value).startswith(f"{path}:2: corrupt archive line")
    assert problem in str(info.value)
    assert path.read_bytes() == damaged


def test_corrupt_shard_stops_the_build_with_one_line(tmp_path: Path) -> None:
    """A real `pelican` build over a corrupt archive: exit 1, file:line named, shard kept."""
    archive_dir = tmp_path / "archive"
    archive = Archive(archive_dir)
    archive.put(make_post(1))
    archive.save()
    path = shard_path(archive_dir, "2024-12")
    path.write_text(path.read_text(encoding="utf-8") + "{oops\n", encoding="utf-8")
    damaged = path.read_bytes()
    result = subprocess.run(
        [
            sys.executable, "-m", "pelican", str(ROOT / "content"),
            "-s", str(ROOT / "pelicanconf.py"), "-o", str(tmp_path / "out"),
            "-e", "DIGEST_FETCH=false", f'DIGEST_ARCHIVE_PATH="{archive_dir}"',
        ],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={"COLUMNS": "300", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert f"{path}:2: corrupt archive line" in " ".join(output.split())
    assert "Traceback" not in output
    assert path.read_bytes() == damaged


WRITER = """
import sys, itertools
sys.path[:0] = [{plugins!r}, {tests!r}]
from pathlib import Path
from factories import make_post
from tag_digest.archive.shards import Archive
root = Path({root!r})
archive = Archive.load(root)
print("ready", flush=True)
for i in itertools.count(1000):
    archive.put(make_post(i, "2024-12", content="<p>" + "x" * (i % 5000) + "</p>"))
    archive.save()
    print(i, flush=True)
"""


def test_kill_during_writes_leaves_every_shard_parseable(tmp_path: Path) -> None:
    """SIGKILL a process rewriting a shard: every shard still parses, no saved post is lost."""
    root = tmp_path / "archive"
    archive = Archive(root)
    for n in range(200):
        archive.put(make_post(n, "2024-12"))
    archive.save()
    script = tmp_path / "writer.py"
    script.write_text(
        WRITER.format(plugins=str(ROOT / "plugins"), tests=str(ROOT / "tests"), root=str(root)),
        encoding="utf-8",
    )
    for round_ in range(6):
        proc = subprocess.Popen(
            [sys.executable, str(script)], cwd=tmp_path, stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        last_saved = None
        deadline = time.monotonic() + 0.05 + 0.07 * round_
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if line.strip().isdigit():
                last_saved = int(line)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        reloaded = Archive.load(root)  # raises if any shard is torn
        uris = {p.uri for p in reloaded}
        assert all(make_post(n).uri in uris for n in range(200))
        if last_saved is not None:
            assert make_post(last_saved).uri in uris
    leftovers = [p for p in root.rglob("*") if p.is_file() and not p.name.endswith(".jsonl")]
    # A kill between creating the temp file and the rename may leave it; never read as a shard.
    assert all(is_temp_name(p.name) for p in leftovers)


def test_a_relaying_server_cannot_rewrite_a_post() -> None:
    """Only the record's own server, or the post's origin, may replace its content."""
    ours = make_post(1, server="https://mastodon.social")  # uri on example.social
    forged = replace(
        ours,
        server="https://evil.example",
        content="<p>переписано</p>",
        edited_at="2030-01-01T00:00:00.000Z",
    )
    assert merge(ours, forged).post is None
    origin = replace(forged, server="https://example.social")
    result = merge(ours, origin)
    assert result.post is not None and result.post.content == "<p>переписано</p>"
    assert result.post.server == "https://example.social"  # the origin takes the record over


def test_an_edit_that_removes_a_hashtag_removes_it_from_the_record() -> None:
    old = make_post(1, tags=("llm", "sft"))
    edited = replace(old, tags=("llm",), edited_at="2024-12-02T00:00:00.000Z")
    result = merge(old, edited)
    assert result.post is not None and result.post.tags == ("llm",)


def test_a_tombstone_wins_over_a_live_line_of_the_same_status(tmp_path: Path) -> None:
    """A hand-merged shard with a live line after the tombstone: the post stays deleted."""
    post = make_post(1)
    path = shard_path(tmp_path, "2024-12")
    path.parent.mkdir(parents=True)
    path.write_text(
        to_json_line(post.tombstone("2024-12-30T00:00:00.000Z")) + "\n" + to_json_line(post) + "\n",
        encoding="utf-8",
    )
    archive = Archive.load(tmp_path)
    assert archive.get(post.uri) is not None and archive.get(post.uri).is_tombstone  # type: ignore[union-attr]
    archive.save()
    assert "Пост номер 1" not in path.read_text(encoding="utf-8")


def test_only_the_changed_month_is_written(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    archive.put(make_post(1, "2024-11"))
    archive.put(make_post(2, "2024-12"))
    archive.save()
    november = shard_path(tmp_path, "2024-11")
    before = november.stat().st_mtime_ns
    reloaded = Archive.load(tmp_path)
    reloaded.put(make_post(3, "2024-12"))
    reloaded.put(make_post(1, "2024-11"))  # the same record again: no change
    assert reloaded.save() == [shard_path(tmp_path, "2024-12")]
    assert november.stat().st_mtime_ns == before
    assert len(Archive.load(tmp_path)) == 3


KNOWN_SITE_COPIES: set[str] = set()
"""None left: every page builder asks the post (``updated``/``updated_at``)."""


def test_a_post_changed_last_when_edited_else_when_created() -> None:
    post = make_post(1)
    assert post.edited_at is None and post.updated_at == post.created_at
    assert post.updated == post.created
    edited = replace(post, edited_at="2024-12-28T09:00:00.000Z")
    assert edited.updated_at == "2024-12-28T09:00:00.000Z"
    assert edited.updated.isoformat() == "2024-12-28T09:00:00+00:00"


def test_newest_of_edited_or_created_has_one_home() -> None:
    """No module outside ``records.py`` writes ``x.edited_at or x.created_at`` itself."""
    plugin = Path(tag_digest.__file__).parent
    found = set()
    for path in plugin.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.BoolOp) and [getattr(v, "attr", None) for v in node.values] == [
                "edited_at",
                "created_at",
            ]:
                found.add(path.relative_to(plugin).as_posix())
    assert found - KNOWN_SITE_COPIES == {"archive/records.py"}


def test_atomic_writes_have_one_home() -> None:
    """Only ``archive/atomic.py`` renames a temporary file over another or calls ``fsync``:
    the archive, the fetch state, the build's manifest and caches all call ``write_atomic``."""
    plugin = Path(tag_digest.__file__).parent
    found = set()
    for path in plugin.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in {"fsync", "rename", "replace"}
                and isinstance(node.value, ast.Name)
                and node.value.id == "os"
            ):
                found.add(path.relative_to(plugin).as_posix())
    assert found == {"archive/atomic.py"}
    assert "write_atomic" in (plugin / "site" / "writer.py").read_text(encoding="utf-8")


def test_parts_replace_a_file_only_when_their_bytes_differ(tmp_path: Path) -> None:
    """The link exports' writer: pieces streamed to a temporary file, swapped in if new."""
    target = tmp_path / "out" / "links.json"
    assert write_parts_if_changed(target, [b"[\n", b'{"a":1}', b"\n]\n"]) == (True, 12)
    assert target.read_bytes() == b'[\n{"a":1}\n]\n'
    stamp = target.stat().st_mtime_ns
    assert write_parts_if_changed(target, [b'[\n{"a":1}', b"\n]\n"]) == (False, 12)
    assert target.stat().st_mtime_ns == stamp  # unchanged bytes: the file is not touched
    assert write_parts_if_changed(target, [b"[]\n"]) == (True, 3)
    assert target.read_bytes() == b"[]\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["links.json"]  # no temporary left
