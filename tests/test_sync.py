"""Fetching into the archive, end to end, against real servers on 127.0.0.1.

Every server here serves recorded statuses (rtoot's 160 #ichbinhanna posts from
mastodon.social, Mastodon.py's recordings of Mastodon 4.6.4), varied per test:
re-dated, re-tagged, flags flipped, posts removed, faults injected.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from corpus_server import (
    FAULTS,
    TimelineServer,
    archive_bytes,
    hanna,
    json_response,
    recorded_json,
    restamp,
    retag,
    sleeper,
    spread,
    toots,
)
from digest_support import build
from factories import load
from rich.console import Console
from tag_digest.archive.shards import Archive
from tag_digest.archive.state import STATE_FILE
from tag_digest.fetch.progress import wanted
from tag_digest.settings import DigestSettings
from tag_digest.sync import sync_all

TAG = "IchbinHanna"
NOW = dt.datetime.now(dt.UTC)
MakeSettings = Callable[..., DigestSettings]
OPT_OUT = re.compile(r"#(nobot|noindex|nosearch)\b", re.IGNORECASE)


def consenting(status: dict[str, Any]) -> bool:
    """The issue's consent rule, written out independently of consent.py."""
    account = status["account"]
    return (
        status["visibility"] == "public"
        and account.get("discoverable") is not False
        and account.get("noindex") is not True
        and not OPT_OUT.search(re.sub(r"<[^>]+>", " ", account.get("note") or ""))
    )


def recent(count: int = 160, step: dt.timedelta = dt.timedelta(hours=1)) -> list[dict[str, Any]]:
    """#ichbinhanna re-dated to the last days: newest an hour ago, one an ``step`` before."""
    statuses = [s for s in hanna() if consenting(s)][:count]
    return spread(statuses, NOW - dt.timedelta(hours=1), step)


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and r.name == "tag_digest"
    ]


# --- first fetch, consent, idempotence -------------------------------------------


def test_a_first_fetch_archives_every_consenting_post(
    mastodon: TimelineServer, make_settings: MakeSettings
) -> None:
    mastodon.statuses = hanna()
    settings = make_settings([mastodon.url], [TAG])
    lines: list[str] = []
    report = sync_all(settings, echo=lines.append)
    expected = {s["uri"] for s in hanna() if consenting(s)}
    assert 100 < len(expected) < 160  # the recording holds real opt-outs
    records = load(settings)
    assert set(records) == expected
    assert {p.server for p in records.values()} == {mastodon.url}
    (server,) = report.servers
    assert (server.new, server.updated, server.removed) == (len(expected), 0, 0)
    assert server.requests == 1 + 5  # the instance, then ceil(160/40)+1 pages
    assert lines == [
        f"tag_digest: {mastodon.url}: {len(expected)} new, 0 updated, 0 removed, 6 requests"
    ]
    shards = sorted(p.name for p in settings.archive_path.rglob("*.jsonl"))
    assert shards == sorted({f"{s['created_at'][:7]}.jsonl" for s in hanna() if consenting(s)})


def test_opted_out_and_non_public_posts_never_reach_the_archive(
    mastodon: TimelineServer, make_settings: MakeSettings
) -> None:
    statuses = [s for s in hanna() if consenting(s)][:12]
    statuses[0]["visibility"] = "unlisted"
    statuses[1]["visibility"] = "private"
    statuses[2]["visibility"] = "direct"
    statuses[3]["account"]["discoverable"] = False
    statuses[4]["account"]["noindex"] = True
    statuses[5]["account"]["note"] = "<p>Forscherin. <a href='x'>#<span>NoBot</span></a></p>"
    statuses[6]["account"]["note"] = "<p>#noindex bitte</p>"
    statuses[7]["account"]["note"] = "<p>Kein Archiv: #nosearch</p>"
    unlisted = recorded_json(
        "mastodon-py/test_status_post(None-unlisted).yaml", "POST", "/api/v1/statuses"
    )
    statuses.append(retag(unlisted, TAG))
    mastodon.statuses = statuses
    settings = make_settings([mastodon.url], [TAG])
    report = sync_all(settings)
    refused = [*statuses[:8], unlisted]
    records = load(settings)
    assert set(records) == {s["uri"] for s in statuses[8:12]}
    text = "".join(p.read_text(encoding="utf-8") for p in settings.archive_path.rglob("*.jsonl"))
    for status in refused:
        assert status["uri"] not in text
    assert report.servers[0].new == 4


def test_a_second_run_over_unchanged_data_changes_no_byte(
    mastodon: TimelineServer, make_settings: MakeSettings
) -> None:
    mastodon.statuses = recent()
    settings = make_settings([mastodon.url], [TAG])
    sync_all(settings)
    before = archive_bytes(settings.archive_path)
    assert STATE_FILE in before
    report = sync_all(settings)
    assert archive_bytes(settings.archive_path) == before
    assert (report.total("new"), report.total("updated"), report.total("removed")) == (0, 0, 0)
    state = json.loads(before[STATE_FILE])
    assert state["servers"][mastodon.url]["ichbinhanna"] == {
        "backfill_below": None,
        "top_id": mastodon.statuses[0]["id"],
    }
    text = before[STATE_FILE].decode()
    assert text == json.dumps(state, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# --- incremental runs -------------------------------------------------------------


def test_incremental_run_finds_a_late_arrival_an_edit_and_a_deletion(
    mastodon: TimelineServer, make_settings: MakeSettings
) -> None:
    statuses = recent()  # 1 post an hour: ~48 inside the 2-day overlap window
    original = recorded_json("mastodon-py/test_status_edit.yaml", "POST", "/api/v1/statuses")
    edited = recorded_json("mastodon-py/test_status_edit.yaml", "PUT", "/api/v1/statuses/")
    assert original["uri"] == edited["uri"] and edited["edited_at"]
    when = NOW - dt.timedelta(hours=20, minutes=30)
    statuses.append(restamp(retag(original, TAG), when))
    mastodon.statuses = statuses
    settings = make_settings([mastodon.url], [TAG])
    sync_all(settings)
    top_id = json.loads((settings.archive_path / STATE_FILE).read_text())["servers"][mastodon.url][
        "ichbinhanna"
    ]["top_id"]

    # Between the runs: 5 new posts, a late arrival, an edit, two deletions.
    fresh = spread(
        [retag(s, TAG) for s in toots()[:5]],
        NOW - dt.timedelta(minutes=10),
        dt.timedelta(minutes=1),
    )
    late = restamp(retag(toots()[10], TAG), NOW - dt.timedelta(hours=30, minutes=15))
    assert int(late["id"]) < int(top_id)  # it sorts below ids already seen
    restamp(retag(edited, TAG), when)["edited_at"] = iso_minutes_ago(5)
    gone_recent = statuses[10]  # 11 hours old: inside the window
    gone_old = statuses[100]  # 4 days old: outside the window, not re-scanned
    server_now = [s for s in statuses if s not in (gone_recent, gone_old, statuses[-1])]
    mastodon.statuses = [*fresh, late, edited, *server_now]
    mastodon.seen.clear()

    report = sync_all(settings)
    (server,) = report.servers
    assert (server.new, server.updated, server.removed) == (6, 1, 1)
    assert len(mastodon.seen) <= 3  # issue 6: an incremental fetch stays within 3 requests
    records = load(settings)
    assert records[late["uri"]].content == late["content"]
    assert records[edited["uri"]].content == edited["content"] != original["content"]
    assert records[edited["uri"]].edited_at is not None
    tombstone = records[gone_recent["uri"]]
    assert tombstone.is_tombstone and tombstone.content == "" and tombstone.account.acct == ""
    assert not records[gone_old["uri"]].is_tombstone

    # A server that serves the deleted post again does not bring it back.
    mastodon.statuses.append(gone_recent)
    again = sync_all(settings)
    assert load(settings)[gone_recent["uri"]].is_tombstone
    assert again.total("new") == 0


def iso_minutes_ago(minutes: int) -> str:
    when = NOW - dt.timedelta(minutes=minutes)
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_an_author_who_opts_out_later_is_removed(
    mastodon: TimelineServer, make_settings: MakeSettings
) -> None:
    mastodon.statuses = recent(30)
    settings = make_settings([mastodon.url], [TAG])
    sync_all(settings)
    mastodon.statuses[3]["account"]["noindex"] = True
    report = sync_all(settings)
    assert report.total("removed") == 1
    assert load(settings)[mastodon.statuses[3]["uri"]].is_tombstone


@pytest.mark.parametrize("how", ["faults", "empty", "cut short"])
def test_no_deletions_from_a_scan_that_failed_or_returned_nothing(
    mastodon: TimelineServer, make_settings: MakeSettings, how: str
) -> None:
    mastodon.statuses = recent(step=dt.timedelta(minutes=30))  # ~96 posts inside the window
    settings = make_settings([mastodon.url], [TAG])
    sync_all(settings)
    before = archive_bytes(settings.archive_path)
    if how == "faults":
        mastodon.faults = [mastodon.page, *(FAULTS["503"][0]() for _ in range(3))]
        del mastodon.statuses[5]
    elif how == "empty":
        mastodon.statuses = []
    else:
        settings = make_settings([mastodon.url], [TAG], DIGEST_MAX_PAGES=1)
        del mastodon.statuses[5]
    report = sync_all(settings)
    assert report.total("removed") == 0
    assert archive_bytes(settings.archive_path) == before


def test_a_server_ignoring_one_tag_does_not_make_its_posts_look_deleted(
    mastodon: TimelineServer, make_settings: MakeSettings
) -> None:
    """Batch (A, B, C, D) and (E); the server ignores D. A post tagged D and E comes back
    only through E's timeline: no run may tombstone it for missing from the first batch."""
    statuses = recent(12, step=dt.timedelta(hours=2))
    for i, status in enumerate(statuses[:10]):
        retag(status, "Alpha" if i % 2 else "Beta")
    both = retag(statuses[10], "Delta", "Echo")
    retag(statuses[11], "Gamma")
    mastodon.statuses = statuses
    mastodon.ignored = {"delta"}
    settings = make_settings([mastodon.url], ["Alpha", "Beta", "Gamma", "Delta", "Echo"])
    sync_all(settings)
    assert not load(settings)[both["uri"]].is_tombstone
    for _ in range(2):
        report = sync_all(settings)
        assert report.total("removed") == 0
    assert not load(settings)[both["uri"]].is_tombstone


# --- resuming an unfinished first fetch ---------------------------------------------------


@pytest.mark.parametrize("cut", ["max_pages", "fault"])
def test_an_unfinished_first_fetch_resumes_downwards(
    mastodon: TimelineServer, make_settings: MakeSettings, cut: str
) -> None:
    mastodon.statuses = hanna()
    if cut == "max_pages":
        settings = make_settings([mastodon.url], [TAG], DIGEST_MAX_PAGES=2)
    else:
        settings = make_settings([mastodon.url], [TAG])
        mastodon.faults = [mastodon.page, mastodon.page, *(FAULTS["502"][0]() for _ in range(3))]
    first = sync_all(settings)
    kept = {s["uri"] for s in hanna()[:80] if consenting(s)}
    assert set(load(settings)) == kept and first.total("new") == len(kept)
    state = json.loads((settings.archive_path / STATE_FILE).read_text())["servers"][mastodon.url]
    assert state["ichbinhanna"] == {"top_id": hanna()[0]["id"], "backfill_below": hanna()[79]["id"]}

    mastodon.seen.clear()
    settings = make_settings([mastodon.url], [TAG])
    sync_all(settings)
    assert set(load(settings)) == {s["uri"] for s in hanna() if consenting(s)}
    resumed = [s.args.get("max_id") for s in mastodon.seen]
    assert [hanna()[79]["id"]] in resumed  # continued from the cursor, no gap
    state = json.loads((settings.archive_path / STATE_FILE).read_text())["servers"][mastodon.url]
    assert state["ichbinhanna"]["backfill_below"] is None


# --- faults ------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", [*sorted(FAULTS), "timeout"])
def test_a_faulty_server_is_given_up_with_a_warning_keeping_what_was_fetched(
    mastodon: TimelineServer,
    make_settings: MakeSettings,
    caplog: pytest.LogCaptureFixture,
    fault: str,
) -> None:
    mastodon.statuses = hanna()
    if fault == "timeout":
        settings = make_settings([mastodon.url], [TAG], DIGEST_TIMEOUT=0.1, DIGEST_RETRIES=1)
        handlers = [sleeper(0.4) for _ in range(2)]
    else:
        settings = make_settings([mastodon.url], [TAG])
        handlers = [FAULTS[fault][0]() for _ in range(3)]
    mastodon.faults = [mastodon.page, *handlers]
    report = sync_all(settings)
    (server,) = report.servers
    assert server.error is not None and "gave up on" in server.error
    message = "timed out" if fault == "timeout" else FAULTS[fault][1]
    assert any(message in w and mastodon.url in w for w in warnings(caplog))
    assert set(load(settings)) == {s["uri"] for s in hanna()[:40] if consenting(s)}
    assert server.requests == 1 + 1 + len(handlers)


def test_429_waits_for_the_reset_then_goes_on(
    mastodon: TimelineServer, make_settings: MakeSettings
) -> None:
    mastodon.statuses = hanna()[:30]
    reset = (dt.datetime.now(dt.UTC) + dt.timedelta(milliseconds=200)).isoformat()
    mastodon.faults = [
        json_response({"error": "Too many requests"}, 429, {"X-RateLimit-Reset": reset})
    ]
    report = sync_all(make_settings([mastodon.url], [TAG]))
    assert report.servers[0].error is None
    assert report.total("new") == len([s for s in hanna()[:30] if consenting(s)])


def test_429_beyond_max_wait_gives_up_with_a_warning(
    mastodon: TimelineServer, make_settings: MakeSettings, caplog: pytest.LogCaptureFixture
) -> None:
    mastodon.statuses = hanna()
    reset = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).isoformat()
    mastodon.faults = [
        mastodon.page,
        json_response({"error": "Too many requests"}, 429, {"X-RateLimit-Reset": reset}),
    ]
    settings = make_settings([mastodon.url], [TAG], DIGEST_MAX_WAIT=3)
    report = sync_all(settings)
    assert "DIGEST_MAX_WAIT" in (report.servers[0].error or "")
    assert any("DIGEST_MAX_WAIT" in w for w in warnings(caplog))
    assert len(load(settings)) == len([s for s in hanna()[:40] if consenting(s)])


@pytest.mark.parametrize("status", [401, 403, 422])
def test_auth_refused_is_one_clear_warning(
    mastodon: TimelineServer,
    make_settings: MakeSettings,
    caplog: pytest.LogCaptureFixture,
    status: int,
) -> None:
    mastodon.faults = [
        json_response({"error": "This method requires an authenticated user"}, status)
    ]
    mastodon.statuses = hanna()
    settings = make_settings([mastodon.url], [TAG])
    report = sync_all(settings)
    (line,) = warnings(caplog)
    assert (
        line.startswith(f"tag_digest: {mastodon.url} ")
        and "set DIGEST_TOKEN" in line
        and "\n" not in line
    )
    assert report.servers[0].error and len(mastodon.seen) == 1
    assert load(settings) == {}


def test_unknown_tags_are_warnings(
    mastodon: TimelineServer, make_settings: MakeSettings, caplog: pytest.LogCaptureFixture
) -> None:
    mastodon.statuses = hanna()[:20]
    tags = [TAG, "GibtEsNicht", "AuchNicht", "Nirgends", "Niemals", "Kein404"]
    report = sync_all(make_settings([mastodon.url], tags))
    assert report.servers[0].error is None
    # Batch 1 finds #IchbinHanna, not its any[] tags; batch 2 finds nothing at all
    # (Mastodon answers [] for an unknown path tag: each tag is tried in the path).
    prefix = f"tag_digest: {mastodon.url}: no posts for"
    assert warnings(caplog) == [
        f"{prefix} #GibtEsNicht, #AuchNicht, #Nirgends (unknown tag?)",
        f"{prefix} #Niemals, #Kein404 (unknown tag?)",
    ]
    assert [s.path.rsplit("/", 1)[1] for s in mastodon.seen[-2:]] == ["Niemals", "Kein404"]


def test_a_404_tag_is_a_warning(
    mastodon: TimelineServer, make_settings: MakeSettings, caplog: pytest.LogCaptureFixture
) -> None:
    mastodon.faults = [json_response({"error": "Record not found"}, 404)]
    report = sync_all(make_settings([mastodon.url], ["Unbekannt"]))
    assert report.servers[0].error is None
    assert warnings(caplog) == [
        f"tag_digest: {mastodon.url}: no posts for #Unbekannt (unknown tag?)"
    ]


def test_a_server_that_does_not_page_is_stopped_with_a_warning(
    mastodon: TimelineServer, make_settings: MakeSettings, caplog: pytest.LogCaptureFixture
) -> None:
    first_page = json_response(hanna()[:40])
    mastodon.faults = [first_page for _ in range(5)]
    report = sync_all(make_settings([mastodon.url], [TAG]))
    assert report.servers[0].requests == 1 + 2
    (line,) = warnings(caplog)
    assert "does not page down" in line and "#IchbinHanna" in line


# --- several servers, the token -----------------------------------------------------------


def test_the_same_post_through_two_servers_is_one_record_with_tags_merged(
    mastodon: TimelineServer, mastodon_b: TimelineServer, make_settings: MakeSettings
) -> None:
    mastodon.statuses = recent(10)
    copies = []
    for status in recent(10):  # server B knows the same posts as remote posts, one tag more
        status["id"] = str(int(status["id"]) + 12345)
        status["account"]["acct"] += "@mastodon.social"
        status["tags"].append({"name": "nurbeib", "url": "https://b.example/tags/nurbeib"})
        copies.append(status)
    mastodon_b.statuses = copies
    settings = make_settings([mastodon.url, mastodon_b.url], [TAG])
    report = sync_all(settings)
    records = load(settings)
    assert set(records) == {s["uri"] for s in copies}
    assert all(p.server == mastodon.url for p in records.values())
    assert all({"nurbeib", "ichbinhanna"} <= set(p.tags) for p in records.values())
    assert [s.new for s in report.servers] == [10, 0] and report.servers[1].updated == 10


def test_the_token_goes_only_to_the_token_server_and_nowhere_else(
    mastodon: TimelineServer,
    mastodon_b: TimelineServer,
    make_settings: MakeSettings,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = "tok-9f8e7d6c5b4a"
    monkeypatch.setenv("DIGEST_TOKEN", token)
    caplog.set_level(logging.DEBUG)
    mastodon.statuses = recent(5)
    mastodon_b.statuses = recent(5)
    settings = make_settings(
        [mastodon.url, mastodon_b.url], [TAG], DIGEST_TOKEN_SERVER=mastodon_b.url
    )
    report = sync_all(settings)
    assert all(
        s.headers.get("Authorization") == f"Bearer {token}"
        for s in mastodon_b.seen + mastodon_b.instance_seen
    )
    assert all("Authorization" not in s.headers for s in mastodon.seen + mastodon.instance_seen)
    for data in archive_bytes(settings.archive_path).values():
        assert token.encode() not in data
    assert token not in caplog.text and token not in json.dumps(report.as_json())


# --- no network, instance rules, saving as we go ------------------------------------------------


def test_no_network_is_one_warning_and_the_archive_stays(
    closed_port_url: str,
    make_settings: MakeSettings,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    settings = make_settings([closed_port_url], [TAG])
    report = sync_all(settings)
    (line,) = warnings(caplog)
    assert line.startswith("tag_digest: no network: could not reach") and closed_port_url in line
    assert report.servers[0].error and report.servers[0].unreachable


def test_an_unreachable_server_next_to_a_working_one(
    mastodon: TimelineServer,
    closed_port_url: str,
    make_settings: MakeSettings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    mastodon.statuses = recent(5)
    report = sync_all(make_settings([closed_port_url, mastodon.url], [TAG]))
    assert [s.new for s in report.servers] == [0, 5]
    (line,) = warnings(caplog)
    assert closed_port_url in line and "cannot be reached" in line


def feeds(local: str, remote: str) -> dict[str, Any]:
    instance = recorded_json("mastodon-py/test_hashtag_tl.yaml", "GET", "/api/v2/instance")
    instance["configuration"]["timelines_access"]["hashtag_feeds"] = {
        "local": local,
        "remote": remote,
    }
    return dict(instance)


def test_local_posts_behind_login_fetch_remote_posts_only(
    mastodon: TimelineServer, make_settings: MakeSettings, caplog: pytest.LogCaptureFixture
) -> None:
    statuses = recent(10)
    for number, status in enumerate(statuses):
        local = status["account"]["acct"].split("@")[0]
        status["account"]["acct"] = local if number % 2 else f"{local}@elsewhere.example"
    mastodon.statuses = statuses
    mastodon.instance = feeds("authenticated", "public")
    settings = make_settings([mastodon.url], [TAG])
    report = sync_all(settings)
    assert all(s.args.get("remote") == ["true"] for s in mastodon.seen)
    assert set(load(settings)) == {s["uri"] for s in statuses[::2]}
    assert report.total("new") == 5
    (line,) = warnings(caplog)
    assert "local posts in hashtag feeds need login" in line and "DIGEST_TOKEN" in line


def test_feeds_behind_login_without_token_is_the_one_clear_line(
    mastodon: TimelineServer, make_settings: MakeSettings, caplog: pytest.LogCaptureFixture
) -> None:
    mastodon.instance = feeds("authenticated", "authenticated")
    mastodon.statuses = recent(3)
    report = sync_all(make_settings([mastodon.url], [TAG]))
    (line,) = warnings(caplog)
    assert "set DIGEST_TOKEN" in line and "read:statuses" in line
    assert mastodon.seen == [] and report.servers[0].error


def test_feeds_behind_login_with_a_token_fetch_everything(
    mastodon: TimelineServer, make_settings: MakeSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGEST_TOKEN", "tok")
    mastodon.instance = feeds("authenticated", "authenticated")
    mastodon.statuses = recent(3)
    report = sync_all(make_settings([mastodon.url], [TAG]))
    assert report.total("new") == 3
    assert all("remote" not in s.args and "local" not in s.args for s in mastodon.seen)


def test_a_gotosocial_server_gets_one_tag_per_timeline(
    mastodon: TimelineServer, make_settings: MakeSettings
) -> None:
    # GoToSocial reads no any[]: seven tags cost seven timelines there.
    statuses = recent(14)
    tags = [TAG, "Wissenschaft", "Hochschule", "Forschung", "Lehre", "Befristung", "Arbeit"]
    for number, status in enumerate(statuses):
        retag(status, tags[number % 7])
    mastodon.statuses = statuses
    instance = recorded_json("mastodon-py/test_hashtag_tl.yaml", "GET", "/api/v2/instance")
    instance["version"] = "0.17.3+git-a1b2c3d"
    instance["source_url"] = "https://github.com/superseriousbusiness/gotosocial"
    mastodon.instance = instance
    report = sync_all(make_settings([mastodon.url], tags))
    assert report.total("new") == 14
    assert all("any[]" not in s.args for s in mastodon.seen)
    assert len({s.path for s in mastodon.seen}) == 7


def test_progress_shows_on_request_and_stays_quiet_in_ci(
    mastodon: TimelineServer, make_settings: MakeSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    mastodon.statuses = recent(5)
    report = sync_all(make_settings([mastodon.url], [TAG], DIGEST_PROGRESS=True))
    assert report.total("new") == 5
    assert f"tag_digest: {mastodon.url}: 5 new" in capsys.readouterr().out
    terminal = Console(force_terminal=True)
    assert wanted(None, terminal, {"CI": "true"}) is False
    assert wanted(None, terminal, {}) is True
    assert wanted(None, Console(force_terminal=False), {}) is False
    assert wanted(True, terminal, {"CI": "true"}) is True
    assert wanted(False, terminal, {}) is False


def test_the_archive_is_saved_after_each_server(
    mastodon: TimelineServer, mastodon_b: TimelineServer, make_settings: MakeSettings
) -> None:
    mastodon.statuses = recent(5)
    settings = make_settings([mastodon.url, mastodon_b.url], [TAG])
    on_disk_when_b_was_asked: list[int] = []

    def look(request: Any) -> Any:
        on_disk_when_b_was_asked.append(len(Archive.load(settings.archive_path)))
        return FAULTS["500"][0]()(request)

    mastodon_b.faults = [look, *(FAULTS["500"][0]() for _ in range(2))]
    sync_all(settings)
    assert on_disk_when_b_was_asked == [5]


# --- the build goes on ------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["faulty server", "no network"])
def test_a_full_build_succeeds_after_a_failed_fetch(
    mastodon: TimelineServer, closed_port_url: str, tmp_path: Path, case: str
) -> None:
    archive = tmp_path / "archive"
    mastodon.statuses = hanna()
    mastodon.faults = [mastodon.page, *(FAULTS["html-200"][0]() for _ in range(3))]
    server = mastodon.url if case == "faulty server" else closed_port_url
    content = tmp_path / "content"  # no hand-written pages: the digest alone
    content.mkdir()
    output = build(
        tmp_path,
        archive,
        PATH=str(content),
        DIGEST_SERVERS=[server],
        DIGEST_TAGS=[TAG],
        DIGEST_FETCH=True,
        DIGEST_SINCE=None,
        DIGEST_RETRIES=2,
        DIGEST_BACKOFF=0.001,
        DIGEST_PROGRESS=False,
    )
    assert (output / "index.html").is_file()
    kept = len(Archive.load(archive))
    assert kept == (
        len([s for s in hanna()[:40] if consenting(s)]) if case == "faulty server" else 0
    )
