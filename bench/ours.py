"""Our build at one size: full builds, no-change rebuilds, rebuilds after 50 new posts.

The archive is copied from the pristine one generated for this size; a full
build starts from an empty output and cache directory; a rebuild reuses both; a
"cache only" build follows one that deleted the output directory (the cache is
kept, as the workflow restores it into a fresh checkout). Every build runs
through ``bench/probe.py``, which tells the build process's own peak RSS from the
indexer's (Pagefind, a child process) and times the indexing step.
"""

from __future__ import annotations

import shutil
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import builds, data, sizes


@dataclass(frozen=True)
class Plan:
    full: int
    unchanged: int
    new50: int
    cache_only: int = 0


def default_plan(n: int) -> Plan:
    if n >= 100_000:
        return Plan(2, 2, 2, 1)
    if n >= 10_000:
        return Plan(3, 3, 3, 2)
    return Plan(5, 5, 3, 3)


Measured = tuple[builds.Run, builds.Probe | None]


def _probe_figures(probes: list[builds.Probe]) -> dict[str, Any]:
    if not probes:
        return {}
    timed = [p.index_seconds for p in probes if p.index_seconds is not None]
    return {
        "self_rss": max(p.self_rss for p in probes),
        "indexer_rss": max(p.children_rss for p in probes),
        "search_rss": max((p.search_rss for p in probes if p.search_rss is not None), default=None),
        "indexer_cpu_median": statistics.median(p.children_cpu for p in probes),
        "index_median": statistics.median(timed) if timed else None,
        "index_notes": sorted({p.index_note for p in probes if p.index_note}),
    }


def _summary(measured: list[Measured], **extra: Any) -> dict[str, Any] | None:
    if not measured:
        return None
    runs = [run for run, _ in measured]
    return {
        "runs": len(runs),
        "wall_median": statistics.median(r.wall for r in runs),
        "wall_all": [round(r.wall, 3) for r in runs],
        "cpu_median": statistics.median(r.cpu for r in runs),
        "max_rss": max(r.max_rss for r in runs),
        **_probe_figures([probe for _, probe in measured if probe is not None]),
        **extra,
    }


def measure(
    work: Path,
    gen: data.Generator,
    n: int,
    plan: Plan,
    code: builds.Code = builds.WORKING_TREE,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    site = work / f"ours-{n}"
    archive, output, cache = site / "archive", site / "output", site / "cache"
    (site / "content").mkdir(parents=True, exist_ok=True)
    data.copy_archive(data.pristine_archive(work, gen, n), archive)
    settings = site / "pelicanconf.py"
    builds.write_settings(settings, builds.ours_settings(site, archive, code), code)
    report = site / "probe.json"
    command = builds.probed_command(settings, site / "content", output, report)

    def build(tag: str) -> Measured:
        report.unlink(missing_ok=True)
        run = builds.run_measured(command, site / f"build-{tag}.log", code)
        return run, builds.read_probe(report)

    full = []
    for i in range(plan.full):
        for folder in (output, cache):
            shutil.rmtree(folder, ignore_errors=True)
        full.append(build(f"full-{i}"))
        say(f"  ours {n}: full build {i + 1}/{plan.full}: {full[-1][0].wall:.2f} s")
    tree = builds.tree_size(output)
    kinds = sizes.by_kind(output)

    unchanged, unchanged_written = [], []
    for i in range(plan.unchanged):
        before = builds.mtimes(output)
        unchanged.append(build(f"unchanged-{i}"))
        unchanged_written.append(builds.rewritten(before, builds.mtimes(output)))
        say(f"  ours {n}: no-change rebuild {i + 1}: {unchanged[-1][0].wall:.2f} s")

    cache_only = []
    for i in range(plan.cache_only):
        shutil.rmtree(output, ignore_errors=True)
        cache_only.append(build(f"cache-only-{i}"))
        seconds = cache_only[-1][0].wall
        say(f"  ours {n}: build with the cache, output deleted {i + 1}: {seconds:.2f} s")

    new50, new50_written = [], []
    for i in range(plan.new50):
        data.add_new_posts(archive, gen, 50, i + 1)
        before = builds.mtimes(output)
        new50.append(build(f"new50-{i}"))
        new50_written.append(builds.rewritten(before, builds.mtimes(output)))
        say(f"  ours {n}: rebuild after 50 new posts {i + 1}: {new50[-1][0].wall:.2f} s")

    return {
        "posts": n,
        "full": _summary(full),
        "unchanged": _summary(unchanged, files_written=unchanged_written),
        "new50": _summary(new50, files_written=new50_written),
        "cache_only": _summary(cache_only),
        "output_files": tree.files,
        "output_bytes": tree.bytes,
        "kinds": kinds,
    }
