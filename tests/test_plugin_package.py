"""The plugin as a package in somebody else's Pelican site (issue 16).

A wheel built with ``python -m build`` goes into a fresh virtual environment; a new blog made
the way ``pelican-quickstart`` makes one (Pelican's default theme, two Markdown articles)
adds ``PLUGINS = ["tag_digest"]`` and ``DIGEST_PATH = "digest"`` and builds offline from a
small archive. The blog keeps its articles, tag pages and feeds; the digest lives under
``digest/``, rendered by the plugin's own templates, and passes the Nu checker and axe.

Offline: the wheel is built without build isolation, and the fresh environment borrows the
test environment's dependencies through a ``.pth`` line (which, unlike ``site-packages``
itself, does not run that environment's ``.pth`` files: the source checkout's editable
install of tag_digest stays out of it), so ``import tag_digest`` finds the wheel alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import mf2py
import pytest
from digest_support import ROOT, iter_html
from tag_digest.version import USER_AGENT, __version__

from scripts.quality.axe import run_axe
from scripts.quality.server import serve
from scripts.quality.tools import ToolMissing, Tools
from scripts.quality.vnu import run_vnu

ARTICLE = """Title: {title}
Date: {date}
Tags: {tags}
Category: misc

{body}
"""
# pelican-quickstart's pelicanconf.py, answered for a blog with feeds, plus the plugin.
SETTINGS = """AUTHOR = "A blogger"
SITENAME = "A blog"
SITEURL = ""
PATH = "content"
TIMEZONE = "Europe/Moscow"
DEFAULT_LANG = "en"
FEED_DOMAIN = "https://blog.example"
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
TAG_FEED_ATOM = "feeds/tag-{slug}.atom.xml"
DEFAULT_PAGINATION = 10
RELATIVE_URLS = True

PLUGINS = ["tag_digest"]
DIGEST_PATH = "digest"
DIGEST_TAGS = ["Supervised_finetuning"]
DIGEST_ARCHIVE_PATH = "archive"
"""


def _tools() -> Tools | None:
    try:
        return Tools.find()
    except ToolMissing as missing:
        if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
            pytest.fail(f"{missing} (CI=true: .ci/run must install it)")
        return None


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``python -m build`` of a clean copy of the source (wheel and sdist)."""
    work = tmp_path_factory.mktemp("dist")
    source = work / "src"
    ignore = shutil.ignore_patterns(".venv", ".git", "output", "cache", "node_modules", "build",
                                    "*.egg-info", "__pycache__", ".*_cache", "bench")  # fmt: skip
    shutil.copytree(ROOT, source, ignore=ignore)
    out = work / "out"
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        check=False, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def test_wheel_and_sdist_carry_the_plugin_its_theme_and_one_version(dist: Path) -> None:
    (wheel,) = dist.glob("pelican_tagdigest-*.whl")
    (sdist,) = dist.glob("pelican_tagdigest-*.tar.gz")
    assert wheel.name == f"pelican_tagdigest-{__version__}-py3-none-any.whl"
    assert sdist.name == f"pelican_tagdigest-{__version__}.tar.gz"
    names = set(zipfile.ZipFile(wheel).namelist())
    theme = ROOT / "theme"
    shipped = {f"tag_digest/theme/{p.relative_to(theme).as_posix()}" for p in theme.rglob("*")
               if p.is_file()}  # fmt: skip
    assert shipped and shipped <= names, sorted(shipped - names)
    code = {f"tag_digest/{p.relative_to(ROOT / 'plugins' / 'tag_digest').as_posix()}"
            for p in (ROOT / "plugins" / "tag_digest").rglob("*.py")}  # fmt: skip
    assert code <= names, sorted(code - names)
    meta = (
        zipfile.ZipFile(wheel)
        .read(f"pelican_tagdigest-{__version__}.dist-info/entry_points.txt")
        .decode()
    )
    assert "tagdigest = tag_digest.__main__:main" in meta


@pytest.fixture(scope="module")
def env(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed (dependencies borrowed, offline)."""
    where = tmp_path_factory.mktemp("venv") / "env"
    venv.EnvBuilder(with_pip=True).create(where)
    python = where / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    (Path(site) / "borrowed_dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    (wheel,) = dist.glob("*.whl")
    subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
         "--disable-pip-version-check", str(wheel)],
        check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return where


def run(env: Path, *command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    clean["PATH"] = f"{env / 'bin'}{os.pathsep}{clean.get('PATH', '')}"
    return subprocess.run(
        list(command), cwd=cwd, env=clean, capture_output=True, text=True, timeout=600,
        check=False,
    )  # fmt: skip


def test_the_installed_plugin_is_the_wheel_and_has_its_command(env: Path, tmp_path: Path) -> None:
    found = run(env, str(env / "bin" / "python"), "-c",
                "import tag_digest; print(tag_digest.__file__, tag_digest.__version__)",
                cwd=tmp_path)  # fmt: skip
    where, version = found.stdout.split()
    assert Path(where).is_relative_to(env) and version == __version__, found.stderr
    helped = run(env, str(env / "bin" / "tagdigest"), "fetch", "--help", cwd=tmp_path)
    assert helped.returncode == 0 and "--summary" in helped.stdout, helped.stderr


@pytest.fixture(scope="module")
def blog(env: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The quickstart blog with the digest, built with the fresh environment's ``pelican``."""
    site = tmp_path_factory.mktemp("blog")
    content = site / "content"
    content.mkdir()
    (content / "first.md").write_text(ARTICLE.format(
        title="Hello, blog", date="2025-01-02 10:00", tags="python, notes",
        body="The blog's first article."), encoding="utf-8")  # fmt: skip
    (content / "second.md").write_text(ARTICLE.format(
        title="Second thoughts", date="2025-01-03 10:00", tags="notes",
        body="The blog's second article."), encoding="utf-8")  # fmt: skip
    (site / "pelicanconf.py").write_text(SETTINGS, encoding="utf-8")
    shutil.copytree(ROOT / "content" / "archive", site / "archive")
    built = run(env, str(env / "bin" / "python"), "-m", "pelican", "content",
                "-s", "pelicanconf.py", "-o", "output", cwd=site)  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    assert "Traceback" not in built.stdout + built.stderr
    yield site / "output"


def test_the_blog_keeps_its_articles_tag_pages_and_feeds(blog: Path) -> None:
    for page in ("hello-blog.html", "second-thoughts.html", "tag/notes.html", "tag/python.html"):
        assert (blog / page).is_file(), page
    home = lxml.html.fromstring((blog / "index.html").read_bytes())
    assert {"Hello, blog", "Second thoughts"} <= {t.strip() for t in home.xpath("//h1//a/text()")}
    # Pelican's default theme (notmyidea, whose wide.css is its own) is still the blog's theme.
    assert (blog / "theme" / "css" / "wide.css").is_file()
    assert b"_tagdigest" not in (blog / "index.html").read_bytes()
    for feed in ("feeds/all.atom.xml", "feeds/tag-notes.atom.xml", "feeds/misc.atom.xml"):
        text = (blog / feed).read_text(encoding="utf-8")
        assert "Second thoughts" in text, feed
    assert not (blog / "tags").exists() and not (blog / "robots.txt").exists()


def test_the_digest_lives_under_digest_path_one_h_entry_per_post(blog: Path) -> None:
    digest = blog / "digest"
    for page in ("index.html", "tags/supervised_finetuning/index.html",
                 "weeks/2024-W52/index.html", "links/index.html", "archive/index.html",
                 "feeds/all.atom.xml", "links.json", "_tagdigest/css/main.css"):  # fmt: skip
        assert (digest / page).is_file(), page
    tag_page = digest / "tags" / "supervised_finetuning" / "index.html"
    # One version: the wheel's name, the footer and the User-Agent all say it.
    assert f"tagdigest {__version__}" in tag_page.read_text(encoding="utf-8")
    assert USER_AGENT.startswith(f"tagdigest/{__version__} ")
    parsed = mf2py.parse(doc=tag_page.read_text(encoding="utf-8"))
    entries = [i for i in parsed["items"] if "h-entry" in i["type"]]
    articles = lxml.html.fromstring(tag_page.read_bytes()).xpath("//article[@data-uri]")
    assert entries and len(entries) == len(articles) == len({a.get("data-uri") for a in articles})
    # Every link inside the digest stays inside it (or goes out to the network).
    for page in iter_html(digest):
        root = lxml.html.fromstring(page.read_bytes())
        for href in root.xpath("//a/@href | //link/@href"):
            href = str(href).split("#")[0]
            if not href or "://" in href:
                continue
            target = (page.parent / href).resolve()
            assert target.is_relative_to(digest.resolve()), (page, href)
            assert target.exists() or (target / "index.html").exists(), (page, href)


@pytest.mark.browser
def test_nu_and_axe_find_nothing_on_the_digest_pages(blog: Path) -> None:
    tools = _tools()
    if tools is None:
        pytest.skip("the quality tools are not installed (npm ci --prefix tools/quality)")
    digest = blog / "digest"
    checked, errors = run_vnu(tools, digest)
    assert checked > 10 and errors == [], errors[:5]
    pages = ["index.html", "tags/supervised_finetuning/", "weeks/2024-W52/", "links/",
             "archive/", "days/2024-12-27/"]  # fmt: skip
    with serve(blog) as base:
        violations = run_axe(tools, [f"{base}digest/{p}" for p in pages])
    assert violations == [], violations[:5]
