"""A deleted post leaves no trace in the built site: real Pelican builds, every output file read.

The archive keeps a tombstone (``deleted_at`` set) for a status deleted at its
source. Its page fragments, its day and week, the link only it shared, its
feed entries, its sitemap lines and its counts must all go, also when the
build cache was lost in between, and also when a live line for the same URI
survives somewhere in the archive (two archives merged by hand).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import mf2py
from digest_support import articles, build, parse, write_archive
from factories import mastodon_status
from tag_digest.archive.records import Post, to_json_line
from tag_digest.archive.shards import Archive, read_shard, shard_path
from tag_digest.archive.statuses import from_status
from tag_digest.digest.periods import post_anchor

SITE = "https://example.org/digest"
SETTINGS = {"DIGEST_TAGS": ["LLM"], "SITEURL": SITE, "FEED_DOMAIN": SITE, "RELATIVE_URLS": False}
SHARED = "https://shared.example/article"
ONLY_GONE = "https://gone-only.example/private-path"
TEXT_FILES = (".html", ".xml", ".json", ".csv", ".txt")


def status(n: int, when: str, links: list[str], words: str) -> Post:
    html = f"<p>{words}</p>" + "".join(f'<p><a href="{u}">{u}</a></p>' for u in links)
    return from_status(
        mastodon_status(
            n,
            acct=f"u{n}",
            name=f"Author{n}",
            created_at=when,
            language="en",
            content=html,
            tags=[{"name": "LLM"}, {"name": f"only{n}"}],
            card={"url": links[0], "title": f"Card title {n}", "provider_name": "P"},
        ),
        "https://mastodon.social",
        "2025-01-10T00:00:00.000Z",
    )


def posts() -> list[Post]:
    return [
        status(1, "2024-12-02T10:00:00.000Z", [SHARED], "kept one"),
        # Alone in its day and its week; shares one link nobody else shared.
        status(2, "2024-12-11T10:00:00.000Z", [ONLY_GONE, SHARED], "secretword"),
        status(3, "2024-12-20T10:00:00.000Z", ["https://kept.example/"], "kept three"),
    ]


def traces(gone: Post) -> list[str]:
    return [
        gone.uri, gone.url, gone.account.url, gone.account.display_name, "secretword",
        post_anchor(gone.uri), "gone-only.example", "only2", "2024-12-11", "2024-W50",
        "Card title 2",
    ]  # fmt: skip


def assert_no_trace(site: Path, gone: Post) -> None:
    files = [p for p in site.rglob("*") if p.is_file() and p.suffix in TEXT_FILES]
    assert any(p.name == "sitemap.xml" for p in files) and any(p.suffix == ".csv" for p in files)
    for path in files:
        text = path.read_text(encoding="utf-8")
        for trace in traces(gone):
            assert trace not in text, f"{trace!r} in {path.relative_to(site)}"
    assert not (site / "days" / "2024-12-11").exists()
    assert not (site / "weeks" / "2024-W50").exists()
    assert not (site / "links" / "domains" / "gone-only.example").exists()


def assert_counts_without(site: Path, gone: Post) -> None:
    tag = parse(site / "tags" / "llm" / "index.html")
    assert [a.get("data-uri") for a in articles(tag)] == [
        "https://mastodon.social/users/u3/statuses/3",
        "https://mastodon.social/users/u1/statuses/1",
    ]
    items = mf2py.parse(doc=(site / "tags" / "llm" / "index.html").read_text(encoding="utf-8"))
    assert len(items["items"]) == 2
    assert "2 posts" in tag.xpath("string(//p[@class='lede'])")
    links = {d["url"]: d for d in json.loads((site / "links.json").read_text(encoding="utf-8"))}
    assert sorted(links) == ["https://kept.example/", SHARED]
    assert links[SHARED]["count"] == 1
    assert [p["uri"] for p in links[SHARED]["posts"]] == [
        "https://mastodon.social/users/u1/statuses/1"
    ]
    assert links[SHARED]["tags"] == ["llm", "only1"]
    w49 = parse(site / "weeks" / "2024-W49" / "index.html")
    assert w49.xpath('//nav[contains(@class, "period-nav")]//a[@rel="next"]/@href') == [
        f"{SITE}/weeks/2024-W51/"
    ]


def test_a_deleted_post_leaves_every_page_export_feed_and_count(tmp_path: Path) -> None:
    archive = write_archive(tmp_path / "archive", posts())
    site = build(tmp_path, archive, DEFAULT_LANG="en", **SETTINGS)
    gone = posts()[1]
    assert (site / "days" / "2024-12-11" / "index.html").is_file()
    assert "gone-only.example" in (site / "links.csv").read_text(encoding="utf-8")
    store = Archive.load(archive)
    store.put(gone.tombstone("2025-01-11T00:00:00.000Z"))
    store.save()
    site = build(tmp_path, archive, DEFAULT_LANG="en", **SETTINGS)
    assert_no_trace(site, gone)
    assert_counts_without(site, gone)


def test_stale_pages_go_even_when_the_build_cache_was_lost(tmp_path: Path) -> None:
    # A hand-written page that Pelican itself saves where digest pages live.
    settings = SETTINGS | {"PAGE_SAVE_AS": "links/{slug}/index.html", "PAGE_URL": "links/{slug}/"}
    archive = write_archive(tmp_path / "archive", posts())
    site = build(tmp_path, archive, DEFAULT_LANG="en", **settings)
    assert (site / "links" / "about" / "index.html").is_file()
    gone = posts()[1]
    store = Archive.load(archive)
    store.put(gone.tombstone("2025-01-11T00:00:00.000Z"))
    store.save()
    shutil.rmtree(tmp_path / "cache")  # `rm -rf cache`, or a build into a copied output/
    (tmp_path / "output" / "notes.txt").write_text("not the digest's\n", encoding="utf-8")
    site = build(tmp_path, archive, DEFAULT_LANG="en", **settings)
    assert_no_trace(site, gone)
    assert (site / "notes.txt").is_file()  # files the digest does not write are left alone
    assert (site / "links" / "about" / "index.html").is_file()  # Pelican wrote it this build


def test_a_tombstone_wins_over_a_live_line_of_the_same_status(tmp_path: Path) -> None:
    archive = write_archive(tmp_path / "archive", posts())
    gone = posts()[1]
    shard = shard_path(archive, gone.month)
    lines = [to_json_line(p) for p in read_shard(shard)]
    # A merge kept both the deletion and the old line (after it, so a plain load reads it last).
    lines.insert(0, to_json_line(gone.tombstone("2025-01-11T00:00:00.000Z")))
    shard.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    site = build(tmp_path, archive, DEFAULT_LANG="en", **SETTINGS)
    assert_no_trace(site, gone)
    assert_counts_without(site, gone)
