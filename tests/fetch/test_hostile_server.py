"""A hostile Mastodon-compatible server on 127.0.0.1 against the whole fetch path.

Each test plays one trick a server can play: answers that never end, bombs,
redirects, absurd JSON, dates, sizes and ids, consent fields of the wrong type,
forged copies of other servers' posts, an echoed token, garbage rate-limit
headers, a kill in the middle of a fetch. What must hold every time: the fetch
ends within bounds set by the settings, nothing a server should not have
reaches the archive, the token goes nowhere, and the build goes on.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import functools
import gzip
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from corpus_server import (
    ROOT,
    TimelineServer,
    archive_bytes,
    hanna,
    iso,
    json_response,
    raw_response,
    recorded_instance,
    retag,
    snowflake,
    spread,
)
from factories import client_for, load
from pelican import Pelican
from pelican.settings import read_settings
from pytest_httpserver import HTTPServer
from tag_digest.archive.shards import Archive
from tag_digest.archive.state import STATE_FILE, FetchState
from tag_digest.errors import ServerFaultError
from tag_digest.settings import DigestSettings
from tag_digest.sync import may_carry_token, sync_all
from werkzeug import Request, Response

TAG = "IchbinHanna"
PATH = "/api/v1/timelines/tag/ichbinhanna"
NOW = dt.datetime.now(dt.UTC)
TOKEN = "tok-9f8e7d6c5b4a3210"
MakeSettings = Callable[..., DigestSettings]
Handler = Callable[[Request], Response]


# --- helpers ---------------------------------------------------------------------------


def fresh(count: int) -> list[dict[str, Any]]:
    """``count`` real #ichbinhanna statuses whose authors consent, dated in the last hours."""
    statuses = []
    for status in hanna():
        account = status["account"]
        note = re.sub(r"<[^>]+>", " ", account.get("note") or "")
        if (
            status["visibility"] == "public"
            and account.get("discoverable") is not False
            and account.get("noindex") is not True
            and not re.search(r"#(nobot|noindex|nosearch)\b", note, re.IGNORECASE)
        ):
            statuses.append(status)
    return spread(statuses[:count], NOW - dt.timedelta(hours=1), dt.timedelta(hours=1))


def tag_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name == "tag_digest"
    ]


def raw_socket(
    prefix: bytes, unit: bytes = b"", every: float = 0.0, during: float = 0.0
) -> Handler:
    """Write ``prefix`` to the socket, then ``unit`` every ``every`` seconds for ``during``."""

    def handler(request: Request) -> Response:
        sock = request.environ["werkzeug.socket"]
        end = time.monotonic() + during
        with contextlib.suppress(OSError):
            sock.sendall(prefix)
            while time.monotonic() < end:
                sock.sendall(unit)
                time.sleep(every)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        return Response("", 200)

    return handler


@contextlib.contextmanager
def one_answer(answer: bytes) -> Iterator[str]:
    """A bare socket server on 127.0.0.1 that sends ``answer`` to one request."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        with contextlib.suppress(OSError):
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(answer)
                connection.recv(1)  # until the client hangs up

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()
        thread.join(timeout=5)


def encoded(body: bytes, encoding: str, content_type: str = "application/json") -> Handler:
    def handler(request: Request) -> Response:
        response = Response(body, 200, content_type=content_type)
        response.headers["Content-Encoding"] = encoding
        return response

    return handler


@functools.cache
def gzip_bomb(megabytes: int) -> bytes:
    """``[`` and ``megabytes`` MB of spaces, gzipped (about a thousandth of that)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b" " * (1 << 20)
    parts = [packer.compress(b"[")]
    parts += [packer.compress(block) for _ in range(megabytes)]
    return b"".join([*parts, packer.compress(b"]"), packer.flush()])


def endless(delay: float) -> Handler:
    """An endless supply of older pages of well-formed, consenting, tagged statuses."""
    template = fresh(1)[0]

    def handler(request: Request) -> Response:
        time.sleep(delay)
        top = int(request.args.get("max_id") or snowflake(NOW))
        newest = dt.datetime.fromtimestamp((top >> 16) / 1000, dt.UTC)
        page = []
        for step in range(1, 41):
            status = copy.deepcopy(template)
            when = newest - dt.timedelta(minutes=step)
            status["id"] = snowflake(when)
            status["created_at"] = iso(when)
            status["uri"] = status["url"] = f"https://spam.example/statuses/{status['id']}"
            page.append(status)
        return json_response(page)(request)

    return handler


# --- responses that never end --------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "unit"),
    [
        (b"HTTP/1.1 200 OK\r\n", b"X"),  # headers, a byte at a time
        (b"", b"HTTP/1.1 102 Processing\r\n\r\n"),  # interim answers forever
    ],
    ids=["headers-trickle", "endless-1xx"],
)
def test_a_response_whose_headers_never_end_is_cut_off(
    mastodon: TimelineServer, prefix: bytes, unit: bytes
) -> None:
    """httpx bounds each read, not the headers: each byte in time, the answer never complete."""
    mastodon.faults = [raw_socket(prefix, unit, every=0.02, during=5.0)]
    with (
        client_for(mastodon.url, timeout=0.1) as client,
        pytest.raises(ServerFaultError, match=r"took longer than 0\.3s to send one response"),
    ):
        client.get_json(PATH)
    assert client.requests == 1


def test_a_slow_but_correct_server_cannot_hold_a_run_for_long(
    http_a: HTTPServer, make_settings: MakeSettings, caplog: pytest.LogCaptureFixture
) -> None:
    """Every page in time, page after page: the server's run ends at DIGEST_MAX_WAIT plus
    30 DIGEST_TIMEOUTs (0.3 + 1.5 s here), long before DIGEST_MAX_PAGES."""
    url = f"http://127.0.0.1:{http_a.port}"
    served: list[str] = []
    page = endless(0.01)

    def timeline(request: Request) -> Response:
        served.append(request.args.get("max_id") or "")
        return page(request)

    http_a.expect_request("/api/v2/instance").respond_with_json(recorded_instance())
    http_a.expect_request(re.compile("^/api/v1/timelines/tag/")).respond_with_handler(timeline)
    settings = make_settings(
        [url],
        [TAG],
        DIGEST_TIMEOUT=0.05,
        DIGEST_MAX_WAIT=0.3,  # room to retry a read that a busy machine made late
        DIGEST_RETRIES=5,
        DIGEST_MAX_PAGES=1000,
    )
    report = sync_all(settings)
    (server,) = report.servers
    assert server.error is not None and "used up its 1.8s for this run" in server.error
    assert 0 < len(served) < 1000
    assert server.new == len(load(settings)) > 0  # what came before is kept
    assert any("used up its 1.8s" in w for w in tag_warnings(caplog))


def test_backoff_counts_against_max_wait(mastodon: TimelineServer) -> None:
    """Retries of a failing server wait too: DIGEST_MAX_WAIT bounds those waits as well."""
    mastodon.faults = [raw_response("", 503, "text/plain") for _ in range(6)]
    with (
        client_for(mastodon.url, retries=5, backoff=1.0, max_wait=0.5) as client,
        pytest.raises(ServerFaultError, match="no time is left for another try"),
    ):
        client.get_json(PATH)
    assert client.requests == 1 and client.pacer.waits == []


# --- bombs and absurd JSON ----------------------------------------------------------------------


def test_a_gzip_bomb_is_never_inflated_beyond_the_cap() -> None:
    """httpx inflates a whole network chunk before any size check: 20 kB became 20 MB.

    A plain socket server here: memory is traced in every thread, and werkzeug's own
    allocations would blur the client's."""
    bomb = gzip_bomb(20)
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
    with (
        one_answer(head + b"Content-Length: %d\r\n\r\n" % len(bomb) + bomb) as url,
        client_for(url, max_bytes=1 << 20) as client,
    ):
        tracemalloc.start()
        try:
            with pytest.raises(ServerFaultError, match="larger than 1024 kB"):
                client.get_json(PATH)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 6 << 20


@pytest.mark.parametrize("encoding", ["gzip, gzip", "br", "zstd", "compress"])
def test_encodings_not_asked_for_are_refused(mastodon: TimelineServer, encoding: str) -> None:
    """``gzip, gzip`` multiplies a bomb's ratio: 700 bytes would be 300 MB."""
    mastodon.faults = [encoded(gzip.compress(gzip_bomb(1)), encoding)]
    with (
        client_for(mastodon.url) as client,
        pytest.raises(ServerFaultError, match="an encoding that was not asked for"),
    ):
        client.get_json(PATH)
    assert mastodon.seen[0].headers["Accept-Encoding"] == "gzip, deflate"


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw deflate", "identity"])
def test_compressed_pages_still_read(mastodon: TimelineServer, encoding: str) -> None:
    statuses = fresh(40)
    body = json.dumps(statuses).encode()
    packed = {
        "gzip": gzip.compress(body),
        "deflate": zlib.compress(body),
        "raw deflate": zlib.compress(body)[2:-4],
        "identity": body,
    }[encoding]
    mastodon.faults = [encoded(packed, encoding.split()[-1])]
    with client_for(mastodon.url) as client:
        assert client.get_json(PATH) == statuses


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'[{"id": "1", "n": ' + b"9" * 5000 + b"}]", "absurd number"),
    ],
    ids=["nested", "huge-number"],
)
def test_json_that_python_chokes_on_is_a_fault(
    mastodon: TimelineServer, body: bytes, problem: str
) -> None:
    """RecursionError and ValueError escaped as tracebacks before."""
    mastodon.faults = [raw_response(body)]
    with client_for(mastodon.url) as client, pytest.raises(ServerFaultError, match=problem):
        client.get_json(PATH)


def test_a_date_header_past_year_9999_is_ignored() -> None:
    """``Date`` is read for clock skew: a date that overflows must not crash the fetch."""
    page = json.dumps(fresh(3)).encode()
    answer = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        b"Date: Fri, 31 Dec 9999 23:59:59 -1400\r\nX-RateLimit-Remaining: 100\r\n"
        b"Content-Length: %d\r\n\r\n" % len(page)
    )
    with one_answer(answer + page) as url, client_for(url) as client:
        assert client.get_json(PATH) == json.loads(page)


# --- what a server says goes into messages, never the token ------------------------------------


def test_server_text_in_messages_is_short_printable_and_tokenless(
    mastodon: TimelineServer,
) -> None:
    location = f"https://evil.example/?t={TOKEN}&\x9b2J" + "A" * 50_000
    answer = f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n"
    mastodon.faults = [raw_socket(answer.encode("latin-1"))]
    with client_for(mastodon.url, token=TOKEN) as client, pytest.raises(ServerFaultError) as info:
        client.get_json(PATH)
    message = str(info.value)
    assert "redirects to https://evil.example/?t=[DIGEST_TOKEN]" in message
    assert TOKEN not in message and message.isprintable() and len(message) < 400


def test_a_server_echoing_the_token_gets_nothing_archived(
    mastodon: TimelineServer,
    make_settings: MakeSettings,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The token server may try to have its token published with the archive."""
    monkeypatch.setenv("DIGEST_TOKEN", TOKEN)
    caplog.set_level(logging.DEBUG)
    statuses = fresh(3)

    def echo(request: Request) -> Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        page = copy.deepcopy(statuses)
        page[0]["content"] = f"<p>{token}</p>"
        page[1]["account"]["display_name"] = "PLACEHOLDER"
        # The token JSON-escaped: not in the bytes, but in the decoded text.
        body = json.dumps(page).replace("PLACEHOLDER", token.replace("-", "\\u002d"))
        return Response(body, 200, content_type="application/json")

    mastodon.faults = [echo for _ in range(3)]
    settings = make_settings([mastodon.url], [TAG])
    report = sync_all(settings)
    assert "sent the access token back" in (report.servers[0].error or "")
    for data in archive_bytes(settings.archive_path).values():
        assert TOKEN.encode() not in data
    assert TOKEN not in caplog.text and TOKEN not in json.dumps(report.as_json())


@pytest.mark.parametrize(
    ("server", "allowed"),
    [
        ("https://mastodon.social", True),
        ("http://mastodon.social", False),
        ("http://127.0.0.1:3000", True),
        ("http://[::1]:3000", True),
        ("http://localhost:3000", True),
        ("http://192.168.1.20", True),
        ("http://93.184.215.14", False),
    ],
)
def test_the_token_never_travels_in_clear_text_over_the_internet(
    server: str, allowed: bool
) -> None:
    assert may_carry_token(server) is allowed


def test_a_plain_http_token_server_is_not_sent_the_token(
    make_settings: MakeSettings, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGEST_TOKEN", TOKEN)
    report = sync_all(make_settings(["http://mastodon.example"], [TAG]))
    assert "DIGEST_TOKEN is not sent over plain http" in " ".join(report.servers[0].warnings)
    assert any("use https://" in w for w in tag_warnings(caplog))


# --- statuses that must never reach the archive --------------------------------------------------


def _bad(mutate: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def apply(status: dict[str, Any]) -> dict[str, Any]:
        mutate(status)
        return status

    return apply


BAD_STATUSES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    # consent fields that are not a clear yes
    "discoverable-string": _bad(lambda s: s["account"].update(discoverable="false")),
    "noindex-string": _bad(lambda s: s["account"].update(noindex="true")),
    "noindex-number": _bad(lambda s: s["account"].update(noindex=1)),
    "note-not-text": _bad(lambda s: s["account"].update(note=["#nobot"])),
    "empty-reblog": _bad(lambda s: s.update(reblog={})),
    "reblog-of-private": _bad(
        lambda s: s.update(reblog={**copy.deepcopy(s), "visibility": "private"})
    ),
    "visibility-uppercase": _bad(lambda s: s.update(visibility="PUBLIC")),
    "visibility-missing": _bad(lambda s: s.pop("visibility")),
    "account-string": _bad(lambda s: s.update(account="Gargron")),
    # absurd dates
    "created-1970": _bad(lambda s: s.update(created_at="1970-01-01T00:00:00.000Z")),
    "created-overflow": _bad(lambda s: s.update(created_at="0001-01-01T00:00:00+01:00")),
    "edited-9999": _bad(lambda s: s.update(edited_at="9999-12-31T23:59:59.000Z")),
    "edited-overflow": _bad(lambda s: s.update(edited_at="9999-12-31T23:59:59-14:00")),
    "edited-garbage": _bad(lambda s: s.update(edited_at="yesterday")),
    # absurd sizes
    "content-megabytes": _bad(lambda s: s.update(content="<p>" + "spam " * 400_000 + "</p>")),
    "thousands-of-tags": _bad(lambda s: retag(s, TAG, *(f"t{n}" for n in range(2000)))),
    # ids and uris
    "id-too-long": _bad(lambda s: s.update(id="9" * 100)),
    "id-path": _bad(lambda s: s.update(id="../../etc/passwd")),
    "uri-javascript": _bad(lambda s: s.update(uri="javascript:alert(1)")),
    "uri-data": _bad(lambda s: s.update(uri="data:text/html,<script>alert(1)</script>")),
    "uri-unparseable": _bad(lambda s: s.update(uri="https://[oops/statuses/1")),
    # a url every later urlsplit chokes on: the build crashed on it, run after run
    "url-unparseable": _bad(lambda s: s.update(url="https://[oops/@someone/1")),
    "url-bad-port": _bad(lambda s: s.update(url="https://example.social:99999/@someone/1")),
    "media-number": _bad(lambda s: s.update(media_attachments=5)),
    "mentions-true": _bad(lambda s: s.update(mentions=True)),
    "emojis-object": _bad(lambda s: s.update(emojis={"shortcode": "x"})),
    "content-list": _bad(lambda s: s.update(content=["<p>x</p>"])),
    "tags-dict": _bad(lambda s: s.update(tags={"name": TAG})),
    "no-requested-tag": _bad(lambda s: retag(s, "SomethingElse")),
}


@pytest.mark.parametrize("case", sorted(BAD_STATUSES))
def test_a_hostile_status_never_reaches_the_archive(
    mastodon: TimelineServer, make_settings: MakeSettings, case: str
) -> None:
    good, bad = fresh(2)
    bad = BAD_STATUSES[case](bad)
    mastodon.faults = [json_response([good, bad]), json_response([])]
    settings = make_settings([mastodon.url], [TAG])
    report = sync_all(settings)
    assert report.servers[0].error is None
    assert set(load(settings)) == {good["uri"]}
    state = json.loads((settings.archive_path / STATE_FILE).read_text(encoding="utf-8"))
    assert state["servers"][mastodon.url]["ichbinhanna"]["top_id"] == good["id"]


# --- forged copies of other servers' posts --------------------------------------------------------


def _posts_of(server: TimelineServer, statuses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``statuses`` as posts of ``server``'s own users (their uri on its host)."""
    for status in statuses:
        status["uri"] = f"{server.url}/users/someone/statuses/{status['id']}"
        status["url"] = f"{server.url}/@someone/{status['id']}"
    return statuses


@pytest.mark.parametrize("order", ["forger first", "origin first"])
def test_a_relaying_server_cannot_rewrite_or_keep_a_forged_post(
    mastodon: TimelineServer, mastodon_b: TimelineServer, make_settings: MakeSettings, order: str
) -> None:
    """B serves A's posts with forged content (and one A no longer shows publicly):
    whatever the order, what A says is what the archive keeps, and it stays that way."""
    origin = _posts_of(mastodon, fresh(3))
    forged = copy.deepcopy(origin)
    for status in forged:
        status["content"] = "<p>Forged by B</p>"
        status["edited_at"] = iso(NOW)  # "newer" than A's copy
    origin[2]["visibility"] = "private"  # A's author made it private since
    mastodon.statuses, mastodon_b.statuses = origin, forged
    servers = [mastodon_b.url, mastodon.url]
    if order == "origin first":
        servers.reverse()
    settings = make_settings(servers, [TAG])
    sync_all(settings)
    records = load(settings)
    for status in origin[:2]:
        post = records[status["uri"]]
        assert post.content == status["content"] and post.server == mastodon.url
        assert post.edited_at != iso(NOW)
    assert origin[2]["uri"] not in records or records[origin[2]["uri"]].is_tombstone
    before = archive_bytes(settings.archive_path)
    sync_all(settings)  # no flip-flop between the two copies
    assert archive_bytes(settings.archive_path) == before


# A relay adding hashtags to the origin's posts: tests/test_trust_rules.py (it may not).


# --- links, rate-limit headers, the instance endpoint --------------------------------------------


def test_a_link_header_to_another_host_is_never_followed(
    mastodon: TimelineServer,
    mastodon_b: TimelineServer,
    make_settings: MakeSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    statuses = fresh(50)
    mastodon.statuses = statuses

    def elsewhere(request: Request) -> Response:
        response = mastodon.page(request)
        response.headers["Link"] = f'<{mastodon_b.url}{PATH}?max_id=1>; rel="next"'
        return response

    mastodon.faults = [elsewhere for _ in range(3)]
    monkeypatch.setenv("DIGEST_TOKEN", TOKEN)
    sync_all(make_settings([mastodon.url], [TAG]))
    assert mastodon_b.seen == [] and mastodon_b.instance_seen == []
    assert all(s.headers["Authorization"] == f"Bearer {TOKEN}" for s in mastodon.seen)
    assert [s.args.get("max_id") for s in mastodon.seen] == [
        None,
        [statuses[39]["id"]],
        [statuses[49]["id"]],
    ]


@pytest.mark.parametrize(
    ("headers", "throttle", "gives_up"),
    [
        ({"X-RateLimit-Remaining": "-5", "X-RateLimit-Reset": "garbage"}, False, False),
        ({"X-RateLimit-Remaining": "lots", "X-RateLimit-Reset": "1e400"}, False, False),
        ({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "9999-12-31T00:00:00Z"}, False, True),
        ({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1970-01-01T00:00:00Z"}, False, False),
        ({"Retry-After": "99999999999999999999"}, True, True),
        ({"Retry-After": "-30"}, True, True),  # no answer: a minute, past DIGEST_MAX_WAIT
        ({"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"}, True, True),
        ({"Retry-After": "0"}, True, True),  # 429 forever: three waits, then given up
    ],
)
def test_rate_limit_headers_never_hold_a_run(
    mastodon: TimelineServer,
    make_settings: MakeSettings,
    headers: dict[str, str],
    throttle: bool,
    gives_up: bool,
) -> None:
    mastodon.statuses = fresh(10)
    if throttle:
        mastodon.faults = [json_response({"error": "slow down"}, 429, headers)] * 10
    else:
        mastodon.rate_headers = lambda: dict(headers)
    settings = make_settings([mastodon.url], [TAG], DIGEST_MAX_WAIT=1)
    report = sync_all(settings)
    (server,) = report.servers
    assert (server.error is not None) == gives_up
    if not gives_up:
        assert server.new == 10
    assert server.requests <= 6


@pytest.mark.parametrize(
    "answer",
    [
        raw_response("<!DOCTYPE html><p>Welcome", 200, "text/html"),
        raw_response(b"[" * 100_000),
        json_response(["not", "an", "object"]),
        lambda request: Response("", 301, {"Location": "https://elsewhere.example/"}),
        encoded(gzip_bomb(20), "gzip"),
    ],
    ids=["html", "nested", "list", "redirect", "bomb"],
)
def test_a_garbage_instance_answer_gives_the_server_up_with_one_line(
    http_a: HTTPServer,
    make_settings: MakeSettings,
    caplog: pytest.LogCaptureFixture,
    answer: Handler,
) -> None:
    url = f"http://127.0.0.1:{http_a.port}"
    http_a.expect_request("/api/v2/instance").respond_with_handler(answer)
    settings = make_settings([url], [TAG], DIGEST_RETRIES=0)
    report = sync_all(settings)
    assert report.servers[0].error is not None
    (line,) = tag_warnings(caplog)
    assert line.startswith(f"tag_digest: gave up on {url}") and "\n" not in line
    assert len(http_a.log) == 1  # no timeline was asked for


def test_a_mangled_state_file_costs_a_rescan_not_the_run(tmp_path: Path) -> None:
    (tmp_path / STATE_FILE).write_text('{"servers": ["https://x.example"]}', encoding="utf-8")
    state, problem = FetchState.load(tmp_path)
    assert state.servers == {} and problem is None


# --- the command line and the build --------------------------------------------------------------


def _cli(folder: Path, servers: list[str], **extra: Any) -> subprocess.Popen[str]:
    settings = {
        "AUTHOR": "test",
        "SITENAME": "test",
        "PATH": "content",
        "DIGEST_SERVERS": servers,
        "DIGEST_TAGS": [TAG],
        "DIGEST_ARCHIVE_PATH": "archive",
        "DIGEST_RETRIES": 1,
        "DIGEST_BACKOFF": 0.001,
        "DIGEST_PROGRESS": False,
        **extra,
    }
    (folder / "content").mkdir(exist_ok=True)
    conf = folder / "siteconf.py"
    conf.write_text("".join(f"{k} = {v!r}\n" for k, v in settings.items()), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "DIGEST_TOKEN"}
    env["CI"] = "true"
    return subprocess.Popen(
        [sys.executable, "-m", "tag_digest", "fetch", "-s", str(conf), "--summary", "sum.json"],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_command_line_shows_no_traceback_for_a_hostile_server(
    mastodon: TimelineServer, tmp_path: Path
) -> None:
    """A date that overflows, then JSON nested beyond Python's recursion limit."""
    mastodon.statuses = fresh(45)
    mastodon.statuses[7]["created_at"] = "0001-01-01T00:00:00+01:00"
    mastodon.faults = [
        json_response(mastodon.statuses[:40]),
        *(raw_response(b"[" * 100_000) for _ in range(2)),
    ]
    process = _cli(tmp_path, [mastodon.url])
    _, err = process.communicate(timeout=60)
    assert process.returncode == 3, err  # its only server gave up: nothing read (issue 15)
    assert "Traceback" not in err and err.count("\n") == 2
    assert "sent JSON nested too deeply (tried 2 times)" in err
    assert json.loads((tmp_path / "sum.json").read_text(encoding="utf-8"))["new"] == 39


def test_kill_9_in_the_middle_of_a_fetch_leaves_a_readable_archive(
    mastodon: TimelineServer, mastodon_b: TimelineServer, tmp_path: Path
) -> None:
    """The first server's posts are saved; the kill lands while the second one answers."""
    mastodon.statuses = fresh(45)
    mastodon_b.statuses = fresh(45)
    mastodon_b.faults = [endless(0.2)] * 1000
    process = _cli(tmp_path, [mastodon.url, mastodon_b.url], DIGEST_TIMEOUT=5)
    deadline = time.monotonic() + 30
    while not mastodon_b.seen and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    time.sleep(0.3)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    archive = Archive.load(tmp_path / "archive")  # every shard parses
    assert {p.uri for p in archive} == {s["uri"] for s in mastodon.statuses}
    state = json.loads((tmp_path / "archive" / STATE_FILE).read_text(encoding="utf-8"))
    assert list(state["servers"]) == [mastodon.url]
    assert not [p for p in (tmp_path / "archive").rglob("*.tmp")]


def test_the_site_builds_from_what_a_hostile_server_left(
    mastodon: TimelineServer, tmp_path: Path
) -> None:
    """Posts a hostile server may legitimately get in (odd but consenting) still build."""
    statuses = fresh(6)
    statuses[0]["account"]["display_name"] = "\u202egnp.exe\u202c Admin\u200b"
    statuses[1]["content"] = "<p>x</p><script>alert(1)</script><img src=x onerror=alert(2)>"
    retag(statuses[2], TAG, "../../etc", "a\u200bb", "\u202eevil")
    statuses[3]["account"]["url"] = "javascript:alert(3)"
    statuses[3]["url"] = "https://elsewhere.example/phish"
    statuses[4]["spoiler_text"] = "\u202e" + "x" * 10_000
    statuses[5]["content"] = "<p>" + "long " * 19_000 + "</p>"
    mastodon.statuses = statuses
    archive = tmp_path / "archive"
    content = tmp_path / "content"
    content.mkdir()
    output = tmp_path / "output"
    settings = read_settings(
        str(ROOT / "pelicanconf.py"),
        override={
            "PATH": str(content),
            "OUTPUT_PATH": str(output),
            "CACHE_PATH": str(tmp_path / "cache"),
            "DIGEST_SERVERS": [mastodon.url],
            "DIGEST_TAGS": [TAG],
            "DIGEST_ARCHIVE_PATH": str(archive),
            "DIGEST_FETCH": True,
            "DIGEST_SINCE": None,
            "DIGEST_PROGRESS": False,
        },
    )
    Pelican(settings).run()
    assert len(Archive.load(archive)) == 6
    assert (output / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive", "cache", "content", "output"]
    site = "".join(p.read_text(encoding="utf-8") for p in output.rglob("*.html"))
    assert "<script>alert(1)" not in site and "javascript:alert" not in site
