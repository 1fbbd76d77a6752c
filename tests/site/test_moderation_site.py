"""Moderation end to end: real Pelican builds of archives holding blocked posts, and real
fetches from Mastodon-like servers on 127.0.0.1 (recorded #ichbinhanna statuses)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from corpus_server import TimelineServer, hanna, iso, retag, spread
from digest_support import build, iter_html, parse, write_archive
from tag_digest.archive.records import Post
from tag_digest.archive.shards import Archive
from tag_digest.archive.statuses import from_status
from tag_digest.settings import DigestSettings
from tag_digest.sync import sync_all
from test_sync import MakeSettings, consenting

SITE = "https://example.org/digest"
SETTINGS = {"DIGEST_TAGS": ["LLM"], "SITEURL": SITE, "FEED_DOMAIN": SITE, "RELATIVE_URLS": False}
TEXT_FILES = (".html", ".xml", ".json", ".csv", ".txt")
TAG = "IchbinHanna"
NOW = dt.datetime.now(dt.UTC)


def make(n: int, acct: str, text: str, **extra: Any) -> Post:
    """Post ``n``: its words and its one shared link carry the marker ``mark<n>``."""
    user, _, host = acct.partition("@")
    home = host or "mastodon.social"
    link = f"https://site{n}.example/mark{n}"
    status = {
        "uri": f"https://{home}/users/{user}/statuses/{n}",
        "url": f"https://{home}/@{user}/{n}",
        "created_at": f"2024-12-{n + 1:02d}T10:00:00.000Z",
        "language": "ru",
        "account": {"acct": acct, "display_name": f"Author{n}", "url": f"https://{home}/@{user}"},
        "content": f'<p>mark{n} {text}</p><p><a href="{link}">{link}</a></p>',
        "tags": [{"name": "LLM"}],
        "card": {"url": link, "title": f"Card mark{n}", "provider_name": "P"},
        **extra,
    }
    return from_status(status, "https://mastodon.social", "2025-01-10T00:00:00.000Z")


POSTS = [
    make(1, "keeper@good.example", "обычный пост"),
    make(2, "Spammer@Spam.Example", "купите"),
    make(3, "someone@eu.spam.example", "поддомен"),
    make(4, "other@good.example", "Лучшая КРИПТОВАЛЮТА тут!"),
    make(5, "other@good.example", "про криптовалюты"),  # another word: kept
    make(6, "third@good.example", "этот пост заблокирован по адресу"),
    make(7, "local", "локальный автор"),
]


def site_text(output: Path) -> str:
    files = [p for p in output.rglob("*") if p.is_file() and p.suffix in TEXT_FILES]
    assert any(p.name == "sitemap.xml" for p in files)
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


def assert_shown(output: Path, shown: set[int]) -> None:
    """Exactly the posts ``shown`` appear anywhere in the site (pages, feeds, links, exports)."""
    text = site_text(output)
    for post in POSTS:
        n = int(post.uri.rsplit("/", 1)[1])
        marks = (f"mark{n}", post.uri)
        if n in shown:
            assert all(m in text for m in marks), f"post {n} missing"
        else:
            assert not any(m in text for m in marks), f"post {n} shown"
            assert not (output / "links" / "domains" / f"site{n}.example").exists()


CASES = {
    "account": (
        {"DIGEST_BLOCK_ACCOUNTS": ["@spammer@spam.example", "local@mastodon.social"]},
        {2, 7},
    ),
    "domain and subdomain": ({"DIGEST_BLOCK_DOMAINS": ["spam.example"]}, {2, 3}),
    "word, Cyrillic, any case": ({"DIGEST_BLOCK_WORDS": ["криптовалюта"]}, {4}),
    "post": ({"DIGEST_BLOCK_POSTS": ["https://good.example/@third/6"]}, {6}),
    "only accounts": ({"DIGEST_ONLY_ACCOUNTS": ["keeper@good.example"]}, {2, 3, 4, 5, 6, 7}),
}


@pytest.mark.parametrize("case", CASES)
def test_an_offline_build_hides_blocked_posts_everywhere(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    block, hidden = CASES[case]
    archive = write_archive(tmp_path / "archive", POSTS)
    output = build(tmp_path, archive, **SETTINGS, **block)
    assert_shown(output, {1, 2, 3, 4, 5, 6, 7} - hidden)
    (setting,) = block
    noun = "post" if len(hidden) == 1 else "posts"
    assert f"tag_digest: moderation: {len(hidden)} {noun} hidden ({setting} {len(hidden)})" in (
        capsys.readouterr().out
    )


def test_removing_a_block_brings_the_post_back_on_the_next_build(tmp_path: Path) -> None:
    archive = write_archive(tmp_path / "archive", POSTS)
    assert_shown(
        build(tmp_path, archive, **SETTINGS, DIGEST_BLOCK_WORDS=["купите"]), {1, 3, 4, 5, 6, 7}
    )
    # Same cache and output: the post was never rendered, now it must be.
    assert_shown(build(tmp_path, archive, **SETTINGS), {1, 2, 3, 4, 5, 6, 7})


def test_every_page_links_to_the_removal_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    (tmp_path / "pages").mkdir()
    archive = write_archive(tmp_path / "archive", POSTS)
    output = build(tmp_path, archive, **SETTINGS, DEFAULT_LANG="en")
    pages = list(iter_html(output))
    assert len(pages) > 10
    for page in pages:
        if page.name == "bookmarks.html":
            continue  # the Netscape bookmark export, not a page
        links = parse(page).xpath('//footer//a[contains(@href, "removal/")]/@href')
        assert links == [f"{SITE}/removal/"], page
    removal = parse(output / "removal" / "index.html")
    text = " ".join(removal.text_content().split())
    assert "within 30 days" in text
    (ask,) = removal.xpath('//main//a[contains(@href, "/issues")]')
    assert ask.get("href") == "https://github.com/tagdigest/tagdigest/issues"
    assert ask.text == "the repository’s issues"
    sitemap = (output / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{SITE}/removal/</loc>" in sitemap


def test_the_removal_page_in_russian_names_the_contact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_REPOSITORY", "me/my-digest")
    archive = write_archive(tmp_path / "archive", POSTS)
    output = build(tmp_path, archive, **SETTINGS, DIGEST_CONTACT="digest@example.org")
    removal = parse(output / "removal" / "index.html")
    assert removal.get("lang") == "ru"
    text = " ".join(removal.text_content().split())
    assert "Удаление поста" in text and "в течение 30 дней" in text
    (ask,) = removal.xpath('//main//a[starts-with(@href, "mailto:")]')
    assert ask.get("href") == "mailto:digest@example.org" and ask.text == "digest@example.org"
    index = parse(output / "index.html")
    assert index.xpath('//footer//a[@href="https://example.org/digest/removal/"]/text()') == [
        "Как убрать пост с сайта"
    ]
    # Unset, the contact is the issues of the repository the site is built from.
    output = build(tmp_path, archive, **SETTINGS)
    removal = parse(output / "removal" / "index.html")
    assert removal.xpath('//main//a[@href="https://github.com/me/my-digest/issues"]')


# --- fetching ------------------------------------------------------------------------


def recent(count: int, step: dt.timedelta = dt.timedelta(hours=1)) -> list[dict[str, Any]]:
    statuses = [s for s in hanna() if consenting(s)][:count]
    return spread(statuses, NOW - dt.timedelta(hours=1), step)


def archive_text(settings: DigestSettings) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in settings.archive_path.rglob("*.jsonl"))


def records(settings: DigestSettings) -> dict[str, Post]:
    return Archive.load(settings.archive_path).records


def pick(statuses: list[dict[str, Any]], acct: str) -> list[dict[str, Any]]:
    return [s for s in statuses if s["account"]["acct"] == acct]


def test_a_fresh_fetch_never_stores_a_blocked_post(
    mastodon: TimelineServer, make_settings: MakeSettings
) -> None:
    statuses = recent(40)
    statuses[0]["content"] = "<p>Лучшая <b>Криптовалюта</b> тут</p>"
    mastodon.statuses = statuses
    keller = pick(statuses, "AKellerGEW")  # local to mastodon.social
    bridged = [s for s in statuses if s["account"]["acct"].endswith("@bsky.brid.gy")]
    others = [s for s in statuses[1:] if s not in keller + bridged]
    assert keller and bridged and others and statuses[0] not in keller + bridged
    by_post = others[-1]
    blocked = {s["uri"] for s in [statuses[0], by_post, *keller, *bridged]}
    settings = make_settings(
        [mastodon.url],
        [TAG],
        DIGEST_BLOCK_ACCOUNTS=["@akellergew@mastodon.social"],
        DIGEST_BLOCK_DOMAINS=["brid.gy"],
        DIGEST_BLOCK_WORDS=["КРИПТОВАЛЮТА"],
        DIGEST_BLOCK_POSTS=[by_post["url"]],
    )
    lines: list[str] = []
    report = sync_all(settings, echo=lines.append)
    assert set(records(settings)) == {s["uri"] for s in statuses} - blocked
    text = archive_text(settings)
    assert not any(uri in text for uri in blocked)  # not even a tombstone
    assert report.servers[0].new == len(statuses) - len(blocked)
    assert lines[-1].startswith(f"tag_digest: moderation: {len(blocked)} posts hidden (")
    assert lines[-1].endswith("; 0 withheld from the archive")
    assert f"DIGEST_BLOCK_DOMAINS {len(bridged)}" in lines[-1]


def test_a_fetch_withholds_archived_posts_and_lets_them_back_when_unblocked(
    mastodon: TimelineServer, make_settings: MakeSettings, tmp_path: Path
) -> None:
    # 60 posts a day apart: a second run re-scans only the newest page (40 posts).
    statuses = recent(60, dt.timedelta(days=1))
    mastodon.statuses = statuses
    sync_all(make_settings([mastodon.url], [TAG]))
    old, new = statuses[50], statuses[1]
    old_acct, new_acct = old["account"]["acct"], new["account"]["acct"]
    assert old_acct != new_acct
    targets = [s for s in statuses if s["account"]["acct"] in (old_acct, new_acct)]
    handles = [a if "@" in a else f"{a}@mastodon.social" for a in (old_acct, new_acct)]
    blocked = make_settings([mastodon.url], [TAG], DIGEST_BLOCK_ACCOUNTS=handles)
    lines: list[str] = []
    report = sync_all(blocked, echo=lines.append)
    held = records(blocked)
    for status in targets:
        record = held[status["uri"]]
        assert record.is_tombstone and record.withheld == "DIGEST_BLOCK_ACCOUNTS"
        assert record.content == "" and record.account.acct == ""
    text = archive_text(blocked)
    for status in targets:
        assert status["content"] not in text
    summary = report.as_json()
    assert summary["withheld"] == len(targets) and summary["removed"] == len(targets)
    assert lines[-1].endswith(f"; {len(targets)} withheld from the archive")
    # The offline build hides them (they are tombstones) and counts them.
    output = build(
        tmp_path, blocked.archive_path, DIGEST_TAGS=[TAG], SITEURL=SITE, RELATIVE_URLS=False
    )
    html = (output / "tags" / "ichbinhanna" / "index.html").read_text(encoding="utf-8")
    assert new["uri"] not in html
    # Unblocked: what the next fetch sees again comes back; what it does not see stays withheld.
    report = sync_all(make_settings([mastodon.url], [TAG]))
    back = records(blocked)
    seen_again = [s for s in targets if s in statuses[:40]]
    unseen = [s for s in targets if s not in statuses[:40]]
    assert seen_again and unseen
    for status in seen_again:
        assert not back[status["uri"]].is_tombstone
        assert back[status["uri"]].content == status["content"]
    for status in unseen:
        assert back[status["uri"]].withheld == "DIGEST_BLOCK_ACCOUNTS"
    assert report.servers[0].new == len(seen_again)


def test_an_edit_that_adds_a_blocked_word_withholds_the_post(
    mastodon: TimelineServer, make_settings: MakeSettings
) -> None:
    statuses = recent(10)
    mastodon.statuses = statuses
    settings = make_settings([mastodon.url], [TAG], DIGEST_BLOCK_WORDS=["Спам"])
    sync_all(settings)
    assert len(records(settings)) == 10
    statuses[2]["content"] += "<p>теперь спам</p>"
    statuses[2]["edited_at"] = iso(NOW - dt.timedelta(minutes=10))
    report = sync_all(settings)
    record = records(settings)[statuses[2]["uri"]]
    assert record.withheld == "DIGEST_BLOCK_WORDS" and record.content == ""
    assert report.servers[0].withheld == 1


def test_excluded_tags_go_as_none_and_are_filtered_locally(
    mastodon: TimelineServer, make_settings: MakeSettings
) -> None:
    statuses = recent(60)
    excluded = ["gew", "wissenschaftsrat", "postdoc", "wisszeitvg", "dauerstellen"]
    fifth_only = retag(statuses[5], TAG, "Dauerstellen")  # only the fifth: filtered here
    mastodon.statuses = statuses
    settings = make_settings([mastodon.url], [TAG], DIGEST_EXCLUDE_TAGS=excluded)
    sync_all(settings)
    for args in mastodon.timeline_args():
        assert args["none[]"] == excluded[:4]

    def carries(status: dict[str, Any]) -> bool:
        return bool({t["name"].casefold() for t in status["tags"]} & set(excluded))

    kept = {s["uri"] for s in statuses if not carries(s)}
    assert fifth_only["uri"] not in kept and len(kept) < len(statuses) - 3
    assert set(records(settings)) == kept


def test_only_accounts_and_skipped_replies_when_fetching(
    mastodon: TimelineServer, make_settings: MakeSettings
) -> None:
    statuses = recent(60)
    mastodon.statuses = statuses
    bridged = sorted({s["account"]["acct"] for s in statuses if "brid.gy" in s["account"]["acct"]})
    settings = make_settings(
        [mastodon.url], [TAG], DIGEST_ONLY_ACCOUNTS=bridged, DIGEST_SKIP_REPLIES=True
    )
    sync_all(settings)
    kept = {
        s["uri"] for s in statuses if s["account"]["acct"] in bridged and not s["in_reply_to_id"]
    }
    assert kept and set(records(settings)) == kept
    assert any(s["in_reply_to_id"] for s in statuses if s["account"]["acct"] in bridged)


def test_an_author_who_opts_out_while_withheld_never_comes_back(
    mastodon: TimelineServer, make_settings: MakeSettings
) -> None:
    statuses = recent(10)
    mastodon.statuses = statuses
    acct = statuses[3]["account"]["acct"]
    handle = acct if "@" in acct else f"{acct}@mastodon.social"
    blocked = make_settings([mastodon.url], [TAG], DIGEST_BLOCK_ACCOUNTS=[handle])
    sync_all(blocked)  # nothing of theirs stored
    assert statuses[3]["uri"] not in records(blocked)
    open_settings = make_settings([mastodon.url], [TAG])
    sync_all(open_settings)
    sync_all(blocked)
    assert records(blocked)[statuses[3]["uri"]].withheld == "DIGEST_BLOCK_ACCOUNTS"
    for status in pick(statuses, acct):
        status["account"]["noindex"] = True
    sync_all(blocked)
    record = records(blocked)[statuses[3]["uri"]]
    assert record.is_final  # the author's choice outranks the block
    for status in pick(statuses, acct):
        status["account"]["noindex"] = False
    sync_all(open_settings)
    assert records(blocked)[statuses[3]["uri"]].is_final
