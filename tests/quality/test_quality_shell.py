"""The 14 kB shell measure: posts removed, linked CSS (and its imports) counted, gzip and raw."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest

from scripts.quality.shell import BUDGET, measure_shell, strip_posts

POST = (
    '<article class="h-entry post" data-uri="https://m.example/s/{n}"><p class="e-content">'
    + "Текст поста с длинным содержанием. " * 40
    + "</p></article>"
)


def page(posts: int, css: str = "theme/css/main.css") -> str:
    articles = "".join(POST.format(n=n) for n in range(posts))
    return (
        '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>#LLM</title>'
        f'<link rel="stylesheet" href="../../{css}"></head>'
        f"<body><header><h1>#LLM</h1></header><main>{articles}</main><footer>tagdigest</footer>"
        "</body></html>"
    )


def test_the_shell_does_not_grow_with_posts(tmp_path: Path) -> None:
    (tmp_path / "theme/css").mkdir(parents=True)
    (tmp_path / "theme/css/main.css").write_text('@import url("base.css");\nmain { color: red }')
    (tmp_path / "theme/css/base.css").write_text("body { margin: 0 }\n" * 50)
    sizes = []
    for n in (1, 30):
        target = tmp_path / f"tags/t{n}/index.html"
        target.parent.mkdir(parents=True)
        target.write_text(page(n), encoding="utf-8")
        sizes.append(measure_shell(tmp_path, target))
    one, many = sizes
    assert (one.posts_removed, many.posts_removed) == (1, 30)
    assert one.html_raw == many.html_raw and one.total_gzip == many.total_gzip
    assert one.stylesheets == ("theme/css/main.css", "theme/css/base.css")
    css = b"".join((tmp_path / s).read_bytes() for s in one.stylesheets)
    assert one.css_raw == len(css)
    assert one.css_gzip > 0 and one.within_budget and BUDGET == 14_000


def test_strip_posts_keeps_everything_else() -> None:
    html, removed = strip_posts(page(3).encode())
    assert removed == 3
    assert b"h-entry" not in html and b"<footer>tagdigest</footer>" in html
    assert html.startswith(b"<!DOCTYPE html>")


def test_over_budget_is_reported(tmp_path: Path) -> None:
    (tmp_path / "theme/css").mkdir(parents=True)
    noise = random.Random(1).randbytes(20_000)  # does not compress
    (tmp_path / "theme/css/main.css").write_bytes(b"/*" + noise.replace(b"*/", b"") + b"*/")
    target = tmp_path / "index.html"
    target.write_text(page(2).replace("../../", ""), encoding="utf-8")
    size = measure_shell(tmp_path, target)
    css = (tmp_path / "theme/css/main.css").read_bytes()
    assert size.css_gzip == len(gzip.compress(css, 6, mtime=0))
    assert not size.within_budget


def test_stylesheets_linked_by_the_sites_absolute_url(tmp_path: Path) -> None:
    (tmp_path / "theme/css").mkdir(parents=True)
    (tmp_path / "theme/css/main.css").write_text("body { margin: 0 }")
    target = tmp_path / "index.html"
    site = "http://127.0.0.1:8123"
    target.write_text(page(1).replace("../../", f"{site}/"), encoding="utf-8")
    assert measure_shell(tmp_path, target, site + "/").stylesheets == ("theme/css/main.css",)
    with pytest.raises(ValueError, match="stylesheet"):  # never counted as 0 bytes
        measure_shell(tmp_path, target)
