"""What a server's copy of a post may decide (issue 10's weak spots).

1. A post's hashtags are its origin's once the origin's copy has been read: a
   relay (another configured server) may create a post, never re-tag one the
   origin gave, and the origin's copy replaces whatever tags a relay gave.
2. "Open the original post" links only to the post's own origin host (the host
   and port of its status ``uri``): a ``url`` elsewhere gives way to the ``uri``,
   and a ``uri`` that is not http(s) gives no link.
3. Opt-out hashtags in a profile are recognised as hashtags are everywhere
   (NFKC, case-folded, Latin accents folded): ``＃ｎｏｂｏｔ``, ``#nöbot``,
   ``#noarchive``.

Pure rules are tested with plain data, the rest through a real fetch from
servers on 127.0.0.1 (``tests/conftest.py``) and a real Pelican build.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import mf2py
import pytest
from corpus_server import TimelineServer, archive_bytes, hanna, spread
from digest_support import articles, build, parse, write_archive_lines
from factories import load
from factories import make_post as shared_post
from tag_digest.archive.merge import merge
from tag_digest.archive.origins import is_origin, origin_host, original_url
from tag_digest.archive.records import Account, Post, to_json_line
from tag_digest.archive.statuses import from_status
from tag_digest.settings import DigestSettings
from tag_digest.sync import sync_all

TAG = "IchbinHanna"
EXTRA = "Nurbeib"  # a second configured tag, one a relay adds to the origin's posts
NOW = dt.datetime.now(dt.UTC)
MakeSettings = Callable[..., DigestSettings]

ORIGIN = "https://origin.example"
RELAY = "https://relay.example"
OTHER_RELAY = "https://other.example"


def make_post(server: str = ORIGIN, tags: tuple[str, ...] = ("llm",), **changes: Any) -> Post:
    """The shared post, by ``a@origin.example`` on the origin, as read from ``server``."""
    fields: dict[str, Any] = {
        "uri": f"{ORIGIN}/users/a/statuses/1",
        "url": f"{ORIGIN}/@a/1",
        "server": server,
        "created_at": "2024-12-01T10:00:00.000Z",
        "language": "en",
        "account": Account("a@origin.example", "A", f"{ORIGIN}/@a", ""),
        "content": "<p>a post</p>",
        "tags": tags,
        "card": None,
        "fetched_at": "2024-12-02T00:00:00.000Z",
    }
    return shared_post(1, **{**fields, **changes})


# --- 1. whose tags: merge rules on plain data ---------------------------------------------------


def test_a_relay_copy_cannot_add_a_tag_to_the_origins_record() -> None:
    ours = make_post(ORIGIN, ("llm",))
    relayed = make_post(RELAY, ("llm", "sft"), fetched_at="2024-12-03T00:00:00.000Z")
    assert merge(ours, relayed).post is None
    # Not with an "edit" or other content either.
    forged = replace(relayed, content="<p>forged</p>", edited_at="2030-01-01T00:00:00.000Z")
    assert merge(ours, forged).post is None


def test_the_origins_copy_replaces_the_tags_a_relay_gave() -> None:
    relayed = make_post(RELAY, ("llm", "sft"))
    origin = make_post(ORIGIN, ("llm",), fetched_at="2024-12-03T00:00:00.000Z")
    result = merge(relayed, origin)
    assert result.kind == "updated" and result.post == origin  # tags and server: the origin's
    # Even when the relay's copy is word for word the origin's: the record changes hands.
    same = merge(make_post(RELAY, ("llm",)), origin)
    assert same.post is not None and same.post.server == ORIGIN
    # Afterwards the relay's copy changes nothing, and the origin's unchanged copy neither.
    assert result.post is not None
    assert merge(result.post, relayed).post is None
    assert merge(result.post, replace(origin, fetched_at="2025-01-01T00:00:00.000Z")).post is None


def test_without_the_origin_relays_tags_are_merged() -> None:
    first = make_post(RELAY, ("llm",))
    second = make_post(OTHER_RELAY, ("sft",), content="<p>another rendering</p>")
    result = merge(first, second)
    assert result.post is not None
    assert result.post.tags == ("llm", "sft") and result.post.content == first.content
    assert result.post.server == RELAY


def test_the_origins_own_timelines_still_merge_and_its_edits_still_remove() -> None:
    ours = make_post(ORIGIN, ("llm",))
    seen_again = merge(ours, make_post(ORIGIN, ("sft",)))  # the same server, another timeline
    assert seen_again.post is not None and seen_again.post.tags == ("llm", "sft")
    edited = make_post(
        ORIGIN, ("sft",), content="<p>edited</p>", edited_at="2024-12-05T00:00:00.000Z"
    )
    result = merge(seen_again.post, edited)
    assert result.post is not None and result.post.tags == ("sft",)


def test_whatever_the_order_the_origins_tags_are_what_stays() -> None:
    copies = [
        make_post(RELAY, ("llm", "sft")),
        make_post(OTHER_RELAY, ("llm", "spam"), content="<p>other</p>"),
        make_post(ORIGIN, ("llm", "rag")),
    ]
    for order in itertools.permutations(copies):
        record: Post | None = None
        for incoming in order:
            record = merge(record, incoming).post or record
        assert record is not None
        assert (record.tags, record.server, record.content) == (
            ("llm", "rag"),
            ORIGIN,
            "<p>a post</p>",
        )


def test_the_origin_is_its_host_and_port() -> None:
    uri = "http://127.0.0.1:8001/users/a/statuses/1"
    assert is_origin(uri, "http://127.0.0.1:8001")
    assert is_origin(uri, "http://127.0.0.1:8001/")
    assert not is_origin(uri, "http://127.0.0.1:8002")  # same host, another server
    assert is_origin("https://Example.Social/users/a", "https://example.social:443")
    assert not is_origin("https://example.social/users/a", "http://example.social")
    assert not is_origin("tag:example.social,2024:1", "https://example.social")
    # A relay on the same host but another port does not own the post's tags.
    relayed = replace(make_post(tags=("llm", "sft")), uri=uri, server="http://127.0.0.1:8002")
    ours = replace(make_post(), uri=uri, server="http://127.0.0.1:8001")
    assert merge(ours, relayed).post is None


def test_the_origin_spelled_another_way_is_still_the_origin() -> None:
    ours = make_post(ORIGIN, ("llm",))
    edited = make_post(
        "https://Origin.example:443/",
        ("sft",),
        content="<p>edited</p>",
        edited_at="2024-12-09T00:00:00.000Z",
    )
    result = merge(ours, edited)
    assert result.post is not None and result.post.tags == ("sft",)


@pytest.mark.parametrize(
    ("uri", "host"),
    [
        ("https://Mastodon.Social/users/a/statuses/1", "mastodon.social"),
        ("https://example.social:443/users/a", "example.social"),
        ("http://example.social:80/users/a", "example.social"),
        ("http://example.social:443/users/a", "example.social:443"),
        ("http://127.0.0.1:8080/users/a", "127.0.0.1:8080"),
        ("https://[::1]:8443/users/a", "[::1]:8443"),
        ("https://[oops/users/a", ""),
        ("https://example.social:99999/users/a", ""),
        ("javascript:alert(1)", ""),
        ("tag:example.social,2024:1", ""),
        ("", ""),
    ],
)
def test_origin_host(uri: str, host: str) -> None:
    assert origin_host(uri) == host


# --- 1. whose tags: through a real fetch ----------------------------------------------------------


def fresh(count: int) -> list[dict[str, Any]]:
    """``count`` real #ichbinhanna statuses of consenting authors, dated in the last hours."""
    statuses = [
        s
        for s in hanna()
        if s["visibility"] == "public"
        and s["account"].get("discoverable") is not False
        and s["account"].get("noindex") is not True
        and not re.search(r"#no", s["account"].get("note") or "", re.IGNORECASE)
    ]
    return spread(statuses[:count], NOW - dt.timedelta(hours=1), dt.timedelta(hours=1))


def posts_of(server: TimelineServer, statuses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``statuses`` as posts of ``server``'s own users (their uri on its host and port)."""
    for status in statuses:
        status["uri"] = f"{server.url}/users/someone/statuses/{status['id']}"
        status["url"] = f"{server.url}/@someone/{status['id']}"
    return statuses


def relayed_with_extra_tag(statuses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    copies = copy.deepcopy(statuses)
    for status in copies:
        status["tags"].append({"name": EXTRA.lower(), "url": "https://b.example/tags/nurbeib"})
    return copies


@pytest.mark.parametrize("order", ["origin first", "relay first"])
def test_a_configured_relay_cannot_add_a_configured_tag_to_the_origins_post(
    mastodon: TimelineServer, mastodon_b: TimelineServer, make_settings: MakeSettings, order: str
) -> None:
    origin = posts_of(mastodon, fresh(3))
    mastodon.statuses, mastodon_b.statuses = origin, relayed_with_extra_tag(origin)
    servers = [mastodon.url, mastodon_b.url]
    if order == "relay first":
        servers.reverse()
    settings = make_settings(servers, [TAG, EXTRA])
    sync_all(settings)
    records = load(settings)
    for status in origin:
        post = records[status["uri"]]
        assert EXTRA.lower() not in post.tags and TAG.lower() in post.tags
        assert post.server == mastodon.url
    before = archive_bytes(settings.archive_path)
    sync_all(settings)
    assert archive_bytes(settings.archive_path) == before


def test_a_post_a_relay_created_gets_the_origins_tags_once_the_origin_is_read(
    mastodon: TimelineServer, mastodon_b: TimelineServer, make_settings: MakeSettings
) -> None:
    origin = posts_of(mastodon, fresh(3))
    mastodon.statuses, mastodon_b.statuses = origin, relayed_with_extra_tag(origin)
    # First only the relay is read: it may create the posts, with its tags.
    sync_all(make_settings([mastodon_b.url], [TAG, EXTRA]))
    settings = make_settings([mastodon_b.url, mastodon.url], [TAG, EXTRA])
    records = load(settings)
    assert all(EXTRA.lower() in records[s["uri"]].tags for s in origin)
    assert all(records[s["uri"]].server == mastodon_b.url for s in origin)
    # Then the origin is configured too: its copies replace the tags, and stay.
    sync_all(settings)
    records = load(settings)
    for status in origin:
        post = records[status["uri"]]
        assert EXTRA.lower() not in post.tags and post.server == mastodon.url
    # The relay's audit state still lists the ids of the posts the origin took over in that
    # run; the next run drops them. From then on a run with nothing new changes no byte.
    sync_all(settings)
    before = archive_bytes(settings.archive_path)
    sync_all(settings)
    assert archive_bytes(settings.archive_path) == before


# --- 2. the link to the original --------------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "url", "shown"),
    [
        (f"{ORIGIN}/users/a/statuses/1", f"{ORIGIN}/@a/1", f"{ORIGIN}/@a/1"),
        (
            f"{ORIGIN}/users/a/statuses/1",
            "https://ORIGIN.example/@a/1",
            "https://ORIGIN.example/@a/1",
        ),
        (
            f"{ORIGIN}/users/a/statuses/1",
            "https://evil.example/phish",
            f"{ORIGIN}/users/a/statuses/1",
        ),
        (
            f"{ORIGIN}/users/a/statuses/1",
            "https://sub.origin.example/@a/1",
            f"{ORIGIN}/users/a/statuses/1",
        ),
        (f"{ORIGIN}/users/a/statuses/1", f"{ORIGIN}:8443/@a/1", f"{ORIGIN}/users/a/statuses/1"),
        (
            f"{ORIGIN}/users/a/statuses/1",
            "http://origin.example/@a/1",
            f"{ORIGIN}/users/a/statuses/1",
        ),
        (f"{ORIGIN}/users/a/statuses/1", "https://[oops/@a/1", f"{ORIGIN}/users/a/statuses/1"),
        (f"{ORIGIN}/users/a/statuses/1", "", f"{ORIGIN}/users/a/statuses/1"),
        ("tag:origin.example,2024:1", "https://evil.example/phish", ""),
        ("tag:origin.example,2024:1", "https://origin.example/@a/1", ""),
    ],
)
def test_the_original_link_is_on_the_posts_own_origin_host(uri: str, url: str, shown: str) -> None:
    assert original_url(uri, url) == shown


def test_a_phishing_url_is_never_linked_on_pages_feeds_or_link_exports(tmp_path: Path) -> None:
    """A post claiming ``https://evil.example/phish`` as its original, and one with no http(s)
    uri, through a real build: pages, feeds and link exports link the uri, or nothing."""
    article = "https://example.org/article"
    phish = from_status(
        {
            "uri": "https://far.example/users/a/statuses/1",
            "url": "https://evil.example/phish",
            "created_at": "2024-12-20T10:00:00.000Z",
            "content": f'<p>Read <a href="{article}">this</a> #sft</p>',
            "tags": [{"name": "sft"}],
            "account": {"acct": "a@far.example", "display_name": "A"},
        },
        "https://mastodon.social",
        "2024-12-21T00:00:00.000Z",
    )
    no_http = replace(
        phish,
        uri="tag:far.example,2024:2",
        url="https://evil.example/phish2",
        created_at="2024-12-20T11:00:00.000Z",
    )
    records = [json.loads(to_json_line(p)) for p in (phish, no_http)]
    site = build(
        tmp_path,
        write_archive_lines(tmp_path / "archive", records),
        DIGEST_TAGS=["sft"],
        SITEURL="https://digest.example",
        RELATIVE_URLS=False,
    )
    outputs = [
        p for p in site.rglob("*") if p.is_file() and p.suffix in (".html", ".xml", ".json", ".csv")
    ]
    assert any(p.name == "links.json" for p in outputs) and any(p.suffix == ".xml" for p in outputs)
    for path in outputs:
        assert "evil.example" not in path.read_text(encoding="utf-8"), path
    page = site / "index.html"
    entries = {a.get("data-uri"): a for a in articles(parse(page))}
    assert set(entries) == {phish.uri, no_http.uri}
    assert [a.get("href") for a in entries[phish.uri].find_class("u-url")] == [phish.uri]
    assert not entries[no_http.uri].find_class("u-url")  # no link, the time stays
    assert entries[no_http.uri].find_class("dt-published")
    items = mf2py.parse(doc=page.read_text(encoding="utf-8"), url="https://digest.example/")[
        "items"
    ]
    urls = {item["properties"].get("url", [None])[0] for item in items}
    assert phish.uri in urls
    shares = json.loads((site / "links.json").read_text(encoding="utf-8"))
    (link,) = [x for x in shares if x["url"] == article]
    assert {s["url"] for s in link["posts"]} == {phish.uri, ""}


# --- 3. opt-outs, through a real fetch ------------------------------------------------------------


@pytest.mark.parametrize(
    "profile",
    [
        {"note": "<p>＃ｎｏｂｏｔ</p>"},
        {"note": "<p>Bitte nicht: #nöbot</p>"},
        {"note": "<p>#noarchive</p>"},
        {"fields": [{"name": "Bots", "value": "<p>＃NoBot</p>", "verified_at": None}]},
    ],
    ids=["full-width", "accented", "noarchive", "field"],
)
def test_opt_out_spellings_keep_a_post_out_and_withdraw_one_archived(
    mastodon: TimelineServer, make_settings: MakeSettings, profile: dict[str, Any]
) -> None:
    statuses = fresh(3)
    mastodon.statuses = statuses
    settings = make_settings([mastodon.url], [TAG])
    sync_all(settings)
    assert set(load(settings)) == {s["uri"] for s in statuses}
    # The first author opts out in one of these spellings; a new post of theirs arrives too.
    later = copy.deepcopy(statuses[0])
    later["id"] = str(int(later["id"]) + 1)
    later["uri"] += "-later"
    statuses[0]["account"].update(profile)
    later["account"] = statuses[0]["account"]
    mastodon.statuses = [later, *statuses]
    report = sync_all(settings)
    records = load(settings)
    assert records[statuses[0]["uri"]].is_tombstone
    assert later["uri"] not in records
    assert not any(records[s["uri"]].is_tombstone for s in statuses[1:])
    assert report.servers[0].removed == 1 and report.servers[0].new == 0


def test_every_origin_judgement_goes_through_origins() -> None:
    """Whose copy wins (merge), who may speak for a post (ingest), which id the audit asks
    for (audit_plan) and where "the original" links (links, pages) use one rule: host and
    port, by :mod:`tag_digest.archive.origins`; only ``records.url_host`` (handles, domain
    blocks: host alone by design) reads a URL's host besides."""
    from tag_digest.archive import audit_plan, ingest, merge, origins
    from tag_digest.digest import links, sanitize
    from tag_digest.site import compact, render

    assert merge.is_origin is ingest.is_origin is audit_plan.is_origin is origins.is_origin
    # the links, the pages and the compact entries take "the original" from one function
    assert sanitize.original_url is origins.original_url
    assert links.safe_original is render.safe_original is compact.safe_original
    assert links.safe_original is sanitize.safe_original
    # host and port: another port on the same host is another server, in every module
    uri = "http://127.0.0.1:8001/users/a/statuses/1"
    assert audit_plan.id_from_uri(uri, "http://127.0.0.1:8001") == "1"
    assert audit_plan.id_from_uri(uri, "http://127.0.0.1:8002") is None
    assert (
        origin_host(uri) == "127.0.0.1:8001"
        and origin_host("https://x.example:443/a") == "x.example"
    )
