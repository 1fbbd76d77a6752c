"""The built sites equal the golden trees under tests/golden/, byte for byte (see tests/golden.py).

A difference fails with the diff. When the change to the output is meant, run ``make golden``
and commit the new trees with the change.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from golden import GOLDEN, build_sites, differences, files


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_sites(tmp_path_factory.mktemp("golden"))


@pytest.mark.parametrize("name", ["default", "generated"])
def test_the_built_site_is_the_golden_tree(built: dict[str, Path], name: str) -> None:
    expected = GOLDEN / name
    assert any(files(expected)), f"no golden tree {expected}: run make golden"
    problems = differences(expected, built[name])
    assert not problems, f"{len(problems)} differences (make golden if meant):\n" + "\n".join(
        problems[:20]
    )
