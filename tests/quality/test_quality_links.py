"""The internal link checker, on a small site served from 127.0.0.1 with known broken links."""

from __future__ import annotations

from pathlib import Path

import httpx

from scripts.quality.linkcheck import check_links
from scripts.quality.server import serve

PAGE = """<!DOCTYPE html><html lang="ru"><head><title>{title}</title>
<link rel="stylesheet" href="{root}theme/css/main.css">
<link rel="alternate" type="application/atom+xml" href="{root}feeds/all.atom.xml"></head>
<body><main id="content">{body}</main></body></html>"""


TAG_PAGE = "tags/машинное_обучение/index.html"


def write(root: Path, path: str, text: str) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def site(root: Path) -> None:
    write(root, "theme/css/main.css", "body { color: #222 }")
    write(root, "feeds/all.atom.xml", '<feed xmlns="http://www.w3.org/2005/Atom">'
          '<link rel="alternate" href="../tags/машинное_обучение/"/></feed>')  # fmt: skip
    write(root, "index.html", PAGE.format(title="Главная", root="", body=(
        '<a href="tags/%D0%BC%D0%B0%D1%88%D0%B8%D0%BD%D0%BD%D0%BE%D0%B5_%D0%BE%D0%B1%D1%83%D1%87'
        '%D0%B5%D0%BD%D0%B8%D0%B5/">тег</a> <a href="weeks/2024-W52/#p1">пост</a>'
        ' <a href="https://habr.com/ru/articles/869674/">habr</a>'
        ' <a href="mailto:a@example.org">m</a>'
        ' <img src="missing.png" alt="нет" srcset="x.png 1x, theme/css/main.css 2x">'
        ' <a href="#content">наверх</a> <a href="#nowhere">никуда</a>'
    )))  # fmt: skip
    write(root, TAG_PAGE, PAGE.format(title="#ML", root="../../", body=(
        '<a href="../../weeks/2024-W52/">неделя</a> <a href="../../weeks/2024-W53/">нет</a>'
        ' <a href="../../weeks/2024-W52/#p2">нет такого поста</a>'
        ' <a href="../../links.json">json</a>'
    )))  # fmt: skip
    write(root, "weeks/2024-W52/index.html", PAGE.format(title="W52", root="../../", body=(
        '<article id="p1" class="h-entry">пост</article>'
    )))  # fmt: skip
    write(root, "links.json", "[]")
    bookmarks = '<!DOCTYPE NETSCAPE-Bookmark-file-1><DL><p><DT><A HREF="gone.html">x</A>'
    write(root, "bookmarks.html", bookmarks)


def test_every_broken_reference_is_found_and_nothing_else(tmp_path: Path) -> None:
    site(tmp_path)
    with serve(tmp_path) as base:
        report = check_links(tmp_path, base)
    broken = sorted((b.page, b.reference, b.reason) for b in report.broken)
    assert broken == [
        ("index.html", "#nowhere", "no element with id 'nowhere'"),
        ("index.html", "missing.png", "HTTP 404"),
        ("index.html", "x.png", "HTTP 404"),
        (TAG_PAGE, "../../weeks/2024-W52/#p2", "no element with id 'p2'"),
        (TAG_PAGE, "../../weeks/2024-W53/", "HTTP 404"),
    ]
    assert report.external == 1  # habr: counted, never fetched; mailto ignored
    assert report.pages == 4  # three pages and the feed; the bookmark export is not a page


def test_absolute_links_to_the_site_itself_are_internal(tmp_path: Path) -> None:
    write(tmp_path, "index.html", PAGE.format(title="x", root="", body=""))
    write(tmp_path, "theme/css/main.css", "")
    write(tmp_path, "feeds/all.atom.xml", '<feed xmlns="http://www.w3.org/2005/Atom"/>')
    with serve(tmp_path) as base:
        write(tmp_path, "a/index.html", PAGE.format(title="a", root="../", body=(
            f'<a href="{base}index.html">home</a> <a href="{base}b/">b</a>'
        )))  # fmt: skip
        report = check_links(tmp_path, base)
    found = [(b.reference.rsplit("/", 2)[-2], b.reason) for b in report.broken]
    assert found == [("b", "HTTP 404")]
    assert report.external == 0


def test_the_server_compresses_text_like_a_real_host(tmp_path: Path) -> None:
    write(tmp_path, "index.html", PAGE.format(title="x", root="", body="слово " * 500))
    with serve(tmp_path) as base:
        page = httpx.get(base, headers={"Accept-Encoding": "gzip"})
        plain = httpx.get(base, headers={"Accept-Encoding": "identity"})
        missing = httpx.get(base + "nope/")
    assert page.status_code == 200 and page.headers["content-encoding"] == "gzip"
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert int(page.headers["content-length"]) < len(plain.content) / 5
    assert page.text == plain.text
    assert missing.status_code == 404


UTF8_PAGE = PAGE.replace("<head>", '<head><meta charset="utf-8">')


def test_iris_resolve_as_a_browser_follows_them(tmp_path: Path) -> None:
    write(tmp_path, "theme/css/main.css", "")
    write(tmp_path, "feeds/all.atom.xml", '<feed xmlns="http://www.w3.org/2005/Atom"/>')
    write(tmp_path, TAG_PAGE, UTF8_PAGE.format(title="#ML", root="../../", body=(
        '<article id="пост-1">пост</article>'
    )))  # fmt: skip
    write(tmp_path, "index.html", UTF8_PAGE.format(title="Главная", root="", body=(
        '<a href="tags/машинное_обучение/index.html">IRI</a>'
        ' <a href="tags/машинное_обучение/#пост-1">IRI с якорем</a>'
        ' <a href="tags/%D0%BC%D0%B0%D1%88%D0%B8%D0%BD%D0%BD%D0%BE%D0%B5_%D0%BE%D0%B1%D1%83%D1%87'
        '%D0%B5%D0%BD%D0%B8%D0%B5/">URI</a>'
        ' <a href="tags/хабр/">нет такого тега</a>'
    )))  # fmt: skip
    with serve(tmp_path) as base:
        report = check_links(tmp_path, base)
    assert [(b.page, b.reference, b.reason) for b in report.broken] == [
        ("index.html", "tags/хабр/", "HTTP 404")
    ]
    assert report.internal == 8  # each page's stylesheet and feed link, and the four links
