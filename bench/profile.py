"""Profile one of our builds with cProfile (in a child process, like the benchmark).

    python -m bench.profile --posts 10000             # a full build
    python -m bench.profile --posts 10000 --rebuild   # a no-change rebuild after it

Prints the functions with the most own time and the most cumulative time;
the raw profile is kept in ``bench/work/profile-<n>-<kind>.prof`` (open it with
``python -m pstats`` or snakeviz).
"""

from __future__ import annotations

import argparse
import io
import pstats
import shutil
import sys
from pathlib import Path

from . import builds, data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--posts", type=int, default=10000)
    parser.add_argument("--rebuild", action="store_true", help="profile a no-change rebuild")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--work", type=Path, default=Path(__file__).resolve().parent / "work")
    args = parser.parse_args(argv)
    gen = data.generator()
    site = args.work / f"profile-{args.posts}"
    archive, output = site / "archive", site / "output"
    (site / "content").mkdir(parents=True, exist_ok=True)
    data.copy_archive(data.pristine_archive(args.work, gen, args.posts), archive)
    settings = site / "pelicanconf.py"
    code = builds.snapshot(args.work)
    builds.write_settings(settings, builds.ours_settings(site, archive, code), code)
    command = builds.pelican_command(settings, site / "content", output)
    kind = "rebuild" if args.rebuild else "full"
    for folder in (output, site / "cache"):
        shutil.rmtree(folder, ignore_errors=True)
    if args.rebuild:
        builds.run_measured(command, site / "build-before.log", code)
    prof = args.work / f"profile-{args.posts}-{kind}.prof"
    profiled = [sys.executable, "-m", "cProfile", "-o", str(prof), *command[1:]]
    run = builds.run_measured(profiled, site / f"build-profile-{kind}.log", code)
    print(f"{kind} build of {args.posts} posts under cProfile: {run.wall:.2f} s")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(str(prof), stream=out)
        stats.strip_dirs().sort_stats(order).print_stats(args.top)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
