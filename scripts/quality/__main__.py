"""Build the default site and a site of generated posts, then run every page-quality check.

    python -m scripts.quality [--posts 1000] [--work DIR] [--skip lighthouse ...]
    python -m scripts.quality --site DIR      # check a site already built (relative URLs)

Exits 1 on any violation, 2 when a tool is missing. The default site is built
as ``make site`` builds it (``pelicanconf.py``, relative URLs) but without
fetching; the generated site as the published one is (absolute URLs under
``SITEURL``, here the local server's address, so feeds and the sitemap
resolve too).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin

from .axe import run_axe
from .lighthouse import MINIMUM, run_lighthouse
from .linkcheck import check_links
from .pages import (
    LIGHTHOUSE_TYPES,
    SEARCH_QUERY,
    digest_pages,
    missing_types,
    representative_pages,
)
from .server import free_port, serve
from .shell import BUDGET, measure_shell
from .tools import REPO, ToolMissing, Tools
from .vnu import run_vnu

CHECKS = ("vnu", "axe", "links", "shell", "lighthouse")


@dataclass(slots=True)
class SiteReport:
    name: str
    root: str
    pages: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    checks: dict[str, bool] = field(default_factory=dict)
    """Each check run on this site, and whether it passed."""

    def ran(self, check: str) -> None:
        self.checks.setdefault(check, True)

    def fail(self, check: str, message: str) -> None:
        self.checks[check] = False
        self.problems.append(message)
        print(f"  FAIL {message}", flush=True)


def log(message: str) -> None:
    print(message, flush=True)


def pelican_build(out: Path, overrides: dict[str, Any]) -> None:
    """``pelican content -s pelicanconf.py -o out -e KEY=JSON …`` from the repository root."""
    extra = [f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in overrides.items()]
    command = [sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py", "-o", str(out)]
    command += ["-q", "-e", *extra]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"pelican failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def build_default(work: Path) -> Path:
    out = work / "default"
    overrides = {"DIGEST_FETCH": False, "DELETE_OUTPUT_DIRECTORY": True}
    pelican_build(out, {**overrides, "CACHE_PATH": str(work / "cache-default")})
    return out


def build_generated(work: Path, posts: int, port: int) -> Path:
    sys.path.insert(0, str(REPO))
    from bench.gen_archive import DEFAULT_TAGS, generate, write_archive

    archive = work / f"archive-{posts}"
    if archive.exists():
        shutil.rmtree(archive)
    write_archive(archive, generate(posts, seed=1))
    out = work / f"generated-{posts}"
    site_url = f"http://127.0.0.1:{port}"
    pelican_build(
        out,
        {
            "DIGEST_FETCH": False,
            "DIGEST_ARCHIVE_PATH": str(archive),
            "DIGEST_TAGS": list(DEFAULT_TAGS),
            "SITEURL": site_url,
            "FEED_DOMAIN": site_url,
            "RELATIVE_URLS": False,
            "DELETE_OUTPUT_DIRECTORY": True,
            "CACHE_PATH": str(work / f"cache-{posts}"),
        },
    )
    return out


def url_of(base: str, root: Path, page: Path) -> str:
    relative = page.relative_to(root).as_posix()
    if relative.endswith("index.html"):
        relative = relative[: -len("index.html")]
    return urljoin(base, quote(relative))


@dataclass(frozen=True, slots=True)
class Target:
    """One built site being checked, served at ``base``."""

    tools: Tools
    root: Path
    base: str
    urls: dict[str, str]
    """One page per type (``pages.representative_pages``), as served URLs."""
    keep: Path | None


def check_vnu(t: Target, report: SiteReport) -> None:
    started = time.monotonic()
    checked, errors = run_vnu(t.tools, t.root)
    report.figures["vnu"] = {"files": checked, "errors": len(errors)}
    log(f"  vnu: {checked} files, {len(errors)} errors ({time.monotonic() - started:.0f}s)")
    for e in errors[:50]:
        report.fail("vnu", f"vnu {e.file}:{e.line}: {e.message} [{e.extract.strip()[:80]}]")


def check_axe(t: Target, report: SiteReport) -> None:
    violations = run_axe(t.tools, list(t.urls.values()))
    report.figures["axe"] = {"pages": len(t.urls), "violations": len(violations)}
    log(f"  axe: {len(t.urls)} pages x light/dark x 2 widths, {len(violations)} violations")
    for v in violations:
        where = f"{v.url} [{v.scheme} {v.viewport}]"
        report.fail("axe", f"axe {where} {v.rule} ({v.impact}): {v.help} {list(v.nodes)}")


def check_internal_links(t: Target, report: SiteReport) -> None:
    links = check_links(t.root, t.base)
    report.figures["links"] = {
        "files": links.pages, "internal": links.internal, "external": links.external,
        "broken": len(links.broken),
    }  # fmt: skip
    log(f"  links: {links.internal} internal references in {links.pages} files, "
        f"{len(links.broken)} broken ({links.external} external not fetched)")  # fmt: skip
    for b in links.broken[:50]:
        report.fail("links", f"broken link in {b.page}: {b.reference} ({b.reason})")


def check_shell(t: Target, report: SiteReport) -> None:
    shells = [measure_shell(t.root, p, t.base) for p in digest_pages(t.root)]
    if not shells:
        report.fail("shell", "no digest page (h-entry) to measure the shell of")
        return
    worst = max(shells, key=lambda s: s.total_gzip)
    report.figures["shell"] = {"pages": len(shells), "budget": BUDGET, **asdict(worst)}
    log(f"  shell: worst of {len(shells)} digest pages {worst.page}: {worst.total_gzip} B gzip "
        f"(HTML {worst.html_gzip} + CSS {worst.css_gzip}), {worst.total_raw} B raw "
        f"(HTML {worst.html_raw} + CSS {worst.css_raw}); budget {BUDGET} B gzip")  # fmt: skip
    for s in shells:
        if not s.within_budget:
            report.fail("shell", f"shell of {s.page}: {s.total_gzip} B gzip > {BUDGET} B")


def check_lighthouse(t: Target, report: SiteReport) -> None:
    scores: dict[str, dict[str, float]] = {}
    for kind in LIGHTHOUSE_TYPES:
        if kind not in t.urls:
            continue
        keep = t.keep / f"lighthouse-{report.name}-{kind}.json" if t.keep else None
        result = run_lighthouse(t.tools, t.urls[kind], keep)
        scores[kind] = result.scores
        shown = " ".join(f"{k}={v:.2f}" for k, v in result.scores.items())
        log(f"  lighthouse {kind}: {shown}")
        if not result.passed:
            failing = list(result.failing_audits)
            report.fail("lighthouse", f"lighthouse {kind} {t.urls[kind]}: {shown} "
                        f"(minimum {MINIMUM}); failing audits: {failing}")  # fmt: skip
    report.figures["lighthouse"] = scores


CHECK_FUNCTIONS = {
    "vnu": check_vnu,
    "axe": check_axe,
    "links": check_internal_links,
    "shell": check_shell,
    "lighthouse": check_lighthouse,
}


def check_site(
    tools: Tools, report: SiteReport, root: Path, port: int, skip: set[str], keep: Path | None
) -> None:
    """Every check of ``CHECKS`` not in ``skip``, on the site in ``root`` served at ``port``."""
    pages = representative_pages(root)
    report.pages = {kind: p.relative_to(root).as_posix() for kind, p in pages.items()}
    report.ran("pages")
    for kind in missing_types(pages):
        report.fail("pages", f"no {kind} page in {root}")
    with serve(root, port) as base:
        urls = {kind: url_of(base, root, page) for kind, page in pages.items()}
        if "search" in urls:
            urls["search"] += SEARCH_QUERY
        target = Target(tools, root, base, urls, keep)
        for name in CHECKS:
            if name not in skip:
                report.ran(name)
                CHECK_FUNCTIONS[name](target, report)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.quality", description=__doc__)
    parser.add_argument("--posts", type=int, default=1000, help="size of the generated site")
    parser.add_argument("--site", type=Path, help="check this built site instead of building")
    parser.add_argument("--work", type=Path, help="keep builds and reports here")
    parser.add_argument("--skip", nargs="*", default=[], choices=CHECKS)
    args = parser.parse_args(argv)
    try:
        tools = Tools.find()
    except ToolMissing as missing:
        print(f"quality: {missing}", file=sys.stderr)
        return 2
    work = args.work or Path(tempfile.mkdtemp(prefix="tagdigest-quality-"))
    work.mkdir(parents=True, exist_ok=True)
    skip = set(args.skip)
    reports: list[SiteReport] = []
    try:
        if args.site:
            sites = [("site", args.site.resolve(), 0)]
        else:
            log("quality: building the default site")
            default = build_default(work)
            port = free_port()
            log(f"quality: building a site of {args.posts} generated posts")
            generated = build_generated(work, args.posts, port)
            sites = [("default", default, 0), (f"generated-{args.posts}", generated, port)]
        for name, root, port in sites:
            log(f"quality: checking {name} ({root})")
            report = SiteReport(name, str(root))
            check_site(tools, report, root, port, skip, work if args.work else None)
            reports.append(report)
    finally:
        if args.work:
            (work / "report.json").write_text(
                json.dumps([asdict(r) for r in reports], ensure_ascii=False, indent=2) + "\n",
                encoding="utf-8",
            )
        else:
            shutil.rmtree(work, ignore_errors=True)
    failures = sum(len(r.problems) for r in reports)
    passed = sum(ok for r in reports for ok in r.checks.values())
    failed = sum(not ok for r in reports for ok in r.checks.values())
    log(f"quality: {failures} problem(s) in {len(reports)} site(s)")
    log(f"quality: {passed} passed, {failed} failed")  # one check of one site each
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
