"""The rolling audit (issue 12), against real HTTP servers on 127.0.0.1.

The Mastodon-like server serves rtoot's recorded #ichbinhanna statuses spread over
months, its tag timeline and ``GET /api/v1/statuses/:id``; between runs a post is
deleted, edited, or its author opts out, and faults are injected into the lookups.
Later runs are dated later (``sync_all(now=...)``), as scheduled runs would be.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from corpus_server import TimelineServer, hanna, json_response, spread
from factories import load
from tag_digest.archive.audit_plan import id_from_uri, in_stretch, target
from tag_digest.archive.records import Account, Post
from tag_digest.archive.state import STATE_FILE
from tag_digest.errors import SettingError
from tag_digest.settings import DigestSettings, load_settings
from tag_digest.sync import sync_all
from werkzeug import Request, Response

TAG = "IchbinHanna"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
MakeSettings = Callable[..., DigestSettings]
STATUS_PATH = re.compile(r"^/api/v1/statuses/([^/]+)$")


def consenting(status: dict[str, Any]) -> bool:
    account = status["account"]
    note = re.sub(r"<[^>]+>", " ", account.get("note") or "")
    return (
        status["visibility"] == "public"
        and account.get("discoverable") is not False
        and account.get("noindex") is not True
        and not re.search(r"#(nobot|noindex|nosearch)\b", note, re.IGNORECASE)
    )


def months_of_posts() -> list[dict[str, Any]]:
    """About 130 consenting posts, one every 18 hours: the oldest is ~100 days old."""
    statuses = [s for s in hanna() if consenting(s)]
    return spread(statuses, NOW - dt.timedelta(hours=1), dt.timedelta(hours=18))


class StatusLookups:
    """``GET /api/v1/statuses/:id`` on the same server, with faults served first."""

    def __init__(self, server: TimelineServer) -> None:
        self.server = server
        self.faults: list[Callable[[Request], Response]] = []
        self.asked: list[str] = []
        server.http.expect_request(STATUS_PATH).respond_with_handler(self.answer)

    def answer(self, request: Request) -> Response:
        match = STATUS_PATH.match(request.path)
        assert match is not None
        self.asked.append(match.group(1))
        if self.faults:
            return self.faults.pop(0)(request)
        for status in self.server.statuses:
            if status["id"] == match.group(1):
                return Response(json.dumps(status), 200, content_type="application/json")
        return Response('{"error":"Record not found"}', 404, content_type="application/json")


def audit_state(settings: DigestSettings, server: str) -> dict[str, Any]:
    state = json.loads((settings.archive_path / STATE_FILE).read_text(encoding="utf-8"))
    entry: dict[str, Any] = state["audit"][server]
    return entry


def first_fetch(
    mastodon: TimelineServer, make_settings: MakeSettings, **overrides: Any
) -> tuple[DigestSettings, StatusLookups]:
    mastodon.statuses = months_of_posts()
    lookups = StatusLookups(mastodon)
    settings = make_settings([mastodon.url], [TAG], **overrides)
    first = sync_all(settings, now=NOW)
    assert first.servers[0].new == len(mastodon.statuses) > 100
    assert lookups.asked == []  # a first fetch verifies nothing
    return settings, lookups


def test_a_deletion_months_after_the_post_is_found_by_the_audit(
    mastodon: TimelineServer, make_settings: MakeSettings
) -> None:
    settings, lookups = first_fetch(mastodon, make_settings)
    gone = mastodon.statuses.pop(90)  # ~67 days old: far outside the 2-day window
    later = NOW + dt.timedelta(days=1)
    without = make_settings([mastodon.url], [TAG], DIGEST_AUDIT_BUDGET=0)
    sync_all(without, now=later)
    assert not load(settings)[gone["uri"]].is_tombstone  # the overlap window alone misses it
    lines: list[str] = []
    audit_all = make_settings([mastodon.url], [TAG], DIGEST_AUDIT_DAYS=0)
    report = sync_all(audit_all, now=later + dt.timedelta(hours=1), echo=lines.append)
    (server,) = report.servers
    assert load(settings)[gone["uri"]].is_tombstone
    assert (server.removed, server.audit_removed) == (1, 1)
    assert gone["id"] in lookups.asked  # checked alone before it was removed
    live = len(mastodon.statuses)
    # Every post re-verified: the live ones and the deleted one; the deleted one is gone.
    assert f"{live + 1} re-verified, 1 removed by the audit, audit {live}/{live} posts" in lines[0]
    assert sum(not p.is_tombstone for p in load(settings).values()) == live


@pytest.mark.parametrize("fault", ["500", "429", "503"])
def test_a_fault_during_the_audit_removes_nothing_and_is_retried(
    mastodon: TimelineServer, make_settings: MakeSettings, fault: str
) -> None:
    settings, lookups = first_fetch(mastodon, make_settings, DIGEST_MAX_WAIT=2)
    gone = mastodon.statuses.pop(90)
    reset = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).isoformat()
    answer = {
        "500": json_response({"error": "boom"}, 500),
        "429": json_response({"error": "Too many requests"}, 429, {"X-RateLimit-Reset": reset}),
        "503": json_response({"error": "unavailable"}, 503),
    }[fault]
    lookups.faults = [answer] * 10
    audit_all = make_settings([mastodon.url], [TAG], DIGEST_AUDIT_DAYS=0, DIGEST_MAX_WAIT=2)
    report = sync_all(audit_all, now=NOW + dt.timedelta(days=1))
    assert not load(settings)[gone["uri"]].is_tombstone
    assert report.servers[0].removed == 0
    assert any("the audit stopped for this run" in w for w in report.servers[0].warnings)
    assert gone["uri"] in audit_state(settings, mastodon.url)["pending"]
    lookups.faults = []
    again = sync_all(audit_all, now=NOW + dt.timedelta(days=2))
    assert load(settings)[gone["uri"]].is_tombstone
    assert again.servers[0].audit_removed == 1
    assert audit_state(settings, mastodon.url)["pending"] == []


def test_a_404_is_not_believed_from_a_server_that_404s_every_status(
    mastodon: TimelineServer, make_settings: MakeSettings
) -> None:
    settings, lookups = first_fetch(mastodon, make_settings)
    gone = mastodon.statuses.pop(90)
    lookups.faults = [json_response({"error": "no such API"}, 404)] * 200
    report = sync_all(
        make_settings([mastodon.url], [TAG], DIGEST_AUDIT_DAYS=0), now=NOW + dt.timedelta(days=1)
    )
    assert not load(settings)[gone["uri"]].is_tombstone
    assert report.total("removed") == 0
    assert len(lookups.asked) == 1  # the probe of a post the timeline returned, nothing else
    assert any("does not show a post its timeline shows" in w for w in report.servers[0].warnings)


@pytest.mark.parametrize("signal", ["discoverable", "note"])
def test_an_author_who_opts_out_later_loses_every_archived_post_in_one_run(
    mastodon: TimelineServer, make_settings: MakeSettings, signal: str
) -> None:
    statuses = months_of_posts()
    author = dict(statuses[0]["account"])
    theirs = statuses[::5]  # spread over the whole ~100 days
    for status in theirs:
        status["account"] = dict(author)
    mastodon.statuses = statuses
    settings = make_settings([mastodon.url], [TAG])
    sync_all(settings, now=NOW)
    assert all(not load(settings)[s["uri"]].is_tombstone for s in theirs)
    for status in theirs:
        if signal == "discoverable":
            status["account"]["discoverable"] = False
        else:
            status["account"]["note"] = "<p>Bitte nicht archivieren #NoBot</p>"
    report = sync_all(settings, now=NOW + dt.timedelta(hours=1))  # one post in the window
    records = load(settings)
    assert all(records[s["uri"]].is_tombstone for s in theirs)
    assert report.servers[0].removed == len(theirs) > 20
    others = [s for s in statuses if s not in theirs]
    assert not any(records[s["uri"]].is_tombstone for s in others)


def test_an_edit_months_after_the_post_is_found_by_the_audit(
    mastodon: TimelineServer, make_settings: MakeSettings
) -> None:
    settings, _ = first_fetch(mastodon, make_settings)
    old = mastodon.statuses[100]
    old["content"] = "<p>Korrigiert: neue Fassung #IchbinHanna</p>"
    old["edited_at"] = (NOW - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    report = sync_all(
        make_settings([mastodon.url], [TAG], DIGEST_AUDIT_DAYS=0), now=NOW + dt.timedelta(days=1)
    )
    record = load(settings)[old["uri"]]
    assert record.content == old["content"] and record.edited_at is not None
    assert report.servers[0].updated == 1 and report.servers[0].removed == 0


def test_the_budget_is_respected_and_the_cursor_resumes_across_runs(
    mastodon: TimelineServer, make_settings: MakeSettings
) -> None:
    settings, _ = first_fetch(mastodon, make_settings, DIGEST_AUDIT_DAYS=1, DIGEST_AUDIT_BUDGET=2)
    total = len(mastodon.statuses)
    mastodon.seen.clear()
    lines: list[str] = []
    day = NOW + dt.timedelta(days=1)  # the whole 1-day cycle is due, 2 requests allowed
    report = sync_all(settings, now=day, echo=lines.append)
    assert len(mastodon.seen) == 1 + 2  # the normal top page, then 2 audit pages
    cursor = audit_state(settings, mastodon.url)["batches"]["ichbinhanna"]
    assert isinstance(cursor["below"], str) and cursor["done"] is False
    assert f"audit 80/{total} posts, cycle 2 of 1 days" in lines[0]
    (behind,) = [w for w in report.servers[0].warnings if "cannot keep up" in w]
    assert f"80 of {total:,} posts" in behind and "DIGEST_AUDIT_BUDGET=2" in behind

    mastodon.seen.clear()
    sync_all(settings, now=day + dt.timedelta(hours=1))
    audit_pages = mastodon.seen[1:]
    assert len(audit_pages) == 2
    assert audit_pages[0].args["max_id"] == [cursor["below"]]  # resumes where it stopped
    runs = 0
    while not audit_state(settings, mastodon.url)["batches"].get("ichbinhanna", {}).get("done"):
        runs += 1
        assert runs < 5
        sync_all(settings, now=day + dt.timedelta(hours=1 + runs))
    assert not any(p.is_tombstone for p in load(settings).values())


def test_audit_planning_on_plain_data() -> None:
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    day = dt.timedelta(days=1)
    assert target(3000, start, start, start, 30) == 0
    assert target(3000, start, start, start + day, 30) == 200  # one day in, one day ahead
    assert target(3000, start, start + 28 * day, start + 29 * day, 30) == 3000
    assert target(3000, start, start, start, 0) == 3000
    assert id_from_uri("https://a.example/users/x/statuses/123", "https://a.example") == "123"
    assert id_from_uri("https://a.example/users/x/statuses/123", "https://b.example") is None
    assert id_from_uri("https://a.example/objects/8f3c-11", "https://a.example") is None
    assert id_from_uri("https://a.example/p/x/77", "https://a.example") == "77"
    nobody = Account("", "", "", "")
    posts = [
        Post(
            f"u{i}",
            "",
            "s",
            f"2025-01-0{i}T00:00:00.000Z",
            None,
            None,
            nobody,
            "",
            "",
            False,
            (),
            None,
        )
        for i in range(1, 6)
    ]
    assert [p.uri for p in in_stretch(posts, "2025-01-02T00:00:00.000Z", None)] == [
        "u3",
        "u4",
        "u5",
    ]
    assert [p.uri for p in in_stretch(posts, None, "2025-01-02T00:00:00.000Z")] == ["u1", "u2"]


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("DIGEST_AUDIT_DAYS", -1, "from 0 to 3,650 days, got -1"),
        ("DIGEST_AUDIT_DAYS", "30", "a number"),
        ("DIGEST_AUDIT_DAYS", True, "a number"),
        ("DIGEST_AUDIT_DAYS", 4000, "from 0 to 3,650 days, got 4000"),
        ("DIGEST_AUDIT_BUDGET", -1, "from 0 to 100,000"),
        ("DIGEST_AUDIT_BUDGET", 1.5, "whole number"),
        ("DIGEST_AUDIT_BUDGET", "200", "whole number"),
    ],
)
def test_bad_audit_settings_name_the_setting(name: str, value: object, fragment: str) -> None:
    with pytest.raises(SettingError) as info:
        load_settings({name: value}, base=Path("/x"))
    assert str(info.value).startswith(f"{name}: ") and fragment in str(info.value)
