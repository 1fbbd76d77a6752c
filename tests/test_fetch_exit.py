"""The exit status of ``python -m tag_digest fetch`` (issue 15), as a real process.

0 when at least one configured server was read; 3 when none could be (every one
refused, unreachable or failed), after saving what there is and writing the summary;
a bad setting or a corrupt archive keeps exit status 1 (tests/test_cli.py). Servers
are real HTTP servers on 127.0.0.1 (tests/corpus_server.py) and a closed port.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from corpus_server import FAULTS, TimelineServer, hanna
from tag_digest.archive.state import STATE_FILE

TAG = "IchbinHanna"


def fetch(folder: Path, servers: list[str]) -> tuple[subprocess.CompletedProcess[str], Any]:
    """Run the fetch with ``servers``; the process and the summary it wrote."""
    (folder / "content").mkdir(exist_ok=True)
    settings = folder / "siteconf.py"
    settings.write_text(
        "AUTHOR = 'test'\nSITENAME = 'test'\nPATH = 'content'\n"
        f"DIGEST_SERVERS = {servers!r}\nDIGEST_TAGS = [{TAG!r}]\n"
        "DIGEST_ARCHIVE_PATH = 'archive'\nDIGEST_RETRIES = 1\nDIGEST_BACKOFF = 0.001\n"
        "DIGEST_MAX_WAIT = 0\nDIGEST_TIMEOUT = 5\n",
        encoding="utf-8",
    )
    (folder / "s.json").unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "DIGEST_TOKEN"}
    env["CI"] = "true"
    result = subprocess.run(
        [sys.executable, "-m", "tag_digest", "fetch", "-s", str(settings), "--summary", "s.json"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    summary = json.loads((folder / "s.json").read_text(encoding="utf-8"))
    return result, summary


def last_success(folder: Path) -> str | None:
    path = folder / "archive" / STATE_FILE
    if not path.exists():
        return None
    value: str | None = json.loads(path.read_text(encoding="utf-8")).get("last_success")
    return value


def snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted((folder / "archive").rglob("*")) if p.is_file()}


def failing(server: TimelineServer) -> TimelineServer:
    """Every timeline request answers 503 (the instance document still comes)."""
    server.faults = [FAULTS["503"][0]() for _ in range(50)]
    return server


def test_no_server_failing_is_exit_status_zero(
    mastodon: TimelineServer, mastodon_b: TimelineServer, tmp_path: Path
) -> None:
    mastodon.statuses = hanna()[:30]
    mastodon_b.statuses = hanna()[30:50]

    result, summary = fetch(tmp_path, [mastodon.url, mastodon_b.url])

    assert result.returncode == 0, result.stderr
    assert [s["ok"] for s in summary["servers"].values()] == [True, True]
    assert summary["posts"] == summary["new"] > 0
    assert summary["last_success"] is not None
    assert last_success(tmp_path) == summary["last_success"]
    assert "no server could be read" not in result.stderr


def test_one_server_failing_is_exit_status_zero(
    mastodon: TimelineServer, mastodon_b: TimelineServer, tmp_path: Path
) -> None:
    mastodon.statuses = hanna()[:30]
    failing(mastodon_b).statuses = hanna()[30:50]

    result, summary = fetch(tmp_path, [mastodon.url, mastodon_b.url])

    assert result.returncode == 0, result.stderr
    assert summary["servers"][mastodon.url]["ok"] is True
    assert summary["servers"][mastodon_b.url]["ok"] is False
    assert "answered HTTP 503" in summary["servers"][mastodon_b.url]["error"]
    assert f"tag_digest: gave up on {mastodon_b.url}" in result.stderr
    assert summary["posts"] > 0 and last_success(tmp_path) == summary["last_success"]


@pytest.mark.parametrize("order", ["unreachable first", "failing first"])
def test_every_server_failing_is_exit_status_three_after_saving(
    mastodon: TimelineServer, closed_port_url: str, tmp_path: Path, order: str
) -> None:
    # A first run that works: the archive has posts and a last successful fetch.
    mastodon.statuses = hanna()[:30]
    first, before = fetch(tmp_path, [mastodon.url])
    assert first.returncode == 0, first.stderr
    archive = snapshot(tmp_path)

    failing(mastodon)
    servers = [closed_port_url, mastodon.url]
    if order == "failing first":
        servers.reverse()
    result, summary = fetch(tmp_path, servers)

    assert result.returncode == 3, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert lines[-1] == (
        f"tag_digest: no server could be read ({', '.join(servers)}); nothing fetched"
    )
    assert "Traceback" not in result.stderr
    # The summary is written, and says what happened to each server.
    assert [s["ok"] for s in summary["servers"].values()] == [False, False]
    assert (summary["new"], summary["updated"], summary["removed"]) == (0, 0, 0)
    assert summary["posts"] == before["posts"]
    # Nothing read: the archive and its last successful fetch are as they were.
    assert summary["last_success"] == before["last_success"] == last_success(tmp_path)
    assert snapshot(tmp_path) == archive


def test_a_first_fetch_that_reads_nothing_writes_no_state(
    closed_port_url: str, tmp_path: Path
) -> None:
    result, summary = fetch(tmp_path, [closed_port_url])
    assert result.returncode == 3
    assert summary["last_success"] is None and summary["posts"] == 0
    assert not (tmp_path / "archive" / STATE_FILE).exists()
