"""The generator of realistic posts shared by the quality checks and the benchmarks."""

from __future__ import annotations

import re
from pathlib import Path

from tag_digest.archive.records import from_json, to_json_line
from tag_digest.archive.shards import Archive
from tag_digest.digest.links import collect_links, post_links
from tag_digest.digest.tagnames import normalise_tag

from bench.gen_archive import DEFAULT_TAGS, generate, main

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def test_same_arguments_same_posts() -> None:
    assert generate(40, 7) == generate(40, 7)
    assert generate(40, 7) != generate(40, 8)
    assert [p.uri for p in generate(40, 7, ["LLM"])][:1] != []


def test_posts_look_like_the_archive() -> None:
    posts = generate(400, 1)
    assert len(posts) == 400 and len({p.uri for p in posts}) == 400
    assert [p.created_at for p in posts] == sorted(p.created_at for p in posts)
    configured = {normalise_tag(t) for t in DEFAULT_TAGS}
    for post in posts:
        assert 1 <= len(post.tags) <= 10 and configured.intersection(post.tags)
        assert post.tags == tuple(sorted(post.tags))
        assert from_json(__import__("json").loads(to_json_line(post))) == post
    assert sum(bool(CYRILLIC.search(p.content)) for p in posts) > 300
    assert any(p.card for p in posts) and any(p.media for p in posts)
    assert any(p.mentions for p in posts) and any(p.spoiler_text for p in posts)
    assert any("utm_source" in p.content for p in posts)
    links = collect_links(posts, lambda p: "")
    assert sum(len(post_links(p)) for p in posts) > len(links) > 100  # links are shared again
    assert max(link.count for link in links) > 3


def test_only_configured_tags_when_asked() -> None:
    posts = generate(50, 2, ["Машинное_обучение"])
    assert all("машинное_обучение" in p.tags for p in posts)


def test_command_line_writes_an_archive(tmp_path: Path, capsys: object) -> None:
    assert main(["--posts", "120", "--seed", "3", "--out", str(tmp_path / "archive")]) == 0
    archive = Archive.load(tmp_path / "archive")
    assert sorted(p.uri for p in archive) == sorted(p.uri for p in generate(120, 3))
    assert (tmp_path / "archive" / "2025").is_dir()
