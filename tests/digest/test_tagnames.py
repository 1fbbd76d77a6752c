"""Hashtag names are matched the way Mastodon matches them."""

from __future__ import annotations

import pytest
from tag_digest.digest.tagnames import is_valid_tag, normalise_tag, tag_slug
from tag_digest.site import render


@pytest.mark.parametrize(
    ("name", "normal"),
    [
        ("Supervised_finetuning", "supervised_finetuning"),
        ("#LLM", "llm"),
        ("Машинное_Обучение", "машинное_обучение"),
        ("KünstlicheIntelligenz", "kunstlicheintelligenz"),  # Latin accents are folded
        ("Ёжик_йод", "ёжик_йод"),  # Cyrillic letters are not
        ("ＬＬＭ", "llm"),  # full-width forms (NFKC)
    ],
)
def test_normalise_tag(name: str, normal: str) -> None:
    assert normalise_tag(name) == normal
    assert tag_slug(name) == normal


@pytest.mark.parametrize("name", ["llm", "Машинное_обучение", "O1_Pro", "Claude_35_Opus"])
def test_valid_tags(name: str) -> None:
    assert is_valid_tag(name)


@pytest.mark.parametrize("name", ["two words", "a-b", "", "1234", "tag!"])
def test_invalid_tags(name: str) -> None:
    assert not is_valid_tag(name)


@pytest.mark.parametrize(
    ("spelling", "folded"),
    [
        ("#Йога", "йога"),  # й is a letter of its own, not и with a mark
        ("Ёлка", "ёлка"),
        ("KünstlicheIntelligenz", "kunstlicheintelligenz"),
        ("Café", "cafe"),
        ("ＬＬＭ", "llm"),
    ],
)
def test_one_tag_folding_rule(spelling: str, folded: str) -> None:
    """The rule the archive files tags by is the rule a page matches a post's tags by."""
    assert normalise_tag(spelling) == folded
    assert render._fold(spelling) == folded
