"""The real validators find real problems: vnu.jar on Java, axe-core in Debian's chromium.

These need the npm tools (``npm ci --prefix tools/quality``), Java and chromium,
which ``.ci/run`` installs; in CI a missing tool fails the test, on a developer's
machine without Node, Java or chromium it is skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scripts.quality.axe import run_axe
from scripts.quality.server import serve
from scripts.quality.tools import ToolMissing, Tools
from scripts.quality.vnu import run_vnu

GOOD = """<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>Хороший</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="ok.css"></head>
<body><main><h1>Заголовок</h1><p>Текст <a href="bad.html">ссылка</a>.</p>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="Точка" width="1" height="1"></main>
</body></html>
"""
BAD = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Плохой</title></head>
<body><p id="x">один</p><p id="x">два</p>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p style="color:#777;background:#888">нечитаемо</p>
<a href="ok.css"></a></body></html>
"""


@pytest.fixture(scope="module")
def tools() -> Tools:
    """The installed tools; missing ones fail in CI and skip on a developer's machine."""
    try:
        return Tools.find()
    except ToolMissing as missing:
        if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
            pytest.fail(f"{missing} (CI=true: .ci/run must install it)")
        pytest.skip(str(missing))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "good.html").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.html").write_text(BAD, encoding="utf-8")
    (tmp_path / "ok.css").write_text("body { color: #111; background: #fff }\n", encoding="utf-8")
    (tmp_path / "broken.css").write_text("body { colr: red; margin: 1pz }\n", encoding="utf-8")
    (tmp_path / "bookmarks.html").write_text("<!DOCTYPE NETSCAPE-Bookmark-file-1><DL><p>")
    return tmp_path


@pytest.mark.slow
def test_vnu_reports_html_and_css_errors_only_where_they_are(tools: Tools, site: Path) -> None:
    checked, errors = run_vnu(tools, site)
    assert checked == 4  # the bookmark export is not a web page
    files = {e.file for e in errors}
    assert files == {"bad.html", "broken.css"}
    assert any("Duplicate ID" in e.message for e in errors if e.file == "bad.html")
    assert any("alt" in e.message for e in errors if e.file == "bad.html")


@pytest.mark.browser
def test_axe_reports_violations_only_where_they_are(tools: Tools, site: Path) -> None:
    with serve(site) as base:
        violations = run_axe(tools, [base + "good.html", base + "bad.html"])
    assert {v.url.rsplit("/", 1)[1] for v in violations} == {"bad.html"}
    rules = {v.rule for v in violations}
    assert {"image-alt", "color-contrast", "html-has-lang", "link-name"} <= rules
    assert {v.scheme for v in violations} == {"light", "dark"}
