"""axe-core in Debian's chromium (through Playwright): WCAG 2.0/2.1 A and AA, light and dark."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from playwright.sync_api import sync_playwright

from .tools import CHROMIUM_FLAGS, Tools

WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
SCHEMES = ("light", "dark")
VIEWPORTS = ((1280, 800), (360, 740))

_RUN = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary),
  }));
}"""


@dataclass(frozen=True, slots=True)
class AxeViolation:
    url: str
    scheme: str
    viewport: str
    rule: str
    impact: str
    help: str
    nodes: tuple[str, ...]


def run_axe(tools: Tools, urls: Sequence[str]) -> list[AxeViolation]:
    """Every violation on every page, in each colour scheme and viewport width."""
    source = tools.axe_js.read_text(encoding="utf-8")
    found: list[AxeViolation] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=tools.chromium, args=list(CHROMIUM_FLAGS), headless=True
        )
        try:
            for scheme in SCHEMES:
                for width, height in VIEWPORTS:
                    context = browser.new_context(
                        color_scheme=scheme,  # type: ignore[arg-type]
                        viewport={"width": width, "height": height},
                    )
                    # An init script, not a <script> tag: the pages' Content-Security-Policy
                    # (rightly) refuses inline script, and axe must see them as readers do.
                    context.add_init_script(script=source)
                    page = context.new_page()
                    for url in urls:
                        page.goto(url, wait_until="load")
                        size = f"{width}x{height}"
                        for v in page.evaluate(_RUN, list(WCAG_TAGS)):
                            impact, nodes = str(v["impact"]), tuple(v["nodes"])
                            found.append(
                                AxeViolation(url, scheme, size, v["id"], impact, v["help"], nodes)
                            )
                    context.close()
        finally:
            browser.close()
    return found
