"""Where the external tools are: the npm packages in tools/quality, Java, Debian's chromium."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NODE_TOOLS = REPO / "tools" / "quality" / "node_modules"
CHROMIUM_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)  # fmt: skip


class ToolMissing(RuntimeError):
    """A tool the checks need is not installed (the message says how to install it)."""


@dataclass(frozen=True, slots=True)
class Tools:
    java: str
    node: str
    chromium: str
    vnu_jar: Path
    axe_js: Path
    lighthouse_cli: Path

    @classmethod
    def find(cls) -> Tools:
        java = shutil.which("java")
        if not java:
            raise ToolMissing("java not found: apt-get install -y default-jre-headless")
        node = shutil.which("node")
        if not node:
            raise ToolMissing("node not found: apt-get install -y nodejs npm")
        chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        if not Path(chromium).is_file():
            raise ToolMissing(f"{chromium} not found: apt-get install -y chromium")
        files = {
            "vnu_jar": NODE_TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar",
            "axe_js": NODE_TOOLS / "axe-core" / "axe.min.js",
            "lighthouse_cli": NODE_TOOLS / "lighthouse" / "cli" / "index.js",
        }
        for path in files.values():
            if not path.is_file():
                raise ToolMissing(f"{path} missing: npm ci --prefix tools/quality --ignore-scripts")
        return cls(java=java, node=node, chromium=chromium, **files)
