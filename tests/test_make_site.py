"""`make site` as a newcomer runs it, offline: the site builds from the shipped archive."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from lxml import html

ROOT = Path(__file__).resolve().parents[1]


def tracked_copy(dest: Path) -> Path:
    """The committed and working-tree files git knows about, copied as a fresh clone would be."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return dest


def test_make_site_offline_builds_the_shipped_archive(tmp_path: Path, closed_port_url: str) -> None:
    clone = tracked_copy(tmp_path / "clone")
    # The project's .venv stands in for the one `make site` creates on a fresh clone: an old
    # pyproject.toml keeps make from reinstalling it from this temporary clone.
    os.utime(clone / "pyproject.toml", (0, 0))
    archive_before = {
        p.relative_to(clone): p.read_bytes() for p in (clone / "content/archive").rglob("*.jsonl")
    }
    # The shipped pelicanconf.py fetches; with no server reachable it warns and goes on.
    result = subprocess.run(
        [
            "make", "site", f"VENV={ROOT / '.venv'}",
            f"PELICANOPTS=-e 'DIGEST_SERVERS=[\"{closed_port_url}\"]'",
        ],
        cwd=clone, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "could not reach" in " ".join(output.split())
    page = clone / "output" / "tags" / "supervised_finetuning" / "index.html"
    tree = html.fromstring(page.read_bytes())
    entries = tree.xpath('//article[contains(concat(" ", @class, " "), " h-entry ")]')
    assert len(entries) == 4
    assert tree.xpath("//h1")[0].text_content().strip() == "#Supervised_finetuning"
    text = tree.text_content()
    for link in (
        "habr.com/ru/articles/869674/",
        "habr.com/ru/articles/829318/",
        "habr.com/ru/articles/829324/",
        "habr.com/ru/articles/829936/",
    ):
        assert link in text
    dates = [t for t in ("2024-12-27", "2024-07-24", "2024-07-23", "2024-07-22") if t in text]
    assert dates == ["2024-12-27", "2024-07-24", "2024-07-23", "2024-07-22"]
    assert text.index("2024-12-27") < text.index("2024-07-22")  # newest first
    # The failed fetch changed no byte of the archive.
    archive_after = {
        p.relative_to(clone): p.read_bytes() for p in (clone / "content/archive").rglob("*.jsonl")
    }
    assert archive_after == archive_before
