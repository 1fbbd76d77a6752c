"""The XSS corpus in every field, through a full Pelican build, loaded in Debian's chromium.

Each vector of ``fixtures/xss/payloads.json``, if it ever ran, calls ``alert()``
(a dialog), ``__xss()`` (recorded by an init script) or loads something from
``xss.invalid`` (recorded by the request router). The pages are served over
HTTP from 127.0.0.1; every other request is aborted (tests never touch the
internet). The static HTML is checked too: no script, no event handler, no
URL with a scheme other than http(s)/mailto.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import mf2py
import pytest
from digest_support import FIXTURES, articles, build, iter_html, parse, write_archive_lines
from tag_digest.digest.grouping import full_pages

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
PAYLOADS: list[str] = json.loads((FIXTURES / "xss" / "payloads.json").read_text(encoding="utf-8"))
TAG = "xsstest"
MARKER_HOST = "xss.invalid"
FORBIDDEN_TAGS = {
    "script", "iframe", "object", "embed", "form", "input", "button", "textarea",
    "select", "style", "base", "svg", "math", "frame", "frameset", "applet",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "poster", "data", "srcset", "ping",
    "xlink:href", "background", "cite",
}  # fmt: skip
EVENTS = [
    "mouseover", "mouseenter", "pointerover", "pointerenter", "focus", "focusin", "click",
    "toggle", "animationstart", "transitionend", "load", "error",
]  # fmt: skip


def browser_or_skip() -> str:
    """Debian's chromium; skipped when missing, but a failure in CI (``CI=true``)."""
    if Path(CHROMIUM).is_file():
        return CHROMIUM
    message = "Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)"
    if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
        pytest.fail(f"{message}; CI must run the browser tests")
    pytest.skip(message)


def record(n: int, payload: str, url: str) -> dict[str, Any]:
    """An archive record with ``payload`` in every text field and ``url`` in every URL field."""
    return {
        "uri": f"{url}#{n}",
        "url": url,
        "server": url,
        "created_at": f"2024-12-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00.000Z",
        "edited_at": None,
        "language": payload,
        "account": {
            "acct": payload,
            "display_name": payload,
            "url": url,
            "avatar": url,
            "indexable": True,
        },
        "content": f"<p>{payload}</p>{payload}",
        "spoiler_text": payload if n % 2 else "",
        "sensitive": n % 3 == 0,
        "tags": [TAG, payload],
        "card": {"url": url, "title": payload, "description": payload, "provider": payload},
        "media": [
            {"type": payload, "url": url, "preview_url": url, "description": payload},
            {"type": "image", "url": url, "preview_url": url, "description": ""},
        ],
        "emojis": [{"shortcode": payload, "url": url}],
        "mentions": [{"acct": payload, "url": url}],
        "in_reply_to": payload,
        "fetched_at": "2024-12-31T00:00:00.000Z",
        "deleted_at": None,
    }


def records() -> list[dict[str, Any]]:
    out = []
    for n, payload in enumerate(PAYLOADS):
        # The payload as the URL itself, and behind a valid scheme.
        out.append(record(2 * n, payload, payload))
        out.append(record(2 * n + 1, payload, "https://ok.example/" + payload))
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("xss")
    archive = write_archive_lines(tmp / "archive", records())
    return build(tmp, archive, DIGEST_TAGS=[TAG], DIGEST_PER_PAGE=60)


def tag_pages(site: Path) -> list[Path]:
    return sorted((site / "tags" / TAG).rglob("index.html"))


def test_the_whole_corpus_is_published(site: Path) -> None:
    pages = tag_pages(site)
    assert len(pages) == 1 + full_pages(2 * len(PAYLOADS), 60)  # the index and pages 1 … F
    uris = [a.get("data-uri") for page in pages for a in articles(parse(page))]
    assert len(uris) == len(set(uris)) == 2 * len(PAYLOADS)


SEARCH_PAGE = "search/index.html"
"""The theme's search page: its form and its one same-origin module script are ours."""


def test_static_html_has_no_script_handler_or_script_url(site: Path) -> None:
    search = parse(site / SEARCH_PAGE)
    assert search.xpath("//script/@src") == ["../theme/js/search.js"]
    for element in search.xpath("//script | //form | //input | //button | //select"):
        element.drop_tree()  # what is left is checked like every other page
    for path in iter_html(site):
        root = search if path == site / SEARCH_PAGE else parse(path)
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            assert element.tag.lower() not in FORBIDDEN_TAGS, f"{path}: <{element.tag}>"
            if element.tag == "meta":  # a refresh could navigate to a script URL
                assert (element.get("http-equiv") or "").lower() != "refresh", path
            for name, value in element.attrib.items():
                assert not name.lower().startswith("on"), f"{path}: {name}={value!r}"
                assert name.lower() != "style", f"{path}: style={value!r}"
                if name.lower() in URL_ATTRIBUTES:
                    parts = urlsplit("".join(ch for ch in value if ch > " ").lower())
                    assert parts.scheme in ("", "http", "https", "mailto"), (
                        f"{path}: {name}={value!r}"
                    )
                    assert parts.hostname != MARKER_HOST, f"{path}: {name}={value!r}"


def test_no_forged_microformats(site: Path) -> None:
    for page in tag_pages(site):
        html = page.read_text(encoding="utf-8")
        shown = len(articles(parse(page)))
        items = mf2py.parse(doc=html, url="https://d.example/")["items"]
        assert [i["type"] for i in items] == [["h-entry"]] * shown
        urls = [u for i in items for u in i["properties"].get("url", [])]
        assert all(urlsplit(u).hostname != "forged.example" for u in urls)


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


def test_no_injected_script_runs_in_chromium(site: Path, served: str, browser: Any) -> None:
    evidence: list[str] = []
    loaded: list[str] = []
    context = browser.new_context(java_script_enabled=True)
    context.add_init_script(
        "window.__xss = (n) => { (window.__xssHits = window.__xssHits || []).push(String(n)); };"
    )

    def route(route: Any) -> None:
        url = route.request.url
        host = urlsplit(url).hostname or ""
        if host == MARKER_HOST or host.endswith("." + MARKER_HOST):
            evidence.append(f"request to {url}")
        if host == "127.0.0.1":
            loaded.append(url)
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on(
        "dialog", lambda dialog: (evidence.append(f"dialog {dialog.message}"), dialog.dismiss())
    )
    page.on("pageerror", lambda error: evidence.append(f"page error {error}"))
    page.on(
        "console",  # aborted remote media and cards log "Failed to load resource"; nothing else may
        lambda message: (
            message.text.startswith("Failed to load resource")
            or evidence.append(f"console {message.text}")
        ),
    )
    page.on(
        "framenavigated",
        lambda frame: (
            frame.url.startswith(("javascript:", "data:"))
            and evidence.append(f"navigated to {frame.url}")
        ),
    )

    # Every page of the site: the tag pages, and whatever other pages the build makes.
    urls = [served + quote(p.relative_to(site).as_posix()) for p in iter_html(site)]
    # The search page showing every post of the corpus (their payloads are in the index).
    urls.append(served + SEARCH_PAGE + f"?tag=%23{TAG}")
    assert len(urls) > len(tag_pages(site))
    for url in urls:
        page.goto(url, wait_until="load")
        if "?" in url:  # the search page: wait for its results (payloads from the index)
            page.wait_for_selector("#search-results li")
        # Open every warning, and fire the usual event types at every element: any inline
        # handler that survived would run now. Plain Events: no link is followed.
        page.evaluate(
            """(events) => {
                for (const d of document.querySelectorAll('details')) d.open = true;
                for (const el of document.querySelectorAll('*')) {
                    for (const type of events) el.dispatchEvent(new Event(type, {bubbles: true}));
                }
            }""",
            EVENTS,
        )
        page.wait_for_load_state("load")
        facts = page.evaluate(
            """() => ({
                hits: window.__xssHits || [],
                scripts: document.scripts.length,
                handlers: [...document.querySelectorAll('*')].flatMap(
                    el => [...el.attributes].filter(a => a.name.startsWith('on')).map(a => a.name)),
                schemes: [...new Set([...document.querySelectorAll('[href], [src]')].map(
                    el => new URL(el.href || el.src, location.href).protocol))],
                entries: document.querySelectorAll('article.h-entry').length,
            })"""
        )
        assert facts["hits"] == [], url
        scripts = 1 if urlsplit(url).path.endswith(SEARCH_PAGE) else 0  # search.js, ours
        assert facts["scripts"] == scripts and facts["handlers"] == [], url
        assert set(facts["schemes"]) <= {"http:", "https:", "mailto:"}, (url, facts["schemes"])
        if "?" in url:
            continue
        local = site / unquote(urlsplit(url).path).lstrip("/")
        assert facts["entries"] == len(articles(parse(local))), url
    context.close()
    assert evidence == []
    assert set(urls) <= set(loaded)
    assert any(u.endswith("/theme/css/main.css") for u in loaded)
