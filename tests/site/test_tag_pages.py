"""Tag pages from real Pelican builds: the embedded default, dates, pagination, URLs, caching."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from zoneinfo import ZoneInfo

import lxml.html
import mf2py
import pytest
from digest_support import (
    FIXTURES,
    ROOT,
    articles,
    build,
    corpus_posts,
    iter_html,
    parse,
    visible_text,
    write_archive,
)
from tag_digest.archive.origins import original_url
from tag_digest.archive.records import Post, parse_time
from tag_digest.archive.shards import Archive
from tag_digest.digest.urls import ROOT as ROOT_MARKER
from tag_digest.version import REPOSITORY, __version__

DEFAULT_ARCHIVE = ROOT / "content" / "archive"
REFERENCE = FIXTURES / "reference" / "000_f33383bb64bb2bd9.txt"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def default_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped site, built offline as `make site` does without network."""
    return build(tmp_path_factory.mktemp("default"), DEFAULT_ARCHIVE)


@pytest.fixture(scope="module")
def full_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped site with full posts on the tag pages too (the first version's pages)."""
    return build(tmp_path_factory.mktemp("full"), DEFAULT_ARCHIVE, DIGEST_COMPACT_PAGES=[])


MOSCOW = ZoneInfo("Europe/Moscow")  # pelicanconf.py's TIMEZONE


def reference() -> tuple[str, list[tuple[str, list[list[str]]]], list[str]]:
    """The reference page: heading, [(date, [post lines…])], and its client-info lines."""
    lines = [line.strip() for line in REFERENCE.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    heading, rest = lines[0], lines[1:]
    footer_at = rest.index("Client Info")
    days: list[tuple[str, list[list[str]]]] = []
    for line in rest[:footer_at]:
        if DATE.match(line):
            days.append((line, []))
        elif line.startswith("[Перевод]"):  # every reference post opens with its title line
            days[-1][1].append([line])
        else:
            days[-1][1][-1].append(line)
    return heading, days, rest[footer_at + 1 :]


def test_full_tag_page_reads_like_the_reference(full_site: Path) -> None:
    heading, days, client_info = reference()
    page = parse(full_site / "tags" / "supervised_finetuning" / "index.html")
    assert page.findtext(".//h1") == heading
    sections = page.xpath('//section[contains(@class, "day")]')
    assert [s.findtext(".//h2/time") for s in sections] == [day for day, _ in days]
    for section, (_, posts) in zip(sections, days, strict=True):
        shown = [
            [visible_text(p) for p in article.find_class("e-content")[0].iter("p")]
            for article in articles(section)
        ]
        assert shown == posts
    foot = visible_text(page.xpath("//footer")[-1])
    server = next(line.split(": ", 1)[1] for line in client_info if line.startswith("Server:"))
    assert server in foot and __version__ in foot and REPOSITORY in foot


def test_h_entries_match_the_archive(default_site: Path) -> None:
    path = default_site / "tags" / "supervised_finetuning" / "index.html"
    expected = sorted(
        (p for p in Archive.load(DEFAULT_ARCHIVE).visible() if "supervised_finetuning" in p.tags),
        key=lambda p: p.created,
        reverse=True,
    )
    items = mf2py.parse(doc=path.read_text(encoding="utf-8"), url="https://d.example/")["items"]
    entries = [i for i in items if i["type"] == ["h-entry"]]
    assert len(entries) == len(expected) == 4
    uris = [a.get("data-uri") for a in articles(parse(path))]
    assert uris == [p.uri for p in expected]
    for entry, post in zip(entries, expected, strict=True):
        props = entry["properties"]
        assert props["url"] == [original_url(post.uri, post.url)]  # url on the uri's host
        assert [parse_time(v) for v in props["published"]] == [post.created.replace(microsecond=0)]
        author = props["author"][0]["properties"]
        assert author["name"] == [post.account.display_name]
        # A compact entry (DIGEST_COMPACT_PAGES): the tags, the author's link and handle are on
        # the full entry of its day page.
        assert "category" not in props and "url" not in author
        (full,) = [
            i["properties"]
            for i in mf2py.parse(
                doc=(
                    default_site
                    / "days"
                    / post.created.astimezone(MOSCOW).date().isoformat()
                    / "index.html"
                ).read_text(encoding="utf-8"),
                url="https://d.example/",
            )["items"]
            if i["properties"]["url"] == props["url"]
        ]
        assert full["category"] == list(post.tags)
        assert full["author"][0]["properties"]["url"] == [post.account.url]
        assert full["author"][0]["properties"]["nickname"] == [
            f"@{post.account.acct}@mastodon.social"
        ]


def test_pages_carry_the_languages(default_site: Path) -> None:
    page = parse(default_site / "tags" / "supervised_finetuning" / "index.html")
    assert page.get("lang") == "ru"
    assert {a.get("lang") for a in articles(page)} == {"ru"}
    assert not page.xpath("//script") and not page.xpath("//*[@*[starts-with(name(), 'on')]]")


def test_hand_written_pages_still_work(default_site: Path) -> None:
    about = parse(default_site / "pages" / "about.html")
    assert about.findtext(".//h1") == "О сайте"
    assert about.get("lang") == "ru"
    assert about.xpath('//link[@rel="stylesheet"]/@href') == ["../theme/css/main.css"]
    assert "tagdigest" in visible_text(about.xpath("//footer")[-1])
    nav = about.xpath("//nav//a/@href")
    assert "../tags/supervised_finetuning/index.html" in nav and "../pages/about.html" in nav
    index = parse(default_site / "index.html")
    assert "./tags/supervised_finetuning/index.html" in index.xpath("//main//a/@href")


def internal_links(output: Path) -> list[tuple[Path, str]]:
    links = []
    for path in iter_html(output):
        root = parse(path)
        for value in root.xpath("//@href | //@src"):
            if not urlsplit(value).scheme and not value.startswith("#"):
                links.append((path, value))
    return links


def target(page: Path, href: str) -> Path:
    return Path(unquote(urlsplit(urljoin(page.as_uri(), href)).path))


def test_every_internal_link_resolves(default_site: Path) -> None:
    links = internal_links(default_site)
    assert len(links) > 20
    for page, href in links:
        assert target(page, href).is_file(), f"{page}: {href}"
    for path in default_site.rglob("*.html"):
        assert ROOT_MARKER not in path.read_text(encoding="utf-8")


def timed(posts: list[Post], times: list[str]) -> list[Post]:
    return [
        replace(post, created_at=when, tags=tuple(sorted({*post.tags, "rstats"})))
        for post, when in zip(posts, times, strict=False)
    ]


TIMES = [
    "2024-12-28T09:00:00.000Z",
    "2024-12-27T23:30:00.000Z",  # 28 December in Moscow, 27 in UTC
    "2024-12-27T20:00:00.000Z",
    "2024-12-26T10:00:00.000Z",
    "2024-12-25T10:00:00.000Z",
]


@pytest.fixture(scope="module")
def rstats_posts() -> list[Post]:
    return timed(corpus_posts("rtoot/get_timeline_hashtag_anonymous.yml"), TIMES)


def tag_page_days(path: Path) -> list[tuple[str, int]]:
    page = parse(path)
    return [
        (s.findtext(".//h2/time"), len(articles(s)))
        for s in page.xpath('//section[contains(@class, "day")]')
    ]


# Time zones, pagination and absolute URLs of the tag pages: tests/site/test_builders.py
# (the builder called directly, no Pelican build).


def test_a_cyrillic_tag_gets_its_page(tmp_path: Path) -> None:
    output = build(
        tmp_path, DEFAULT_ARCHIVE, DIGEST_TAGS=["Машинное_обучение", "SFT"], DIGEST_COMPACT_PAGES=[]
    )
    path = output / "tags" / "машинное_обучение" / "index.html"
    page = parse(path)
    assert page.findtext(".//h1") == "#Машинное_обучение"
    assert [s for s, _ in tag_page_days(path)] == ["2024-07-24", "2024-07-23", "2024-07-22"]
    hashtags = page.xpath('//a[contains(@class, "hashtag")]')
    links = [a for a in hashtags if a.text_content() == "#Машинное_обучение"]
    assert links and all(target(path, a.get("href")) == path for a in links)
    assert (output / "tags" / "sft" / "index.html").is_file()
    assert not (output / "tags" / "supervised_finetuning").exists()


def mark_cached_fragment(cache: Path, month: str, uri: str, mark: str) -> None:
    """Put ``mark`` in the cached fragment of ``uri``, and a new digest for it in the shard's
    index (what page signatures use), as if the cache had rendered it so."""
    fragments_file = cache / "tag_digest" / "fragments" / f"{month}.json"
    index_file = cache / "tag_digest" / "index" / f"{month}.json"
    fragments = json.loads(fragments_file.read_text(encoding="utf-8"))
    index = json.loads(index_file.read_text(encoding="utf-8"))
    fragments["fragments"][uri] = fragments["fragments"][uri].replace(
        "</article>", f"{mark}</article>"
    )
    index["digests"][uri] = "marked"
    fragments_file.write_text(json.dumps(fragments), encoding="utf-8")
    index_file.write_text(json.dumps(index), encoding="utf-8")


def mtimes(output: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in (output / "tags").rglob("*.html")}


def test_rebuilds_reuse_fragments_and_leave_unchanged_pages_alone(
    tmp_path: Path, rstats_posts: list[Post]
) -> None:
    archive = write_archive(tmp_path / "archive", rstats_posts)
    # Full posts on the tag pages, so that the tag pages show the cached fragments.
    settings = {"DIGEST_TAGS": ["rstats", "AWS"], "DIGEST_PER_PAGE": 2, "DIGEST_COMPACT_PAGES": []}
    output = build(tmp_path, archive, **settings)
    first = mtimes(output)
    assert len(first) == 3  # two pages of #rstats (the index and page 1, the oldest), one of #AWS
    build(tmp_path, archive, **settings)
    assert mtimes(output) == first

    # The fragments come from the cache: a marked cached fragment shows up on the page.
    mark_cached_fragment(tmp_path / "cache", "2024-12", rstats_posts[-1].uri, "CACHED-MARK")
    build(tmp_path, archive, **settings)
    assert "CACHED-MARK" in (output / "tags/rstats/page/1/index.html").read_text(encoding="utf-8")
    assert (
        mtimes(output)[output / "tags/rstats/index.html"]
        == first[output / "tags/rstats/index.html"]
    )

    # A changed shard is rendered again; only the pages showing the changed post change.
    edited = replace(rstats_posts[-1], content="<p>Edited text #rstats</p>")
    write_archive(archive, [*rstats_posts[:-1], edited])
    build(tmp_path, archive, **settings)
    last = (output / "tags/rstats/page/1/index.html").read_text(encoding="utf-8")
    assert "CACHED-MARK" not in last and "Edited text" in last
    now = mtimes(output)
    assert now[output / "tags/rstats/index.html"] == first[output / "tags/rstats/index.html"]

    # A tag no longer configured loses its pages.
    build(tmp_path, archive, DIGEST_TAGS=["rstats"], DIGEST_PER_PAGE=2, DIGEST_COMPACT_PAGES=[])
    assert not (output / "tags" / "aws").exists()
    assert (output / "tags/rstats/page/1/index.html").is_file()


def test_ignore_cache_reads_neither_the_fragments_nor_the_page_manifest(
    tmp_path: Path, rstats_posts: list[Post]
) -> None:
    """``pelican --ignore-cache`` (``LOAD_CONTENT_CACHE = False``) where Pelican caches content."""
    archive = write_archive(tmp_path / "archive", rstats_posts)
    settings = {
        "DIGEST_TAGS": ["rstats"],
        "DIGEST_PER_PAGE": 2,
        "CACHE_CONTENT": True,
        "DIGEST_COMPACT_PAGES": [],  # the tag pages show the (cached) fragments
    }
    output = build(tmp_path, archive, LOAD_CONTENT_CACHE=True, **settings)
    first, last = output / "tags/rstats/index.html", output / "tags/rstats/page/1/index.html"

    def tamper() -> str:  # the same size: a page the manifest knows is not even rendered
        mark_cached_fragment(tmp_path / "cache", "2024-12", rstats_posts[-1].uri, "MARK")
        text = first.read_text(encoding="utf-8").replace('">#rstats</h1>', '">#RSTATS</h1>')
        assert "#RSTATS" in text
        first.write_text(text, encoding="utf-8")
        return text

    tampered = tamper()
    build(tmp_path, archive, LOAD_CONTENT_CACHE=True, **settings)  # the caches are read
    assert "MARK</article>" in last.read_text(encoding="utf-8")
    assert first.read_text(encoding="utf-8") == tampered
    tamper()
    build(tmp_path, archive, LOAD_CONTENT_CACHE=False, **settings)  # --ignore-cache
    assert "MARK</article>" not in last.read_text(encoding="utf-8")
    assert '">#rstats</h1>' in first.read_text(encoding="utf-8")


def test_a_fresh_build_and_a_cached_build_are_identical(
    tmp_path: Path, rstats_posts: list[Post]
) -> None:
    archive = write_archive(tmp_path / "archive", rstats_posts)
    once = build(tmp_path / "a", archive, DIGEST_TAGS=["rstats"])
    build(tmp_path / "a", archive, DIGEST_TAGS=["rstats"])
    fresh = build(tmp_path / "b", archive, DIGEST_TAGS=["rstats"])
    for path in (once / "tags").rglob("*.html"):
        assert path.read_bytes() == (fresh / path.relative_to(once)).read_bytes()


def test_tombstones_and_other_tags_are_not_shown(tmp_path: Path, rstats_posts: list[Post]) -> None:
    gone = rstats_posts[0].tombstone("2025-01-01T00:00:00.000Z")
    other = replace(rstats_posts[1], tags=("python",))
    archive = write_archive(tmp_path / "archive", [gone, other, *rstats_posts[2:]])
    output = build(tmp_path, archive, DIGEST_TAGS=["rstats"])
    page = parse(output / "tags/rstats/index.html")
    assert [a.get("data-uri") for a in articles(page)] == [p.uri for p in rstats_posts[2:]]
    assert lxml.html.tostring(page).count(b"h-entry") == 3


def test_a_theme_without_the_digest_templates_gets_the_plugins_own(tmp_path: Path) -> None:
    """Pelican's "simple" theme has no digest templates: the bundled theme renders them."""
    output = build(tmp_path, DEFAULT_ARCHIVE, THEME="simple")
    tag_page = parse(output / "tags" / "supervised_finetuning" / "index.html")
    sheets = tag_page.xpath('//link[@rel="stylesheet"]/@href')
    assert sheets == ["../../_tagdigest/css/main.css"]
    assert (output / "_tagdigest" / "css" / "main.css").read_bytes() == (
        ROOT / "theme" / "static" / "css" / "main.css"
    ).read_bytes()
    assert articles(tag_page)
    # Pelican's own pages keep the site's theme.
    assert b"_tagdigest" not in (output / "pages" / "about.html").read_bytes()


def test_a_theme_with_half_the_digest_templates_is_one_clear_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    theme = tmp_path / "half-theme"
    shutil.copytree(ROOT / "theme", theme)
    (theme / "templates" / "digest" / "tag.html").unlink()
    with pytest.raises(SystemExit) as stop:
        build(tmp_path, DEFAULT_ARCHIVE, THEME=str(theme))
    assert stop.value.code == 1
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and errors[0].startswith("tag_digest: THEME: ")
    assert "digest/tag.html" in errors[0]


def test_microformats_of_a_real_timeline_match_the_archive(tmp_path: Path) -> None:
    posts = corpus_posts("rtoot/handle_params_max_id.yml")
    archive = write_archive(tmp_path / "archive", posts)
    output = build(tmp_path, archive, DIGEST_TAGS=["IchBinHanna"], DIGEST_COMPACT_PAGES=[])
    expected = sorted(
        (p for p in Archive.load(archive).visible() if "ichbinhanna" in p.tags),
        key=lambda p: (p.created, p.uri),
        reverse=True,
    )
    assert len(expected) > 100
    entries, uris, times = [], [], []
    for path in sorted((output / "tags" / "ichbinhanna").rglob("index.html"), key=page_number):
        items = mf2py.parse(doc=path.read_text(encoding="utf-8"), url="https://d.example/")
        entries += items["items"]
        uris += [a.get("data-uri") for a in articles(parse(path))]
        times += parse(path).xpath('//time[contains(@class, "dt-published")]/@datetime')
    assert [e["type"] for e in entries] == [["h-entry"]] * len(expected)
    assert uris == [p.uri for p in expected]
    assert times == [p.created_at for p in expected]  # mf2py itself drops the milliseconds
    for entry, post in zip(entries, expected, strict=True):
        props = entry["properties"]
        assert props["url"] == [original_url(post.uri, post.url)]  # url on the uri's host
        assert [parse_time(v) for v in props["published"]] == [post.created.replace(microsecond=0)]
        assert props["category"] == list(post.tags)
        author = props["author"][0]["properties"]
        name = " ".join(post.account.display_name.split()) or post.account.acct.split("@")[0]
        assert author["name"] == [name]
        assert author["url"] == [post.account.url]
        assert ("summary" in props) == bool(post.spoiler_text)


def page_number(path: Path) -> int:
    """Newest first: the index, then page F … page 1 (numbered from the oldest)."""
    return -int(path.parent.name) if path.parent.parent.name == "page" else -(10**9)
