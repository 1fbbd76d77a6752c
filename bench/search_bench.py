"""The site search's figures: Pagefind indexing time and index size, and one query's bytes.

    python -m bench.search_bench [--sizes 1000,10000] [--query-at 10000]

Records are made from generated posts exactly as a build makes them
(:func:`tag_digest.search.search_record`), except that the post HTML is not run
through the sanitiser first (the indexer's cost is what is measured). The bytes
of a query are measured in Debian's chromium (Playwright, when installed): a
page at the index's site root imports ``pagefind/pagefind.js``, searches one
word and loads the first 20 results, as the theme's search page does; every
response is counted with the size a gzip-ing server (GitHub Pages) sends.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gzip
import http.server
import shutil
import threading
import time
from pathlib import Path
from typing import Any

from tag_digest.digest.links import post_links
from tag_digest.digest.periods import post_anchor
from tag_digest.digest.tagnames import normalise_tag
from tag_digest.site.search import SearchRecord, search_record, searchable
from tag_digest.site.search_index import write_index

from . import data

CHROMIUM = "/usr/bin/chromium"
QUERY = "модели"
HARNESS = """<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>q</title>
<script type="module" src="harness.js"></script></head><body></body></html>"""
HARNESS_JS = """const p = await import("./pagefind/pagefind.js");
const s = await p.search(new URLSearchParams(location.search).get("q"));
await Promise.all(s.results.slice(0, 20).map((r) => r.data()));
window.found = s.results.length;
"""


def records_for(n: int) -> list[SearchRecord]:
    gen = data.generator()
    names = {normalise_tag(t): t for t in data.TAGS}
    out = []
    for post in data.posts(gen, n):
        if not searchable(post):
            continue
        day = post.created.date()
        out.append(
            search_record(
                post,
                url=f"days/{day.isoformat()}/#{post_anchor(post.uri)}",
                fragment=f'<div class="e-content">{post.content}</div>',
                links=post_links(post),
                tags=[names[t] for t in post.tags if t in names],
                local_date=day,
                day_label=day.isoformat(),
                site_lang="ru",
                cw_label="CW",
            )
        )
    return out


def tree(root: Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def index(n: int, work: Path) -> dict[str, Any]:
    site = work / f"search-{n}"
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    records = records_for(n)
    started = time.perf_counter()
    bundle = write_index(records, site)
    seconds = time.perf_counter() - started
    files, size = tree(bundle)
    return {
        "posts": n,
        "records": len(records),
        "seconds": seconds,
        "files": files,
        "bytes": size,
        "site": str(site),
    }


def _gzip_size(path: Path) -> int:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":  # Pagefind's index files are gzip already
        return len(raw)
    return len(gzip.compress(raw, 6))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def query_bytes(site: Path, query: str = QUERY) -> dict[str, Any] | None:
    """Bytes chromium loads for one query (gzip sizes), or ``None`` without Playwright."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path(CHROMIUM).is_file():
        return None
    (site / "q.html").write_text(HARNESS, encoding="utf-8")
    (site / "harness.js").write_text(HARNESS_JS, encoding="utf-8")
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    loaded: list[str] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox"]
            )
            page = browser.new_page()
            page.on("requestfinished", lambda r: loaded.append(r.url))
            page.goto(f"{base}q.html?q={query}")
            page.wait_for_function("window.found !== undefined", timeout=60_000)
            found = int(page.evaluate("window.found"))
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    files = [site / u[len(base) :].split("?")[0] for u in loaded if "/pagefind/" in u]
    sizes = {f.relative_to(site).as_posix(): _gzip_size(f) for f in files if f.is_file()}
    return {
        "query": query,
        "results": found,
        "requests": len(sizes),
        "bytes": sum(sizes.values()),
        "files": sizes,
    }


def lines(results: list[dict[str, Any]], query: dict[str, Any] | None) -> list[str]:
    out = [
        "| posts | indexed (searchable) | indexing time | index size | index files |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        out.append(
            f"| {r['posts']:,} | {r['records']:,} | {r['seconds']:.1f} s "
            f"| {r['bytes'] / 2**20:.1f} MiB | {r['files']:,} |"
        )
    if query:
        out.append("")
        out.append(
            f"One query («{query['query']}», {query['results']:,} results, the first 20 loaded) "
            f"at {query['posts']:,} posts: {query['requests']} files, "
            f"{query['bytes'] / 1000:.0f} kB as a gzip-ing server sends them."
        )
    return out


def measure(sizes: list[int], work: Path, query_at: int = 10000) -> list[str]:
    """The figures for ``sizes`` as results.md lines (the query only at ``query_at``)."""
    results = []
    query = None
    for n in sizes:
        result = index(n, work)
        print(f"search: {n:,} posts: {result['seconds']:.1f} s, {result['bytes']:,} B")
        results.append(result)
        if n == query_at:
            query = query_bytes(Path(result["site"]))
            if query:
                query["posts"] = n
    return lines(results, query)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search_bench")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--query-at", type=int, default=10000)
    parser.add_argument("--work", type=Path, default=Path(__file__).resolve().parent / "work")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    text = measure(sizes, args.work, args.query_at)
    print(f"\nMeasured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M UTC}\n")
    print("\n".join(text))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
