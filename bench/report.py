"""``bench/results.md``: the figures of one run as Markdown tables, with the targets."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from . import fetch_bench, report_scale

MiB = 2**20


def _s(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds / 60:.1f} min"


def _mib(size: float | None) -> str:
    return "–" if size is None else f"{size / MiB:,.0f} MiB"


def _size(n: int) -> str:
    return f"{n:,}"


def _get(result: Mapping[str, Any] | None, *keys: str) -> Any:
    value: Any = result
    for key in keys:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a is not None and b else "–"


def build_table(
    ours: Mapping[int, Mapping[str, Any]],
    baseline: Mapping[int, Mapping[str, Any]],
    startup: Mapping[str, Any] | None,
    hugo: Mapping[int, Mapping[str, Any]] | None = None,
) -> list[str]:
    lines = [
        "| posts | full build | CPU | peak RSS | ms/post | no-change rebuild | ÷ full | "
        "+50 posts rebuild | ÷ full | output | Hugo, same posts |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, o in sorted(ours.items()):
        full = o["full"]["wall_median"]
        unchanged = _get(o, "unchanged", "wall_median")
        new50 = _get(o, "new50", "wall_median")
        peer = (hugo or {}).get(n)
        theirs = _get(peer, "full", "wall_median")
        hugo_cell = peer["missing"] if peer and "missing" in peer else _s(theirs)
        lines.append(
            f"| {_size(n)} | {_s(full)} (median of {o['full']['runs']}) "
            f"| {_s(o['full']['cpu_median'])} | {_mib(o['full']['max_rss'])} "
            f"| {1000 * full / n:.2f} | {_s(unchanged)} | {_ratio(unchanged, full)} "
            f"| {_s(new50)} | {_ratio(new50, full)} "
            f"| {_mib(o['output_bytes'])}, {o['output_files']:,} files | {hugo_cell} |"
        )
    if startup:
        lines += [
            "",
            f"Fixed cost: a build of an empty archive takes {_s(startup['wall_median'])} "
            f"(median of {startup['runs']}: Python, Pelican, the theme), "
            f"{_mib(startup['max_rss'])} peak RSS; it is part of every figure above.",
        ]
    lines += [
        "",
        "### Side by side: the same posts as Markdown articles",
        "",
        "| posts | Markdown build | CPU | peak RSS | output | our full build | "
        "Markdown ÷ ours (wall) | (CPU) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, base in sorted(baseline.items()):
        mine = ours.get(n)
        md, md_cpu = base["full"]["wall_median"], base["full"]["cpu_median"]
        full = _get(mine, "full", "wall_median")
        cpu = _get(mine, "full", "cpu_median")
        lines.append(
            f"| {_size(n)} | {_s(md)}{' (cached)' if base.get('cached') else ''} | {_s(md_cpu)} "
            f"| {_mib(base['full']['max_rss'])} | {_mib(base['output_bytes'])}, "
            f"{base['output_files']:,} files | {_s(full)} "
            f"| {f'{md / full:.1f}×' if full else '–'} | {f'{md_cpu / cpu:.1f}×' if cpu else '–'} |"
        )
    return lines


def rewrite_lines(ours: Mapping[int, Mapping[str, Any]]) -> list[str]:
    lines = []
    for n, o in sorted(ours.items()):
        lines.append(
            f"- {_size(n)}: files written by a no-change rebuild "
            f"{o['unchanged']['files_written']} of {o['output_files']:,}; "
            f"after 50 new posts {o['new50']['files_written']}."
        )
    return lines


def target_lines(
    ours: Mapping[int, Mapping[str, Any]],
    baseline: Mapping[int, Mapping[str, Any]],
    startup: Mapping[str, Any] | None,
) -> list[str]:
    lines = []
    big = ours.get(100_000)
    if big:
        full, cpu = big["full"]["wall_median"], big["full"]["cpu_median"]
        b = baseline.get(100_000)
        md, md_cpu = _get(b, "full", "wall_median"), _get(b, "full", "cpu_median")
        if md:
            verdict = "met" if md / full >= 10 else "MISSED"
            lines.append(
                f"- 100,000 posts at least 10× faster than Markdown: {md / full:.1f}× wall, "
                f"{md_cpu / cpu:.1f}× CPU — {verdict}"
            )
        else:
            lines.append("- 100,000 posts at least 10× faster than Markdown: no baseline measured")
        rss = big["full"]["max_rss"]
        verdict = "met" if rss < 1.5e9 else "MISSED"
        lines.append(f"- 100,000 posts under 1.5 GB peak RSS: {_mib(rss)} — {verdict}")
    else:
        lines.append("- 100,000 posts: not measured (`make bench-full`)")
    sizes = sorted(ours)
    if sizes:
        text = ", ".join(
            f"{1000 * ours[n]['full']['wall_median'] / n:.2f} ms at {_size(n)}" for n in sizes
        )
        lines.append(f"- time per post (full build ÷ posts): {text}")
    steps = []
    for a, b2 in itertools.pairwise(sizes):
        extra = ours[b2]["full"]["wall_median"] - ours[a]["full"]["wall_median"]
        steps.append(f"{1000 * extra / (b2 - a):.2f} ms from {_size(a)} to {_size(b2)}")
    if steps:
        lines.append(f"- marginal time per post: {', '.join(steps)}")
    return lines


SCENARIOS = {
    "mastodon": "Mastodon's own reading of `any[]` (`TagFeed`: the first 4 names of "
    "path tag ∪ `any[]`, so a batch of 5 loses its 5th tag)",
    "path_plus_4": "the reading the issue assumes (path tag plus 4 `any[]` names)",
}


def fetch_lines(result: Mapping[str, Any] | None) -> list[str]:
    if not result:
        return ["Not measured in this run."]
    lines: list[str] = []
    for key, scenario in result.items():
        lines += [f"### Server with {SCENARIOS.get(key, key)}", "", *_scenario_lines(scenario), ""]
    return lines


def _scenario_lines(result: Mapping[str, Any]) -> list[str]:
    lines = [
        f"{result['posts']:,} posts over 20 tags at the start, {result['server_statuses']:,} "
        "after 50 new ones. Timeline requests only (plus one `/api/v2/instance` per run).",
        "",
        "| fetch | timeline requests | per batch: requests (target) | time | CPU | "
        "posts in archive | tombstones | note |",
        "|---|---:|---|---:|---:|---:|---:|---|",
    ]
    for i, r in enumerate(result["rounds"]):
        parts = []
        for b in r["batches"]:
            target = fetch_bench.first_fetch_target(fetch_bench.Batch(**b)) if i == 0 else 3
            parts.append(f"#{b['path_tag']} {b['requests']} (≤{target})")
        lines.append(
            f"| {r['name']} | {r['requests']} | {'; '.join(parts) or '–'} | {_s(r['seconds'])} "
            f"| {_s(r['cpu'])} | {r['archive_posts']:,} | {r['extra'].get('tombstones', '–')} "
            f"| {r['error'] or ''} |"
        )
    ref = result.get("reference")
    if ref:
        lines += [
            "",
            f"Reference client (batches of 5, `limit=40`, `max_id`, to the end): "
            f"{ref['requests']} requests, {ref['seen']:,} of {result['server_statuses']:,} "
            "posts reachable.",
        ]
    return lines


def render(
    machine: Mapping[str, Any],
    generator: str,
    seed: int,
    ours: Mapping[int, Mapping[str, Any]],
    baseline: Mapping[int, Mapping[str, Any]],
    startup: Mapping[str, Any] | None,
    fetch: Mapping[str, Any] | None,
    notes: Sequence[str],
    when: str,
    hugo: Mapping[int, Mapping[str, Any]] | None = None,
) -> str:
    peer = hugo or {}
    m = machine
    lines = [
        "# Benchmark results",
        "",
        f"Measured {when} with `bench/run.py` on {m['cores']} cores ({m['cpu']}), "
        f"{m['memory_gib']} GiB RAM, Python {m['python']}, Pelican {m['pelican']}, "
        f"commit {m['commit']}. Load average at the start: {', '.join(map(str, m['load']))}.",
        f"Posts from `{generator}` (seed {seed}), 20 configured tags. Times are wall-clock "
        "seconds of a child process running Pelican (`bench/probe.py`); CPU and peak RSS "
        "are its `wait4` figures, which include the children it waited for (the render "
        "workers, the search process, Pagefind): the build process and its children are "
        "apart under Peak memory.",
        "",
        *[f"> {note}" for note in notes],
        "",
        "## Builds",
        "",
        *build_table(ours, baseline, startup, peer),
        "",
        *rewrite_lines(ours),
        "",
        "### Side by side: the same posts built by Hugo",
        "",
        "`bench/hugo_site.py`: a page per post, tag pages by 20, the home page; no RSS, "
        "sitemap or section lists. A cold build each time (`hugo --quiet`, no cache).",
        "",
        *report_scale.hugo_table(ours, peer),
        "",
        "### Peak memory",
        "",
        "From `bench/probe.py`, which runs each build: `RUSAGE_SELF` of the build process "
        "and `RUSAGE_CHILDREN` (the largest child), and the plugin's search process's own "
        "`RUSAGE_SELF` (forked after the model is built, it makes the search records and "
        "drives Pagefind while the build writes the other pages; what it shares with the "
        "build process counts in both); the largest over the full builds.",
        "",
        *report_scale.memory_table(ours),
        "",
        "### Indexing step (Pagefind)",
        "",
        "From the fork of the search process (or, without one, the start of the first "
        "bundle's Pagefind binary) to the plugin's `search index of … posts` line after the "
        "last bundle, median over the full builds.",
        "",
        *report_scale.index_lines(ours),
        "",
        "### Output size per page kind",
        "",
        "After a full build; bytes under each top-level directory (`bench/sizes.py`).",
        "",
        *report_scale.size_table(ours, peer),
        "",
        "### The render cache without the output",
        "",
        *report_scale.cache_lines(ours),
        "",
        "## Targets (issue 14)",
        "",
        *report_scale.target_lines(ours, peer),
        "",
        "Earlier targets (issue 6) and the time per post:",
        "",
        *target_lines(ours, baseline, startup),
        "",
        "## Fetch",
        "",
        *fetch_lines(fetch),
        "",
    ]
    return "\n".join(lines)
