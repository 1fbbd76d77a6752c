"""The Markdown-article baseline at one size, measured once and cached.

Pelican takes about 26 s for 10,000 such articles and about 19 minutes for
100,000 on a 2-core machine, so the figures are kept in
``bench/work/baseline-<n>.json`` under a key that hashes the generator
settings, the article writer and the baseline's Pelican settings; a later run
reuses them while the key matches (``--rerun-baseline`` measures again).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import builds, data, machine, markdown_site


def cache_key(gen: data.Generator, n: int) -> str:
    writer = Path(markdown_site.__file__).read_bytes()
    settings = builds.markdown_settings(Path("/site"), builds.WORKING_TREE)
    conf = json.dumps(settings, sort_keys=True).encode()
    blob = data.settings_key(gen, n).encode() + hashlib.sha256(writer + conf).digest()
    return hashlib.sha256(blob).hexdigest()[:16]


def _write_content(site: Path, gen: data.Generator, n: int, key: str) -> int:
    content = site / "content"
    stamp = site / ".bench-key"
    if stamp.is_file() and stamp.read_text() == key and content.is_dir():
        return sum(1 for _ in content.rglob("*.md"))
    shutil.rmtree(content, ignore_errors=True)
    count = markdown_site.write_articles(content, data.posts(gen, n))
    stamp.write_text(key)
    return count


def cached(work: Path, gen: data.Generator, n: int) -> dict[str, Any] | None:
    """The cached figures for ``n`` posts if their key still matches, else ``None``."""
    path = work / f"baseline-{n}.json"
    if not path.is_file():
        return None
    figures: dict[str, Any] = json.loads(path.read_text())
    if figures.get("key") != cache_key(gen, n):
        return None
    return figures | {"cached": True}


def measure(
    work: Path,
    gen: data.Generator,
    n: int,
    code: builds.Code = builds.WORKING_TREE,
    rerun: bool = False,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """The cached figures, or a new measurement (one build) when there are none."""
    key = cache_key(gen, n)
    cache = work / f"baseline-{n}.json"
    earlier = None if rerun else cached(work, gen, n)
    if earlier is not None:
        return earlier
    site = work / f"md-{n}"
    site.mkdir(parents=True, exist_ok=True)
    articles = _write_content(site, gen, n, key)
    settings = site / "pelicanconf.py"
    builds.write_settings(settings, builds.markdown_settings(site, code), code)
    for folder in (site / "output", site / "cache"):
        shutil.rmtree(folder, ignore_errors=True)
    say(f"  markdown baseline {n}: building {articles} articles (runs once, then cached)")
    run = builds.run_measured(
        builds.pelican_command(settings, site / "content", site / "output"),
        site / "build.log",
        code,
    )
    tree = builds.tree_size(site / "output")
    result = {
        "key": key,
        "posts": n,
        "articles": articles,
        "generator": gen.name,
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine.describe(),
        "code": builds.code_state(),
        "full": {"runs": 1, "wall_median": run.wall, "cpu_median": run.cpu, "max_rss": run.max_rss},
        "output_files": tree.files,
        "output_bytes": tree.bytes,
    }
    cache.write_text(json.dumps(result, indent=1))
    say(f"  markdown baseline {n}: {run.wall:.1f} s, {run.max_rss / 2**20:.0f} MiB")
    result["cached"] = False
    return result
