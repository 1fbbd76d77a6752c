"""Run Pelican in this process and write what ``wait4`` alone cannot tell apart.

    python bench/probe.py REPORT.json -- <pelican arguments>

``os.wait4`` on a build gives one peak RSS: the larger of the build process and
any child it waited for (Linux folds the children's peak into it), so Pagefind's
binary, which the build runs as a child (``pagefind --service``), hides in it.
This wrapper runs ``pelican.main`` in its own process and, at exit, writes to
``REPORT.json``:

* ``self_rss``: ``getrusage(RUSAGE_SELF).ru_maxrss``, the build process alone;
* ``children_rss`` / ``children_cpu``: ``RUSAGE_CHILDREN``, the largest child
  (the indexer) and the CPU time of all children;
* ``index_seconds``: from the start of the Pagefind binary (the
  ``subprocess.Popen`` audit event naming ``pagefind``) to the plugin's log line
  ``tag_digest: search index …``; ``index_note`` is that line, so a skipped
  ("unchanged") index is visible. ``None`` when either mark was not seen.

Figures only; it changes nothing in the build but raising the ``tag_digest``
logger to INFO (so its lines also reach the build log). Standalone: it imports
nothing of ``bench``.
"""

from __future__ import annotations

import atexit
import json
import logging
import resource
import sys
import time
from pathlib import Path

marks: dict[str, float | str] = {}


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event != "subprocess.Popen" or "index_start" in marks:
        return
    if "pagefind" in " ".join(map(str, args[:2])):
        marks["index_start"] = time.perf_counter()


class _IndexLine(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("tag_digest: search index"):
            marks["index_end"] = time.perf_counter()
            marks["index_note"] = message


def _report(path: Path) -> None:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    start, end = marks.get("index_start"), marks.get("index_end")
    seconds = end - start if isinstance(start, float) and isinstance(end, float) else None
    figures = {
        "self_rss": own.ru_maxrss * 1024,
        "self_cpu": own.ru_utime + own.ru_stime,
        "children_rss": children.ru_maxrss * 1024,
        "children_cpu": children.ru_utime + children.ru_stime,
        "index_seconds": seconds,
        "index_note": marks.get("index_note"),
    }
    path.write_text(json.dumps(figures), encoding="utf-8")


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] != "--":
        raise SystemExit("usage: python bench/probe.py REPORT.json -- <pelican arguments>")
    atexit.register(_report, Path(argv[0]))
    sys.addaudithook(_audit)
    logger = logging.getLogger("tag_digest")
    logger.setLevel(logging.INFO)
    logger.addHandler(_IndexLine(logging.INFO))
    from pelican import main as pelican_main

    pelican_main(argv[2:])


if __name__ == "__main__":
    main(sys.argv[1:])
