"""The benchmark's Hugo peer and output-size tally (bench/hugo_site.py, bench/sizes.py).

Plain data: the content files' JSON front matter survives hostile post texts, the
body escapes what it adds and sanitises the status HTML, tombstones are left out,
and files are counted under the right page kind. One real Hugo build (Debian's
``hugo``; skipped without it on a developer's machine, a failure in CI) checks
that the layouts give a page per post and tag pages by 20. Nothing is timed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from tag_digest.archive.records import Account, Card, Media, Post

from bench import hugo_site, sizes

IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def make_post(
    n: int,
    content: str = "<p>Hello</p>",
    tags: tuple[str, ...] = ("llm",),
    **extra: object,
) -> Post:
    account = Account("ann@example.org", "Ann", "https://example.org/@ann", "")
    fields: dict[str, object] = {
        "uri": f"https://example.org/users/ann/statuses/{1000 + n}",
        "url": f"https://example.org/@ann/{1000 + n}",
        "server": "https://example.org",
        "created_at": f"2024-12-{1 + n % 28:02d}T10:{n % 60:02d}:00.000Z",
        "edited_at": None,
        "language": "ru",
        "account": account,
        "content": content,
        "spoiler_text": "",
        "sensitive": False,
        "tags": tags,
        "card": None,
    }
    fields.update(extra)
    return Post(**fields)  # type: ignore[arg-type]


def front(page: str) -> dict[str, object]:
    head, _, _ = page.partition("\n\n")
    meta: dict[str, object] = json.loads(head)
    return meta


def test_front_matter_is_json_that_survives_hostile_text() -> None:
    text = 'Quote " back\\slash }\n{ "x": 1 } ---\n+++ <b>не</b> *em* _u_ [l](u)'
    post = make_post(1, content=f"<p>{text.replace('<', '&lt;')}</p><p>second</p>")
    page = hugo_site.page(post)
    meta = front(page)
    title = str(meta.pop("title"))
    assert meta == {
        "date": "2024-12-02T10:01:00.000Z",
        "slug": "post-1001",
        "tags": ["llm"],
        "author": "Ann",
    }
    # the first paragraph as plain text: Markdown escapes undone, markup as text
    assert title.startswith('Quote " back\\slash }')
    assert "<b>не</b> *em* _u_ [l](u)" in title
    assert page.startswith("{\n") and "\n}\n\n" in page


def test_title_is_cut_at_100_characters_or_falls_back_to_the_author() -> None:
    long = make_post(2, content="<p>" + "слово " * 40 + "</p>")
    title = hugo_site.title(long)
    assert len(title) == 100 and title.endswith("…")
    assert hugo_site.title(make_post(3, content="")) == "Ann"


def test_body_escapes_what_it_adds_and_sanitises_the_status() -> None:
    post = make_post(
        4,
        content='<p>ok<script>alert(1)</script><img src=x onerror="alert(2)"></p>',
        spoiler_text="<i>cw</i>",
        card=Card('https://e.org/?a=1&b="2"', "<T>", "d & d", "P"),
        media=(Media("image", "https://m/1.png", "https://m/1s.png", '"><svg onload=x>'),),
    )
    body = hugo_site.body(post)
    assert "<script" not in body and "onerror" not in body and "onload=x>" not in body
    assert "<p><strong>&lt;i&gt;cw&lt;/i&gt;</strong></p>" in body
    assert 'href="https://e.org/?a=1&amp;b=&quot;2&quot;"' in body
    assert "&lt;T&gt;</a><br>d &amp; d<br>P" in body
    assert 'alt="&quot;&gt;&lt;svg onload=x&gt;"' in body
    assert body.endswith('· <a href="https://example.org/@ann/1004">оригинал</a></p>')


def test_write_site_skips_tombstones(tmp_path: Path) -> None:
    posts = [make_post(i) for i in range(3)]
    posts[1] = posts[1].tombstone("2024-12-30T00:00:00.000Z")
    assert hugo_site.write_site(tmp_path, posts) == 2
    written = sorted(
        p.relative_to(tmp_path / "content").as_posix()
        for p in (tmp_path / "content").rglob("*.html")
    )
    assert written == ["posts/2024/12/1000.html", "posts/2024/12/1002.html"]
    assert (tmp_path / "config.toml").is_file()
    assert set(hugo_site.LAYOUTS) <= {
        p.relative_to(tmp_path / "layouts").as_posix() for p in (tmp_path / "layouts").rglob("*")
    }


def test_sizes_by_page_kind() -> None:
    files = [
        ("index.html", 10),
        ("tags/llm/index.html", 100),
        ("tags/llm/page/2/index.html", 50),
        ("pagefind/fragment/a.pf_fragment", 7),
        ("weeks/2024-W01/index.html", 20),
        ("search/index.html", 3),
        ("tags", 1),  # a file named like a kind, at the root
        ("links.json", 4),
        ("archive/index.html", 5),
    ]
    tally = sizes.tally(files)
    assert tally == {
        "tags": {"bytes": 150, "files": 2},
        "weeks": {"bytes": 20, "files": 1},
        "pagefind": {"bytes": 7, "files": 1},
        "search": {"bytes": 3, "files": 1},
        "other": {"bytes": 20, "files": 4},
    }
    assert list(tally) == ["tags", "weeks", "pagefind", "search", "other"]
    assert sizes.per_post(tally, 4) == 200 / 4


def test_hugo_builds_a_page_per_post_and_tag_pages_by_20(tmp_path: Path) -> None:
    hugo = shutil.which("hugo")
    if hugo is None:
        if IN_CI:
            pytest.fail("hugo is not installed (CI=true: .ci/run must install it)")
        pytest.skip("hugo is not installed (apt-get install hugo)")
    posts = [make_post(i, tags=("llm", "nlp") if i % 2 else ("llm",)) for i in range(45)]
    assert hugo_site.write_site(tmp_path / "site", posts) == 45
    out = tmp_path / "out"
    subprocess.run(
        [hugo, "--quiet", "--source", str(tmp_path / "site"), "--destination", str(out)],
        check=True,
        cwd=tmp_path,
        capture_output=True,
    )
    pages = sorted(p for p in (out / "posts").rglob("index.html"))
    assert len(pages) == 45
    assert "<p>Hello</p>" in (out / "posts/2024/12/post-1000/index.html").read_text()
    # 45 posts tagged llm: pages 1, 2, 3 of 20; 22 tagged nlp: pages 1 and 2
    assert (out / "tags/llm/page/3/index.html").is_file()
    assert not (out / "tags/llm/page/4").exists()
    assert (out / "tags/nlp/page/2/index.html").is_file()
    assert not (out / "tags/nlp/page/3").exists()
    first = (out / "tags/llm/index.html").read_text()
    assert first.count('<article class="h-entry">') == 20
    assert (out / "tags/index.html").is_file() and (out / "index.html").is_file()
    assert not list(out.rglob("index.xml"))  # RSS is off
