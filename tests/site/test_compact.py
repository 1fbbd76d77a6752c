"""Compact entries (issue 14): each post in full once, on its day page; tag and week pages
show a compact h-entry linking there (``DIGEST_COMPACT_PAGES``). Real Pelican builds, and
the pure view (:func:`~.compact.compact_view`) with plain data."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path

import lxml.html
import mf2py
import pytest
from digest_support import ROOT, articles, build, iter_html, parse, write_archive
from factories import make_post, timeline_post
from tag_digest.archive.records import Post
from tag_digest.digest.periods import post_anchor
from tag_digest.errors import SettingError
from tag_digest.settings import load_settings
from tag_digest.site.compact import LINK_LIMIT, compact_view

SECRET = "Spoilersecrettext"
LINK = "https://example.org/a/very/long/path/that/goes/on/and/on/and/on/for/a/while/article.html"


def posts() -> list[Post]:
    plain = timeline_post(
        1,
        "2024-12-27T10:15:00.000Z",
        ["rstats", "dataviz"],
        f'<p>First line of the post #rstats <a href="{LINK}">{LINK}</a></p><p>More text</p>',
    )
    warned = timeline_post(
        2,
        "2024-12-26T08:00:00.000Z",
        ["rstats"],
        f'<p>{SECRET} <a href="https://example.net/hidden">example.net/hidden</a></p>',
        spoiler_text="Spoilers for <the> film",
        sensitive=True,
    )
    hostile = timeline_post(
        3,
        "2024-12-25T08:00:00.000Z",
        ["rstats"],
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; x</p>",
        name="<img src=x onerror=alert(2)>",
    )
    return [plain, warned, hostile]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("compact")
    archive = write_archive(tmp / "archive", posts())
    return build(tmp, archive, DIGEST_TAGS=["rstats"], DIGEST_PER_PAGE=2)


def compact_articles(page: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return [a for a in articles(page) if "compact" in a.get("class", "").split()]


def full_link(path: Path, article: lxml.html.HtmlElement) -> tuple[Path, str]:
    (href,) = article.xpath(".//a[contains(@class, 'p-summary')]/@href")
    target, _, anchor = href.partition("#")
    return (path.parent / target).resolve(), anchor


def test_tag_and_week_pages_hold_compact_entries_that_link_to_the_full_one(site: Path) -> None:
    checked = 0
    for path in iter_html(site):
        kind = path.relative_to(site).parts[0]
        page = parse(path)
        compact = compact_articles(page)
        if kind in ("tags", "weeks"):
            assert compact and len(compact) == len(articles(page)), path
        elif kind == "days":
            assert not compact and articles(page), path
        for article in compact:
            uri = article.get("data-uri")
            target, anchor = full_link(path, article)
            assert anchor == post_anchor(uri)
            assert target.is_relative_to(site / "days") and target.is_file(), (path, target)
            holders = parse(target).xpath(f'//div[@id="{anchor}"]')
            assert len(holders) == 1 and articles(holders[0])[0].get("data-uri") == uri
            assert article.xpath("string(.//a[contains(@class, 'p-summary')])")
            checked += 1
    assert checked == 3 + 3  # three posts on #rstats's pages, three on the week's


def test_a_compact_entry_is_a_one_line_h_entry(site: Path) -> None:
    """Author, time linking to the original (u-url), first line linking to the full entry,
    the shared link."""
    path = site / "tags" / "rstats" / "index.html"
    day = parse(site / "days" / "2024-12-27" / "index.html")
    compact = compact_articles(parse(path))[0]
    full = articles(day)[0]
    assert compact.get("data-uri") == full.get("data-uri")
    (full_href,) = compact.xpath(".//a[contains(@class, 'p-summary')]/@href")
    (entry,) = [
        i
        for i in mf2py.parse(
            doc=path.read_text(encoding="utf-8"), url="https://d.example/tags/rstats/"
        )["items"]
        if i["properties"].get("summary", [""])[0].startswith("First line of the post")
    ]
    props = entry["properties"]
    assert "content" not in props and "category" not in props
    (summary,) = props["summary"]
    assert summary.startswith("First line of the post #rstats") and len(summary) <= 80
    assert props["url"] == ["https://mastodon.social/@a/1"]  # the original, as on the full entry
    assert full_href.startswith("../../days/2024-12-27/index.html#p-")
    assert props["author"][0]["properties"]["name"] == ["Автор"]
    assert props["published"] == ["2024-12-27T10:15:00Z"]
    (shared,) = compact.xpath(".//a[@class='link']")
    assert shared.get("href") == LINK and shared.get("rel") == "nofollow noopener ugc"
    label = shared.text_content()
    assert not label.startswith("http") and len(label) <= LINK_LIMIT
    assert label.startswith("example.org/a/very/long/") and label.endswith("…")


def test_a_content_warning_is_shown_and_never_the_text_behind_it(site: Path) -> None:
    for path in [
        site / "tags" / "rstats" / "index.html",
        site / "weeks" / "2024-W52" / "index.html",
    ]:
        page = parse(path)
        (warned,) = [a for a in compact_articles(page) if a.get("data-uri").endswith("/2")]
        assert (
            warned.xpath("string(.//*[contains(@class, 'p-summary')])") == "Spoilers for <the> film"
        )
        assert "Предупреждение о содержимом" in warned.text_content()
        html = lxml.html.tostring(warned, encoding="unicode")
        assert SECRET not in html and "example.net" not in html
        assert "&lt;the&gt;" in html
        assert SECRET not in path.read_text(encoding="utf-8")
    assert SECRET in (site / "days" / "2024-12-26" / "index.html").read_text(encoding="utf-8")


def test_texts_from_the_network_are_escaped(site: Path) -> None:
    pages = sorted((site / "tags" / "rstats").rglob("index.html"))
    html = "".join(page.read_text(encoding="utf-8") for page in pages)
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html


def test_no_compact_pages_gives_full_entries_everywhere(tmp_path: Path) -> None:
    archive = write_archive(tmp_path / "archive", posts())
    output = build(tmp_path, archive, DIGEST_TAGS=["rstats"], DIGEST_COMPACT_PAGES=[])
    for path in [
        output / "tags" / "rstats" / "index.html",
        output / "weeks" / "2024-W52" / "index.html",
    ]:
        page = parse(path)
        assert len(articles(page)) == 3 and not compact_articles(page)
        assert "First line of the post" in page.xpath(
            "string(//div[contains(@class, 'e-content')])"
        )


def test_weeks_alone_can_be_compact(tmp_path: Path) -> None:
    archive = write_archive(tmp_path / "archive", posts())
    output = build(tmp_path, archive, DIGEST_TAGS=["rstats"], DIGEST_COMPACT_PAGES=["weeks"])
    assert not compact_articles(parse(output / "tags" / "rstats" / "index.html"))
    assert len(compact_articles(parse(output / "weeks" / "2024-W52" / "index.html"))) == 3


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (["days"], ["'days'", "in full"]),
        (["tags", "pages"], ["'pages'", '"tags"', '"weeks"']),
        ("tags", ["expected a list"]),
        ([1], ["expected a list"]),
    ],
)
def test_a_bad_value_is_one_line_naming_the_setting(value: object, words: list[str]) -> None:
    with pytest.raises(SettingError) as error:
        load_settings({"DIGEST_COMPACT_PAGES": value}, base=Path("."))
    message = str(error.value)
    assert message.startswith("DIGEST_COMPACT_PAGES: ") and "\n" not in message
    assert all(word in message for word in words), message


def test_a_bad_value_stops_the_build_with_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    archive = write_archive(tmp_path / "archive", posts())
    with pytest.raises(SystemExit) as stop:
        build(tmp_path, archive, DIGEST_TAGS=["rstats"], DIGEST_COMPACT_PAGES=["days"])
    assert stop.value.code == 1
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and errors[0].startswith("tag_digest: DIGEST_COMPACT_PAGES: ")


def test_the_default_is_tags_and_weeks() -> None:
    assert load_settings({}, base=Path(".")).compact_pages == {"tags", "weeks"}
    assert load_settings({"DIGEST_COMPACT_PAGES": []}, base=Path(".")).compact_pages == set()


# -- the pure view ------------------------------------------------------------------------

TZ = dt.timezone(dt.timedelta(hours=3))


def test_the_view_shows_the_title_and_the_first_link_without_its_scheme() -> None:
    post = make_post(4, tags=("llm", "ai"))
    view = compact_view(
        post,
        title="Пост номер 4",
        links=("https://habr.com/ru/articles/%D0%B0/", "https://other.example/"),
        full="days/2024-12-05/index.html#p-1",
        tz=TZ,
    )
    assert (view.line, view.warning) == ("Пост номер 4", False)
    assert view.link == "https://habr.com/ru/articles/%D0%B0/"
    assert view.link_label == "habr.com/ru/articles/а/"
    assert view.full == "days/2024-12-05/index.html#p-1"
    assert (view.time, view.published) == ("13:04", "2024-12-05T10:04:00.000Z")
    assert view.uri == post.uri
    assert view.author.name == "Автор" and view.url == "https://example.social/@a/4"


def test_the_view_of_a_warned_post_has_the_warning_and_no_link() -> None:
    post = make_post(5, spoiler_text="  CW:\tfood \x07 ", content="<p>hidden</p>")
    view = compact_view(post, title="hidden", links=("https://x.example/",), full="d", tz=TZ)
    assert (view.line, view.warning, view.link, view.link_label) == ("CW: food", True, None, "")


def test_the_view_keeps_only_web_links_and_bounds_the_line() -> None:
    post = replace(make_post(6), language="not a language!")
    view = compact_view(post, title="x" * 200, links=("javascript:alert(1)",), full="d", tz=TZ)
    assert view.link is None and view.lang is None
    long_warning = compact_view(
        replace(post, spoiler_text="word " * 40), title="", links=(), full="d", tz=TZ
    )
    assert len(long_warning.line) <= 80 and long_warning.line.endswith("…")


def test_a_link_follows_its_post_when_the_day_page_it_was_on_changes(tmp_path: Path) -> None:
    """The tag page's own posts are unchanged, but a newer post of another tag moves its
    post to another page of the day: the tag page is rendered again with the new link."""
    older = timeline_post(1, "2024-12-27T09:00:00.000Z", ["rstats"], "<p>Older post</p>")
    newer = timeline_post(2, "2024-12-27T11:00:00.000Z", ["other"], "<p>Newer post</p>")
    settings = {"DIGEST_TAGS": ["rstats", "other"], "DIGEST_PER_PAGE": 1}
    output = build(tmp_path, write_archive(tmp_path / "archive", [older]), **settings)
    tag_page = output / "tags" / "rstats" / "index.html"

    def resolves() -> bool:
        (article,) = compact_articles(parse(tag_page))
        target, anchor = full_link(tag_page, article)
        return target.is_file() and len(parse(target).xpath(f'//div[@id="{anchor}"]')) == 1

    assert resolves()
    build(tmp_path, write_archive(tmp_path / "archive", [older, newer]), **settings)
    assert len(list((output / "days" / "2024-12-27").rglob("index.html"))) == 2
    assert resolves()


def test_a_theme_that_predates_compact_entries_shows_full_posts(tmp_path: Path) -> None:
    """A site's own copy of the digest templates from before compact entries keeps its posts."""
    theme = tmp_path / "old-theme"
    shutil.copytree(ROOT / "theme", theme)
    digest_dir = theme / "templates" / "digest"
    (digest_dir / "compact.html").unlink()
    week = (digest_dir / "week.html").read_text(encoding="utf-8")
    start, end = week.index("{% if section.compact %}"), week.index("{% endif %}\n</section>")
    old_week = week[:start] + "{% with entries = section.entries %}"
    old_week += '{% include "digest/entries.html" %}{% endwith %}\n' + week[end + 12 :]
    (digest_dir / "week.html").write_text(old_week, encoding="utf-8")
    days = (digest_dir / "days.html").read_text(encoding="utf-8")
    start, end = days.index("{% if compact %}"), days.index("{% else %}\n") + 10
    old_days = days[:start] + days[end:].replace("{% endfor %}\n{% endif %}\n", "{% endfor %}\n", 1)
    (digest_dir / "days.html").write_text(old_days, encoding="utf-8")
    assert (
        "compact" not in old_week.split("-#}", 1)[1] and "compact" not in old_days.split("-#}")[1]
    )
    archive = write_archive(tmp_path / "archive", posts())
    output = build(tmp_path, archive, DIGEST_TAGS=["rstats"], THEME=str(theme))
    for path in [
        output / "tags" / "rstats" / "index.html",
        output / "weeks" / "2024-W52" / "index.html",
    ]:
        page = parse(path)
        assert len(articles(page)) == 3 and not compact_articles(page), path
