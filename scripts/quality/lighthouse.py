"""Lighthouse (npm, 12.x for Node 20) against Debian's chromium: the four category scores."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .tools import CHROMIUM_FLAGS, Tools

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
MINIMUM = 0.95


@dataclass(frozen=True, slots=True)
class LighthouseResult:
    url: str
    scores: dict[str, float]
    failing_audits: tuple[str, ...]
    """Audits scoring below 1 that weigh on a category, for the report."""

    @property
    def passed(self) -> bool:
        return all(self.scores.get(c, 0.0) >= MINIMUM for c in CATEGORIES)


def _failing(report: dict[str, Any]) -> tuple[str, ...]:
    audits: dict[str, Any] = report.get("audits", {})
    categories: dict[str, Any] = report.get("categories", {})
    weighed = {
        ref["id"]
        for cat in categories.values()
        for ref in cat.get("auditRefs", [])
        if ref.get("weight", 0) > 0
    }
    failing = []
    for audit_id in sorted(weighed):
        audit = audits.get(audit_id, {})
        score = audit.get("score")
        if score is not None and score < 1:
            failing.append(f"{audit_id} ({score}): {audit.get('title')}")
    return tuple(failing)


def run_lighthouse(tools: Tools, url: str, keep: Path | None = None) -> LighthouseResult:
    """One Lighthouse run (mobile emulation, simulated throttling: the defaults)."""
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        output = Path(tmp) / "report.json"
        command = [
            tools.node, str(tools.lighthouse_cli), url,
            "--output=json", f"--output-path={output}", "--quiet",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={' '.join(CHROMIUM_FLAGS)}",
            "--max-wait-for-load=60000",
        ]  # fmt: skip
        env = {**os.environ, "CHROME_PATH": tools.chromium, "HOME": tmp}
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=300, check=False, env=env
        )
        if not output.is_file():
            why = f"exit {done.returncode}: {done.stderr[-2000:]}"
            raise RuntimeError(f"lighthouse failed on {url} ({why})")
        report = json.loads(output.read_text(encoding="utf-8"))
        if keep is not None:
            keep.write_text(output.read_text(encoding="utf-8"), encoding="utf-8")
    runtime_error = report.get("runtimeError")
    if runtime_error:
        raise RuntimeError(f"lighthouse on {url}: {runtime_error}")
    scores = {
        name: float(cat["score"] or 0.0) for name, cat in report["categories"].items()
    }
    return LighthouseResult(url, scores, _failing(report))
