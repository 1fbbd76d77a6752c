"""Consent and visibility rules on status objects."""

from __future__ import annotations

from typing import Any

import pytest
from tag_digest.consent import check_status


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
