"""Recorded cassettes, served by a Mastodon-like tag timeline on a real HTTP server.

The servers are pytest-httpserver instances (real werkzeug servers on 127.0.0.1).
:class:`TimelineServer` serves *recorded* statuses from ``tests/fixtures/corpus``
the way Mastodon pages a hashtag timeline (path tag + ``any[]``, 4 names in all, ``max_id``,
``limit``, ``local``/``remote``, an empty list for an unknown path tag, a Link
header without ``any[]``), so each test can vary the recorded data (dates, tags,
visibility, account flags) and inject faults (:data:`FAULTS`) before the normal
answer. The fixtures that start the servers are in ``conftest.py``.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import yaml
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
ROOT = Path(__file__).resolve().parent.parent

Handler = Callable[[Request], Response]


# --- cassettes ---------------------------------------------------------------


@dataclass(frozen=True)
class Interaction:
    method: str
    uri: str
    status: int
    headers: dict[str, str]
    body: str


@functools.cache
def _cassette(name: str) -> tuple[Interaction, ...]:
    data = yaml.load((CORPUS / name).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    found = []
    for item in data.get("interactions") or data.get("http_interactions"):
        request, response = item["request"], item["response"]
        status = response["status"]
        headers = {
            k.lower(): (v[0] if isinstance(v, list) else str(v))
            for k, v in (response.get("headers") or {}).items()
        }
        found.append(
            Interaction(
                method=request["method"].upper(),
                uri=request["uri"],
                status=int(status["code"] if isinstance(status, dict) else status),
                headers=headers,
                body=response["body"]["string"],
            )
        )
    return tuple(found)


def cassette(name: str) -> tuple[Interaction, ...]:
    """The interactions recorded in ``tests/fixtures/corpus/<name>``."""
    return _cassette(name)


def recorded_statuses(name: str, uri_part: str = "/timelines/") -> list[dict[str, Any]]:
    """Fresh copies of every status in the timeline responses of a cassette, in order."""
    statuses: list[dict[str, Any]] = []
    for item in cassette(name):
        if uri_part in item.uri and item.status == 200:
            statuses.extend(json.loads(item.body))
    return copy.deepcopy(statuses)


def recorded_json(name: str, method: str, uri_part: str, index: int = 0) -> Any:
    """The JSON body of the ``index``-th ``method`` interaction whose URI contains ``uri_part``."""
    matches = [i for i in cassette(name) if i.method == method and uri_part in i.uri]
    return json.loads(matches[index].body)


def recorded_instance() -> dict[str, Any]:
    """A real Mastodon 4.6.4 ``/api/v2/instance`` answer."""
    data = recorded_json("mastodon-py/test_hashtag_tl.yaml", "GET", "/api/v2/instance")
    assert isinstance(data, dict)
    return data


def hanna() -> list[dict[str, Any]]:
    """The 160 real statuses of mastodon.social's #ichbinhanna (rtoot), newest first."""
    return recorded_statuses("rtoot/handle_params_max_id.yml")


def toots() -> list[dict[str, Any]]:
    """The 30 real statuses of a Mastodon 4.6.4 tag timeline (Mastodon.py), newest first."""
    return recorded_statuses("mastodon-py/test_fetch_remaining.yaml")


# --- varying recorded statuses -------------------------------------------------


def snowflake(when: dt.datetime, low: int = 0) -> str:
    """A Mastodon id for ``when``: milliseconds since the epoch, shifted 16 bits."""
    return str((int(when.timestamp() * 1000) << 16) | (low & 0xFFFF))


def iso(when: dt.datetime) -> str:
    return (
        when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    )


def restamp(status: dict[str, Any], when: dt.datetime) -> dict[str, Any]:
    """Date ``status`` at ``when`` and give it the id Mastodon derives from that time."""
    status["created_at"] = iso(when)
    status["id"] = snowflake(when, int(status["id"]) & 0xFFFF)
    return status


def spread(
    statuses: list[dict[str, Any]], newest: dt.datetime, step: dt.timedelta
) -> list[dict[str, Any]]:
    """Re-date statuses (kept in order) from ``newest`` down in steps of ``step``."""
    for number, status in enumerate(statuses):
        restamp(status, newest - number * step)
    return statuses


def retag(status: dict[str, Any], *tags: str) -> dict[str, Any]:
    """Give ``status`` exactly these hashtags (as Mastodon lists them)."""
    status["tags"] = [
        {"name": t.lower(), "url": f"https://example.invalid/tags/{t.lower()}"} for t in tags
    ]
    return status


# --- a Mastodon-like tag timeline on a real HTTP server --------------------------


@dataclass
class Seen:
    """One request as the server received it."""

    path: str
    args: dict[str, list[str]]
    headers: dict[str, str]
    at: dt.datetime
    raw_uri: str
    """The request target as sent on the wire (still percent-encoded)."""


@dataclass
class TimelineServer:
    """Serves ``statuses`` as Mastodon's ``/api/v1/timelines/tag/:tag`` does."""

    http: HTTPServer
    statuses: list[dict[str, Any]] = field(default_factory=list)
    instance: dict[str, Any] = field(default_factory=recorded_instance)
    faults: list[Handler] = field(default_factory=list)
    """Served first, one per timeline request, before the normal answer."""
    rate_headers: Callable[[], dict[str, str]] | None = None
    ignored: set[str] = field(default_factory=set)
    """Tags (case-folded) this server silently ignores in ``any[]`` (a quirky server)."""
    seen: list[Seen] = field(default_factory=list)
    instance_seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.http.expect_request("/api/v2/instance").respond_with_handler(self._instance)
        self.http.expect_request(re.compile(r"^/api/v1/timelines/tag/.+")).respond_with_handler(
            self._timeline
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http.port}"

    def _record(self, request: Request, into: list[Seen]) -> None:
        with self.lock:
            into.append(
                Seen(
                    path=request.path,
                    args={k: request.args.getlist(k) for k in request.args},
                    headers=dict(request.headers),
                    at=dt.datetime.now(dt.UTC),
                    raw_uri=str(
                        request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
                    ),
                )
            )

    def _headers(self) -> dict[str, str]:
        return self.rate_headers() if self.rate_headers else {}

    def _instance(self, request: Request) -> Response:
        self._record(request, self.instance_seen)
        return Response(
            json.dumps(self.instance), 200, self._headers(), content_type="application/json"
        )

    def _timeline(self, request: Request) -> Response:
        self._record(request, self.seen)
        with self.lock:
            fault = self.faults.pop(0) if self.faults else None
        if fault is not None:
            return fault(request)
        return self.page(request)

    def page(self, request: Request) -> Response:
        """The answer a Mastodon server would give from ``statuses``."""
        tag = request.path.rsplit("/", 1)[1].casefold()
        # Mastodon's TagFeed: the path tag | any[], of which only the first 4 names count.
        names = [tag, *(t.casefold() for t in request.args.getlist("any[]"))]
        wanted = set(list(dict.fromkeys(names))[:4]) - self.ignored
        # none[]: statuses carrying any of these (again the first 4) are left out.
        unwanted = {t.casefold() for t in request.args.getlist("none[]")[:4]}
        known = {t["name"].casefold() for s in self.statuses for t in s.get("tags", [])}
        limit = min(int(request.args.get("limit", "20")), 40)
        max_id = request.args.get("max_id")
        local = request.args.get("local") == "true"
        remote = request.args.get("remote") == "true"
        found = []
        if tag in known:
            for status in self.statuses:
                names = {t["name"].casefold() for t in status.get("tags", [])}
                is_remote = "@" in status["account"]["acct"]
                if not names & wanted or (local and is_remote) or (remote and not is_remote):
                    continue
                if names & unwanted:
                    continue
                if max_id is not None and int(status["id"]) >= int(max_id):
                    continue
                found.append(status)
        found.sort(key=lambda s: int(s["id"]), reverse=True)
        found = found[:limit]
        headers = self._headers()
        if found:
            # Mastodon's own Link header: it drops any[] (clients must not follow it).
            query = urlencode({"limit": limit, "max_id": found[-1]["id"]})
            headers["Link"] = f'<{self.url}{quote(request.path)}?{query}>; rel="next"'
        return Response(
            json.dumps(found), 200, headers, content_type="application/json; charset=utf-8"
        )

    def timeline_args(self) -> list[dict[str, list[str]]]:
        return [s.args for s in self.seen]


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Handler:
    def handler(request: Request) -> Response:
        return Response(json.dumps(data), status, headers or {}, content_type="application/json")

    return handler


def raw_response(
    body: bytes | str, status: int = 200, content_type: str = "application/json"
) -> Handler:
    def handler(request: Request) -> Response:
        return Response(body, status, content_type=content_type)

    return handler


def archive_bytes(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` and its bytes; ``state.json`` without its ``last_success``
    line (the time of the last successful fetch, new on every run that read a server)."""
    files = {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }
    if "state.json" in files:
        lines = files["state.json"].splitlines(keepends=True)
        files["state.json"] = b"".join(x for x in lines if not x.startswith(b'  "last_success": '))
    return files


def cut_mid_response(request: Request) -> Response:
    """Start a JSON answer, then close the connection mid-body (a reset connection)."""
    sock = request.environ["werkzeug.socket"]
    sock.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n"
        b'[{"id":"1","created_at":'
    )
    sock.shutdown(socket.SHUT_RDWR)
    return Response("", 200)


def hang_up(request: Request) -> Response:
    """Close the connection without answering at all."""
    request.environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
    return Response("", 200)


def sleeper(seconds: float) -> Handler:
    """Answer only after ``seconds`` (longer than a tiny DIGEST_TIMEOUT)."""

    def handler(request: Request) -> Response:
        time.sleep(seconds)
        return Response("[]", 200, content_type="application/json")

    return handler


def _recorded_page() -> str:
    return next(
        i.body for i in cassette("rtoot/handle_params_max_id.yml") if "/timelines/tag/" in i.uri
    )


FAULTS: dict[str, tuple[Callable[[], Handler], str]] = {
    # name: (handler factory, what the final error says)
    "500": (lambda: json_response({"error": "Internal Server Error"}, 500), "answered HTTP 500"),
    "502": (
        lambda: raw_response("<html>502 Bad Gateway</html>", 502, "text/html"),
        "answered HTTP 502",
    ),
    "503": (lambda: raw_response("", 503, "text/plain"), "answered HTTP 503"),
    "reset": (lambda: cut_mid_response, "closed the connection mid-response"),
    "hang-up": (lambda: hang_up, "closed the connection mid-response"),
    "truncated": (
        lambda: raw_response(_recorded_page()[: len(_recorded_page()) // 2]),
        "truncated JSON",
    ),
    "invalid": (
        lambda: raw_response(_recorded_page().replace('"id":', '"id";', 7)),
        "invalid JSON",
    ),
    "html-200": (
        lambda: raw_response(
            "<!DOCTYPE html><title>Maintenance</title><p>Back soon", 200, "text/html"
        ),
        "HTML page instead of JSON",
    ),
    "wrong-type": (
        lambda: json_response({"error": "surprise"}),
        "JSON an object where a list was expected",
    ),
}


FAST = {
    "DIGEST_TIMEOUT": 2.0,
    "DIGEST_RETRIES": 2,
    "DIGEST_BACKOFF": 0.001,
    "DIGEST_MAX_WAIT": 5,
    "DIGEST_PROGRESS": False,
}
