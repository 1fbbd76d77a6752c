"""The site search's figures: Pagefind indexing time, peak memory, index size, one query's bytes.

    python -m bench.search_bench [--sizes 1000,10000] [--query-at 10000]

Records are made from generated posts exactly as a build makes them
(:func:`tag_digest.search.search_record`), except that the post HTML is not run
through the sanitiser first (the indexer's cost is what is measured), and split in
bundles as a build splits them (:func:`tag_digest.digest.search_bundles.bundle_keys`),
each indexed by its own Pagefind process, one after another. The indexer's peak memory
is the biggest Pagefind process's own (:mod:`.child_peaks`; ``RUSAGE_CHILDREN``'s would
never show it below this benchmark's own size). Then 50 newer posts are
added (as ``bench.data.add_new_posts`` dates them) and only the bundles whose records
changed are indexed again: what a +50-post rebuild re-indexes. The bytes of a query are
measured in Debian's chromium (Playwright, when installed): a page at the index's site
root opens the newest bundle, merges the others (as ``theme/static/js/search.js``
does), searches one word and loads the first 20 results; every response is counted with
the size a gzip-ing server (GitHub Pages) sends.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gzip
import http.server
import json
import shutil
import threading
import time
from pathlib import Path
from typing import Any

from tag_digest.archive.records import Post
from tag_digest.digest.links import post_links
from tag_digest.digest.periods import post_anchor
from tag_digest.digest.search_bundles import bundle_keys, newest_first
from tag_digest.digest.tagnames import normalise_tag
from tag_digest.site.search import SearchRecord, search_record, searchable
from tag_digest.site.search_index import write_bundle

from . import data
from .child_peaks import ChildPeaks

CHROMIUM = "/usr/bin/chromium"
QUERY = "модели"
HARNESS = """<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>q</title>
<script type="module" src="harness.js"></script></head><body></body></html>"""
HARNESS_JS = """const keys = BUNDLES;
const p = await import(`./pagefind/${keys[0]}/pagefind.js`);
await p.options({ baseUrl: "/" });
for (const key of keys.slice(1)) {
  await p.mergeIndex(new URL(`pagefind/${key}/`, location.href).href, { baseUrl: "/" });
}
const s = await p.search(new URLSearchParams(location.search).get("q"));
await Promise.all(s.results.slice(0, 20).map((r) => r.data()));
window.found = s.results.length;
"""


def records_of(posts: list[Post]) -> list[SearchRecord]:
    names = {normalise_tag(t): t for t in data.TAGS}
    out = []
    for post in posts:
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


def records_for(n: int) -> list[SearchRecord]:
    return records_of(data.posts(data.generator(), n))


def bundles_of(records: list[SearchRecord]) -> dict[str, list[SearchRecord]]:
    """The records by bundle key, newest bundle first (as a build splits them)."""
    keys = bundle_keys(dt.date.fromisoformat(r.meta["date"]) for r in records)
    groups: dict[str, list[SearchRecord]] = {}
    for record in records:
        groups.setdefault(keys[dt.date.fromisoformat(record.meta["date"])], []).append(record)
    return {key: groups[key] for key in newest_first(groups)}


def _signature(records: list[SearchRecord]) -> list[str]:
    return sorted(json.dumps([r.url, r.content, r.meta, r.filters]) for r in records)


def tree(root: Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def index(n: int, work: Path) -> dict[str, Any]:
    site = work / f"search-{n}"
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    gen = data.generator()
    posts = data.posts(gen, n)
    bundles = bundles_of(records_of(posts))
    started = time.perf_counter()
    with ChildPeaks("pagefind") as peaks:
        for key, records in bundles.items():
            write_bundle(records, site / "pagefind" / key)
    seconds = time.perf_counter() - started
    rss = peaks.peak
    files, size = tree(site / "pagefind")
    # 50 newer posts: only the bundles whose records changed are indexed again.
    newest = max(p.created_at for p in posts)
    more = bundles_of(records_of([*posts, *data.newer_posts(gen, newest, 50, 1)]))
    changed = [k for k, rs in more.items() if _signature(rs) != _signature(bundles.get(k, []))]
    started = time.perf_counter()
    for key in changed:
        write_bundle(more[key], site / "pagefind" / key)
    again = time.perf_counter() - started
    return {
        "posts": n,
        "records": sum(len(rs) for rs in bundles.values()),
        "bundles": {k: len(rs) for k, rs in bundles.items()},
        "seconds": seconds,
        "peak_rss": rss,
        "files": files,
        "bytes": size,
        "site": str(site),
        "plus50_bundles": {k: len(more[k]) for k in changed},
        "plus50_seconds": again,
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
    keys = newest_first(p.name for p in (site / "pagefind").iterdir())
    js = HARNESS_JS.replace("BUNDLES", json.dumps(keys))
    (site / "harness.js").write_text(js, encoding="utf-8")
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
        "| posts | indexed (searchable) | bundles | indexing time | indexer peak RSS "
        "| index size | index files | +50 posts re-index |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        again = ", ".join(f"{k} ({n:,})" for k, n in r["plus50_bundles"].items()) or "nothing"
        out.append(
            f"| {r['posts']:,} | {r['records']:,} | {len(r['bundles'])} | {r['seconds']:.1f} s "
            f"| {r['peak_rss'] / 2**20:,.0f} MiB | {r['bytes'] / 2**20:.1f} MiB | {r['files']:,} "
            f"| {again}: {r['plus50_seconds']:.1f} s |"
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
        print(
            f"search: {n:,} posts in {len(result['bundles'])} bundles: "
            f"{result['seconds']:.1f} s, peak {result['peak_rss'] / 2**20:,.0f} MiB, "
            f"{result['bytes']:,} B; +50 posts: {result['plus50_bundles']} "
            f"{result['plus50_seconds']:.1f} s"
        )
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
