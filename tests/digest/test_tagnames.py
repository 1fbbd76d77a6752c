"""Hashtag names are matched the way Mastodon matches them."""

from __future__ import annotations

import pytest
from tag_digest.digest.tagnames import is_valid_tag, normalise_tag, tag_slug


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
