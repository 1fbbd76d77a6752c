"""The parts of ``bench/results.md`` for issue 14: Hugo, memory, indexing, output size, targets.

Sizes are decimal where the issue's limits are (1 GB = 10⁹ bytes, the GitHub Pages
limit; 512 MB = 512 × 10⁶ bytes), shown in MiB like the rest of the report.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import sizes

MiB = 2**20
GB = 10**9
RSS_LIMIT = 512 * 10**6
SIZE_AIM = 600 * 10**6
WARN_SHARE = 0.8
Results = Mapping[int, Mapping[str, Any]]


def _s(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds / 60:.1f} min"


def _mib(size: float | None) -> str:
    return "–" if size is None else f"{size / MiB:,.0f} MiB"


def _get(result: Mapping[str, Any] | None, *keys: str) -> Any:
    value: Any = result
    for key in keys:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def hugo_table(ours: Results, hugo: Results) -> list[str]:
    if not hugo:
        return ["Not measured in this run (`--no-hugo`)."]
    lines = [
        "| posts | Hugo | full build | CPU | peak RSS | output | our full build "
        "| ours ÷ Hugo (wall) | (CPU) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, peer in sorted(hugo.items()):
        if "missing" in peer:
            lines.append(f"| {n:,} | {peer['missing']} | – | – | – | – | – | – | – |")
            continue
        full, cpu = peer["full"]["wall_median"], peer["full"]["cpu_median"]
        mine = _get(ours.get(n), "full", "wall_median")
        mine_cpu = _get(ours.get(n), "full", "cpu_median")
        wall_ratio = f"{mine / full:.2f}" if mine else "–"
        cpu_ratio = f"{mine_cpu / cpu:.2f}" if mine_cpu else "–"
        lines.append(
            f"| {n:,} | {peer['version']} | {_s(full)} (median of {peer['full']['runs']}) "
            f"| {_s(cpu)} | {_mib(peer['full']['max_rss'])} "
            f"| {_mib(peer['output_bytes'])}, {peer['output_files']:,} files | {_s(mine)} "
            f"| {wall_ratio} | {cpu_ratio} |"
        )
    lines += [
        "",
        "Hugo uses both cores (its CPU time can exceed its wall time); so does ours: render "
        "workers on a cold build, then the build process beside the search process and "
        "Pagefind. Below 1.00 means ours is faster.",
    ]
    return lines


def memory_table(ours: Results) -> list[str]:
    lines = [
        "| posts | build process (own peak) | search process (own peak) "
        "| largest child (render worker, search process or Pagefind) "
        "| wait4 of the build (the larger) | per 1,000 posts (build process) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for n, o in sorted(ours.items()):
        own = _get(o, "full", "self_rss")
        lines.append(
            f"| {n:,} | {_mib(own)} | {_mib(_get(o, 'full', 'search_rss'))} "
            f"| {_mib(_get(o, 'full', 'indexer_rss'))} "
            f"| {_mib(o['full']['max_rss'])} | {_mib(own * 1000 / n) if own else '–'} |"
        )
    return lines


def index_lines(ours: Results) -> list[str]:
    lines = []
    for n, o in sorted(ours.items()):
        full = o["full"]
        seconds = full.get("index_median")
        if seconds is None:
            lines.append(f"- {n:,} posts: indexing step not timed in this run")
            continue
        lines.append(
            f"- {n:,} posts: indexing step {_s(seconds)} of a {_s(full['wall_median'])} full "
            f"build ({seconds / full['wall_median']:.0%}; with a search process, most of it "
            f"beside the page writing); the children's CPU (render workers, search process, "
            f"Pagefind) {_s(full.get('indexer_cpu_median'))}, the largest child's peak "
            f"{_mib(full.get('indexer_rss'))}"
        )
    return lines


def size_table(ours: Results, hugo: Results) -> list[str]:
    kinds = [*sizes.KINDS, sizes.OTHER]
    lines = [
        "| site | posts | total | per post | "
        + "".join(f"{k}/ | " for k in kinds[:-1])
        + "other |",
        "|---|---:|---:|---:|" + "---:|" * len(kinds),
    ]
    rows = [("ours", n, o) for n, o in sorted(ours.items())]
    rows += [("Hugo", n, h) for n, h in sorted(hugo.items()) if "kinds" in h]
    for site, n, result in rows:
        found: Mapping[str, Mapping[str, int]] = result.get("kinds") or {}
        if not found:
            continue
        cells = [_mib(found[k]["bytes"]) if k in found else "–" for k in kinds]
        lines.append(
            f"| {site} | {n:,} | {_mib(result['output_bytes'])} "
            f"| {sizes.per_post(found, n) / 1024:,.1f} KiB | " + " | ".join(cells) + " |"
        )
    return lines


def cache_lines(ours: Results) -> list[str]:
    lines = []
    for n, o in sorted(ours.items()):
        kept = _get(o, "cache_only", "wall_median")
        if kept is None:
            continue
        full = o["full"]["wall_median"]
        lines.append(
            f"- {n:,} posts: full build (no cache) {_s(full)}; after the output directory was "
            f"deleted, with the cache kept, {_s(kept)} ({kept / full:.2f} of a full build, "
            f"median of {o['cache_only']['runs']})"
        )
    return lines or ["- not measured in this run"]


def target_lines(ours: Results, hugo: Results) -> list[str]:
    lines = []
    big, peer = ours.get(100_000), hugo.get(100_000)
    if big:
        full = big["full"]["wall_median"]
        if peer and "missing" not in peer:
            theirs = peer["full"]["wall_median"]
            lines.append(
                f"- 100,000 posts faster than Hugo: ours {_s(full)}, Hugo {_s(theirs)} — "
                f"{_verdict(full < theirs)}"
            )
        else:
            lines.append("- 100,000 posts faster than Hugo: Hugo not measured")
        own = _get(big, "full", "self_rss")
        if own:
            lines.append(
                f"- 100,000 posts peak RSS of the build under 512 MB: {_mib(own)} "
                f"(search process {_mib(_get(big, 'full', 'search_rss'))}, largest child "
                f"{_mib(_get(big, 'full', 'indexer_rss'))}) — {_verdict(own < RSS_LIMIT)}"
            )
        small = ours.get(10_000)
        small_rss = _get(small, "full", "self_rss")
        if own and small_rss:
            grow = own / small_rss
            lines.append(
                f"- peak RSS grows more slowly than the archive (×10 posts from 10,000 to "
                f"100,000): ×{grow:.1f} — {_verdict(grow < 10)}"
            )
        out = big["output_bytes"]
        lines.append(
            f"- 100,000 posts output under 1 GB (aim 600 MB): {out / 10**6:,.0f} MB, "
            f"{out / GB:.0%} of 1 GB — {_verdict(out < GB)}"
            + ("" if out < SIZE_AIM else " (aim not reached)")
        )
    else:
        lines.append("- 100,000 posts: not measured (`make bench-full`)")
    for n, o in sorted(ours.items()):
        full = o["full"]["wall_median"]
        unchanged, new50 = _get(o, "unchanged", "wall_median"), _get(o, "new50", "wall_median")
        if unchanged is not None:
            share = unchanged / full
            lines.append(
                f"- no-change rebuild ≤ 10 % of a full build at {n:,}: {share:.0%} — "
                f"{_verdict(share <= 0.10)}"
            )
        if new50 is not None:
            share = new50 / full
            lines.append(
                f"- rebuild with 50 new posts ≤ 25 % at {n:,}: {share:.0%} — "
                f"{_verdict(share <= 0.25)}"
            )
    return lines
