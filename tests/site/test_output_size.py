"""The build warns once the site passes 80 % of GitHub Pages' 1 GB limit (issue 14)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from digest_support import ROOT, build
from tag_digest.site.output_size import PAGES_LIMIT, size_warning, tree_bytes


def test_tree_bytes_adds_up_every_file_and_follows_no_link(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.html").write_bytes(b"x" * 1000)
    (tmp_path / "a" / "deep" / "er").mkdir(parents=True)
    (tmp_path / "a" / "deep" / "er" / "y.css").write_bytes(b"y" * 234)
    (tmp_path / "link").symlink_to(tmp_path / "a")
    assert tree_bytes(tmp_path) == 1234
    assert tree_bytes(tmp_path / "missing") == 0


def test_the_warning_starts_past_eighty_percent_of_the_limit() -> None:
    assert size_warning(int(PAGES_LIMIT * 0.8)) is None
    warning = size_warning(850_000_000)
    assert warning is not None and "850 MB, 85% of GitHub Pages' 1 GB limit" in warning
    assert size_warning(2_200_000_000) is not None


def test_a_real_build_warns_only_when_its_output_nears_the_limit(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="tag_digest")
    output = build(tmp_path, ROOT / "content" / "archive")
    assert not [r for r in caplog.records if "GitHub Pages" in r.getMessage()]
    assert 0 < tree_bytes(output) < PAGES_LIMIT * 0.8
    # 850 MB more in the output (a sparse file: no disk used), then the same build again.
    with (output / "big-media.bin").open("wb") as handle:
        handle.truncate(850_000_000)
    caplog.clear()
    build(tmp_path, ROOT / "content" / "archive")
    warnings = [r.getMessage() for r in caplog.records if "GitHub Pages" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].startswith("tag_digest: the built site is 85")
