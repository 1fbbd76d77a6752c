"""Timeline paging against a real server on 127.0.0.1 serving recorded statuses."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
from corpus_server import (
    FAULTS,
    TimelineServer,
    hanna,
    iso,
    json_response,
    restamp,
    retag,
    spread,
    toots,
)
from factories import client_for as shared_client_for
from tag_digest.errors import ServerFaultError
from tag_digest.fetch.client import ApiClient
from tag_digest.fetch.instance import InstanceInfo, batch_size
from tag_digest.fetch.screen import screen_page
from tag_digest.fetch.timeline import (
    EMPTY,
    END,
    FAULT,
    KNOWN,
    MAX_PAGES,
    SINCE,
    STUCK,
    Batch,
    StopRule,
    make_batches,
    scan_timeline,
    scan_top,
    timeline_path,
)
from werkzeug import Request, Response

NOW = dt.datetime.now(dt.UTC)
SEVEN = ["IchbinHanna", "fgiztsshwiaqqiztpmmjbtvmescsculuvmgjgopwoeidbcrixp", "Машинное_обучение",
         "LLM", "Supervised_finetuning", "NLP", "Нейросети"]  # fmt: skip


def client_for(server: TimelineServer, retries: int = 1) -> ApiClient:
    """The shared factory for ``server``, with the client's own timeout (pages are slow)."""
    return shared_client_for(server.url, retries=retries, timeout=20.0)


def ids(statuses: list[dict[str, Any]]) -> list[str]:
    return [s["id"] for s in statuses]


def test_a_first_fetch_pages_through_everything(mastodon: TimelineServer) -> None:
    mastodon.statuses = hanna()
    with client_for(mastodon) as client:
        scan = scan_top(client, Batch(("IchbinHanna",)), StopRule(now=NOW), max_pages=100)
    assert scan.reason == END and scan.complete
    assert ids(scan.statuses) == ids(hanna())
    assert scan.pages == math.ceil(160 / 40) + 1 == client.requests
    # Each next query built from the lowest id of the page before, never from Link.
    max_ids = [args.get("max_id") for args in mastodon.timeline_args()]
    assert max_ids == [None, *[[hanna()[n]["id"]] for n in (39, 79, 119, 159)]]
    assert all(args["limit"] == ["40"] for args in mastodon.timeline_args())


def test_two_recorded_timelines_in_one_batch_cost_ceil_n_over_40_plus_one(
    mastodon: TimelineServer,
) -> None:
    # The 30 statuses of a Mastodon 4.6 tag timeline (recorded in pages of 10) and the
    # 160 of #ichbinhanna, re-paginated together by 40.
    mixed = hanna() + toots()
    mastodon.statuses = mixed
    batch = Batch(("IchbinHanna", "fgiztsshwiaqqiztpmmjbtvmescsculuvmgjgopwoeidbcrixp"))
    with client_for(mastodon) as client:
        scan = scan_top(client, batch, StopRule(now=NOW), max_pages=100)
    assert sorted(ids(scan.statuses)) == sorted(ids(mixed))
    assert len(mixed) == 190 and client.requests == math.ceil(190 / 40) + 1


def test_seven_tags_make_two_timelines_with_any_and_cyrillic(mastodon: TimelineServer) -> None:
    statuses = hanna()[:70]
    for number, status in enumerate(statuses):
        retag(status, SEVEN[number % 7])
    mastodon.statuses = statuses
    batches = make_batches(SEVEN, batch_size(InstanceInfo()))
    assert [b.tags for b in batches] == [tuple(SEVEN[:4]), tuple(SEVEN[4:])]
    found: list[dict[str, Any]] = []
    with client_for(mastodon) as client:
        for batch in batches:
            found += scan_top(client, batch, StopRule(now=NOW), max_pages=10).statuses
    assert sorted(ids(found)) == sorted(ids(statuses))
    paths = {s.path for s in mastodon.seen}
    assert paths == {
        "/api/v1/timelines/tag/IchbinHanna",
        "/api/v1/timelines/tag/Supervised_finetuning",
    }
    first, second = mastodon.seen[0], mastodon.seen[-1]
    assert first.args["any[]"] == SEVEN[1:4]  # Cyrillic arrives intact
    assert second.args["any[]"] == ["NLP", "Нейросети"]
    # Every page, not only the first, carried any[]: the Link header was not followed.
    assert all("any[]" in s.args for s in mastodon.seen)
    assert timeline_path("Машинное_обучение") == (
        "/api/v1/timelines/tag/%D0%9C%D0%B0%D1%88%D0%B8%D0%BD%D0%BD%D0%BE%D0%B5_"
        "%D0%BE%D0%B1%D1%83%D1%87%D0%B5%D0%BD%D0%B8%D0%B5"
    )


def test_why_four_a_fifth_tag_would_be_dropped_by_mastodon(mastodon: TimelineServer) -> None:
    # Mastodon keeps the first 4 names of [path tag] | any[]: a batch of five loses the fifth.
    statuses = hanna()[:50]
    for number, status in enumerate(statuses):
        retag(status, SEVEN[number % 5])
    mastodon.statuses = statuses
    with client_for(mastodon) as client:
        five = scan_top(client, Batch(tuple(SEVEN[:5])), StopRule(now=NOW), max_pages=10)
    assert {s["tags"][0]["name"] for s in five.statuses} == {t.lower() for t in SEVEN[:4]}
    assert len(five.statuses) == 40


def test_a_cyrillic_path_tag_is_percent_encoded_utf8(mastodon: TimelineServer) -> None:
    mastodon.statuses = [retag(s, "Машинное_обучение") for s in hanna()[:3]]
    with client_for(mastodon) as client:
        scan = scan_top(client, Batch(("Машинное_обучение",)), StopRule(now=NOW), max_pages=5)
    assert len(scan.statuses) == 3
    assert mastodon.seen[0].raw_uri.startswith("/api/v1/timelines/tag/%D0%9C%D0%B0%D1%88")


def test_since_stops_the_walk_and_drops_older_posts(mastodon: TimelineServer) -> None:
    mastodon.statuses = hanna()
    since = dt.datetime.fromisoformat(hanna()[50]["created_at"].replace("Z", "+00:00"))
    with client_for(mastodon) as client:
        scan = scan_top(
            client, Batch(("IchbinHanna",)), StopRule(now=NOW, since=since), max_pages=100
        )
    assert scan.reason == SINCE and scan.complete
    assert ids(scan.statuses) == ids(hanna()[:51])
    assert client.requests == 2
    assert scan.dropped["before DIGEST_SINCE"] == 29


def test_an_incremental_walk_stops_below_known_ids_and_the_window(mastodon: TimelineServer) -> None:
    statuses = spread(hanna(), NOW - dt.timedelta(minutes=5), dt.timedelta(hours=2))
    mastodon.statuses = statuses
    # 50 new posts since the last run; the last run had seen up to statuses[50].
    rule = StopRule(now=NOW, known_id=statuses[50]["id"], window_start=NOW - dt.timedelta(days=2))
    with client_for(mastodon) as client:
        scan = scan_top(client, Batch(("IchbinHanna",)), rule, max_pages=100)
    assert scan.reason == KNOWN and scan.complete
    assert client.requests <= 3  # issue 6: at most 3 requests for 50 new posts
    window = [s for s in statuses if s["created_at"] >= iso(NOW - dt.timedelta(days=2))]
    assert set(ids(window)) <= set(ids(scan.statuses))  # the whole window was re-read


def test_max_pages_cuts_the_walk_and_leaves_a_cursor(mastodon: TimelineServer) -> None:
    mastodon.statuses = hanna()
    with client_for(mastodon) as client:
        scan = scan_top(client, Batch(("IchbinHanna",)), StopRule(now=NOW), max_pages=2)
    assert scan.reason == MAX_PAGES and not scan.complete
    assert scan.cursor == hanna()[79]["id"] and len(scan.statuses) == 80
    with client_for(mastodon) as client:
        rest = scan_timeline(
            client, Batch(("IchbinHanna",)), StopRule(now=NOW), max_pages=10, start_id=scan.cursor
        )
    assert ids(scan.statuses + rest.statuses) == ids(hanna())


def test_a_fault_midway_keeps_the_pages_before_it(mastodon: TimelineServer) -> None:
    mastodon.statuses = hanna()
    normal = mastodon.page
    mastodon.faults = [normal, normal, *(FAULTS["503"][0]() for _ in range(2))]
    with client_for(mastodon) as client:
        scan = scan_top(client, Batch(("IchbinHanna",)), StopRule(now=NOW), max_pages=100)
    assert scan.reason == FAULT and isinstance(scan.error, ServerFaultError)
    assert ids(scan.statuses) == ids(hanna()[:80]) and scan.cursor == hanna()[79]["id"]


def test_an_unknown_path_tag_is_rotated_out_of_the_batch(mastodon: TimelineServer) -> None:
    mastodon.statuses = hanna()[:10]
    batch = Batch(("NoSuchTagHere", "IchbinHanna"))
    with client_for(mastodon) as client:
        scan = scan_top(client, batch, StopRule(now=NOW), max_pages=100)
    assert len(scan.statuses) == 10
    assert [s.path.rsplit("/", 1)[1] for s in mastodon.seen] == [
        "NoSuchTagHere",
        "IchbinHanna",
        "IchbinHanna",
    ]


@pytest.mark.parametrize("answer", ["empty", "404"])
def test_a_batch_with_no_known_tag_is_empty(mastodon: TimelineServer, answer: str) -> None:
    if answer == "404":
        mastodon.faults = [json_response({"error": "Record not found"}, 404) for _ in range(2)]
    with client_for(mastodon) as client:
        scan = scan_top(client, Batch(("Nothing", "Nowhere")), StopRule(now=NOW), max_pages=100)
    assert scan.reason == EMPTY and scan.statuses == [] and scan.error is None
    assert client.requests == 2


def test_a_server_that_ignores_max_id_is_stopped(mastodon: TimelineServer) -> None:
    page = hanna()[:40]

    def same_page(request: Request) -> Response:
        return json_response(page)(request)

    mastodon.faults = [same_page for _ in range(10)]
    with client_for(mastodon) as client:
        scan = scan_top(client, Batch(("IchbinHanna",)), StopRule(now=NOW), max_pages=100)
    assert scan.reason == STUCK and not scan.complete
    assert client.requests == 2 and len(scan.statuses) == 40
    assert scan.dropped["duplicate"] == 40


def test_hostile_pages_are_screened(mastodon: TimelineServer) -> None:
    good = hanna()[:4]
    untagged = retag(hanna()[4], "SomethingElse")
    future = restamp(hanna()[5], NOW + dt.timedelta(days=400))
    page: list[Any] = [*good, "a string", 42, None, {"no": "id"}, good[0], untagged, future]
    mastodon.faults = [json_response(page), json_response([])]
    with client_for(mastodon) as client:
        scan = scan_top(client, Batch(("IchbinHanna",)), StopRule(now=NOW), max_pages=100)
    assert ids(scan.statuses) == ids(good)
    assert scan.dropped == {
        "not a status": 4,
        "duplicate": 1,
        "none of the batch's tags": 1,
        "dated in the future": 1,
    }


def test_a_page_that_is_not_a_list_is_a_fault(mastodon: TimelineServer) -> None:
    mastodon.faults = [json_response({"statuses": hanna()[:3]}) for _ in range(2)]
    with client_for(mastodon) as client:
        scan = scan_top(client, Batch(("IchbinHanna",)), StopRule(now=NOW), max_pages=100)
    assert scan.reason == FAULT and "where a list was expected" in str(scan.error)


def test_screen_page_keeps_order_and_finds_the_next_cursor() -> None:
    page = hanna()[:40]
    screened = screen_page(page, frozenset({"ichbinhanna"}), NOW, set())
    assert ids(screened.kept) == ids(page)
    assert screened.min_id == page[-1]["id"]
    assert screened.oldest is not None and iso(screened.oldest) == page[-1]["created_at"]
