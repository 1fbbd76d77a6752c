"""The archive's integrity: strict record types, real line numbers, shards in their place,
a folder of its own, stale copies never written, file modes kept, no temp files in git."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from factories import make_post
from tag_digest.archive.lock import LOCK_FILE, archive_lock
from tag_digest.archive.record_check import ALL_KEYS
from tag_digest.archive.records import (
    ARCHIVE_KEYS,
    OPTIONAL_KEYS,
    Emoji,
    Media,
    Mention,
    Post,
    to_json_line,
)
from tag_digest.archive.shards import Archive, list_shards, shard_path
from tag_digest.archive.state import STATE_FILE, FetchState, TagState
from tag_digest.errors import ArchiveError, CorruptShardError, SettingError

ROOT = Path(__file__).resolve().parents[2]


def post(n: int, month: str = "2024-12", **changes: object) -> Post:
    """The shared post, with every kind of attachment an archive line can carry."""
    full: dict[str, object] = {
        "content": f"<p>Пост {n}</p>",
        "tags": ("test",),
        "media": (Media("image", "https://e.x/1.png", "https://e.x/1s.png", "alt"),),
        "emojis": (Emoji("blob", "https://e.x/blob.png"),),
        "mentions": (Mention("b@example.social", "https://example.social/@b"),),
    }
    return make_post(n, month, **{**full, **changes})


def saved(root: Path, *posts: Post) -> Path:
    archive = Archive(root)
    for p in posts:
        archive.put(p)
    archive.save()
    return shard_path(root, posts[0].month)


def with_line(path: Path, number: int, change: dict[str, object]) -> bytes:
    """Change line ``number`` of the shard at ``path`` (a JSON merge); the new bytes."""
    lines = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[number - 1])
    for key, value in change.items():
        if value is KeyError:
            record.pop(key)
        else:
            record[key] = value
    lines[number - 1] = json.dumps(record, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path.read_bytes()


def test_the_checked_fields_are_the_archive_format() -> None:
    assert set(ARCHIVE_KEYS) | set(OPTIONAL_KEYS) == ALL_KEYS


def test_every_field_of_a_written_record_passes_the_check(tmp_path: Path) -> None:
    gone = post(3).tombstone("2024-12-30T00:00:00.000Z")
    posts = [post(1), post(2, card=None, media=(), language=None), gone]
    path = saved(tmp_path, *posts)
    before = path.read_bytes()
    archive = Archive.load(tmp_path)
    assert sorted(archive, key=lambda p: p.uri) == sorted(posts, key=lambda p: p.uri)
    archive.put(post(1))  # unchanged: the shard keeps its bytes
    archive.save()
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"tags": "test"}, "'tags' must be a list of strings, got a string"),
        ({"tags": ["test", 1]}, "'tags' must be a list of strings, it holds a number"),
        ({"sensitive": "false"}, "'sensitive' must be true or false, got a string"),
        ({"sensitive": 0}, "'sensitive' must be true or false, got a number"),
        ({"content": ["<p>x</p>"]}, "'content' must be a string, got a list"),
        ({"url": None}, "'url' must be a string, got null"),
        ({"language": 7}, "'language' must be a string or null, got a number"),
        ({"edited_at": "yesterday"}, "'edited_at' is not an ISO-8601 time: 'yesterday'"),
        ({"deleted_at": True}, "'deleted_at' must be a string or null, got a boolean"),
        ({"account": "a@example.social"}, "'account' must be an object, got a string"),
        ({"account": {"acct": "a"}}, "'account' lacks 'display_name'"),
        ({"card": ["https://habr.com/"]}, "'card' must be an object, got a list"),
        ({"card": {**dict.fromkeys(("url", "title", "description"), ""), "provider": 3}},
         "'card'.provider must be a string, got a number"),
        ({"media": {"type": "image"}}, "'media' must be a list of objects, got an object"),
        ({"media": ["https://e.x/1.png"]}, "media[0] must be an object, got a string"),
        ({"emojis": [{"shortcode": "blob"}]}, "emojis[0] lacks 'url'"),
        ({"mentions": [{"acct": "b", "url": "u", "id": "9"}]},
         "mentions[0] has an unknown key 'id'"),
        ({"favourites": 3}, "unknown key 'favourites'"),
        ({"spoiler_text": KeyError}, "missing 'spoiler_text'"),
        ({"uri": ""}, "'uri' is empty"),
    ],
)  # fmt: skip
def test_a_field_of_the_wrong_type_is_a_corrupt_line_and_nothing_is_written(
    tmp_path: Path, change: dict[str, object], problem: str
) -> None:
    path = saved(tmp_path, post(1), post(2), post(3))
    damaged = with_line(path, 2, change)
    with pytest.raises(CorruptShardError) as info:
        Archive.load(tmp_path)
    assert str(info.value) == f"{path}:2: corrupt archive line ({problem}); fix or remove it"
    assert path.read_bytes() == damaged


def test_optional_keys_of_older_lines_may_be_missing(tmp_path: Path) -> None:
    path = saved(tmp_path, post(1, media=(), emojis=(), mentions=()))
    with_line(path, 1, dict.fromkeys(("media", "emojis", "mentions", "in_reply_to"), KeyError))
    (loaded,) = Archive.load(tmp_path)
    assert loaded == post(1, media=(), emojis=(), mentions=())


def test_a_non_utf8_byte_names_its_own_line(tmp_path: Path) -> None:
    path = saved(tmp_path, post(1), post(2), post(3))
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].replace("Пост".encode(), b"\xff\xfe")
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(CorruptShardError) as info:
        Archive.load(tmp_path)
    assert str(info.value).startswith(f"{path}:3: corrupt archive line (not UTF-8: invalid")


def test_a_post_in_the_shard_of_another_month_is_a_corrupt_line(tmp_path: Path) -> None:
    path = saved(tmp_path, post(1), post(2))
    with_line(path, 2, {"created_at": "2024-11-30T10:00:00.000Z"})
    with pytest.raises(CorruptShardError, match=r":2: .*does not belong in the 2024-12 shard"):
        Archive.load(tmp_path)


def test_a_shard_in_the_wrong_year_folder_is_reported(tmp_path: Path) -> None:
    saved(tmp_path, post(1))
    wrong = tmp_path / "2024" / "2025-01.jsonl"
    wrong.write_text(to_json_line(post(2, "2025-01")) + "\n", encoding="utf-8")
    with pytest.raises(ArchiveError) as info:
        Archive.load(tmp_path)
    assert str(info.value) == (
        f"{wrong}: a shard of 2025-01 in the 2024 folder; "
        f"move it to {tmp_path / '2025' / '2025-01.jsonl'}"
    )
    wrong.rename(tmp_path / "2024-12.jsonl")  # beside the year folders
    with pytest.raises(ArchiveError, match="a shard outside its year folder"):
        Archive.load(tmp_path)


@pytest.mark.parametrize(
    ("stray", "named"),
    [
        ("notes.txt", "notes.txt"),
        ("2024/notes.txt", "2024/notes.txt"),
        ("pages/a.md", "pages"),
        ("2024/2024-13.jsonl", "2024/2024-13.jsonl"),
        ("2024/2024-11.jsonl/x", "2024/2024-11.jsonl"),
    ],
)
def test_a_folder_that_is_not_only_an_archive_is_refused(
    tmp_path: Path, stray: str, named: str
) -> None:
    saved(tmp_path, post(1))
    (tmp_path / stray).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / stray).write_text("x", encoding="utf-8")
    with pytest.raises(SettingError) as info:
        Archive.load(tmp_path)
    assert str(info.value).startswith(f"DIGEST_ARCHIVE_PATH: {tmp_path} holds {named!r}, ")


def test_the_root_folder_is_refused_before_anything_is_written() -> None:
    root = Path("/")
    had_lock = (root / LOCK_FILE).exists()
    with pytest.raises(SettingError, match=r"^DIGEST_ARCHIVE_PATH: / holds "), archive_lock(root):
        pass
    assert (root / LOCK_FILE).exists() == had_lock
    assert not (root / ".gitignore").exists() or had_lock


def test_the_archives_own_files_are_allowed(tmp_path: Path) -> None:
    saved(tmp_path, post(1))
    for name in (STATE_FILE, "README.md", ".gitignore", ".lock", ".DS_Store", "2024/.DS_Store"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    assert [s.month for s in list_shards(tmp_path)] == ["2024-12"]
    shipped = list_shards(ROOT / "content" / "archive")
    assert shipped and len(Archive.load(ROOT / "content" / "archive")) > 0


def test_a_shard_changed_on_disk_since_loading_is_never_overwritten(tmp_path: Path) -> None:
    path = saved(tmp_path, post(1), post(2))
    archive = Archive.load(tmp_path)
    other = Archive.load(tmp_path)  # another program, say, writes the shard meanwhile
    other.put(post(3))
    other.save()
    theirs = path.read_bytes()
    archive.put(post(4))
    with pytest.raises(ArchiveError, match="changed on disk since this run read the archive"):
        archive.save()
    assert path.read_bytes() == theirs
    assert {p.uri for p in Archive.load(tmp_path)} == {post(n).uri for n in (1, 2, 3)}


def test_a_shard_created_since_loading_is_never_overwritten(tmp_path: Path) -> None:
    archive = Archive.load(tmp_path)
    theirs = saved(tmp_path, post(1)).read_bytes()
    archive.put(post(2))
    with pytest.raises(ArchiveError, match="changed on disk"):
        archive.save()
    assert shard_path(tmp_path, "2024-12").read_bytes() == theirs


def test_a_state_file_changed_since_loading_is_never_overwritten(tmp_path: Path) -> None:
    state, _ = FetchState.load(tmp_path)
    state.set("https://a.example", "test", TagState("100", None))
    state.save()
    ours, _ = FetchState.load(tmp_path)
    theirs, _ = FetchState.load(tmp_path)
    theirs.set("https://b.example", "test", TagState("200", None))
    theirs.save()
    written = (tmp_path / STATE_FILE).read_bytes()
    ours.set("https://a.example", "test", TagState("101", None))
    with pytest.raises(ArchiveError, match=f"{STATE_FILE}: changed on disk since this run"):
        ours.save()
    assert (tmp_path / STATE_FILE).read_bytes() == written


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("umask")
def test_rewritten_files_keep_their_mode_and_new_ones_follow_the_umask(tmp_path: Path) -> None:
    path = saved(tmp_path, post(1))
    state, _ = FetchState.load(tmp_path)
    state.set("https://a.example", "test", TagState("1", None))
    state.save()
    assert mode(path) == mode(tmp_path / STATE_FILE) == 0o644
    path.chmod(0o664)
    (tmp_path / STATE_FILE).chmod(0o640)
    archive = Archive.load(tmp_path)
    archive.put(post(2))
    assert archive.save() == [path]
    state, _ = FetchState.load(tmp_path)
    state.set("https://a.example", "test", TagState("2", None))
    assert state.save()
    assert mode(path) == 0o664 and mode(tmp_path / STATE_FILE) == 0o640
    os.umask(0o027)
    assert saved(tmp_path / "other", post(1)).stat().st_mode & 0o777 == 0o640


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def test_temporary_files_are_removed_by_the_next_fetch_and_never_in_git_status(
    tmp_path: Path,
) -> None:
    """A fresh archive in a user's repository: the lock, the archive's .gitignore and the
    temporary files a killed write leaves never show in `git status`; the next fetch
    (under the lock) removes the temporary files."""
    repo = tmp_path / "site"
    root = repo / "content" / "archive"
    root.mkdir(parents=True)
    git(repo, "init", "--quiet")
    with archive_lock(root, wait=0):
        saved(root, post(1), post(2, "2025-01"))
    killed = [
        root / "2024" / ".2024-12.jsonl.tmp-0badf00d",  # ours
        root / "2025" / ".2025-01.jsonl.k1ll3d.tmp",  # an older version's mkstemp name
        root / f".{STATE_FILE}.tmp-1234abcd",
    ]
    for path in killed:
        path.write_text("{", encoding="utf-8")
    status = git(repo, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert sorted(status) == [
        "?? content/archive/2024/2024-12.jsonl",
        "?? content/archive/2025/2025-01.jsonl",
    ]
    assert Archive.load(root)  # a temporary file is never read as a shard
    with archive_lock(root, wait=0):
        assert not any(p.exists() for p in killed)
        assert (root / LOCK_FILE).is_file()
    assert sorted(p.name for p in root.rglob("*")) == [
        ".gitignore", "2024", "2024-12.jsonl", "2025", "2025-01.jsonl",
    ]  # fmt: skip  # the lock file goes with the lock


def test_a_corrupt_archive_stops_a_fetch_with_one_line_and_keeps_the_shard(
    tmp_path: Path,
) -> None:
    """`"tags": "test"`: the real command line refuses it (it used to drop the post off its
    tag page, and the next save stored ["t","e","s","t"])."""
    root = tmp_path / "archive"
    path = saved(root, post(1), post(2))
    damaged = with_line(path, 1, {"tags": "test"})
    (tmp_path / "content").mkdir()
    settings = tmp_path / "siteconf.py"
    settings.write_text(
        "PATH = 'content'\nDIGEST_SERVERS = ['http://127.0.0.1:9']\nDIGEST_TAGS = ['test']\n"
        "DIGEST_ARCHIVE_PATH = 'archive'\nDIGEST_RETRIES = 1\n",
        encoding="utf-8",
    )
    env = {**os.environ, "CI": "true"}
    env.pop("DIGEST_TOKEN", None)
    result = subprocess.run(
        [sys.executable, "-m", "tag_digest", "fetch", "-s", str(settings)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == (
        f"tag_digest: {path}:1: corrupt archive line ('tags' must be a list of strings, "
        "got a string); fix or remove it\n"
    )
    assert path.read_bytes() == damaged
