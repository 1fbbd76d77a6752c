"""Two fetches of one archive at once: real `python -m tag_digest fetch` processes against
real servers on 127.0.0.1. The second waits for the first (no post lost, the fetch state
of both kept), or stops with one line once its bounded wait is over."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from corpus_server import TimelineServer, hanna
from tag_digest.archive.shards import Archive
from tag_digest.archive.state import STATE_FILE
from werkzeug import Request, Response

TAG = "IchbinHanna"


def settings_file(folder: Path, server: str, archive: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "content").mkdir(exist_ok=True)
    path = folder / "siteconf.py"
    path.write_text(
        "\n".join(
            [
                "PATH = 'content'",
                f"DIGEST_SERVERS = {[server]!r}",
                f"DIGEST_TAGS = {[TAG]!r}",
                f"DIGEST_ARCHIVE_PATH = {str(archive)!r}",
                "DIGEST_RETRIES = 1",
                "DIGEST_BACKOFF = 0.001",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    return path


def start_fetch(settings: Path, *extra: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "DIGEST_TOKEN"}
    env["CI"] = "true"
    summary = settings.parent / "summary.json"
    return subprocess.Popen(
        [sys.executable, "-m", "tag_digest", "fetch", "-s", str(settings), "--summary",
         str(summary), *extra],
        cwd=settings.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def slow_first_page(server: TimelineServer, seconds: float) -> None:
    """The server's first timeline page comes only after ``seconds``: the fetch holds the
    archive that long, with what it loaded at its start in memory."""

    def handler(request: Request) -> Response:
        time.sleep(seconds)
        return server.page(request)

    server.faults = [handler]


def wait_until_asked(server: TimelineServer, proc: subprocess.Popen[str]) -> None:
    """Until the fetch has loaded the archive and asked ``server`` for a timeline."""
    deadline = time.monotonic() + 60
    while not server.seen:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the first fetch never asked its server"
        time.sleep(0.02)


def new_posts(settings: Path) -> int:
    summary = json.loads((settings.parent / "summary.json").read_text(encoding="utf-8"))
    return int(summary["new"])


def test_a_second_fetch_waits_and_no_post_or_state_is_lost(
    mastodon: TimelineServer, mastodon_b: TimelineServer, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    statuses = hanna()
    mastodon.statuses, mastodon_b.statuses = statuses[:60], statuses[60:120]
    slow_first_page(mastodon, 3)
    first = settings_file(tmp_path / "a", mastodon.url, archive)
    second = settings_file(tmp_path / "b", mastodon_b.url, archive)

    slow = start_fetch(first)
    wait_until_asked(mastodon, slow)
    fast = start_fetch(second)
    _, err_fast = fast.communicate(timeout=120)
    _, err_slow = slow.communicate(timeout=120)

    assert slow.returncode == 0, err_slow
    assert fast.returncode == 0, err_fast
    a, b = new_posts(first), new_posts(second)
    assert a > 0 and b > 0
    records = Archive.load(archive).records
    assert len(records) == a + b  # disjoint statuses: every post of both runs is there
    state = json.loads((archive / STATE_FILE).read_text(encoding="utf-8"))
    assert set(state["servers"]) == {mastodon.url, mastodon_b.url}
    assert all(state["servers"][s][TAG.lower()]["top_id"] for s in state["servers"])
    # The second fetch only started on the archive once the first had written it.
    assert mastodon_b.instance_seen[0].at > mastodon.seen[-1].at


def test_a_second_fetch_stops_with_one_line_after_its_bounded_wait(
    mastodon: TimelineServer, mastodon_b: TimelineServer, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    mastodon.statuses, mastodon_b.statuses = hanna()[:40], hanna()[40:80]
    slow_first_page(mastodon, 4)
    first = settings_file(tmp_path / "a", mastodon.url, archive)
    second = settings_file(tmp_path / "b", mastodon_b.url, archive)

    slow = start_fetch(first)
    wait_until_asked(mastodon, slow)
    refused = start_fetch(second, "--wait", "0.5")
    out, err = refused.communicate(timeout=60)
    assert refused.returncode == 1
    assert err == (
        f"tag_digest: {archive}: another tagdigest fetch is using this archive "
        "(waited 0.5 s); run again when it has finished\n"
    )
    assert out == "" and not mastodon_b.instance_seen  # it never fetched
    assert not (tmp_path / "b" / "summary.json").exists()

    _, err_slow = slow.communicate(timeout=120)
    assert slow.returncode == 0, err_slow
    assert len(Archive.load(archive)) == new_posts(first) > 0
