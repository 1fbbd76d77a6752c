"""Run the benchmarks and write ``bench/results.md``.

    python -m bench.run            # 1,000 and 10,000 posts, the fetch (make bench)
    python -m bench.run --full     # also 100,000 posts (make bench-full)

Figures only: nothing here asserts anything about time. Work files (archives,
Markdown articles, outputs, logs, cached baseline figures) go to ``bench/work/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from . import baseline, builds, data, fetch_bench, hugo_peer, machine, ours, report, search_bench

BENCH = Path(__file__).resolve().parent


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="add 100,000 posts")
    parser.add_argument("--sizes", help="comma-separated post counts (overrides --full)")
    parser.add_argument("--runs", type=int, help="runs per kind of build (default by size)")
    parser.add_argument("--rerun-baseline", action="store_true", help="measure Markdown again")
    parser.add_argument("--no-baseline", action="store_true", help="skip the Markdown builds")
    parser.add_argument("--no-ours", action="store_true", help="skip our builds")
    parser.add_argument("--no-hugo", action="store_true", help="skip the Hugo peer's builds")
    parser.add_argument("--no-fetch", action="store_true", help="skip the fetch benchmark")
    parser.add_argument("--no-search", action="store_true", help="skip the search index figures")
    parser.add_argument("--work", type=Path, default=BENCH / "work")
    parser.add_argument("--results", type=Path, default=BENCH / "results.md")
    parser.add_argument("--note", action="append", default=[], help="a line for results.md")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="measure nothing: write results.md from the figures saved in the work dir",
    )
    return parser.parse_args(argv)


def _sizes(args: argparse.Namespace) -> list[int]:
    if args.report_only:
        return []
    if args.sizes:
        return [int(s) for s in args.sizes.split(",")]
    return [1000, 10000, 100000] if args.full else [1000, 10000]


def _earlier(work: Path, n: int, name: str = "ours") -> dict[str, Any] | None:
    path = work / f"{name}-{n}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def _saved(work: Path, name: str) -> Any:
    path = work / f"{name}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def _save(work: Path, name: str, figures: object) -> None:
    (work / f"{name}.json").write_text(json.dumps(figures, indent=1))


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    work: Path = args.work.resolve()  # builds run with the code copy as their cwd
    work.mkdir(parents=True, exist_ok=True)
    info = machine.describe()
    gen = data.generator()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"bench: {info['cores']} cores, Python {info['python']}, load {info['load']}")
    code = builds.snapshot(work)
    state = builds.code_state()
    print(f"bench: posts from {gen.name}; work dir {work}; code {state} (copied to {code.root})")
    notes = list(args.note)
    if args.report_only:
        notes.append("Written with `--report-only` from the figures saved by earlier runs.")
    if not args.report_only:
        notes.append(f"Plugin, theme and pelicanconf.py: commit {state}, copied once for the run.")
    our_results: dict[int, dict[str, Any]] = {}
    base_results: dict[int, dict[str, Any]] = {}
    hugo_results: dict[int, dict[str, Any]] = {}
    startup = _saved(work, "startup") if args.report_only else None
    if not args.no_ours and not args.report_only:
        plan = ours.Plan(args.runs or 3, 0, 0)
        startup = ours.measure(work, gen, 0, plan, code)["full"]  # the fixed cost of a build
        _save(work, "startup", startup)
    for n in _sizes(args):
        if not args.no_baseline:
            base_results[n] = baseline.measure(work, gen, n, code, rerun=args.rerun_baseline)
        if not args.no_ours:
            plan = ours.default_plan(n)
            if args.runs:
                plan = ours.Plan(args.runs, args.runs, args.runs, args.runs)
            result = ours.measure(work, gen, n, plan, code)
            result |= {"measured_at": when, "commit": state, "load_after": machine.load()}
            (work / f"ours-{n}.json").write_text(json.dumps(result, indent=1))
            our_results[n] = result
        if not args.no_hugo:
            runs = args.runs or ours.default_plan(n).full
            peer = hugo_peer.measure(work, gen, n, min(runs, 3))
            peer |= {"measured_at": when, "load_after": machine.load()}
            if "missing" not in peer:
                (work / f"hugo-{n}.json").write_text(json.dumps(peer, indent=1))
            hugo_results[n] = peer
    for n in (1000, 10000, 100000):
        earlier = _earlier(work, n) if n not in our_results and not args.no_ours else None
        if earlier:
            our_results[n] = earlier
            peer = _earlier(work, n, "hugo") if not args.no_hugo else None
            if peer and n not in hugo_results:
                hugo_results[n] = peer
                notes.append(f"The {n:,} Hugo row is from an earlier run ({peer['measured_at']}).")
            known = baseline.cached(work, gen, n)
            if known and n not in base_results and not args.no_baseline:
                base_results[n] = known
            notes.append(
                f"The {n:,} row of our build is from an earlier run "
                f"({earlier['measured_at']}, commit {earlier['commit']})."
            )
    for n, b in base_results.items():
        if b.get("cached"):
            notes.append(
                f"Markdown baseline at {n:,} posts: cached figures measured {b['measured_at']} "
                f"(load {b['machine']['load']})."
            )
    fetch = _saved(work, "fetch") if args.report_only else None
    if not args.no_fetch and not args.report_only:
        print("bench: fetch benchmark (10,000 posts over 20 tags)")
        fetch = fetch_bench.measure_in_child(work, code.plugins)
        _save(work, "fetch", fetch)
        for line in fetch_bench.summarise(fetch):
            print("  " + line)
    info["load"] = list(info["load"])
    notes.append(f"Load average at the end: {', '.join(f'{x:.2f}' for x in machine.load())}.")
    text = report.render(
        info,
        gen.name,
        data.SEED,
        our_results,
        base_results,
        startup,
        fetch,
        notes,
        when,
        hugo_results,
    )
    search = _saved(work, "search") if args.report_only else None
    if not args.no_search and not args.report_only:
        print("bench: search index (Pagefind)")
        search = search_bench.measure(_sizes(args), work)
        _save(work, "search", search)
    if search:
        text = text.rstrip("\n") + "\n\n## Search (Pagefind)\n\n" + "\n".join(search) + "\n"
    args.results.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
