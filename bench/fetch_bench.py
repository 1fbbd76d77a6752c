"""The fetch benchmark: the real fetcher against a local Mastodon tag-timeline server.

The server (``bench/mastodon_server.py``) runs in its own process holding the
generated posts, dated up to two hours ago. Three fetches run in the calling process
through ``tag_digest.sync.sync_all``: a first fetch into an empty archive, an
incremental one after the server received 50 new posts, and one with nothing
new. For each, the server's log gives the timeline requests per batch (one
batch = one path tag plus its ``any[]`` tags); the targets are
``ceil(matching / 40) + 1`` requests per batch for a first fetch and at most 3
per batch for an incremental one. Coverage compares the archive with the posts
the server holds.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from tag_digest.archive.shards import Archive
from tag_digest.settings import TOKEN_ENV, load_settings

from .data import SEED, TAGS

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Batch:
    path_tag: str
    any: list[str]
    served: list[str]
    """The tags the server matched (Mastodon reads 4 names in all)."""
    requests: int = 0
    matching: int = 0
    returned: int = 0


@dataclass
class FetchRound:
    name: str
    seconds: float
    cpu: float
    requests: int
    batches: list[Batch]
    archive_posts: int
    error: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Server:
    """The benchmark server in a child process."""

    def __init__(self, posts: int, seed: int = SEED, any_limit: int = 4) -> None:
        cmd = [sys.executable, "-m", "bench.mastodon_server", "--posts", str(posts)]
        cmd += ["--seed", str(seed), "--any-limit", str(any_limit)]
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.isdigit():
            self.proc.kill()
            raise RuntimeError(f"benchmark server did not start: {line!r}")
        self.base = f"http://127.0.0.1:{line}"

    def call(self, method: str, path: str) -> Any:
        request = urllib.request.Request(self.base + path, method=method)
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)

    def log(self) -> list[dict[str, Any]]:
        return list(self.call("GET", "/_bench/log"))

    def clear(self) -> None:
        self.call("POST", "/_bench/clear")

    def add(self, count: int) -> None:
        self.call("POST", f"/_bench/add?count={count}")

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def batches(log: Sequence[dict[str, Any]]) -> list[Batch]:
    """The server's log grouped by query (path tag and ``any[]``)."""
    grouped: dict[tuple[str, tuple[str, ...]], Batch] = {}
    for entry in log:
        key = (entry["tag"], tuple(entry["any"]))
        batch = grouped.setdefault(key, Batch(entry["tag"], list(entry["any"]), entry["query"]))
        batch.requests += 1
        batch.matching = max(batch.matching, entry["matching"])
        batch.returned += entry["returned"]
    return list(grouped.values())


def first_fetch_target(batch: Batch) -> int:
    return math.ceil(batch.matching / 40) + 1


def reference_fetch(base: str, tags: Sequence[str], per_batch: int = 5) -> int:
    """A plain client (path tag + ``any[]``, ``limit=40``, ``max_id``): the target's shape.

    Used to check the server and the targets while the real fetcher is missing.
    Returns the statuses seen.
    """
    seen: set[str] = set()
    for start in range(0, len(tags), per_batch):
        path, *rest = tags[start : start + per_batch]
        max_id = ""
        while True:
            query = [("limit", "40"), *(("any[]", t) for t in rest)]
            if max_id:
                query.append(("max_id", max_id))
            url = f"{base}/api/v1/timelines/tag/{quote(path)}?{urlencode(query)}"
            with urllib.request.urlopen(url, timeout=60) as response:
                page = json.load(response)
            if not page:
                break
            seen.update(s["uri"] for s in page)
            max_id = page[-1]["id"]
    return len(seen)


def _measure(name: str, server: Server, archive: Path, run: Callable[[], Any]) -> FetchRound:
    server.clear()
    error, report = "", None  # type: str, Any
    start, cpu = time.perf_counter(), time.process_time()
    try:
        report = run()
    except NotImplementedError:
        error = "fetcher not implemented yet (tag_digest.sync.sync_all)"
    except Exception as exc:  # report any failure of the code under test as a figure
        error = f"{type(exc).__name__}: {exc}"
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    log = server.log()
    stored = Archive.load(archive) if archive.exists() else None
    count = len(stored.visible()) if stored else 0
    extra = {
        "other_requests": server.call("GET", "/_bench/stats")["other_requests"],
        "tombstones": len(stored) - count if stored else 0,
    }
    if report is not None and hasattr(report, "as_json"):
        extra["report"] = report.as_json()
    return FetchRound(name, seconds, cpu, len(log), batches(log), count, error, extra)


def _settings(server: Server, archive: Path, work: Path) -> Any:
    raw = {
        "DIGEST_SERVERS": [server.base],
        "DIGEST_TAGS": list(TAGS),
        "DIGEST_ARCHIVE_PATH": str(archive),
        "DIGEST_FETCH": True,
        "DIGEST_SINCE": "2000-01-01",
        "DIGEST_PROGRESS": False,
        "DIGEST_MAX_PAGES": 100000,
        "TIMEZONE": "Europe/Moscow",
    }
    return load_settings(raw, base=work)


def scenario(work: Path, posts: int, any_limit: int) -> dict[str, Any]:
    """First fetch, incremental with 50 new posts, incremental with nothing new."""
    work = work.resolve()
    archive = work / f"fetch-any{any_limit}" / "archive"
    shutil.rmtree(archive.parent, ignore_errors=True)
    server = Server(posts, any_limit=any_limit)
    token = os.environ.get(TOKEN_ENV)
    os.environ[TOKEN_ENV] = "bench-token"  # authenticated: no anonymous paging limit to wait on
    try:
        settings = _settings(server, archive, work)

        def fetch() -> Any:
            from tag_digest.sync import sync_all  # an ImportError is reported as a figure

            return sync_all(settings)

        rounds = [_measure("first fetch", server, archive, fetch)]
        server.add(50)
        rounds.append(_measure("incremental, 50 new", server, archive, fetch))
        rounds.append(_measure("incremental, nothing new", server, archive, fetch))
        server.clear()
        start = time.perf_counter()
        ref_seen = reference_fetch(server.base, TAGS)
        ref_log = server.log()
        reference = {
            "seconds": time.perf_counter() - start,
            "requests": len(ref_log),
            "seen": ref_seen,
            "batches": [asdict(b) for b in batches(ref_log)],
        }
        total = server.call("GET", "/_bench/stats")["statuses"]
    finally:
        server.close()
        if token is None:
            os.environ.pop(TOKEN_ENV, None)
        else:
            os.environ[TOKEN_ENV] = token
    return {
        "posts": posts,
        "server_statuses": total,
        "any_limit": any_limit,
        "rounds": [r.as_dict() for r in rounds],
        "reference": reference,
    }


def run(work: Path, posts: int = 10000) -> dict[str, Any]:
    """Both readings of ``any[]``: Mastodon's code (4 names in all) and the issue's (path + 4)."""
    return {
        "mastodon": scenario(work, posts, any_limit=4),
        "path_plus_4": scenario(work, posts, any_limit=5),
    }


def summarise(result: dict[str, Any]) -> list[str]:
    """One line per fetch and scenario."""
    lines = []
    for key, scen in result.items():
        lines += [f"[{key}] {line}" for line in _summary_lines(scen)]
    return lines


def _summary_lines(result: dict[str, Any]) -> list[str]:
    lines = []
    for r in result["rounds"]:
        status = f" ({r['error']})" if r["error"] else ""
        lines.append(
            f"{r['name']}: {r['requests']} requests, {r['seconds']:.2f} s, "
            f"archive {r['archive_posts']} posts{status}"
        )
    return lines


def measure_in_child(work: Path, code_plugins: Path, posts: int = 10000) -> dict[str, Any]:
    """:func:`run` in a child process that imports ``tag_digest`` from ``code_plugins``."""
    out = work / "fetch.json"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(code_plugins), str(REPO)]))
    cmd = [sys.executable, "-m", "bench.fetch_bench", "--work", str(work), "--out", str(out)]
    subprocess.run([*cmd, "--posts", str(posts)], cwd=REPO, env=env, check=True)
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fetch_bench", description=__doc__)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--posts", type=int, default=10000)
    args = parser.parse_args(argv)
    args.out.write_text(json.dumps(run(args.work, args.posts), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
