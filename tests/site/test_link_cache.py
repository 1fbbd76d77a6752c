"""The link collection kept between builds: used only when made from the same posts.

Plain data for the store itself (every input that the collection reads changes the key),
and real Pelican builds for the site: a rebuild reads the kept collection, a new post
with a link or a changed card title shows on the link pages and in ``links.json`` at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from digest_support import build, write_archive
from factories import make_post
from tag_digest.archive.records import Card, Post
from tag_digest.archive.shards import Archive
from tag_digest.digest.links import collect_links, post_links
from tag_digest.site.link_cache import FILE, LinkStore, collection_key


def _post(n: int, link: str, **changes: object) -> Post:
    content = f'<p>Пост {n} <a href="{link}">{link}</a> <a class="hashtag" href="x">#llm</a></p>'
    return make_post(n, content=content, **changes)


POSTS = [
    _post(1, "https://habr.com/ru/articles/1/"),
    _post(2, "https://example.org/a?utm_source=x"),
    _post(3, "https://habr.com/ru/articles/1/", card=None),
    make_post(4, content="<p>без ссылок</p>"),
]


def digest_url(post: Post) -> str:
    return f"days/{post.created_at[:10]}/#p-{post.uri.rsplit('/', 1)[-1]}"


def test_a_kept_collection_is_read_back_equal_and_not_made_again(tmp_path: Path) -> None:
    store = LinkStore(tmp_path / FILE, salt="s")
    fresh = collect_links(POSTS, digest_url, post_links)
    assert len(fresh) == 2
    assert store.collection(POSTS, digest_url, post_links) == fresh
    written = (tmp_path / FILE).stat().st_mtime_ns
    assert store.collection(POSTS, digest_url, post_links) == fresh
    assert (tmp_path / FILE).stat().st_mtime_ns == written  # read, not replaced

    # What is in the file is what the build gets (so a test that cannot fail is not this):
    lines = (tmp_path / FILE).read_text("utf-8").splitlines()
    first = json.loads(lines[0])
    first[1] = "из файла"
    lines[0] = json.dumps(first, ensure_ascii=False)
    (tmp_path / FILE).write_text("\n".join(lines) + "\n", "utf-8")
    assert store.collection(POSTS, digest_url, post_links)[0].title == "из файла"
    # ...unless the build is told not to read caches (Pelican's --ignore-cache):
    assert (
        LinkStore(tmp_path / FILE, "s", read=False).collection(POSTS, digest_url, post_links)
        == fresh
    )


CHANGES: dict[str, Callable[[list[Post]], list[Post]]] = {
    "a card title": lambda ps: [
        replace(ps[0], card=Card("https://habr.com/ru/articles/1/", "Новый", "", "")),
        *ps[1:],
    ],
    "a card url": lambda ps: (
        [replace(ps[0], card=Card("https://other.org/", "Заголовок", "", "")), *ps[1:]]
    ),
    "the tags": lambda ps: [replace(ps[0], tags=("llm", "nlp")), *ps[1:]],
    "the time": lambda ps: [replace(ps[0], created_at="2024-12-20T10:00:00.000Z"), *ps[1:]],
    "the original link": lambda ps: [replace(ps[0], url="https://example.social/@a/99"), *ps[1:]],
    "the links": lambda ps: [_post(1, "https://new.example/"), *ps[1:]],
    "a deletion": lambda ps: [ps[0].tombstone("2024-12-28T00:00:00.000Z"), *ps[1:]],
    "the order": lambda ps: ps[::-1],
    "a new post": lambda ps: [*ps, _post(5, "https://fifth.example/")],
    "a post gone": lambda ps: ps[1:],
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_every_input_the_collection_reads_changes_the_key(change: str, tmp_path: Path) -> None:
    before = collection_key(POSTS, digest_url, post_links, "s")
    changed = CHANGES[change](list(POSTS))
    assert collection_key(changed, digest_url, post_links, "s") != before
    store = LinkStore(tmp_path / FILE, salt="s")
    store.collection(POSTS, digest_url, post_links)
    assert store.collection(changed, digest_url, post_links) == collect_links(
        changed, digest_url, post_links
    )


def test_where_a_post_is_shown_and_the_salt_change_the_key() -> None:
    key = collection_key(POSTS, digest_url, post_links, "s")
    assert collection_key(POSTS, lambda p: digest_url(p) + "x", post_links, "s") != key
    assert collection_key(POSTS, digest_url, post_links, "t") != key
    # A post without links is not read by the collection: where it is shown does not matter.
    moved = {POSTS[3].uri: "elsewhere"}
    assert (
        collection_key(POSTS, lambda p: moved.get(p.uri) or digest_url(p), post_links, "s") == key
    )


def test_an_unreadable_file_is_made_again(tmp_path: Path) -> None:
    fresh = collect_links(POSTS, digest_url, post_links)
    store = LinkStore(tmp_path / FILE, salt="s")
    key = collection_key(POSTS, digest_url, post_links, "s")
    head = {"version": 2, "key": key, "shares": [[0, "https://example.social/@a/1"]]}
    for text in (
        '{"version": 1, "key": "x", "links": [[1, 2]]}\n',  # another version, another key
        "[1]\n" + json.dumps(head) + "\n",  # a link line of the wrong shape
        '["https://x.org/", null, "x.org", [5]]\n' + json.dumps(head) + "\n",  # no share 5
        json.dumps({**head, "shares": [[3, "x"]]}) + "\n",  # post 3 has no links
        "not json at all",
    ):
        (tmp_path / FILE).write_text(text, "utf-8")
        assert store.collection(POSTS, digest_url, post_links) == fresh, text


def test_a_rebuild_reads_the_kept_collection_and_a_change_shows_at_once(tmp_path: Path) -> None:
    archive = write_archive(tmp_path / "archive", POSTS)
    output = build(tmp_path, archive, DIGEST_TAGS=["LLM"])
    kept = tmp_path / "cache" / "tag_digest" / FILE
    first = (output / "links.json").read_bytes()
    written = kept.stat().st_mtime_ns
    output = build(tmp_path, archive, DIGEST_TAGS=["LLM"])
    assert kept.stat().st_mtime_ns == written  # read back, not made again
    assert (output / "links.json").read_bytes() == first

    store = Archive.load(archive)
    store.put(_post(6, "https://sixth.example/page"))
    store.put(replace(POSTS[0], card=Card(POSTS[0].card.url, "Другой заголовок", "", "")))
    store.save()
    output = build(tmp_path, archive, DIGEST_TAGS=["LLM"])
    assert kept.stat().st_mtime_ns != written
    exported = (output / "links.json").read_text("utf-8")
    assert "https://sixth.example/page" in exported
    assert "Другой заголовок" in exported
    assert "https://sixth.example/page" in (output / "links" / "index.html").read_text("utf-8")
