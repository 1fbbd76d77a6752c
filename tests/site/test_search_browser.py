"""The site search in Debian's chromium: from the home page to a post, filters, opt-outs.

The posts fall in two years, so the index is two Pagefind bundles (``pagefind/2024/``,
``pagefind/2022/``) that the page merges. Two real builds of the same archive, served over
HTTP from 127.0.0.1 (every other request is aborted): one with relative links at the server
root, as ``make serve`` shows it, and one under a sub-path with root-absolute links, as
GitHub Pages serves ``https://<user>.github.io/<repo>/``. Before the final build, one post
is deleted, so its index must be the rebuilt one.
"""

from __future__ import annotations

import functools
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from digest_support import build, write_archive
from search_support import TAGS, post
from tag_digest.archive.shards import Archive
from tag_digest.digest.periods import post_anchor
from test_xss_browser import CHROMIUM_ARGS, browser_or_skip

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CAT = post(1, "Кошка сидит на окне и смотрит на улицу")
CAT_LLM = post(4, "Кошка учит LLM", tags=("llm", "supervised_finetuning"), day="2024-11-05")
DOG = post(2, "Собака спит у двери", indexable=False)
GONE = post(3, "Черепаха уползла далеко")
OLD_CAT = post(5, "Кошка из старого архива", day="2022-06-01")  # another bundle: "2022"
POSTS = [CAT, CAT_LLM, DOG, GONE, OLD_CAT]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _build_twice(tmp: Path, **override: Any) -> Path:
    archive = write_archive(tmp / "archive", POSTS)
    build(tmp, archive, DIGEST_TAGS=TAGS, **override)  # GONE is indexed here…
    store = Archive.load(archive)
    store.put(GONE.tombstone("2024-12-20T00:00:00.000Z"))
    store.save()
    return build(tmp, archive, DIGEST_TAGS=TAGS, **override)  # …and deleted here


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    root = tmp_path_factory.mktemp("search-served")
    relative = _build_twice(root / "relative")
    sub = _build_twice(root / "sub", SITEURL="/repo", RELATIVE_URLS=False)
    (root / "repo").symlink_to(sub, target_is_directory=True)
    (root / "index.html").symlink_to(relative / "index.html")
    for name in relative.iterdir():
        if name.name != "index.html":
            (root / name.name).symlink_to(name)
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        yield {"root": base, "sub": base + "repo/"}
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


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    errors: list[str] = []

    def route(route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)
    tab = context.new_page()
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == []


def wait_until(page: Any, function: str, seconds: float = 15) -> None:
    """Poll ``function`` (a JS function) in ``page`` until it returns true.

    Not ``page.wait_for_function``: Playwright evaluates its predicate as a string, which the
    pages' Content-Security-Policy rightly refuses (no ``'unsafe-eval'``); ``evaluate`` calls
    a function through the DevTools protocol, which the policy does not govern.
    """
    deadline = time.monotonic() + seconds
    while not page.evaluate(function):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {function}")
        time.sleep(0.05)


def search(page: Any, words: str) -> list[str]:
    """Type ``words`` into the search page shown in ``page``; the result links' texts."""
    page.fill("#search-q", words)
    page.press("#search-q", "Enter")
    wait_until(
        page,
        "() => { const s = document.getElementById('search-status').textContent.trim();"
        " return s !== '' && !s.includes('Ищем'); }",
    )
    return [str(t) for t in page.locator("#search-results a").all_inner_texts()]


@pytest.mark.parametrize("where", ["root", "sub"])
def test_from_the_home_page_a_cyrillic_word_leads_to_its_post(
    served: dict[str, str], page: Any, where: str
) -> None:
    page.goto(served[where])
    page.get_by_role("link", name="Поиск").click()
    page.wait_for_url("**/search/**")
    found = search(page, "кошки")  # genitive; the posts say «Кошка»
    assert sorted(found) == ["Автор 1", "Автор 4", "Автор 5"]  # both bundles
    assert page.locator("#search-status").inner_text() == "Найдено 3 поста"
    page.get_by_role("link", name="Автор 1").click()
    anchor = post_anchor(CAT.uri)
    page.wait_for_url(f"**#{anchor}")
    path = urlsplit(page.url).path
    assert path.startswith("/repo/days/2024-12-10/" if where == "sub" else "/days/2024-12-10/")
    assert "Кошка сидит на окне" in page.locator(f"#{anchor}").inner_text()


@pytest.mark.parametrize("where", ["root", "sub"])
def test_a_post_of_an_older_bundle_leads_to_its_day_page(
    served: dict[str, str], page: Any, where: str
) -> None:
    page.goto(served[where] + "search/")
    assert search(page, "архива") == ["Автор 5"]
    page.get_by_role("link", name="Автор 5").click()
    anchor = post_anchor(OLD_CAT.uri)
    page.wait_for_url(f"**#{anchor}")
    path = urlsplit(page.url).path
    assert path.startswith("/repo/days/2022-06-01/" if where == "sub" else "/days/2022-06-01/")
    assert "Кошка из старого архива" in page.locator(f"#{anchor}").inner_text()


def test_an_author_who_is_not_indexable_is_shown_but_never_found(
    served: dict[str, str], page: Any
) -> None:
    page.goto(served["root"] + "days/2024-12-10/index.html")
    assert "Собака спит у двери" in page.locator(f"#{post_anchor(DOG.uri)}").inner_text()
    page.goto(served["root"] + "search/index.html")
    assert search(page, "собака") == []
    assert page.locator("#search-status").inner_text() == "Ничего не найдено."


def test_a_tag_filter_narrows_the_results(served: dict[str, str], page: Any) -> None:
    page.goto(served["root"] + "search/index.html")
    assert len(search(page, "кошка")) == 3
    page.select_option("#search-tag", "#LLM")
    wait_until(page, "() => document.querySelectorAll('#search-results li').length === 1")
    assert page.locator("#search-results a").all_inner_texts() == ["Автор 4"]
    assert "tag=%23LLM" in page.url  # the search can be linked to


def test_a_month_filter_of_an_older_bundle_narrows_the_results(
    served: dict[str, str], page: Any
) -> None:
    page.goto(served["root"] + "search/index.html")
    months = page.locator("#search-month option").evaluate_all("os => os.map((o) => o.value)")
    assert months == ["", "2024-12", "2024-11", "2022-06"]
    assert len(search(page, "кошка")) == 3
    page.select_option("#search-month", "2022-06")
    wait_until(page, "() => document.querySelectorAll('#search-results li').length === 1")
    assert page.locator("#search-results a").all_inner_texts() == ["Автор 5"]
    page.goto(served["root"] + "search/index.html?month=2024-11")  # a filter alone, linked to
    wait_until(page, "() => document.querySelectorAll('#search-results li').length === 1")
    assert page.locator("#search-results a").all_inner_texts() == ["Автор 4"]


def test_a_deleted_post_is_not_found_after_the_rebuild(served: dict[str, str], page: Any) -> None:
    page.goto(served["sub"] + "search/")
    assert search(page, "черепаха") == []


def test_without_javascript_the_page_says_so(served: dict[str, str], browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(served["root"] + "search/index.html")
    assert "требует JavaScript" in tab.locator("main").inner_text()
    tab.goto(served["root"] + "index.html")
    assert tab.get_by_role("link", name="Поиск").count() == 1
    context.close()
