"""Site search: which posts are indexed, what a record holds, and the index of real builds."""

from __future__ import annotations

import datetime as dt
import json
import logging
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from digest_support import ROOT, build, parse, write_archive
from search_support import TAGS, indexed, post, with_card
from tag_digest.archive.records import from_json, to_json_line
from tag_digest.archive.shards import Archive
from tag_digest.archive.statuses import from_status
from tag_digest.digest.periods import post_anchor
from tag_digest.site.fragment_text import fragment_text
from tag_digest.site.search import search_record, searchable, start_of


def test_only_an_author_who_said_indexable_is_searchable() -> None:
    assert searchable(post(1, "x", indexable=True))
    assert not searchable(post(2, "x", indexable=False))
    assert not searchable(post(3, "x", indexable=None))  # unknown: as Mastodon does
    assert not searchable(post(4, "x").tombstone("2024-12-11T00:00:00.000Z"))


def test_the_archive_keeps_indexable_and_old_lines_keep_their_bytes() -> None:
    status = {
        "uri": "https://example.social/users/a/statuses/1",
        "created_at": "2024-12-10T10:00:00.000Z",
        "content": "<p>x</p>",
        "account": {"acct": "a", "indexable": False},
    }
    record = from_status(status, "https://example.social", "2024-12-28T00:00:00.000Z")
    assert record.account.indexable is False
    line = to_json_line(record)
    assert json.loads(line)["account"]["indexable"] is False
    assert from_json(json.loads(line)) == record
    old = json.loads(line)
    del old["account"]["indexable"]  # a line written before the field existed
    loaded = from_json(old)
    assert loaded.account.indexable is None
    assert to_json_line(loaded) == json.dumps(old, ensure_ascii=False, separators=(",", ":"))
    status["account"] = {"acct": "a", "indexable": "true"}  # not a boolean: unknown
    assert from_status(status, "https://example.social", "").account.indexable is None


def test_fragment_text_is_the_body_without_hidden_url_parts() -> None:
    fragment = (
        '<article class="h-entry"><header>Автор 1 10:00</header>'
        '<div class="e-content content"><p>Первая строка</p><p>вторая '
        '<a href="https://habr.com/x"><span class="invisible">https://</span>habr.com/x</a></p>'
        "</div></article>"
    )
    assert fragment_text(fragment) == "Первая строка вторая habr.com/x"
    assert fragment_text("<p>no post</p>") == ""


def test_a_record_holds_text_warning_card_title_and_domains() -> None:
    p = with_card(
        replace(post(1, "x", language="<script>"), spoiler_text="Спойлер"),
        "Заголовок карточки",
        "https://habr.com/ru/articles/1/",
    )
    fragment = '<article><div class="e-content"><p>Текст поста про кошек</p></div></article>'
    record = search_record(
        p,
        url="days/2024-12-10/index.html#p-1",
        fragment=fragment,
        links=("https://www.habr.com/ru/articles/1/", "https://example.org/a"),
        tags=["Supervised_finetuning"],
        local_date=dt.date(2024, 12, 10),
        day_label="10 декабря 2024 г.",
        site_lang="ru-RU",
        cw_label="Предупреждение",
    )
    assert record.content.split("\n") == [
        "Спойлер",
        "Текст поста про кошек",
        "Заголовок карточки",
        "example.org habr.com",
    ]
    assert record.language == "ru"
    assert record.meta["title"] == "Автор 1"
    assert record.meta["start"] == "Предупреждение: Спойлер"  # the warning, not what it hides
    assert record.meta["date"] == "2024-12-10"
    assert record.filters == {"tag": ["#Supervised_finetuning"], "month": ["2024-12"]}
    plain = search_record(
        replace(p, spoiler_text="", language="en"),
        url="u",
        fragment=fragment,
        links=(),
        tags=[],
        local_date=dt.date(2024, 12, 10),
        day_label="",
        site_lang="ru",
        cw_label="",
    )
    assert plain.meta["start"] == "Текст поста про кошек"
    assert plain.filters["language"] == ["en"]


def test_start_of_cuts_at_a_word() -> None:
    assert start_of("короткий текст") == "короткий текст"
    cut = start_of("слово " * 100, limit=50)
    assert cut.endswith("слово…") and len(cut) <= 51


def test_one_record_per_searchable_post_leading_to_its_day_page(tmp_path: Path) -> None:
    posts = [
        post(1, "Кошка сидит на окне"),
        post(2, "Собака спит", indexable=False),
        post(3, "Птица поёт", indexable=None),
        post(4, "Кошка и LLM", tags=("llm", "supervised_finetuning"), day="2024-11-05"),
        post(5, "Чужой тег", tags=("other",)),
    ]
    archive = write_archive(tmp_path / "archive", posts)
    output = build(tmp_path, archive, DIGEST_TAGS=TAGS)
    records = indexed(output)
    assert [r["url"] for r in records] == [
        f"days/2024-11-05/index.html#{post_anchor(posts[3].uri)}",
        f"days/2024-12-10/index.html#{post_anchor(posts[0].uri)}",
    ]
    assert records[0]["filters"] == {
        "tag": ["#Supervised_finetuning", "#LLM"],
        "month": ["2024-11"],
        "language": ["ru"],
    }
    assert records[1]["meta"]["title"] == "Автор 1"
    assert "Кошка сидит на окне" in records[1]["content"]
    assert "Supervised" not in records[1]["content"]  # no page chrome, no tag bar
    # The unsearchable posts are still on the site.
    day = parse(output / "days" / "2024-12-10" / "index.html")
    for p in posts[:3]:
        assert day.get_element_by_id(post_anchor(p.uri)) is not None
    # Every page links the search page, which has the tag and month filters.
    for page in ("index.html", "days/2024-12-10/index.html", "archive/index.html"):
        links = parse(output / page).xpath('//nav//a[contains(@href, "search/")]')
        assert len(links) == 1 and links[0].text == "Поиск"
    search = parse(output / "search" / "index.html")
    assert search.xpath('//select[@name="tag"]/option/@value') == [
        "",
        "#Supervised_finetuning",
        "#LLM",
    ]
    assert search.xpath('//select[@name="month"]/option/@value') == ["", "2024-12", "2024-11"]
    assert search.xpath("//noscript//text()")
    assert not search.xpath("//form/@data-empty")
    assert search.xpath('//script[@type="module"]/@src') == ["../theme/js/search.js"]
    assert not search.xpath("//script[not(@src)]") and not search.xpath("//*[@style]")


def test_a_deleted_post_leaves_the_index_and_nothing_changed_is_not_reindexed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kept, gone = post(1, "Останется"), post(2, "Исчезнет навсегда")
    archive = write_archive(tmp_path / "archive", [kept, gone])
    output = build(tmp_path, archive)
    assert len(indexed(output)) == 2
    entry = output / "pagefind" / "2024-12" / "pagefind-entry.json"
    stamp = entry.stat().st_mtime_ns
    caplog.set_level(logging.INFO, logger="tag_digest")
    build(tmp_path, archive)
    assert "1 bundles, 0 indexed, 0 copied from the cache, 1 unchanged" in caplog.text
    assert entry.stat().st_mtime_ns == stamp
    store = Archive.load(archive)
    store.put(gone.tombstone("2024-12-12T00:00:00.000Z"))
    store.save()
    output = build(tmp_path, archive)
    records = indexed(output)
    assert len(records) == 1 and "Останется" in records[0]["content"]
    assert not any("Исчезнет" in path.name for path in output.rglob("*"))
    for root in (output / "pagefind", tmp_path / "cache"):  # nor in the cached copy
        everything = b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())
        assert "Исчезнет".encode() not in everything  # no stale fragment left behind


def test_blocked_posts_never_enter_the_index_and_come_back_when_unblocked(tmp_path: Path) -> None:
    spam, fine = post(1, "Купите спам-таблетки сегодня"), post(2, "Кошка спит на окне")
    archive = write_archive(tmp_path / "archive", [spam, fine])
    output = build(tmp_path, archive, DIGEST_BLOCK_WORDS=["СПАМ-таблетки"])
    records = indexed(output)
    assert len(records) == 1 and "Кошка" in records[0]["content"]
    for root in (output / "pagefind", tmp_path / "cache"):
        everything = b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())
        assert "таблетки".encode() not in everything
    output = build(tmp_path, archive)  # the block removed: the archive still holds the post
    assert len(indexed(output)) == 2


def test_absolute_urls_give_the_same_root_relative_result_urls(tmp_path: Path) -> None:
    archive = write_archive(tmp_path / "archive", [post(1, "Кошка")])
    output = build(tmp_path, archive, SITEURL="https://user.github.io/repo", RELATIVE_URLS=False)
    [record] = indexed(output)
    assert record["url"] == f"days/2024-12-10/#{post_anchor(post(1, '').uri)}"
    search = parse(output / "search" / "index.html")
    assert search.xpath("//form/@data-bundle") == ["https://user.github.io/repo/pagefind/"]
    assert search.xpath("//form/@data-bundles") == ["2024-12"]
    assert search.xpath("//form/@action") == ["https://user.github.io/repo/search/"]


def test_a_site_without_searchable_posts_says_so_without_loading_pagefind(tmp_path: Path) -> None:
    archive = write_archive(tmp_path / "archive", [post(1, "Кошка", indexable=None)])
    output = build(tmp_path, archive)
    assert indexed(output) == []
    assert not (output / "pagefind").exists()
    search = parse(output / "search" / "index.html")
    assert search.xpath("//form/@data-empty") == ["empty"]
    assert search.xpath("//form/@data-bundles") == [""]


def test_the_index_is_made_beside_the_pages_and_its_failure_is_one_line(tmp_path: Path) -> None:
    """A real ``pelican`` build: the index is made in a process of its own while the other
    pages are written (SearchPages.start); an error there still stops the build with one
    line, no traceback."""
    archive = write_archive(tmp_path / "archive", [post(1, "Кошка"), post(2, "Собака")])
    output = tmp_path / "out"
    output.mkdir()
    (output / "pagefind").write_text("in the way\n", encoding="utf-8")  # no folder can go there
    result = subprocess.run(
        [
            sys.executable, "-m", "pelican", str(ROOT / "content"),
            "-s", str(ROOT / "pelicanconf.py"), "-o", str(output),
            "-e", "DIGEST_FETCH=false", f'DIGEST_ARCHIVE_PATH="{archive}"',
            f'CACHE_PATH="{tmp_path / "cache"}"', "DELETE_OUTPUT_DIRECTORY=false",
        ],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={"COLUMNS": "300", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    said = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 1, said
    assert "tag_digest: search: cannot write the search bundles" in said
    assert "Traceback" not in said
    assert (output / "days" / "2024-12-10" / "index.html").is_file()  # written meanwhile
    # Once the way is clear, the same build indexes both posts.
    (output / "pagefind").unlink()
    again = subprocess.run(result.args, capture_output=True, text=True, cwd=ROOT, timeout=120,
                           env={"COLUMNS": "300", "PATH": "/usr/bin:/bin"})  # fmt: skip
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(indexed(output)) == 2
