"""Command line: ``python -m tag_digest fetch [-s pelicanconf.py] [--summary FILE] [--wait S]``.

Fetches into the archive without building. Prints one summary line per server;
``--summary`` also writes the totals as JSON (the workflow's commit message and
job summary use it). Exit status:

- 0 when at least one server was read (any other that failed is a warning);
- 3 when no configured server could be read at all (every one refused,
  unreachable or failed): after saving what there is and writing the summary,
  with one ``tag_digest: ...`` line, so a scheduled run that fetched nothing fails;
- 1 for an expected failure (a bad setting, a corrupt archive): one
  ``tag_digest: ...`` line, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from .archive.lock import LOCK_WAIT
from .errors import TagDigestError
from .settings import load_settings
from .sync import sync_all
from .sync_report import SyncReport


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tag_digest", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    fetch = commands.add_parser("fetch", help="fetch new posts into the archive (no build)")
    fetch.add_argument("-s", "--settings", default="pelicanconf.py", help="Pelican settings file")
    fetch.add_argument("--summary", metavar="FILE", help="write the run's totals as JSON to FILE")
    fetch.add_argument(
        "--wait",
        metavar="SECONDS",
        type=float,
        default=LOCK_WAIT,
        help=f"wait this long for another fetch of the archive to finish (default {LOCK_WAIT:g})",
    )
    return parser


def _read(path: Path) -> dict[str, object]:
    if not path.is_file():
        raise TagDigestError(f"{path}: no such settings file")
    from pelican.settings import read_settings

    pelican_log = logging.getLogger("pelican")
    level = pelican_log.level
    pelican_log.setLevel(logging.ERROR)  # its advice about feeds and time zones is for builds
    try:
        return dict(read_settings(str(path)))
    except Exception as exc:  # a settings file is Python: any error it raises is the user's
        raise TagDigestError(
            f"{path}: cannot read settings ({type(exc).__name__}: {exc})"
        ) from None
    finally:
        pelican_log.setLevel(level)


def _write_summary(path: Path, report: SyncReport) -> None:
    text = json.dumps(report.as_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise TagDigestError(f"{path}: cannot write the summary ({exc.strerror or exc})") from None


NOTHING_READ = 3
"""Exit status when no configured server could be read."""


def fetch(settings_file: str, summary: str | None, wait: float = LOCK_WAIT) -> int:
    path = Path(settings_file)
    settings = load_settings(_read(path), base=path.resolve().parent)
    report = sync_all(settings, echo=print, lock_wait=wait)
    if summary:
        _write_summary(Path(summary), report)
    if not report.any_read:
        names = ", ".join(s.server for s in report.servers)
        print(f"tag_digest: no server could be read ({names}); nothing fetched", file=sys.stderr)
        return NOTHING_READ
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("tag_digest")
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        return fetch(args.settings, args.summary, args.wait)
    except TagDigestError as error:
        print(f"tag_digest: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("tag_digest: interrupted; the archive keeps what was saved", file=sys.stderr)
        return 130
    finally:
        logger.removeHandler(handler)


if __name__ == "__main__":
    sys.exit(main())
