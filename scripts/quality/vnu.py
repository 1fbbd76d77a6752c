"""The Nu HTML Checker (vnu.jar) over every HTML page and CSS file of a site."""

from __future__ import annotations

import contextlib
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .linkcheck import page_files
from .tools import Tools


@dataclass(frozen=True, slots=True)
class VnuMessage:
    file: str
    line: int | None
    message: str
    extract: str


def vnu_files(root: Path) -> list[Path]:
    return page_files(root) + sorted(root.rglob("*.css"))


def run_vnu(tools: Tools, root: Path) -> tuple[int, list[VnuMessage]]:
    """(files checked, errors). Warnings are not errors and are left out (``--errors-only``)."""
    files = vnu_files(root)
    if not files:
        return 0, []
    command = [
        tools.java, "-Xss4m", "-jar", str(tools.vnu_jar),
        "--errors-only", "--format", "json", "--also-check-css", *map(str, files),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)
    try:
        report = json.loads(done.stderr or done.stdout or "{}")
    except json.JSONDecodeError:
        raise RuntimeError(f"vnu failed (exit {done.returncode}): {done.stderr[-2000:]}") from None
    messages = []
    for item in report.get("messages", []):
        if item.get("type") not in ("error", "non-document-error"):
            continue
        url = str(item.get("url", ""))
        name = url.removeprefix("file:")
        with contextlib.suppress(ValueError):
            name = Path(name).resolve().relative_to(root.resolve()).as_posix()
        text, extract = str(item.get("message")), str(item.get("extract", ""))
        messages.append(VnuMessage(name, item.get("lastLine"), text, extract))
    return len(files), messages
