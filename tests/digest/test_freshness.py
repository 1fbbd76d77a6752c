"""Readers see how fresh the digest is (issue 15): the last successful fetch in every footer.

The moment comes from ``state.json``'s ``last_success`` in the archive, never from the
build time; past ``DIGEST_STALE_DAYS`` the pages say so in words. Real Pelican builds.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import lxml.html
import pytest
from digest_support import ROOT, build, parse
from tag_digest.archive.state import STATE_FILE, FetchState, last_success
from tag_digest.digest.dates import Dates
from tag_digest.digest.freshness import freshness
from tag_digest.digest.strings import catalogue
from tag_digest.errors import SettingError
from tag_digest.settings import load_settings
from tag_digest.times import format_time

DEFAULT_ARCHIVE = ROOT / "content" / "archive"
MOSCOW = dt.timezone(dt.timedelta(hours=3))
# The page kinds every digest build writes; a search page, where there is one, is checked too.
PAGE_KINDS = ("index.html", "tags/", "weeks/", "days/", "archive/index.html", "links/")


def archive_fetched(tmp_path: Path, when: dt.datetime | None) -> Path:
    """A copy of the shipped archive whose last successful fetch was at ``when``."""
    archive = tmp_path / "archive"
    shutil.copytree(DEFAULT_ARCHIVE, archive)
    (archive / STATE_FILE).unlink(missing_ok=True)
    if when is not None:
        state = FetchState(archive / STATE_FILE)
        state.last_success = format_time(when)
        assert state.save()
    return archive


def footer_pages(output: Path) -> dict[str, lxml.html.HtmlElement]:
    """Every page with the theme's footer, by its path in the output."""
    pages = {}
    for path in sorted(output.rglob("*.html")):
        page = parse(path)
        if page.xpath('//footer[contains(@class, "site-foot")]'):
            pages[path.relative_to(output).as_posix()] = page
    return pages


def assert_every_kind(pages: dict[str, lxml.html.HtmlElement]) -> None:
    for kind in PAGE_KINDS:
        assert any(p == kind or p.startswith(kind) for p in pages), f"no {kind} page built"


def fetched_times(page: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return page.xpath('//footer[contains(@class, "site-foot")]//time[@data-fetched]')


def stale_notices(page: lxml.html.HtmlElement) -> list[str]:
    return [" ".join(p.text_content().split()) for p in page.xpath("//*[@data-stale]")]


def test_an_archive_fetched_ten_days_ago_says_so_on_every_page(tmp_path: Path) -> None:
    when = (dt.datetime.now(dt.UTC) - dt.timedelta(days=10, hours=2)).replace(microsecond=0)
    site = build(tmp_path, archive_fetched(tmp_path, when))

    pages = footer_pages(site)
    assert_every_kind(pages)
    expected_iso = when.astimezone(MOSCOW).isoformat()
    for name, page in pages.items():
        (time,) = fetched_times(page)
        assert time.get("datetime") == expected_iso, name
        assert str(when.astimezone(MOSCOW).year) in time.text_content(), name
        assert "Посты загружены" in time.getparent().text_content(), name
        notices = stale_notices(page)
        assert len(notices) == 1, name
        assert "устаревшим" in notices[0] and "10 дней" in notices[0], name
        # The notice stands above the content, where a reader starts.
        assert page.xpath("//main/*[1][@data-stale]"), name


def test_a_fresh_archive_shows_its_time_and_no_notice(tmp_path: Path) -> None:
    when = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=5)).replace(microsecond=0)
    site = build(tmp_path, archive_fetched(tmp_path, when))

    pages = footer_pages(site)
    assert_every_kind(pages)
    for name, page in pages.items():
        (time,) = fetched_times(page)
        assert time.get("datetime") == when.astimezone(MOSCOW).isoformat(), name
        assert stale_notices(page) == [], name


def test_the_time_comes_from_the_archive_not_the_build(tmp_path: Path) -> None:
    """Rebuilding the same output with an older fetch state re-renders every page."""
    archive = archive_fetched(tmp_path, dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    site = build(tmp_path, archive)
    assert all(stale_notices(p) == [] for p in footer_pages(site).values())

    old = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    state, problem = FetchState.load(archive)
    assert problem is None
    state.last_success = format_time(old)
    state.save()
    site = build(tmp_path, archive)  # same output and cache: an incremental build

    for name, page in footer_pages(site).items():
        (time,) = fetched_times(page)
        assert time.get("datetime") == "2025-01-02T06:04:05+03:00", name
        assert len(stale_notices(page)) == 1, name


def test_an_archive_never_fetched_says_so(tmp_path: Path) -> None:
    site = build(tmp_path, archive_fetched(tmp_path, None))

    pages = footer_pages(site)
    assert_every_kind(pages)
    for name, page in pages.items():
        assert fetched_times(page) == [], name
        footer = page.xpath('//footer[contains(@class, "site-foot")]')[0]
        assert "Посты ещё не загружались" in footer.text_content(), name
        assert stale_notices(page) == [], name


def test_english_words_and_a_longer_stale_limit(tmp_path: Path) -> None:
    when = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)
    archive = archive_fetched(tmp_path, when)
    site = build(tmp_path, archive, DEFAULT_LANG="en", DIGEST_STALE_DAYS=30)
    page = parse(site / "index.html")
    (time,) = fetched_times(page)
    assert "Posts last fetched" in time.getparent().text_content()
    assert stale_notices(page) == []

    site = build(tmp_path / "again", archive, DEFAULT_LANG="en", DIGEST_STALE_DAYS=9.5)
    (notice,) = stale_notices(parse(site / "index.html"))
    assert notice == (
        "This digest may be out of date: its posts were last fetched 10 days ago, "
        "so newer posts are missing."
    )


# --- the parts, with plain data ----------------------------------------------


NOW = dt.datetime(2025, 3, 10, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("age", "stale"),
    [
        (dt.timedelta(0), None),
        (dt.timedelta(days=7), None),
        (dt.timedelta(days=7, seconds=1), "7 days"),
        (dt.timedelta(days=8, hours=23), "8 days"),
        (dt.timedelta(days=400), "400 days"),
        (-dt.timedelta(hours=1), None),  # a clock ahead of the builder's is not stale
    ],
)
def test_freshness_is_stale_past_the_limit(age: dt.timedelta, stale: str | None) -> None:
    dates = Dates("en", "UTC")
    words = catalogue("en")
    result = freshness(NOW - age, NOW, 7, dates, words)
    assert result.iso == (NOW - age).isoformat()
    assert result.when == dates.moment(NOW - age)
    if stale is None:
        assert result.stale is None
    else:
        assert result.stale == words["stale_notice"].format(age=stale)


def test_freshness_of_an_archive_never_fetched() -> None:
    result = freshness(None, NOW, 7, Dates("ru", "Europe/Moscow"), catalogue("ru"))
    assert (result.iso, result.when, result.stale) == (None, "", None)


def test_russian_days_take_their_plural_form() -> None:
    dates, words = Dates("ru", "Europe/Moscow"), catalogue("ru")
    for days, form in ((21, "21 день"), (22, "22 дня"), (25, "25 дней")):
        notice = freshness(NOW - dt.timedelta(days=days), NOW, 7, dates, words).stale
        assert notice is not None and form in notice


def test_state_keeps_last_success_and_writes_it_alone(tmp_path: Path) -> None:
    state = FetchState(tmp_path / STATE_FILE)
    assert last_success(tmp_path) is None
    state.last_success = "2025-03-01T04:17:00.000Z"
    assert state.save()  # written although no timeline has a cursor yet
    data = json.loads((tmp_path / STATE_FILE).read_text(encoding="utf-8"))
    assert data == {"format": 1, "last_success": "2025-03-01T04:17:00.000Z", "servers": {}}
    assert last_success(tmp_path) == dt.datetime(2025, 3, 1, 4, 17, tzinfo=dt.UTC)
    loaded, problem = FetchState.load(tmp_path)
    assert problem is None and loaded.last_success == "2025-03-01T04:17:00.000Z"
    assert not loaded.save()  # unchanged: not rewritten


@pytest.mark.parametrize("value", ["yesterday", 17, None, ""])
def test_a_bad_last_success_reads_as_never(tmp_path: Path, value: object) -> None:
    (tmp_path / STATE_FILE).write_text(
        json.dumps({"format": 1, "last_success": value, "servers": {}}), encoding="utf-8"
    )
    assert last_success(tmp_path) is None


def test_a_state_file_without_last_success_is_unchanged_by_loading(tmp_path: Path) -> None:
    text = json.dumps({"format": 1, "servers": {}}, indent=2, sort_keys=True) + "\n"
    (tmp_path / STATE_FILE).write_text(text, encoding="utf-8")
    state, _ = FetchState.load(tmp_path)
    assert state.last_success is None
    assert state.render() == text


@pytest.mark.parametrize(
    ("value", "problem"), [(-1, "from 0 to 3,650 days"), ("7", "a number"), (True, "")]
)
def test_digest_stale_days_is_validated(value: object, problem: str) -> None:
    with pytest.raises(SettingError) as caught:
        load_settings({"DIGEST_STALE_DAYS": value}, base=ROOT)
    assert "DIGEST_STALE_DAYS" in str(caught.value) and problem in str(caught.value)
    assert load_settings({}, base=ROOT).stale_days == 7
    assert load_settings({"DIGEST_STALE_DAYS": 2.5}, base=ROOT).stale_days == 2.5
