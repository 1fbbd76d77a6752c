"""links.json, links.csv and bookmarks.html: read back with real parsers, and byte-stable."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from html.parser import HTMLParser
from pathlib import Path

from factories import mastodon_status
from tag_digest.archive.records import Post
from tag_digest.archive.statuses import from_status
from tag_digest.digest.links import Link, collect_links
from tag_digest.formats.exports import (
    CSV_COLUMNS,
    bookmarks_html,
    links_csv,
    links_json,
)
from tag_digest.site.writer import write_if_changed

TITLE = 'Обучение с учителем: <script>alert("x")</script> & "кавычки", запятые\nи строки'


def shared(n: int, when: str, urls: list[str], tags: list[str], card: str | None = None) -> Post:
    html = "".join(f'<p><a href="{u}">{u}</a></p>' for u in urls)
    return from_status(
        mastodon_status(
            n,
            created_at=when,
            content=html,
            tags=[{"name": t} for t in tags],
            card={"url": urls[0], "title": card, "provider_name": ""} if card else None,
        ),
        "https://mastodon.social",
        "2025-01-01T00:00:00.000Z",
    )


def sample_links() -> tuple[Link, ...]:
    posts = [
        shared(
            1, "2024-07-22T08:30:05.000Z", ["https://habr.com/ru/articles/829936/"], ["LLM", "SFT"]
        ),
        shared(
            2,
            "2024-12-27T09:41:12.000Z",
            ["https://habr.com/ru/articles/829936/?utm_source=x", "https://example.org/a,b"],
            ["Машинное_обучение"],
        ),
        shared(3, "2024-07-23T10:00:00.000Z", ["https://ru.wikipedia.org/wiki/Ёж"], ["llm"], TITLE),
    ]
    return collect_links(posts, lambda p: f"days/{p.created_at[:10]}/")


def test_links_json_has_the_contract_fields() -> None:
    data = json.loads(links_json(sample_links()))
    assert [d["url"] for d in data] == [  # oldest first
        "https://habr.com/ru/articles/829936/",
        "https://ru.wikipedia.org/wiki/%D0%81%D0%B6",
        "https://example.org/a,b",
    ]
    habr = data[0]
    contract = {"url", "title", "domain", "first_seen", "last_seen", "count", "tags", "posts"}
    assert contract <= set(habr)
    assert habr["count"] == 2 and habr["title"] is None and habr["domain"] == "habr.com"
    assert habr["first_seen"] == "2024-07-22T08:30:05.000Z"
    assert habr["last_seen"] == "2024-12-27T09:41:12.000Z"
    assert habr["tags"] == ["llm", "sft", "машинное_обучение"]
    assert [p["uri"] for p in habr["posts"]] == [
        "https://mastodon.social/users/a/statuses/1",
        "https://mastodon.social/users/a/statuses/2",
    ]
    assert habr["posts"][0]["digest_url"] == "days/2024-07-22/"
    assert data[1]["title"] == TITLE


def test_links_csv_reads_back_with_the_csv_module() -> None:
    text = links_csv(sample_links())
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 1 + 3
    wiki = dict(zip(CSV_COLUMNS, rows[2], strict=True))
    assert wiki["title"] == TITLE  # quotes, commas and the newline survive
    assert wiki["url"] == "https://ru.wikipedia.org/wiki/%D0%81%D0%B6"
    assert wiki["count"] == "1" and wiki["tags"] == "llm"
    habr = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert habr["posts"].split() == [
        "https://mastodon.social/users/a/statuses/1",
        "https://mastodon.social/users/a/statuses/2",
    ]
    assert habr["wayback"] == "https://web.archive.org/web/https://habr.com/ru/articles/829936/"


def test_a_title_never_becomes_a_spreadsheet_formula() -> None:
    # Card titles come from the network; a cell starting with = + - @ runs as a formula in
    # Excel and LibreOffice (CSV injection): it is kept as text behind a leading quote.
    formulas = ['=HYPERLINK("https://evil.example/","x")', "+1+1", "-2+3", "@SUM(A1)"]
    posts = [
        shared(n, f"2024-07-{10 + n}T08:00:00.000Z", [f"https://e.example/{n}"], ["llm"], title)
        for n, title in enumerate(formulas)
    ]
    links = collect_links(posts, lambda p: "days/x/")
    rows = list(csv.reader(io.StringIO(links_csv(links), newline="")))[1:]
    assert [dict(zip(CSV_COLUMNS, row, strict=True))["title"] for row in rows] == [
        "'" + title for title in formulas
    ]
    # The other exports keep the title as it is (JSON and HTML are not spreadsheets).
    assert [d["title"] for d in json.loads(links_json(links))] == formulas


class NetscapeReader(HTMLParser):
    """Reads a bookmark file the way importers do: each <A> inside <DT> is one bookmark."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bookmarks: list[dict[str, str]] = []
        self._open: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._open = {k: v or "" for k, v in attrs} | {"title": ""}

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open["title"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self.bookmarks.append(self._open)
            self._open = None


def test_bookmarks_file_is_netscape_format() -> None:
    text = bookmarks_html(sample_links(), title="Ссылки #LLM")
    lines = text.splitlines()
    assert lines[0] == "<!DOCTYPE NETSCAPE-Bookmark-file-1>"
    assert '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">' in lines
    assert "<script>" not in text
    reader = NetscapeReader()
    reader.feed(text)
    marks = reader.bookmarks
    assert [m["href"] for m in marks] == [
        "https://habr.com/ru/articles/829936/",
        "https://ru.wikipedia.org/wiki/%D0%81%D0%B6",
        "https://example.org/a,b",
    ]
    habr, wiki, other = marks
    added = dt.datetime.fromtimestamp(int(habr["add_date"]), dt.UTC)
    assert added == dt.datetime(2024, 7, 22, 8, 30, 5, tzinfo=dt.UTC)
    last = dt.datetime(2024, 12, 27, 9, 41, 12, tzinfo=dt.UTC)
    assert int(habr["last_modified"]) == int(last.timestamp())
    assert habr["tags"].split(",") == ["llm", "sft", "машинное_обучение"]
    assert habr["title"] == "habr.com/ru/articles/829936/"  # no card: the address
    assert wiki["title"] == " ".join(TITLE.split())  # escaped, on one line
    assert other["private"] == "0"
    # Chromium's importer reads line by line: every bookmark on a line of its own.
    assert sum(1 for line in lines if line.lstrip().startswith("<DT><A ")) == 3


def test_exports_are_byte_stable(tmp_path: Path) -> None:
    links = sample_links()
    shuffled = tuple(reversed(links))
    for render in (links_json, links_csv, bookmarks_html):
        assert render(links) == render(shuffled)
    target = tmp_path / "out" / "links.json"
    assert write_if_changed(target, links_json(links)) is True
    first = target.stat().st_mtime_ns
    assert write_if_changed(target, links_json(shuffled)) is False
    assert target.stat().st_mtime_ns == first
    assert write_if_changed(target, links_json(links[:1])) is True


def test_empty_collection() -> None:
    assert json.loads(links_json(())) == []
    assert list(csv.reader(io.StringIO(links_csv(())))) == [list(CSV_COLUMNS)]
    reader = NetscapeReader()
    reader.feed(bookmarks_html(()))
    assert reader.bookmarks == []
