"""Run Pelican in this process and write what ``wait4`` alone cannot tell apart.

    python bench/probe.py REPORT.json -- <pelican arguments>

``os.wait4`` on a build gives one peak RSS: the larger of the build process and
any child it waited for (Linux folds the children's peak into it), so Pagefind's
binary, which the build runs as a child (``pagefind --service``), hides in it.
This wrapper runs ``pelican.main`` in its own process and, at exit, writes to
``REPORT.json``:

* ``self_rss``: the build process's own peak, ``VmHWM`` of ``/proc/self/status`` (where
  there is none, ``getrusage(RUSAGE_SELF).ru_maxrss``). Not ``ru_maxrss`` on Linux: it
  is kept across ``execve``, so it starts at the size of the process that started the
  build (the benchmark, which by the +50 rebuild holds the output's file times: a 400 MiB
  build read as 598 MiB);
* ``children_rss`` / ``children_cpu``: ``RUSAGE_CHILDREN``, the largest child (a
  render worker, the search process or Pagefind) and the CPU time of all children;
* ``index_seconds``: from the start of the indexing to the plugin's log line
  ``tag_digest: search index …``; ``index_note`` is that line, so a skipped
  ("unchanged") index is visible. ``None`` when either mark was not seen. The
  indexing starts at the fork of the plugin's search process (the time it notes when it
  starts, on the same monotonic clock; the link exports' processes are forked later) or, when the
  build indexes in its own process (``DIGEST_WORKERS = 1``), at the start of the
  Pagefind binary (the ``subprocess.Popen`` audit event naming ``pagefind``). With a
  search process this is the indexing's whole time, most of it beside the pages;
* ``search_rss``: the search process's own peak (it writes it and its start, at its exit,
  to ``REPORT.json.search``), ``None`` when there was none.

Figures only; it changes nothing in the build but raising the ``tag_digest``
logger to INFO (so its lines also reach the build log). Standalone: it imports
nothing of ``bench``.
"""

from __future__ import annotations

import atexit
import json
import logging
import multiprocessing
import multiprocessing.util
import resource
import sys
import time
from pathlib import Path

marks: dict[str, float | str] = {}
_holder: object = None


SEARCH_PROCESS = "tag_digest search"
"""The name the plugin gives its search process (site/beside.py)."""


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event != "subprocess.Popen" or "pagefind_start" in marks:
        return
    if "pagefind" in " ".join(map(str, args[:2])):
        marks["pagefind_start"] = time.perf_counter()


class _Report:
    """Where the search process writes its peak (a weak-referenceable holder for
    ``multiprocessing.util.register_after_fork``)."""

    def __init__(self, path: Path) -> None:
        self.path = path


def _in_child(report: _Report) -> None:
    """In every multiprocessing child: the search process writes its own peak when it
    exits (multiprocessing runs its finalizers before ``os._exit``; atexit does not run)."""
    if multiprocessing.current_process().name != SEARCH_PROCESS:
        return
    path = report.path
    forked = time.perf_counter()  # CLOCK_MONOTONIC: the same clock as the build process's

    def write() -> None:
        peak = own_peak()
        path.with_name(path.name + ".search").write_text(f"{peak} {forked}", encoding="utf-8")

    multiprocessing.util.Finalize(None, write, exitpriority=100)


class _IndexLine(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("tag_digest: search index"):
            marks["index_end"] = time.perf_counter()
            marks["index_note"] = message


def own_peak() -> int:
    """This process's peak RSS in bytes since it was started (or forked): ``VmHWM``."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _report(path: Path) -> None:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    search = path.with_name(path.name + ".search")
    forked: float | None = None
    try:
        peak, forked_at = search.read_text(encoding="utf-8").split()
        search_rss: int | None = int(peak)
        forked = float(forked_at)
        search.unlink()
    except (OSError, ValueError):
        search_rss = None
    # With a search process, the indexing began at its fork (the link exports' processes
    # are forked after it); else at Pagefind's start here.
    start = forked if search_rss is not None else marks.get("pagefind_start")
    end = marks.get("index_end")
    seconds = end - start if isinstance(start, float) and isinstance(end, float) else None
    figures = {
        "self_rss": own_peak(),
        "self_cpu": own.ru_utime + own.ru_stime,
        "children_rss": children.ru_maxrss * 1024,
        "children_cpu": children.ru_utime + children.ru_stime,
        "index_seconds": seconds,
        "index_note": marks.get("index_note"),
        "search_rss": search_rss,
    }
    path.write_text(json.dumps(figures), encoding="utf-8")


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] != "--":
        raise SystemExit("usage: python bench/probe.py REPORT.json -- <pelican arguments>")
    report = Path(argv[0])
    report.with_name(report.name + ".search").unlink(missing_ok=True)
    atexit.register(_report, report)
    global _holder
    _holder = _Report(report)
    multiprocessing.util.register_after_fork(_holder, _in_child)
    sys.addaudithook(_audit)
    logger = logging.getLogger("tag_digest")
    logger.setLevel(logging.INFO)
    logger.addHandler(_IndexLine(logging.INFO))
    from pelican import main as pelican_main

    pelican_main(argv[2:])


if __name__ == "__main__":
    main(sys.argv[1:])
