"""The page words: one table per language, one choice of a plural form (CLDR, by Babel)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from tag_digest.digest import strings, words
from tag_digest.digest.strings import catalogue, plural, posts_count

PLUGIN = Path(strings.__file__).parents[1]


@pytest.mark.parametrize(
    ("lang", "count", "expected"),
    [
        ("ru", 1, "1 пост"),
        ("ru", 3, "3 поста"),
        ("ru", 5, "5 постов"),
        ("ru", 11, "11 постов"),
        ("ru", 21, "21 пост"),
        ("ru-RU", 22, "22 поста"),
        ("en", 1, "1 post"),
        ("en", 0, "0 posts"),
        ("xx-not-a-language", 1, "1 post"),  # unknown: English forms
    ],
)
def test_posts_take_the_plural_form_of_their_language(lang: str, count: int, expected: str) -> None:
    assert posts_count(catalogue(lang), lang, count) == expected
    assert plural(catalogue(lang), lang, "posts_count", count) == expected


def test_a_missing_form_falls_back_to_other() -> None:
    table = {"links_count_other": "{count} links"}
    assert plural(table, "ru", "links_count", 5) == "5 links"  # no _many: _other


def test_one_table_holds_every_word() -> None:
    """The chrome and the page words are one table, looked up by one function."""
    import importlib.util

    assert importlib.util.find_spec("tag_digest.digest.page_words") is None  # no second name
    ru = catalogue("ru")
    assert ru["skip"] == "Перейти к содержимому" and ru["week_title"] == words.RU["week_title"]
    assert set(words.RU) <= set(words.EN) | {k for k in words.RU if k.endswith(("_few", "_many"))}
    assert catalogue("de")["links_nav"] == words.EN["links_nav"]  # no table: English


def test_only_strings_chooses_a_plural_form() -> None:
    """``plural_form`` (Babel) is called in exactly one function of the plugin."""
    callers = []
    for path in sorted(PLUGIN.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(n, ast.Attribute) and n.attr == "plural_form" for n in ast.walk(node)
            ):
                callers.append(f"{path.name}:{node.name}")
    assert callers == ["strings.py:plural"]
