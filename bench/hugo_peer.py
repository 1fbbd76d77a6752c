"""Hugo building the same posts, side by side with our build in the same run.

The site (``bench/hugo_site.py``) is written once per size and kept in
``bench/work/hugo-<n>/site`` under a key hashing the posts' settings and the
writer; the builds themselves run in every benchmark run. Each is a cold build:
the output, Hugo's cache directory and ``resources/`` are removed first, then
``hugo --quiet`` runs as a child process measured with ``os.wait4`` like ours.
Hugo uses every core it is given; our build is one Python process.

Debian's ``hugo`` package provides the binary (``apt-get install hugo``); when it
is missing the figures say so and the rest of the benchmark runs.
"""

from __future__ import annotations

import hashlib
import shutil
import statistics
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import builds, data, hugo_site, sizes


def executable() -> str | None:
    return shutil.which("hugo")


def version(hugo: str) -> str:
    out = subprocess.run([hugo, "version"], capture_output=True, text=True, check=False)
    words = out.stdout.split()
    return words[1] if len(words) > 1 else out.stdout.strip() or "unknown"


def _key(gen: data.Generator, n: int) -> str:
    writer = Path(hugo_site.__file__).read_bytes()
    return hashlib.sha256(data.settings_key(gen, n).encode() + writer).hexdigest()[:16]


def _write_site(root: Path, gen: data.Generator, n: int) -> int:
    stamp = root / ".bench-key"
    key = _key(gen, n)
    if stamp.is_file() and stamp.read_text() == key and (root / "content").is_dir():
        return sum(1 for _ in (root / "content").rglob("*.html"))
    shutil.rmtree(root, ignore_errors=True)
    count = hugo_site.write_site(root, data.posts(gen, n))
    stamp.write_text(key)
    return count


def measure(
    work: Path, gen: data.Generator, n: int, runs: int, say: Callable[[str], None] = print
) -> dict[str, Any]:
    """Figures of ``runs`` cold Hugo builds of ``n`` posts, or ``{"missing": reason}``."""
    hugo = executable()
    if hugo is None:
        say(f"  hugo {n}: hugo not installed (apt-get install hugo); skipped")
        return {"posts": n, "missing": "hugo not installed"}
    base = work / f"hugo-{n}"
    site, output, cache = base / "site", base / "output", base / "cache"
    pages = _write_site(site, gen, n)
    command = [hugo, "--quiet", "--source", str(site), "--destination", str(output)]
    command += ["--cacheDir", str(cache)]
    done = []
    for i in range(runs):
        for folder in (output, cache, site / "resources"):
            shutil.rmtree(folder, ignore_errors=True)
        done.append(builds.run_measured(command, base / f"build-{i}.log"))
        say(f"  hugo {n}: full build {i + 1}/{runs}: {done[-1].wall:.2f} s")
    tree = builds.tree_size(output)
    return {
        "posts": n,
        "pages": pages,
        "version": version(hugo),
        "full": {
            "runs": runs,
            "wall_median": statistics.median(r.wall for r in done),
            "wall_all": [round(r.wall, 3) for r in done],
            "cpu_median": statistics.median(r.cpu for r in done),
            "max_rss": max(r.max_rss for r in done),
        },
        "output_files": tree.files,
        "output_bytes": tree.bytes,
        "kinds": sizes.by_kind(output),
    }
