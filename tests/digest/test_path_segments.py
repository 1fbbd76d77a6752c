"""Untrusted text as output path segments (issue 10, defect 1).

A post can link to any host and carry any tag: neither may break a build or make a
file some file system refuses. Names here are checked by this file's own rules
(not by calling the code under test), on the names a real Pelican build writes.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import pytest
from digest_support import build, iter_html, parse, write_archive
from factories import mastodon_status
from tag_digest.archive.records import Post
from tag_digest.archive.statuses import from_status
from tag_digest.digest.segments import MAX_SEGMENT_BYTES, safe_segment

LONG_LABEL_HOST = "a" * 300 + ".example"
CYRILLIC_HOST = ".".join(letter * 60 for letter in "жщыю")
LONG_TAG = "Щ" * 124  # a valid hashtag: 248 bytes of UTF-8
HOSTILE_LINKS = [
    f"https://{LONG_LABEL_HOST}/page",
    f"https://{CYRILLIC_HOST}/страница",
    "https://con/x",
    "https://nul.example/y",
    "http://[::1]:8080/z",
]
NORMAL_LINKS = ["https://www.example.org/a", "https://habr.com/ru/articles/1/"]
TAGS = ["Supervised_finetuning", "Машинное_обучение", LONG_TAG, "con"]
FEED_DOMAIN = "http://127.0.0.1:8000"

# Portable names, by this test's own reading of the rules (Windows, macOS, Linux).
WINDOWS_DEVICES = re.compile(r"(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)", re.I)
FORBIDDEN = set('<>:"\\|?*')


def portable_problem(name: str) -> str | None:
    """Why ``name`` is not a portable file name, or ``None``."""
    if not name or name in (".", ".."):
        return "empty or dot name"
    if len(name.encode("utf-8")) > 255:
        return f"{len(name.encode())} bytes"
    if FORBIDDEN & set(name) or any(unicodedata.category(c) in ("Cc", "Cs") for c in name):
        return "forbidden character"
    if name.endswith((".", " ")):
        return "trailing dot or space"
    if WINDOWS_DEVICES.fullmatch(name.split(".")[0].rstrip(" ")):
        return "Windows device name"
    return None


def post(n: int, links: list[str], tags: list[str]) -> Post:
    html = "<p>Ссылки</p>" + "".join(f'<p><a href="{u}">{u}</a></p>' for u in links)
    return from_status(
        mastodon_status(
            n,
            created_at=f"2025-07-{10 + n:02d}T10:00:00.000Z",
            content=html,
            tags=[{"name": t} for t in tags],
        ),
        "https://mastodon.social",
        "2025-07-18T00:00:00.000Z",
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("segments")
    posts = [post(n, [link, *NORMAL_LINKS], TAGS) for n, link in enumerate(HOSTILE_LINKS)]
    archive = write_archive(tmp / "archive", posts)
    return build(tmp, archive, DIGEST_TAGS=TAGS, DEFAULT_LANG="en", FEED_DOMAIN=FEED_DOMAIN)


def test_every_output_name_is_bounded_and_portable(site: Path) -> None:
    paths = list(site.rglob("*"))
    assert len(paths) > 50
    for path in paths:
        for name in path.relative_to(site).parts:
            assert portable_problem(name) is None, (portable_problem(name), str(path))


def test_normal_paths_do_not_move(site: Path) -> None:
    for path in [
        "tags/supervised_finetuning/index.html",
        "tags/машинное_обучение/index.html",
        "feeds/tags/supervised_finetuning.atom.xml",
        "feeds/tags/машинное_обучение.atom.xml",
        "links/domains/example.org/index.html",
        "links/domains/habr.com/index.html",
    ]:
        assert (site / path).is_file(), path


def domain_pages(site: Path) -> dict[str, Path]:
    """Each domain page by the domain its heading names."""
    pages = {}
    for page in (site / "links" / "domains").glob("*/index.html"):
        heading = " ".join(parse(page).xpath("string(//h1)").split())
        pages[heading] = page
    return pages


def test_hostile_hosts_and_tags_get_their_own_pages(site: Path) -> None:
    pages = domain_pages(site)
    hosts = [LONG_LABEL_HOST, CYRILLIC_HOST, "con", "nul.example", "::1"]
    for host in hosts:
        found = [page for heading, page in pages.items() if host in heading]
        assert len(found) == 1, (host, sorted(pages))
        assert host in found[0].read_text(encoding="utf-8")
    dirs = {pages[h].parent.name for h in pages if any(host in h for host in hosts)}
    assert len(dirs) == len(hosts)  # no two hosts share a page
    long_tag = [p for p in (site / "tags").iterdir() if p.name.startswith("щщщ")]
    assert len(long_tag) == 1 and (long_tag[0] / "index.html").is_file()
    assert (site / "feeds" / "tags" / f"{long_tag[0].name}.atom.xml").is_file()
    assert LONG_TAG in (long_tag[0] / "index.html").read_text(encoding="utf-8")


def local_target(site: Path, page: Path, href: str) -> Path | None:
    """The output file a link on ``page`` points to, ``None`` for an external one."""
    url = urldefrag(href)[0]
    if url.startswith(FEED_DOMAIN + "/"):
        url = "/" + url.removeprefix(FEED_DOMAIN + "/")
        target = site / unquote(url).lstrip("/")
    elif urlsplit(url).scheme or url.startswith("//") or not url:
        return None
    else:
        joined = urljoin("file://" + str(page), url)
        target = Path(unquote(joined.removeprefix("file://")))
    return target / "index.html" if target.is_dir() else target


def test_every_internal_link_resolves(site: Path) -> None:
    checked = 0
    for page in iter_html(site):
        root = parse(page)
        for href in root.xpath("//a/@href | //link/@href"):
            target = local_target(site, page, href)
            if target is None:
                continue
            assert target.is_file(), (str(page.relative_to(site)), href)
            checked += 1
    links_index = parse(site / "links" / "index.html")
    domain_links = links_index.xpath('//a[contains(@href, "domains/")]/@href')
    assert len(domain_links) >= len(HOSTILE_LINKS) + len(NORMAL_LINKS)
    assert checked > 100


def test_a_second_build_writes_the_same_names(
    site: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    tmp = tmp_path_factory.mktemp("segments-again")
    posts = [post(n, [link, *NORMAL_LINKS], TAGS) for n, link in enumerate(HOSTILE_LINKS)]
    again = build(tmp, write_archive(tmp / "archive", posts), DIGEST_TAGS=TAGS, DEFAULT_LANG="en")
    names = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.suffix != ".xml"}
    names_again = {p.relative_to(again).as_posix() for p in again.rglob("*") if p.suffix != ".xml"}
    assert names == names_again


# --- safe_segment on plain data ------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["mastodon.social", "example.org", "машинное_обучение", "supervised_finetuning", "_x",
     "xn--80ak6aa92e.com", "a" * MAX_SEGMENT_BYTES, "ж" * (MAX_SEGMENT_BYTES // 2),
     "127.0.0.1", "console", "nullable.example", "com10", "لغة\u200cعربية"],
)  # fmt: skip
def test_a_safe_name_is_kept_as_it_is(name: str) -> None:
    assert safe_segment(name) == name


@pytest.mark.parametrize(
    "name",
    ["", ".", "..", ".hidden", "con", "CON", "Nul.example", "aux.tar.gz", "com1", "lpt9.x",
     "com\u00b9", "conout$", "prn .txt", "::1", "a:b", "a/b", "a\\b", 'a"b', "a|b", "a?b",
     "a*b", "a<b>", "tab\there", "nl\n", "x.", "x ", "a~b", "\ud800", "a" * 101, "ж" * 51,
     LONG_LABEL_HOST, CYRILLIC_HOST, LONG_TAG.casefold()],
)  # fmt: skip
def test_an_unsafe_name_becomes_bounded_portable_and_hashed(name: str) -> None:
    segment = safe_segment(name)
    assert segment != name
    assert portable_problem(segment) is None, (name, segment)
    assert len(segment.encode("utf-8")) <= MAX_SEGMENT_BYTES
    assert not segment.startswith(".") and "/" not in segment
    assert re.fullmatch(r".+~[a-z2-7]{16}", segment, re.S), segment
    assert safe_segment(name) == segment  # stable


def test_a_cut_name_keeps_a_readable_prefix() -> None:
    segment = safe_segment(LONG_TAG.casefold())
    assert segment.startswith("щ" * 40)
    assert safe_segment(LONG_LABEL_HOST).startswith("a" * 80)


def test_names_that_clean_or_cut_alike_stay_apart() -> None:
    names = [
        "a" * 150, "a" * 151, "a" * 150 + "b", "a:b", "a_b~", "a|b", "a*b", "con", "con_",
        "Con", "::1", "__1", ".x", "_x~", "ж" * 60, "ж" * 61,
    ]  # fmt: skip
    segments = [safe_segment(name) for name in names]
    assert len(set(segments)) == len(names)
    # An untouched name never looks like a hashed one: hashed names alone carry "~".
    assert all(("~" in s) == (s != n) for n, s in zip(names, segments, strict=True))


def test_the_limit_is_in_bytes_and_can_be_set() -> None:
    assert safe_segment("ж" * 30, limit=60) == "ж" * 30
    cut = safe_segment("ж" * 31, limit=60)
    assert len(cut.encode("utf-8")) <= 60 and cut.startswith("ж" * 20)
    with pytest.raises(ValueError):
        safe_segment("x", limit=10)
