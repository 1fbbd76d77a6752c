"""A web URL has one check (``tag_digest.weburl``); every judge of an untrusted URL agrees."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from tag_digest import weburl
from tag_digest.archive.origins import address, original_url
from tag_digest.digest.links import normalise_url
from tag_digest.digest.sanitize import safe_url
from tag_digest.fetch import screen
from tag_digest.weburl import is_web_url, web_url

PLUGIN = Path(weburl.__file__).parent

WEB = [
    "https://example.org/a",
    "HTTP://Example.ORG",
    "  https://example.org/padded  ",
    "http://user:pass@example.org/",
    "https://mastodon.social@evil.example/x",  # user info: the host is evil.example
    "https://пример.рф/путь",  # an IDN host
    "https://xn--e1afmkfd.xn--p1ai/",
    "http://127.0.0.1:8080/x",
    "https://[2001:db8::1]/x",
]
NOT_WEB = [
    "javascript:alert(1)",
    "JaVaScRiPt://example.org/%0aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "mailto:someone@example.org",
    "ftp://example.org/file",
    "//example.org/scheme-relative",
    "https:///no-host",
    "https://[oops/",
    "https://example.org:99999/",
    "https://example.org:port/",
    "https:example.org",
    "",
]


@pytest.mark.parametrize("url", WEB)
def test_every_judge_takes_a_web_url(url: str) -> None:
    assert is_web_url(url)
    assert safe_url(url) == url.strip()
    assert normalise_url(url) is not None
    assert address(url) is not None
    assert original_url(url, "") == url.strip()


@pytest.mark.parametrize("url", NOT_WEB)
def test_every_judge_refuses_anything_else(url: str) -> None:
    assert not is_web_url(url)
    assert safe_url(url) is None
    assert normalise_url(url) is None
    assert address(url) is None
    assert original_url(url, "https://example.org/") == ""


def test_the_host_is_judged_not_the_user_info() -> None:
    assert address("https://mastodon.social@evil.example/x") == ("evil.example", 443)
    parts = web_url("http://user:pass@example.org:8080/")
    assert parts is not None and (parts.hostname, parts.port) == ("example.org", 8080)
    assert normalise_url("https://пример.рф/") == "https://xn--e1afmkfd.xn--p1ai/"
    assert not is_web_url(None) and not is_web_url(42)
    assert safe_url("mailto:someone@example.org", mailto=True) == "mailto:someone@example.org"


def test_the_fetch_screens_with_the_same_check() -> None:
    assert screen.is_web_url is is_web_url


SETTINGS = {"server_settings.py", "moderation_settings.py", "formats/feeds.py"}
"""The maintainer's own settings (servers, the contact, SITEURL) have checks naming the setting."""


def test_no_other_module_lists_the_web_schemes() -> None:
    """Outside ``weburl.py`` no module judges ``http``/``https`` itself (``sanitize.py``
    lists them once more for nh3's allow-list of link schemes)."""
    found = []
    for path in sorted(PLUGIN.rglob("*.py")):
        name = path.relative_to(PLUGIN).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Tuple | ast.Set | ast.Dict | ast.List):
                items = node.keys if isinstance(node, ast.Dict) else node.elts
                words = {i.value for i in items if isinstance(i, ast.Constant)}
                if {"http", "https"} <= words:
                    found.append(name)
    assert sorted(set(found) - SETTINGS) == ["digest/sanitize.py", "weburl.py"]


ODD = [
    "https://a.example\t/b",  # the parser drops tabs and newlines anywhere
    "https://a.ex\nample/b?x#y",
    "https://user#frag@evil.example/",  # the host ends at the first "#"
    "https://user?q@evil.example/",
    "https://user/x@evil.example/",
    "https://[2001:db8::1]:8443?x",
    "https://[oops?x]/",
    "https://example.org:99999#x",
    "HTTPS://EXAMPLE.org:443/a",
    "http://example.org:80",
    "https://",
    "http://",
    "https://@/",
    "\x01https://example.org/",
    " \thttps://example.org/x ",
]


@pytest.mark.parametrize("url", [*WEB, *NOT_WEB, *ODD])
def test_the_origin_cut_gives_the_address_of_the_whole_url(url: str) -> None:
    """address() parses only ``scheme://host:port`` (one cache entry per server): the same
    answer as parsing the whole URL."""
    from tag_digest.archive.origins import _address

    assert address(url) == _address(url)
    assert address(url + "/more?and#more") == _address(url + "/more?and#more")
