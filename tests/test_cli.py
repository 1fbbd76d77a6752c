"""``python -m tag_digest fetch``, run as a real process against a real server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from corpus_server import FAULTS, TimelineServer, hanna

TAG = "IchbinHanna"


def write_settings(folder: Path, servers: list[str], **extra: object) -> Path:
    lines = [
        "AUTHOR = 'test'",
        "SITENAME = 'test'",
        "PATH = 'content'",
        f"DIGEST_SERVERS = {servers!r}",
        f"DIGEST_TAGS = {[TAG]!r}",
        "DIGEST_ARCHIVE_PATH = 'archive'",  # relative to this file's folder
        "DIGEST_RETRIES = 1",
        "DIGEST_BACKOFF = 0.001",
        *(f"{key} = {value!r}" for key, value in extra.items()),
    ]
    (folder / "content").mkdir(exist_ok=True)  # Pelican's read_settings wants PATH to exist
    path = folder / "siteconf.py"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DIGEST_TOKEN"}
    env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "tag_digest", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_fetch_prints_a_summary_and_writes_it_as_json(
    mastodon: TimelineServer, tmp_path: Path
) -> None:
    mastodon.statuses = hanna()[:50]
    settings = write_settings(tmp_path, [mastodon.url])
    result = run("fetch", "-s", str(settings), "--summary", "summary.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    new = summary["new"]
    assert 0 < new <= 50 and summary["updated"] == summary["removed"] == 0
    assert summary["requests"] == 1 + 3  # instance, 40 + 10 + the empty end
    assert summary["servers"][mastodon.url]["error"] is None
    assert (
        result.stdout
        == f"tag_digest: {mastodon.url}: {new} new, 0 updated, 0 removed, 4 requests\n"
    )
    assert sorted(
        p.name for p in (tmp_path / "archive").rglob("*.jsonl")
    )  # relative to the settings file
    assert "Traceback" not in result.stderr


def test_a_failing_server_is_a_warning_and_exit_status_three_when_alone(
    mastodon: TimelineServer, tmp_path: Path
) -> None:
    """Issue 15: no server read is exit status 3 (see tests/test_fetch_exit.py)."""
    mastodon.statuses = hanna()
    mastodon.faults = [mastodon.page, *(FAULTS["503"][0]() for _ in range(2))]
    result = run("fetch", "-s", str(write_settings(tmp_path, [mastodon.url])), cwd=tmp_path)
    assert result.returncode == 3
    assert f"tag_digest: gave up on {mastodon.url}" in result.stderr
    assert "answered HTTP 503 (tried 2 times)" in result.stderr
    assert "(gave up)" in result.stdout


def test_no_network_is_a_warning_and_exit_status_three(
    closed_port_url: str, tmp_path: Path
) -> None:
    result = run("fetch", "-s", str(write_settings(tmp_path, [closed_port_url])), cwd=tmp_path)
    assert result.returncode == 3
    assert result.stderr.startswith("tag_digest: no network: could not reach")
    assert result.stderr.splitlines()[1:] == [
        f"tag_digest: no server could be read ({closed_port_url}); nothing fetched"
    ]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("bad setting", "tag_digest: DIGEST_TAGS: write '#llm' without '#': 'llm'\n"),
        ("no settings file", "tag_digest: missing.py: no such settings file\n"),
        ("corrupt archive", "2024-12.jsonl:1: corrupt archive line (invalid JSON"),
    ],
)
def test_expected_failures_are_one_line_and_exit_status_one(
    tmp_path: Path, case: str, expected: str
) -> None:
    settings = write_settings(tmp_path, ["http://127.0.0.1:9"])
    if case == "bad setting":
        settings = write_settings(tmp_path, ["http://127.0.0.1:9"], DIGEST_TAGS=["#llm"])
    elif case == "no settings file":
        settings = Path("missing.py")
    else:
        shard = tmp_path / "archive" / "2024" / "2024-12.jsonl"
        shard.parent.mkdir(parents=True)
        shard.write_text('{"uri": \n', encoding="utf-8")
    result = run("fetch", "-s", str(settings), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert expected in result.stderr and result.stderr.startswith("tag_digest: ")
