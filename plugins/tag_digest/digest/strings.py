"""The words of the pages in the site's language (``DEFAULT_LANG``), and their plurals.

Templates get them as ``t``: ``{{ t.skip }}``. The words are one table per language
(:mod:`.words`); :func:`plural` is the one choice of a plural form.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TypeVar

from babel import Locale, UnknownLocaleError

from .grouping import INDEX, Page
from .words import EN, TABLES

T = TypeVar("T")


def catalogue(lang: str) -> Mapping[str, str]:
    """The words for ``lang`` (``ru``, ``ru-RU``, ``en``…), English where missing."""
    base = lang.replace("_", "-").split("-")[0].lower()
    words = dict(EN)
    words.update(TABLES.get(base, {}))
    return MappingProxyType(words)


def plural(words: Mapping[str, str], lang: str, key: str, count: int) -> str:
    """``words[f"{key}_{form}"]`` for the CLDR plural form of ``count`` in ``lang``, filled in:
    ``"4 posts"``, ``"4 поста"``. An unknown language counts as English."""
    try:
        form = Locale.parse(lang.replace("-", "_")).plural_form(count)
    except (ValueError, TypeError, UnknownLocaleError):
        form = "one" if count == 1 else "other"
    template = words.get(f"{key}_{form}") or words[f"{key}_other"]
    return template.format(count=count)


def posts_count(words: Mapping[str, str], lang: str, count: int) -> str:
    """``"4 posts"``, ``"4 поста"``: :func:`plural` of ``posts_count``."""
    return plural(words, lang, "posts_count", count)


def page_label(words: Mapping[str, str], page: Page[T], prefix: str = "") -> str:
    """What a page of a listing is: ``"Newest posts"`` on the index, ``"Page 2 · posts 26–50
    from the oldest"`` on a numbered page (nothing that changes once the page is full).
    ``prefix`` ``"links_"`` names links instead of posts."""
    if page.number == INDEX:
        return words[f"{prefix}page_newest"]
    return words[f"{prefix}page_numbered"].format(
        number=page.number, first=page.first, last=page.last
    )
