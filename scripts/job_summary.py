#!/usr/bin/env python3
"""Write the run's job summary: per server what the fetch did, the archive's size, the site.

    python3 scripts/job_summary.py [--summary FILE] [--url URL] [--fetch-outcome OUTCOME]

The workflow runs it as ``make job-summary`` after the build, whatever the fetch did,
with the site's address in ``SITE_URL`` and the fetch step's outcome in
``FETCH_OUTCOME`` (the defaults of ``--url`` and ``--fetch-outcome``).

* Reads the fetch summary (``python -m tag_digest fetch --summary``: the totals,
  ``posts``, ``last_success`` and per server ``new``, ``updated``, ``removed``,
  ``requests``, ``warnings``, ``error``, ``ok``).
* Appends Markdown to the file named by ``GITHUB_STEP_SUMMARY`` (standard output
  when unset): a table with one row per server, the warnings, the archive's size in
  posts, its last successful fetch and the site's address.
* A missing or unreadable summary is said in the summary itself (the fetch stopped
  before it could write one: a bad setting or a corrupt archive); the rest is still written.

Text from the fetch (warnings quote servers) is escaped for Markdown and bounded.
Standard library only, like scripts/commit_archive.py. Exit status 0, or 1 when the
summary file cannot be written (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

MAX_WARNINGS = 20
MAX_TEXT = 300
COLUMNS = ("new", "updated", "removed", "requests")
# Characters Markdown (GitHub's) would read as markup in a table cell or a list item.
MARKUP = re.compile(r"([\\`*_\[\]|#~])")


def text(value: Any, limit: int = MAX_TEXT) -> str:
    """``value`` as one line of inert Markdown, at most ``limit`` characters."""
    line = " ".join(str(value).split())
    if len(line) > limit:
        line = line[: limit - 1] + "…"
    line = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return MARKUP.sub(r"\\\1", line)


def count(value: Any) -> str:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else "?"


def read_summary(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The fetch summary, or None and why not."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, f"no fetch summary at {text(path)}: the fetch stopped before fetching"
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"cannot read the fetch summary {text(path)}: {text(exc)}"
    if not isinstance(data, dict):
        return None, f"the fetch summary {text(path)} is not a JSON object"
    return data, None


def server_rows(data: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The table's lines and the warnings' list items."""
    servers = data.get("servers")
    servers = servers if isinstance(servers, dict) else {}
    rows = [
        "| Server | Read | New | Updated | Removed | Requests | Warnings |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    warnings: list[str] = []
    for server, entry in servers.items():
        entry = entry if isinstance(entry, dict) else {}
        said = entry.get("warnings")
        said = [w for w in said if isinstance(w, str)] if isinstance(said, list) else []
        ok = entry.get("ok", entry.get("error") is None)
        cells = [text(server), "yes" if ok is True else "**no**"]
        cells += [count(entry.get(name)) for name in COLUMNS]
        cells.append(str(len(said)))
        rows.append("| " + " | ".join(cells) + " |")
        warnings += [f"- {text(server, 100)}: {text(w)}" for w in said]
    if len(warnings) > MAX_WARNINGS:
        left = len(warnings) - MAX_WARNINGS
        warnings = [*warnings[:MAX_WARNINGS], f"- … and {left} more (see the fetch step's log)"]
    return rows, warnings


def render(data: Mapping[str, Any] | None, problem: str | None, url: str, outcome: str) -> str:
    lines = ["## Digest run", ""]
    if outcome and outcome != "success":
        lines += [
            f"**The fetch failed** ({text(outcome, 40)}): no server could be read, or the fetch "
            "stopped. The site was built and deployed from the archive as it is, and this "
            "run is marked failed.",
            "",
        ]
    if data is None:
        lines += [f"The fetch wrote no summary: {problem}.", ""]
    else:
        rows, warnings = server_rows(data)
        lines += [*rows, ""]
        if warnings:
            lines += ["Warnings:", "", *warnings, ""]
        posts = data.get("posts")
        size = f"{posts:,} posts" if isinstance(posts, int) and not isinstance(posts, bool) else "?"
        last = data.get("last_success")
        when = text(last, 40) if isinstance(last, str) and last else "never"
        lines += [f"Archive: {size}; last successful fetch: {when}.", ""]
    lines += [f"Site: {text(url, 500)}" if url else "Site: (no address: Pages not configured)", ""]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None, env: Mapping[str, str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--summary",
        type=Path,
        default=Path(".tagdigest-summary.json"),
        help="the fetch summary JSON (default: %(default)s)",
    )
    parser.add_argument(
        "--url", default=env.get("SITE_URL", ""), help="the site's address (default: $SITE_URL)"
    )
    parser.add_argument(
        "--fetch-outcome",
        default=env.get("FETCH_OUTCOME", ""),
        help="the fetch step's outcome: success, failure... (default: $FETCH_OUTCOME)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    environ = os.environ if env is None else env
    args = parse_args(argv, environ)
    data, problem = read_summary(args.summary)
    markdown = render(data, problem, args.url.strip(), args.fetch_outcome.strip())
    target = environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        sys.stdout.write(markdown)
        return 0
    try:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(markdown)
    except OSError as exc:
        print(
            f"job-summary: error: {target}: cannot write ({exc.strerror or exc})", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
