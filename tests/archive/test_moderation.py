"""Moderation rules as plain data: the verdict, the settings' bad values, the archive format.

The builds and fetches that use these rules are in ``test_moderation_site.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from tag_digest.archive.merge import merge
from tag_digest.archive.moderation import Rules
from tag_digest.archive.records import Post, from_json, to_json_line
from tag_digest.archive.shards import Archive
from tag_digest.archive.statuses import from_status
from tag_digest.errors import SettingError
from tag_digest.moderation_settings import issues_url
from tag_digest.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
FETCHED = "2025-01-10T00:00:00.000Z"


def post(
    acct: str = "alice@good.example",
    *,
    text: str = "An ordinary post",
    server: str = "https://mastodon.social",
    uri: str | None = None,
    url: str | None = None,
    **extra: Any,
) -> Post:
    """A post as a fetch stores it (through :func:`from_status`)."""
    user, _, host = acct.partition("@")
    home = host or "mastodon.social"
    uri = uri or f"https://{home}/users/{user}/statuses/1"
    status: dict[str, Any] = {
        "uri": uri,
        "url": url or f"https://{home}/@{user}/1",
        "created_at": "2025-01-09T10:00:00.000Z",
        "language": "en",
        "account": {"acct": acct, "display_name": "Name", "url": f"https://{home}/@{user}"},
        "content": f"<p>{text}</p>",
        "tags": [{"name": "LLM"}],
        **extra,
    }
    return from_status(status, server, FETCHED)


def rules(**raw: Any) -> Rules:
    return load_settings({"DIGEST_TAGS": ["LLM"], **raw}, base=Path("/x")).moderation


# --- the verdict ------------------------------------------------------------------


def test_no_rules_hide_nothing() -> None:
    assert not rules().active
    assert rules().verdict(post("spammer@spam.example", text="spam")) is None


def test_accounts_with_or_without_at_any_case() -> None:
    blocked = rules(DIGEST_BLOCK_ACCOUNTS=["@Spammer@Spam.Example", "bob@mastodon.social"])
    assert blocked.verdict(post("spammer@spam.example")) == "DIGEST_BLOCK_ACCOUNTS"
    assert blocked.verdict(post("SPAMMER@spam.example")) == "DIGEST_BLOCK_ACCOUNTS"
    # A local account's acct has no host: it is the host of the server it came from.
    assert blocked.verdict(post("bob")) == "DIGEST_BLOCK_ACCOUNTS"
    fosstodon_bob = {"acct": "bob", "url": "https://fosstodon.org/@bob"}
    assert blocked.verdict(post(server="https://fosstodon.org", account=fosstodon_bob)) is None
    assert blocked.verdict(post("spammer@other.example")) is None
    assert blocked.verdict(post("alice@spam.example")) is None


def test_domains_block_their_subdomains_accounts_and_uris() -> None:
    blocked = rules(DIGEST_BLOCK_DOMAINS=["spam.example", "*.brid.gy"])
    assert blocked.verdict(post("a@spam.example")) == "DIGEST_BLOCK_DOMAINS"
    assert blocked.verdict(post("a@eu.spam.example")) == "DIGEST_BLOCK_DOMAINS"
    assert blocked.verdict(post("someone.bsky.social@bsky.brid.gy")) == "DIGEST_BLOCK_DOMAINS"
    relayed = post("a@good.example", uri="https://spam.example/users/a/statuses/9")
    assert blocked.verdict(relayed) == "DIGEST_BLOCK_DOMAINS"
    assert blocked.verdict(post("a@notspam.example")) is None
    assert blocked.verdict(post("a@spam.example.org")) is None


def test_words_whole_case_insensitive_cyrillic_in_text_warning_and_card() -> None:
    blocked = rules(DIGEST_BLOCK_WORDS=["Криптовалюта", "buy  now"])
    for hit in (
        post(text="Лучшая КРИПТОВАЛЮТА тут!"),
        post(text="<b>криптовалюта</b>, #криптовалюта"),
        post(text="Please BUY\nnow"),
        post(spoiler_text="криптовалюта"),
        post(card={"url": "https://x.example/", "title": "Криптовалюта дня"}),
    ):
        assert blocked.verdict(hit) == "DIGEST_BLOCK_WORDS", hit
    for miss in (
        post(text="Про криптовалюты и криптовалютами"),  # other words
        post(text="buynow"),
    ):
        assert blocked.verdict(miss) is None, miss
    named = post(text="ok")
    named = replace(named, account=replace(named.account, display_name="Криптовалюта"))
    assert blocked.verdict(named) is None  # the author's name is not what a word block reads


def test_posts_by_uri_or_url() -> None:
    target = post("a@good.example")
    by_uri = rules(DIGEST_BLOCK_POSTS=[target.uri])
    assert target.url == "https://good.example/@a/1"
    by_url = rules(DIGEST_BLOCK_POSTS=["HTTPS://Good.Example/@a/1/"])
    assert by_uri.verdict(target) == "DIGEST_BLOCK_POSTS"
    assert by_url.verdict(target) == "DIGEST_BLOCK_POSTS"
    assert by_uri.verdict(post("b@good.example")) is None


def test_only_accounts() -> None:
    curated = rules(DIGEST_ONLY_ACCOUNTS=["@Alice@good.example"])
    assert curated.verdict(post("alice@good.example")) is None
    assert curated.verdict(post("mallory@good.example")) == "DIGEST_ONLY_ACCOUNTS"


def test_reader_filters_languages_tags_replies_bots() -> None:
    languages = rules(DIGEST_LANGUAGES=["ru", "EN"])
    assert languages.verdict(post(language="de")) == "DIGEST_LANGUAGES"
    assert languages.verdict(post(language="en-GB")) is None
    assert languages.verdict(post(language=None)) is None  # no language: kept
    tags = rules(DIGEST_EXCLUDE_TAGS=["Crypto"])
    assert tags.verdict(post(tags=[{"name": "LLM"}, {"name": "crypto"}])) == "DIGEST_EXCLUDE_TAGS"
    assert tags.verdict(post()) is None
    replies = rules(DIGEST_SKIP_REPLIES=True)
    assert replies.verdict(post(in_reply_to_id="123")) == "DIGEST_SKIP_REPLIES"
    assert replies.verdict(post()) is None
    bots = rules(DIGEST_SKIP_BOTS="true")
    robot = post(account={"acct": "r@bots.example", "url": "https://bots.example/@r", "bot": True})
    assert bots.verdict(robot) == "DIGEST_SKIP_BOTS"
    assert bots.verdict(post()) is None
    assert rules().verdict(robot) is None


# --- bad values: one line naming the setting ----------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("DIGEST_BLOCK_ACCOUNTS", ["spammer"], "has no host"),
        ("DIGEST_BLOCK_ACCOUNTS", ["@spammer@"], "has no host"),
        ("DIGEST_BLOCK_ACCOUNTS", ["https://spam.example/@spammer"], "not as a URL"),
        ("DIGEST_BLOCK_ACCOUNTS", [42], "is not an account"),
        ("DIGEST_BLOCK_ACCOUNTS", {"a": 1}, "expected a list"),
        ("DIGEST_BLOCK_DOMAINS", ["spam.example/path"], "host name only"),
        ("DIGEST_BLOCK_DOMAINS", ["https://spam.example"], "host name only"),
        ("DIGEST_BLOCK_DOMAINS", [""], "is not a host name"),
        ("DIGEST_BLOCK_WORDS", ["spam", "  "], "empty word"),
        ("DIGEST_BLOCK_WORDS", [None], "not a word"),
        ("DIGEST_BLOCK_POSTS", ["mastodon.social/@a/1"], "not a status URI or URL"),
        ("DIGEST_BLOCK_POSTS", ["ftp://x.example/1"], "not a status URI or URL"),
        ("DIGEST_ONLY_ACCOUNTS", ["alice"], "has no host"),
        ("DIGEST_LANGUAGES", ["english"], "not a language code"),
        ("DIGEST_LANGUAGES", [7], "is not a language code"),
        ("DIGEST_EXCLUDE_TAGS", ["#crypto"], "without '#'"),
        ("DIGEST_EXCLUDE_TAGS", ["two words"], "not a valid hashtag"),
        ("DIGEST_EXCLUDE_TAGS", ["llm"], "also in DIGEST_TAGS"),
        ("DIGEST_SKIP_REPLIES", "maybe", "expected true or false"),
        ("DIGEST_SKIP_BOTS", 2, "expected true or false"),
        ("DIGEST_CONTACT", "call me", "a URL such as"),
        ("DIGEST_CONTACT", "javascript:alert(1)", "a URL such as"),
        ("DIGEST_CONTACT", ["a@b.example"], "a URL such as"),
    ],
)
def test_bad_values_are_one_line_naming_the_setting(name: str, value: Any, fragment: str) -> None:
    with pytest.raises(SettingError) as info:
        load_settings({"DIGEST_TAGS": ["LLM"], name: value}, base=Path("/x"))
    message = str(info.value)
    assert message.startswith(f"{name}: ")
    assert fragment in message
    assert "\n" not in message


def test_a_bad_value_stops_a_real_pelican_run_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable, "-m", "pelican", str(ROOT / "content"),
            "-s", str(ROOT / "pelicanconf.py"), "-o", str(tmp_path / "out"),
            "-e", 'DIGEST_BLOCK_DOMAINS=["spam.example/ads"]', "DIGEST_FETCH=false",
        ],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "DIGEST_BLOCK_DOMAINS: 'spam.example/ads': give a host name only" in output
    assert "Traceback" not in output


def test_contact_values() -> None:
    def contact(value: Any) -> str | None:
        return load_settings({"DIGEST_CONTACT": value}, base=Path("/x")).contact

    assert contact(None) is None and contact("") is None
    assert contact("maintainer@example.org") == "mailto:maintainer@example.org"
    assert contact("mailto:maintainer@example.org") == "mailto:maintainer@example.org"
    assert contact("https://example.org/contact") == "https://example.org/contact"


def test_issues_url_is_the_repository_the_site_is_built_from() -> None:
    actions = {"GITHUB_REPOSITORY": "me/my-digest", "GITHUB_SERVER_URL": "https://github.com"}
    assert issues_url(actions) == "https://github.com/me/my-digest/issues"
    assert issues_url({}) == "https://github.com/tagdigest/tagdigest/issues"
    assert issues_url({"GITHUB_REPOSITORY": "not a repo"}).startswith(
        "https://github.com/tagdigest/"
    )


# --- the archive: a moderation tombstone may lift, a deletion may not -------------------


def test_lines_without_the_new_fields_keep_their_bytes() -> None:
    line = to_json_line(post())
    assert '"bot"' not in line and '"withheld"' not in line
    assert to_json_line(from_json(json.loads(line))) == line


def test_a_bot_and_a_moderation_tombstone_round_trip() -> None:
    robot = post(account={"acct": "r@bots.example", "url": "https://bots.example/@r", "bot": True})
    assert from_json(json.loads(to_json_line(robot))).account.bot is True
    withheld = robot.withhold("2025-01-11T00:00:00.000Z", "DIGEST_BLOCK_WORDS")
    data = json.loads(to_json_line(withheld))
    assert data["withheld"] == "DIGEST_BLOCK_WORDS" and data["deleted_at"]
    assert data["content"] == "" and data["account"]["acct"] == "" and "bot" not in data["account"]
    back = from_json(data)
    assert back == withheld and back.is_tombstone and not back.is_final


def test_a_moderation_tombstone_gives_way_to_the_post_a_deletion_does_not() -> None:
    live = post()
    withheld = live.withhold("2025-01-11T00:00:00.000Z", "DIGEST_BLOCK_ACCOUNTS")
    assert merge(withheld, live).post == live
    assert merge(withheld, live).kind == "new"
    deleted = live.tombstone("2025-01-11T00:00:00.000Z")
    assert deleted.is_final
    assert merge(deleted, live).post is None


def test_a_deletion_outranks_a_moderation_tombstone_in_a_hand_merged_archive(
    tmp_path: Path,
) -> None:
    live = post()
    withheld = live.withhold("2025-01-11T00:00:00.000Z", "DIGEST_BLOCK_WORDS")
    deleted = live.tombstone("2025-01-12T00:00:00.000Z")
    for lines in ([withheld, deleted], [deleted, withheld], [withheld, live], [live, withheld]):
        shard = tmp_path / "2025" / "2025-01.jsonl"
        shard.parent.mkdir(parents=True, exist_ok=True)
        shard.write_text("".join(to_json_line(p) + "\n" for p in lines), encoding="utf-8")
        kept = Archive.load(tmp_path).get(live.uri)
        assert kept == (deleted if deleted in lines else withheld), lines
