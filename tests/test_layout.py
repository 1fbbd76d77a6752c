"""The folder layout's rules: import-linter contracts (in pyproject.toml) and no file I/O in
the pure folders. Each contract is shown to break when a forbidden import is added."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "plugins" / "tag_digest"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
SUBPACKAGES = ("fetch", "archive", "digest", "formats", "site")
PURE = ("digest", "formats")


def lint_imports(cwd: Path, plugins: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", *args],
        cwd=cwd,
        env={"PYTHONPATH": str(plugins), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    found: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return found


def test_the_import_contracts_are_kept() -> None:
    result = lint_imports(ROOT, ROOT / "plugins")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(contracts())} kept, 0 broken." in result.stdout


def test_every_subpackage_and_plugin_py_have_a_contract() -> None:
    sources = {str(s) for c in contracts() for s in c["source_modules"]}  # type: ignore[attr-defined]
    assert {f"tag_digest.{name}" for name in SUBPACKAGES} <= sources
    assert {(PACKAGE / name / "__init__.py").is_file() for name in SUBPACKAGES} == {True}
    guarded = next(c for c in contracts() if c["id"] == "entry-point")
    top = {f"tag_digest.{p.stem}" for p in PACKAGE.glob("*.py")} - {
        "tag_digest.__init__",
        "tag_digest.plugin",
    }
    # every module but the package itself (which re-exports register) may not import plugin.py
    assert top | {f"tag_digest.{name}" for name in SUBPACKAGES} == set(guarded["source_modules"])  # type: ignore[arg-type]


BREAKS = [
    ("pure-logic", "digest/dates.py", "import httpx"),
    ("pure-logic", "formats/seo.py", "from pelican import signals"),
    ("pure-logic", "digest/model.py", "from ..site import writer"),  # and through it, Pelican
    ("archive", "archive/state.py", "from pelican import signals"),
    ("archive", "archive/ingest.py", "from ..fetch import client"),
    ("fetch", "fetch/progress.py", "import pelican.log"),
    ("fetch", "fetch/timeline.py", "from ..archive.shards import Archive"),
    ("site", "site/render.py", "from ..fetch.client import ApiClient"),
    ("site", "site/writer.py", "import httpx"),
    ("entry-point", "site/generator.py", "from ..plugin import register"),
    ("entry-point", "errors.py", "from .plugin import register"),
]


@pytest.mark.parametrize(("contract", "module", "line"), BREAKS)
def test_a_forbidden_import_breaks_its_contract(
    tmp_path: Path, contract: str, module: str, line: str
) -> None:
    shutil.copytree(
        PACKAGE, tmp_path / "plugins" / "tag_digest", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "plugins" / "tag_digest" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    result = lint_imports(tmp_path, tmp_path / "plugins", "--contract", contract)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Contracts: 0 kept, 1 broken." in result.stdout, result.stdout


FILE_CALLS = {"open", "read_text", "read_bytes", "write_text", "write_bytes", "mkdir", "unlink"}
FILE_MODULES = {"os", "shutil", "tempfile", "pathlib", "glob"}


def file_io(source: str) -> list[str]:
    """What in ``source`` opens, reads or writes files: ``open(...)``, ``x.read_text()`` and
    the like, and imports of the modules that touch the file system."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in FILE_CALLS:
                found.append(f"line {node.lineno}: {name}()")
        elif isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names
                      if a.name.split(".")[0] in FILE_MODULES]  # fmt: skip
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            top = node.module.split(".")[0]
            found += [f"line {node.lineno}: from {node.module}"] if top in FILE_MODULES else []
    return found


@pytest.mark.parametrize("folder", PURE)
def test_the_pure_folders_open_no_files(folder: str) -> None:
    modules = sorted((PACKAGE / folder).glob("*.py"))
    assert len(modules) > 2
    problems = {
        m.name: file_io(m.read_text(encoding="utf-8"))
        for m in modules
        if file_io(m.read_text(encoding="utf-8"))
    }
    assert problems == {}


def test_the_file_scan_sees_file_access() -> None:
    source = (
        "import os\nfrom pathlib import Path\n"
        "def f(p):\n    open(p)\n    p.read_text()\n    Path(p).write_bytes(b'')\n"
    )
    assert len(file_io(source)) == 5
    assert file_io("import io\ndef g(x):\n    return io.StringIO(x).read()\n") == []
