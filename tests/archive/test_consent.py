"""Consent and visibility rules on status objects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tag_digest.archive import audit_plan, consent, ingest
from tag_digest.archive.consent import OPT_OUT_TAGS, check_status, hashtags_in, note_text
from tag_digest.digest.tagnames import normalise_tag


def status(**changes: Any) -> dict[str, Any]:
    account = {"acct": "a@x.social", "discoverable": True, "note": "<p>Пишу про LLM</p>"}
    account.update(changes.pop("account", {}))
    base: dict[str, Any] = {"visibility": "public", "reblog": None, "account": account}
    base.update(changes)
    return base


def test_public_discoverable_post_is_allowed() -> None:
    assert check_status(status()).allowed


def test_missing_discoverable_is_not_an_opt_out() -> None:
    assert check_status(status(account={"discoverable": None})).allowed


@pytest.mark.parametrize("visibility", ["unlisted", "private", "direct", "limited", None, 1])
def test_only_public_visibility(visibility: object) -> None:
    verdict = check_status(status(visibility=visibility))
    assert not verdict.allowed and "visibility" in verdict.reason


@pytest.mark.parametrize(
    "account",
    [
        {"discoverable": False},
        {"noindex": True},
        {
            "note": '<p>no bots please <a href="https://x.social/tags/nobot" '
            'class="mention hashtag">#<span>NoBot</span></a></p>'
        },
        {"note": "<p>#noindex</p>"},
        {"note": "<p>Не ищите меня #nosearch.</p>"},
    ],
)
def test_author_opt_outs(account: dict[str, Any]) -> None:
    assert not check_status(status(account=account)).allowed


def test_lookalike_tags_are_not_opt_outs() -> None:
    assert check_status(status(account={"note": "<p>#nobotanist #noindexing</p>"})).allowed


@pytest.mark.parametrize("bad", [None, "text", [], {"visibility": "public"}])
def test_malformed_statuses_are_refused(bad: object) -> None:
    assert not check_status(bad).allowed


def test_reblogs_are_skipped() -> None:
    assert not check_status(status(reblog={"id": "1"})).allowed


# --- one normalisation for opt-out tags and hashtags (issue 10) -----------------------------------


@pytest.mark.parametrize(
    "note",
    [
        "<p>＃nobot</p>",  # full-width number sign
        "<p>#ｎｏｂｏｔ</p>",  # full-width letters
        "<p>＃ＮＯＢＯＴ please</p>",
        "<p>﹟nobot</p>",  # small number sign
        "<p>Bitte keine Bots: #nöbot</p>",
        "<p>#no\u0308bot</p>",  # the accent as a combining mark
        "<p>#NoIndex, #NÖSEARCH</p>",
        "<p>#noarchive</p>",
        "<p>Kein Archiv (#NoArchive).</p>",
        '<p><a href="https://x.social/tags/noarchive" class="mention hashtag">'
        "#<span>noarchive</span></a></p>",
        "<p>##nobot</p>",
    ],
)
def test_opt_out_spellings_are_the_hashtag_spellings(note: str) -> None:
    verdict = check_status(status(account={"note": note}))
    assert not verdict.allowed and verdict.reason == "author opted out in their profile"


@pytest.mark.parametrize(
    "note",
    [
        "<p>#nobotanist #noarchives ＃ｎｏｂｏｔｓ</p>",
        "<p>nobot noarchive, no hash sign</p>",
        "<p>#no bot</p>",
        "<p>#nоbot</p>",  # a Cyrillic "о": another word, as for hashtags
    ],
)
def test_lookalikes_of_opt_out_tags_are_not_opt_outs(note: str) -> None:
    assert check_status(status(account={"note": note})).allowed


@pytest.mark.parametrize(
    "fields",
    [
        [{"name": "Bots", "value": "<p>#nobot</p>"}],
        [{"name": "＃ｎｏａｒｃｈｉｖｅ", "value": "yes"}],
        [{"name": "Web", "value": "x"}, {"name": "Archive?", "value": "#NoArchive"}],
    ],
)
def test_an_opt_out_in_a_profile_field_counts(fields: list[dict[str, str]]) -> None:
    assert not check_status(status(account={"fields": fields})).allowed


@pytest.mark.parametrize("fields", [None, "#nobot", [None, 1, ["#nobot"]], [{"name": 1}]])
def test_malformed_fields_are_no_opt_out_and_no_crash(fields: object) -> None:
    assert check_status(status(account={"fields": fields})).allowed


def test_profile_hashtags_normalise_as_post_hashtags() -> None:
    written = ["Supervised_Finetuning", "ＬＬＭ", "KünstlicheIntelligenz", "Машинное_Обучение"]
    text = "<p>" + " ".join(f"#{name}." for name in written) + "</p>"
    assert hashtags_in(note_text(text)) == {normalise_tag(name) for name in written}
    assert {"nobot", "noindex", "nosearch", "noarchive"} == OPT_OUT_TAGS
    assert all(normalise_tag(tag) == tag for tag in OPT_OUT_TAGS)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"reblog": {}}, "reblog"),  # an empty object is still a reblog
        ({"reblog": 0}, "reblog"),
        ({"account": {"discoverable": "false"}}, "discoverable 'false'"),
        ({"account": {"discoverable": 0}}, "discoverable 0"),
        ({"account": {"noindex": "true"}}, "noindex 'true'"),
        ({"account": {"note": ["#nobot"]}}, "a note that is not text"),
    ],
)
def test_consent_fields_of_the_wrong_type_are_no_consent(
    changes: dict[str, Any], reason: str
) -> None:
    verdict = check_status(status(**changes))
    assert not verdict.allowed and verdict.reason == reason


def test_consent_is_decided_in_consent_alone() -> None:
    """The fetch (ingest) and the audit ask ``check_status``; nobody else reads the fields."""
    assert not hasattr(ingest, "unclear_consent") and not hasattr(audit_plan, "unclear_consent")
    plugin = Path(consent.__file__).parents[1]
    readers = sorted(
        path.relative_to(plugin).as_posix()
        for path in plugin.rglob("*.py")
        if '"discoverable"' in path.read_text(encoding="utf-8")
    )
    assert readers == ["archive/consent.py"]
    account = {"acct": "a@x.social", "discoverable": "false"}
    assert audit_plan.opted_out({"account": account})  # the audit's question, the same answer
