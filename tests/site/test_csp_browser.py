"""Every page's Content-Security-Policy, and Debian's chromium enforcing it (issue 10).

The sanitiser is the first line; the policy is the second. To see the second
line hold on its own, a built page gets markup *past* the sanitiser on purpose
(the test-only hook: :func:`inject`, which edits a page after the build, as a
sanitiser miss would leave it): an inline script, an event handler, a
``javascript:`` link and a third-party script. In chromium none of them may run,
and the browser must report each refusal. The same page without its policy
runs the injected script, so the injection is real and the policy is what
stops it. Pages as built must load without a single violation.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import lxml.html
import pytest
from digest_support import build, iter_html, parse, write_archive
from factories import mastodon_status
from tag_digest.archive.records import Post
from tag_digest.archive.statuses import from_status
from tag_digest.digest.csp import CONTENT_SECURITY_POLICY
from test_xss_browser import CHROMIUM_ARGS, browser_or_skip

TAG = "Supervised_finetuning"
INJECTED = (
    "<script>window.__pwned = (window.__pwned || []).concat('inline');</script>"
    "<img id=injected-img src=missing.png onerror=\"window.__pwned = ['onerror']\">"
    "<a id=injected-link href=\"javascript:window.__pwned=['javascript-url']\">x</a>"
    '<script src="https://evil.example/x.js"></script>'
)
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(
    {directive: e.effectiveDirective, blocked: e.blockedURI, disposition: e.disposition}));
"""


def post(n: int) -> Post:
    return from_status(
        mastodon_status(
            n,
            created_at=f"2025-07-{10 + n:02d}T10:00:00.000Z",
            content=f'<p>Пост {n} <a href="https://example.org/{n}">ссылка</a></p>',
            tags=[{"name": TAG}],
            media_attachments=[
                {
                    "type": "image",
                    "url": f"https://files.example/{n}.png",
                    "preview_url": f"https://files.example/{n}-small.png",
                    "description": "картинка",
                }
            ],
        ),
        "https://mastodon.social",
        "2025-07-18T00:00:00.000Z",
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("csp")
    archive = write_archive(tmp / "archive", [post(n) for n in range(3)])
    # Full posts on the tag page: the injection goes into the first post's content.
    output = build(tmp, archive, DIGEST_TAGS=[TAG], DEFAULT_LANG="en", DIGEST_COMPACT_PAGES=[])
    tag_page = output / "tags" / "supervised_finetuning" / "index.html"
    injected = output / "tags" / "supervised_finetuning" / "injected" / "index.html"
    bare = output / "tags" / "supervised_finetuning" / "bare" / "index.html"
    for target in (injected, bare):
        target.parent.mkdir()
        shutil.copy(tag_page, target)
        inject(target)
    strip_policy(bare)
    return output


def inject(page: Path) -> None:
    """The test-only hook: markup in the first post's content that no sanitiser let through.
    (The copy sits one directory deeper, so its relative stylesheet link gets one more ``../``.)"""
    html = page.read_text(encoding="utf-8").replace('href="../../', 'href="../../../')
    marker = '<div class="e-content content">'
    assert marker in html
    page.write_text(html.replace(marker, marker + INJECTED, 1), encoding="utf-8")


def strip_policy(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    page.write_text(re.sub(r"<meta http-equiv=[^>]*>", "", html), encoding="utf-8")


def built_pages(site: Path) -> list[Path]:
    return [p for p in iter_html(site) if p.parent.name not in ("injected", "bare")]


def test_every_page_carries_the_policy_first_in_its_head(site: Path) -> None:
    pages = built_pages(site)
    assert {"index.html", "bookmarks.html", "about.html", "tags.html"} <= {p.name for p in pages}
    for page in pages:
        head = parse(page).find("head")
        assert head is not None, page
        policies = head.xpath(
            'meta[translate(@http-equiv, "CSP", "csp")="content-security-policy"]'
        )
        assert [p.get("content") for p in policies] == [CONTENT_SECURITY_POLICY], page
        first = [e for e in head if isinstance(e.tag, str)][:2]
        if page.name != "bookmarks.html":  # Netscape's format starts with its own META
            assert first[0].get("charset") == "utf-8" and first[1] is policies[0], page


def test_the_policy_allows_no_inline_or_third_party_script() -> None:
    directives = {part.split()[0]: part.split()[1:] for part in CONTENT_SECURITY_POLICY.split("; ")}
    assert directives["script-src"] == ["'self'", "'wasm-unsafe-eval'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "'unsafe-eval'" not in CONTENT_SECURITY_POLICY


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = browser_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class Visit:
    """One chromium page: requests beyond 127.0.0.1 aborted, violations and console kept."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context()
        self.context.add_init_script(RECORD_VIOLATIONS)
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.console: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda message: self.console.append(message.text))
        self.page.on("requestfailed", lambda request: self.failed.append(request.url))

    def _route(self, route: Any) -> None:
        self.requests.append(route.request.url)
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    def open(self, url: str) -> dict[str, Any]:
        self.page.goto(url, wait_until="load")
        self.page.evaluate(
            "() => { const a = document.getElementById('injected-link'); if (a) a.click(); }"
        )
        self.page.wait_for_load_state("load")
        facts: dict[str, Any] = self.page.evaluate(
            """() => ({
                pwned: window.__pwned || null,
                violations: window.__violations,
                styled: getComputedStyle(document.body).display,
            })"""
        )
        return facts

    def close(self) -> None:
        self.context.close()


@pytest.mark.browser
def test_built_pages_load_without_a_violation(site: Path, served: str, browser: Any) -> None:
    visit = Visit(browser)
    pages = built_pages(site)
    for page in pages:
        if page.name == "bookmarks.html":
            continue  # no stylesheet: checked for violations below
        facts = visit.open(served + quote(page.relative_to(site).as_posix()))
        assert facts["violations"] == [], page
        assert facts["styled"] == "flex", page  # main.css (body{display:flex}) applied
    facts = visit.open(served + "bookmarks.html")
    assert facts["violations"] == []
    visit.close()
    local = [u for u in visit.requests if urlsplit(u).hostname == "127.0.0.1"]
    assert any(u.endswith("/theme/css/main.css") for u in local)
    assert not any("Content Security Policy" in line for line in visit.console)


@pytest.mark.browser
def test_chromium_refuses_script_past_the_sanitiser(site: Path, served: str, browser: Any) -> None:
    visit = Visit(browser)
    facts = visit.open(served + "tags/supervised_finetuning/injected/index.html")
    visit.close()
    assert facts["pwned"] is None
    assert facts["styled"] == "flex"  # the page itself still works
    directives = {v["directive"] for v in facts["violations"]}
    assert {"script-src-elem", "script-src-attr"} <= directives, facts["violations"]
    assert "script-src-elem" in {
        v["directive"] for v in facts["violations"] if "evil.example" in v["blocked"]
    }, facts["violations"]
    assert all(v["disposition"] == "enforce" for v in facts["violations"])
    assert not any("evil.example" in u for u in visit.requests)  # never even requested
    refusals = [line for line in visit.console if "Content Security Policy" in line]
    assert any("inline script" in line for line in refusals), visit.console
    assert any("inline event handler" in line for line in refusals), visit.console
    assert any("JavaScript URL" in line for line in refusals), visit.console


@pytest.mark.browser
def test_without_the_policy_the_injected_script_runs(site: Path, served: str, browser: Any) -> None:
    """The control: the hook injects working script; the policy is what stops it."""
    visit = Visit(browser)
    facts = visit.open(served + "tags/supervised_finetuning/bare/index.html")
    visit.close()
    assert facts["pwned"] is not None and facts["violations"] == []
    root = lxml.html.fromstring((site / "tags/supervised_finetuning/bare/index.html").read_bytes())
    assert root.xpath("//script") and not root.xpath("//meta[@http-equiv]")
