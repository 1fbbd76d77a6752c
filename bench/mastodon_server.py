"""A local Mastodon hashtag-timeline server for the fetch benchmark.

``GET /api/v1/timelines/tag/:hashtag`` follows Mastodon's own code
(``Api::V1::Timelines::TagController`` and ``TagFeed``):

- the statuses carrying the path tag or any ``any[]`` tag, where Mastodon takes
  the first 4 names of ``[path tag] | any[]`` (``TagFeed::LIMIT_PER_MODE``; so a
  path tag plus 4 ``any[]`` names serves only 3 of them; ``--any-limit`` changes it);
- ``limit`` (default 20, at most 40), ``max_id``, ``since_id``, ``min_id``
  compared as integers, newest first (``min_id`` gives the page right above it);
- a ``Link`` header with ``next`` (``max_id``) and ``prev`` (``min_id``) that
  keeps only ``limit``, ``local`` and ``only_media`` (``any[]`` is dropped);
  no ``Link`` on an empty page; an unknown tag gives ``200 []``;
- ``X-RateLimit-Limit/Remaining/Reset`` (ISO-8601) over a 5-minute window.

``GET /api/v2/instance`` says hashtag feeds are public (Mastodon 4.5 shape).

Control endpoints for the harness: ``GET /_bench/log`` (timeline requests, with
the number of statuses the query matches in all), ``POST /_bench/clear``,
``POST /_bench/add?count=N`` (N newer posts), ``GET /_bench/stats``.

Run: ``python -m bench.mastodon_server --posts 10000``; it prints its port.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import re
import threading
import time
import zlib
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from tag_digest.archive.records import Post
from tag_digest.digest.tagnames import normalise_tag
from tag_digest.times import format_time, parse_time

from . import data

MAX_LIMIT = 40
DEFAULT_LIMIT = 20
WINDOW = 300.0
_TAG_LINK = re.compile(r'/tags/([^"/?#]+)"')
INSTANCE = {
    "domain": "127.0.0.1",
    "title": "tagdigest benchmark",
    "version": "4.5.0",
    "source_url": "https://github.com/mastodon/mastodon",
    "configuration": {
        "statuses": {"max_characters": 500},
        "timelines_access": {
            "live_feeds": {"local": "public", "remote": "public"},
            "hashtag_feeds": {"local": "public", "remote": "public"},
            "trending_link_feeds": {"local": "public", "remote": "public"},
        },
    },
}
"""What ``GET /api/v2/instance`` answers (Mastodon 4.5: hashtag feeds public)."""


def status_id(created_at: str, serial: int) -> int:
    """A Mastodon-style id: milliseconds since the epoch, shifted, plus a sequence."""
    return (int(parse_time(created_at).timestamp() * 1000) << 16) | (serial & 0xFFFF)


def to_status(post: Post, sid: int, base: str) -> dict[str, Any]:
    """The Mastodon REST ``Status`` a server would send for ``post``."""
    acct = post.account
    username = acct.acct.split("@", 1)[0]
    shown = [unquote(t) for t in _TAG_LINK.findall(post.content)] or list(post.tags)
    seen: set[str] = set()
    tags = []
    for name in shown:
        if normalise_tag(name) not in seen:
            seen.add(normalise_tag(name))
            tags.append({"name": name, "url": f"{base}/tags/{quote(name)}"})
    card = post.card
    return {
        "id": str(sid),
        "created_at": post.created_at,
        "in_reply_to_id": post.in_reply_to,
        "in_reply_to_account_id": None,
        "sensitive": post.sensitive,
        "spoiler_text": post.spoiler_text,
        "visibility": "public",
        "language": post.language,
        "uri": post.uri,
        "url": post.url,
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "edited_at": post.edited_at,
        "content": post.content,
        "reblog": None,
        "account": {
            "id": str(zlib.crc32(acct.acct.encode())),
            "username": username,
            "acct": acct.acct,
            "display_name": acct.display_name,
            "locked": False,
            "bot": False,
            "discoverable": True,
            "indexable": True,
            "group": False,
            "created_at": "2022-11-01T00:00:00.000Z",
            "note": "<p>Пишу про машинное обучение.</p>",
            "url": acct.url,
            "uri": acct.url.replace("/@", "/users/"),
            "avatar": acct.avatar,
            "avatar_static": acct.avatar,
            "header": f"{base}/headers/original/missing.png",
            "header_static": f"{base}/headers/original/missing.png",
            "followers_count": 100,
            "following_count": 10,
            "statuses_count": 1000,
            "last_status_at": post.created_at[:10],
            "hide_collections": False,
            "noindex": False,
            "emojis": [],
            "fields": [],
        },
        "media_attachments": [
            {
                "id": str(sid + i + 1),
                "type": m.type,
                "url": m.url,
                "preview_url": m.preview_url,
                "remote_url": None,
                "preview_remote_url": None,
                "text_url": None,
                "meta": {},
                "description": m.description or None,
                "blurhash": None,
            }
            for i, m in enumerate(post.media)
        ],
        "mentions": [
            {"id": "1", "username": m.acct.split("@")[0], "url": m.url, "acct": m.acct}
            for m in post.mentions
        ],
        "tags": tags,
        "emojis": [
            {"shortcode": e.shortcode, "url": e.url, "static_url": e.url, "visible_in_picker": True}
            for e in post.emojis
        ],
        "quote": None,
        "card": None
        if card is None
        else {
            "url": card.url,
            "title": card.title,
            "description": card.description,
            "language": None,
            "type": "link",
            "author_name": "",
            "author_url": "",
            "provider_name": card.provider,
            "provider_url": "",
            "html": "",
            "width": 0,
            "height": 0,
            "image": None,
            "image_description": "",
            "embed_url": "",
            "blurhash": None,
            "published_at": None,
            "authors": [],
        },
        "poll": None,
    }


@dataclass
class Store:
    """Statuses by id, and the query semantics of Mastodon's tag timeline."""

    any_limit: int = 4
    ids: list[int] = field(default_factory=list)
    """Ascending."""
    tags: dict[int, frozenset[str]] = field(default_factory=dict)
    body: dict[int, bytes] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    """Normalised tag name to its display name (the ``Tag`` records of the server)."""
    _index: dict[frozenset[str], list[int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: dict[str, Any]) -> None:
        sid = int(status["id"])
        with self.lock:
            bisect.insort(self.ids, sid)
            names = frozenset(normalise_tag(t["name"]) for t in status["tags"])
            for tag in status["tags"]:
                self.names.setdefault(normalise_tag(tag["name"]), tag["name"])
            self.tags[sid] = names
            self.body[sid] = json.dumps(status, ensure_ascii=False).encode()
            self._index.clear()

    def query_tags(self, path_tag: str, any_: list[str]) -> frozenset[str] | None:
        """The tags ``TagFeed`` matches, or ``None`` for an unknown path tag."""
        canonical = self.names.get(normalise_tag(path_tag))
        if canonical is None:
            return None
        union = [canonical] + [a for a in dict.fromkeys(any_) if a != canonical]
        return frozenset(normalise_tag(n) for n in union[: self.any_limit])

    def matching(self, query: frozenset[str]) -> list[int]:
        with self.lock:
            found = self._index.get(query)
            if found is None:
                found = [i for i in self.ids if self.tags[i] & query]
                self._index[query] = found
            return found

    def page(
        self,
        query: frozenset[str],
        limit: int,
        max_id: int | None,
        since_id: int | None,
        min_id: int | None,
    ) -> list[int]:
        ids = self.matching(query)
        if min_id is not None:
            lo = bisect.bisect_right(ids, min_id)
            hi = bisect.bisect_left(ids, max_id) if max_id is not None else len(ids)
            return list(reversed(ids[lo : min(hi, lo + limit)]))
        hi = bisect.bisect_left(ids, max_id) if max_id is not None else len(ids)
        lo = bisect.bisect_right(ids, since_id) if since_id is not None else 0
        return list(reversed(ids[max(lo, hi - limit) : hi]))


@dataclass
class RateWindow:
    limit: int
    start: float = field(default_factory=time.time)
    used: int = 0

    def hit(self) -> tuple[int, int, float]:
        now = time.time()
        if now - self.start >= WINDOW:
            self.start, self.used = now, 0
        self.used += 1
        return self.limit, self.limit - self.used, self.start + WINDOW


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: BenchServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, value: Any) -> None:
        self._send(200, json.dumps(value, ensure_ascii=False).encode())

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        params = parse_qs(parts.query)
        if parts.path.startswith("/api/v1/timelines/tag/"):
            self._timeline(unquote(parts.path.rsplit("/", 1)[1]), params)
        elif parts.path == "/api/v2/instance":
            self.server.other_requests += 1
            self._json(INSTANCE)
        elif parts.path == "/_bench/log":
            self._json(self.server.log)
        elif parts.path == "/_bench/stats":
            store = self.server.store
            newest = store.ids[-1] if store.ids else None
            other = self.server.other_requests
            self._json({"statuses": len(store.ids), "newest": newest, "other_requests": other})
        else:
            self._send(404, b'{"error":"Record not found"}')

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        params = parse_qs(parts.query)
        if parts.path == "/_bench/clear":
            self.server.log.clear()
            self.server.other_requests = 0
            self._json({"ok": True})
        elif parts.path == "/_bench/add":
            self._json({"added": self.server.add_new(int(params.get("count", ["50"])[0]))})
        else:
            self._send(404, b'{"error":"Record not found"}')

    def _int(self, params: dict[str, list[str]], name: str) -> int | None:
        values = params.get(name)
        return int(values[0]) if values and values[0].strip() else None

    def _timeline(self, tag: str, params: dict[str, list[str]]) -> None:
        limit, remaining, reset = self.server.rate.hit()
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(remaining, 0)),
            "X-RateLimit-Reset": format_time(dt.datetime.fromtimestamp(reset, dt.UTC)),
        }
        if remaining < 0:
            self._send(429, b'{"error":"Too many requests"}', headers)
            return
        try:
            max_id, since_id, min_id = (
                self._int(params, k) for k in ("max_id", "since_id", "min_id")
            )
            limit_n = (
                min(abs(int(params["limit"][0])), MAX_LIMIT) if "limit" in params else DEFAULT_LIMIT
            )
        except ValueError:
            self._send(400, b'{"error":"invalid parameter"}', headers)
            return
        any_ = params.get("any[]", []) + params.get("any", [])
        store = self.server.store
        query = store.query_tags(tag, any_)
        ids = [] if query is None else store.page(query, limit_n, max_id, since_id, min_id)
        self.server.log.append(
            {
                "tag": tag,
                "any": any_,
                "query": sorted(query or ()),
                "params": {k: v[0] for k, v in params.items() if not k.startswith("any")},
                "returned": len(ids),
                "matching": len(store.matching(query)) if query else 0,
            }
        )
        if ids:
            base = (
                f"http://{self.headers.get('Host', 'localhost')}/api/v1/timelines/tag/{quote(tag)}"
            )
            keep = {k: v[0] for k, v in params.items() if k in ("limit", "local", "only_media")}
            nxt = urlencode(sorted({**keep, "max_id": str(ids[-1])}.items()))
            prev = urlencode(sorted({**keep, "min_id": str(ids[0])}.items()))
            headers["Link"] = f'<{base}?{nxt}>; rel="next", <{base}?{prev}>; rel="prev"'
        body = b"[" + b",".join(store.body[i] for i in ids) + b"]"
        self._send(200, body, headers)


class BenchServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, store: Store, rate_limit: int, gen: data.Generator) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.store = store
        self.rate = RateWindow(rate_limit)
        self.log: list[dict[str, Any]] = []
        self.other_requests = 0
        self.gen = gen
        self.rounds = 0
        self.newest = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def load(self, posts: list[Post]) -> None:
        for serial, post in enumerate(posts):
            self.store.add(to_status(post, status_id(post.created_at, serial), self.base))
            self.newest = max(self.newest, post.created_at)

    def add_new(self, count: int) -> int:
        """``count`` new posts, dated a minute apart after the newest (and ids above it)."""
        self.rounds += 1
        fresh = data.newer_posts(
            self.gen, self.newest, count, self.rounds, step=dt.timedelta(minutes=1)
        )
        self.load(fresh)
        return len(fresh)


def shifted(posts: list[Post], end: dt.datetime) -> list[Post]:
    """``posts`` moved in time so that the newest is at ``end`` (ids follow the dates)."""
    delta = end - parse_time(max(p.created_at for p in posts))

    def move(value: str | None) -> str | None:
        return format_time(parse_time(value) + delta) if value else value

    return [
        replace(p, created_at=move(p.created_at) or "", edited_at=move(p.edited_at), fetched_at="")
        for p in posts
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=data.SEED)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--any-limit", type=int, default=4, help="names TagFeed reads (Mastodon: 4)"
    )
    parser.add_argument("--rate-limit", type=int, default=1_000_000, help="requests per 5 minutes")
    args = parser.parse_args()
    gen = data.generator()
    server = BenchServer(args.port, Store(any_limit=args.any_limit), args.rate_limit, gen)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    server.load(shifted(data.posts(gen, args.posts, args.seed), now - dt.timedelta(hours=2)))
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
