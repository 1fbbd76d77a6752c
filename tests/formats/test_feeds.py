"""Atom feeds: valid against RFC 4287's own schema, read back by feedparser, capped, byte-stable."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
import yaml
from lxml import etree
from tag_digest.archive.records import Post
from tag_digest.archive.shards import Archive
from tag_digest.archive.statuses import from_status
from tag_digest.errors import SettingError
from tag_digest.formats.feeds import (
    ALL_FEED_PATH,
    ATOM_NS,
    WEEKS_FEED_PATH,
    Entry,
    Feed,
    Person,
    absolute_url,
    feed_base,
    post_entry,
    post_title,
    render_atom,
    short_title,
    tag_feed_path,
)
from tag_digest.settings import load_settings

FIXTURES = Path(__file__).parents[1] / "fixtures"
ROOT = Path(__file__).parents[2]
BASE = "https://example.github.io/tagdigest"
NS = {"a": ATOM_NS}
HOSTILE = 'Заголовок <script>alert("x")</script> ]]> &amp; \x0b\x00 конец'


@pytest.fixture(scope="module")
def schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(FIXTURES / "atom.rng")))


@pytest.fixture(scope="module")
def posts() -> list[Post]:
    reference = list(Archive.load(ROOT / "content" / "archive"))
    data = yaml.safe_load(
        (FIXTURES / "corpus" / "rtoot" / "get_timeline_hashtag_anonymous.yml").read_text("utf-8")
    )
    statuses = json.loads(data["http_interactions"][0]["response"]["body"]["string"])
    fetched = "2025-07-20T00:00:00.000Z"
    corpus = [from_status(s, "https://mastodon.social", fetched) for s in statuses]
    assert len(reference) == 4
    return reference + corpus


def entries_of(posts: list[Post]) -> list[Entry]:
    return [
        post_entry(
            p,
            link=absolute_url(BASE, f"days/{p.created_at[:10]}/"),
            content_html=p.content,
            tag_scheme=absolute_url(BASE, "tags/"),
        )
        for p in posts
    ]


def feed_of(entries: list[Entry], **changes: object) -> Feed:
    feed = Feed(
        id=absolute_url(BASE, tag_feed_path("машинное_обучение")),
        title="#Машинное_обучение — дайджест",
        self_url=absolute_url(BASE, tag_feed_path("машинное_обучение")),
        alternate_url=absolute_url(BASE, "tags/машинное_обучение/"),
        author=Person("tagdigest", BASE + "/"),
        entries=tuple(entries),
        updated=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        lang="ru",
    )
    return replace(feed, **changes)  # type: ignore[arg-type]


def assert_rfc4287(document: bytes, schema: etree.RelaxNG) -> etree._Element:
    root = etree.fromstring(document)
    assert schema.validate(root), schema.error_log
    # The appendix's Schematron rules and the prose MUSTs the grammar cannot say.
    feed_has_author = bool(root.xpath("a:author", namespaces=NS))
    for entry in root.xpath("a:entry", namespaces=NS):
        assert feed_has_author or entry.xpath("a:author", namespaces=NS)
        assert entry.xpath("a:content or a:link[@rel='alternate' or not(@rel)]", namespaces=NS)
        links = entry.xpath("a:link[@rel='alternate']", namespaces=NS)
        alternates = [(e.get("type"), e.get("hreflang")) for e in links]
        assert len(alternates) == len(set(alternates))
    ids = [e.text for e in root.xpath("//a:id", namespaces=NS)]
    assert len(ids) == len(set(ids))
    for iri in ids + root.xpath("//a:link/@href | //a:author/a:uri/text()", namespaces=NS):
        assert urlsplit(iri).scheme in ("https", "http"), iri  # absolute
    assert len(root.xpath("a:link[@rel='self']", namespaces=NS)) == 1
    for stamp in root.xpath("//a:updated/text() | //a:published/text()", namespaces=NS):
        assert stamp.endswith("Z") and dt.datetime.fromisoformat(stamp)
    return root


def test_tag_feed_is_valid_atom(schema: etree.RelaxNG, posts: list[Post]) -> None:
    document = render_atom(feed_of(entries_of(posts)), limit=50)
    root = assert_rfc4287(document, schema)
    assert document.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert root.findtext(f"{{{ATOM_NS}}}id") == (
        "https://example.github.io/tagdigest/feeds/tags/"
        "%D0%BC%D0%B0%D1%88%D0%B8%D0%BD%D0%BD%D0%BE%D0%B5_%D0%BE%D0%B1%D1%83%D1%87%D0%B5%D0%BD%D0%B8%D0%B5.atom.xml"
    )
    assert len(root.findall(f"{{{ATOM_NS}}}entry")) == len(posts)


def test_feedparser_reads_what_we_wrote(posts: list[Post]) -> None:
    document = render_atom(feed_of(entries_of(posts)), limit=50)
    parsed = feedparser.parse(document)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "#Машинное_обучение — дайджест"
    assert [link.rel for link in parsed.feed.links] == ["self", "alternate"]
    newest = max(posts, key=lambda p: p.created)
    first = parsed.entries[0]
    assert first.id == newest.uri
    assert first.content[0].type == "text/html"
    assert first.published_parsed[:6] == newest.created.timetuple()[:6]
    assert {t.term for t in first.tags} == set(newest.tags)
    habr = next(e for e in parsed.entries if e.id.startswith("https://mastodon.social/users/habr/"))
    assert habr.title.startswith("[Перевод]")
    assert habr.author == "Хабр"
    assert "habr.com/ru/articles/" in habr.content[0].value


def test_untrusted_text_is_escaped_not_markup(schema: etree.RelaxNG, posts: list[Post]) -> None:
    post = replace(posts[0], spoiler_text=HOSTILE, content=f"<p>{HOSTILE}</p>")
    post = replace(post, account=replace(post.account, display_name=HOSTILE))
    entry = entries_of([post])[0]
    document = render_atom(feed_of([entry], title=HOSTILE, subtitle=HOSTILE), limit=5)
    root = assert_rfc4287(document, schema)
    assert b"<script>" not in document
    assert root.findtext(f"{{{ATOM_NS}}}title") == HOSTILE.replace("\x0b", "").replace("\x00", "")
    content = root.find(f"{{{ATOM_NS}}}entry/{{{ATOM_NS}}}content")
    assert content is not None and len(content) == 0  # escaped text, no child elements
    assert content.text == f"<p>{HOSTILE}</p>".replace("\x0b", "").replace("\x00", "")
    parsed = feedparser.parse(document)
    assert not parsed.bozo
    assert "конец" in parsed.entries[0].content[0].value


def test_entries_are_capped_newest_first(posts: list[Post], schema: etree.RelaxNG) -> None:
    entries = entries_of(posts)
    document = render_atom(feed_of(entries), limit=3)
    root = assert_rfc4287(document, schema)
    ids = [e.findtext(f"{{{ATOM_NS}}}id") for e in root.findall(f"{{{ATOM_NS}}}entry")]
    newest = sorted(posts, key=lambda p: p.edited_at or p.created_at, reverse=True)[:3]
    assert ids == [p.uri for p in newest]
    assert root.findtext(f"{{{ATOM_NS}}}updated") == max(
        e.findtext(f"{{{ATOM_NS}}}updated") for e in root.findall(f"{{{ATOM_NS}}}entry")
    )


def test_same_input_same_bytes_and_empty_feeds(posts: list[Post], schema: etree.RelaxNG) -> None:
    entries = entries_of(posts)
    assert render_atom(feed_of(entries), 50) == render_atom(feed_of(list(reversed(entries))), 50)
    empty = render_atom(feed_of([]), 50)
    root = assert_rfc4287(empty, schema)
    assert root.findtext(f"{{{ATOM_NS}}}updated") == "2024-01-01T00:00:00Z"


def test_paths_and_bases() -> None:
    assert tag_feed_path("llm") == "feeds/tags/llm.atom.xml"
    assert WEEKS_FEED_PATH == "feeds/weeks.atom.xml" and ALL_FEED_PATH == "feeds/all.atom.xml"
    assert feed_base("https://feeds.example/", "https://site.example") == "https://feeds.example"
    assert feed_base("", "https://site.example/") == "https://site.example"
    assert feed_base(None, "") is None
    assert absolute_url("https://s.example/x/", "/weeks/2024-W52/") == "https://s.example/x/weeks/2024-W52/"
    with pytest.raises(ValueError):
        absolute_url("", "feeds/all.atom.xml")


def test_titles() -> None:
    assert short_title("один два три", 80) == "один два три"
    cut = short_title("слово " * 30, 40)
    assert len(cut) <= 40 and cut.endswith("слово…")


def test_a_post_title_prefers_the_content_warning(posts: list[Post]) -> None:
    post = replace(posts[0], spoiler_text="Спойлер")
    assert post_title(post) == "Спойлер"
    assert post_title(replace(posts[0], content="")) == "@habr"


def test_the_schema_rejects_what_rfc_4287_forbids(schema: etree.RelaxNG, posts: list[Post]) -> None:
    good = etree.fromstring(render_atom(feed_of(entries_of(posts[:1])), 5))
    assert schema.validate(good)
    for breakage in ("a:id", "a:updated", "a:entry/a:title"):
        broken = etree.fromstring(etree.tostring(good))
        for element in broken.xpath(breakage, namespaces=NS):
            element.getparent().remove(element)
        assert not schema.validate(broken), breakage
    bad_date = etree.fromstring(etree.tostring(good))
    bad_date.find(f"{{{ATOM_NS}}}updated").text = "27 December 2024"
    assert not schema.validate(bad_date)


def test_feed_limit_setting(tmp_path: Path) -> None:
    assert load_settings({}, base=tmp_path).feed_limit == 50
    assert load_settings({"DIGEST_FEED_LIMIT": 3}, base=tmp_path).feed_limit == 3
    for bad in (0, -1, 2.5, "50", True):
        with pytest.raises(SettingError, match=r"^DIGEST_FEED_LIMIT: "):
            load_settings({"DIGEST_FEED_LIMIT": bad}, base=tmp_path)
