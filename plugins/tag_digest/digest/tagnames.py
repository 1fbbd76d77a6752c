"""Hashtag names: normalising them as Mastodon does, and turning them into URL slugs."""

from __future__ import annotations

import functools
import re
import unicodedata

from .segments import safe_segment

# Mastodon allows letters, digits, marks, "_" and a few separators in hashtags.
_VALID = re.compile(r"^[\w\u00b7\u200c]+$")
_INVALID_CHARS = re.compile(r"[^\w\u00b7\u200c]")


@functools.lru_cache(maxsize=1 << 16)  # a pure function called for every tag of every post
def normalise_tag(name: str) -> str:
    """The form two spellings of one hashtag share: NFKC, case-folded, no ``#``.

    >>> normalise_tag("#Supervised_Finetuning")
    'supervised_finetuning'
    >>> normalise_tag("Машинное_Обучение")
    'машинное_обучение'
    >>> normalise_tag("KünstlicheIntelligenz")
    'kunstlicheintelligenz'
    """
    text = unicodedata.normalize("NFKC", name).strip().lstrip("#")
    return _INVALID_CHARS.sub("", fold_latin(text.casefold()))


def fold_latin(text: str) -> str:
    """Latin letters without their accents (``ü`` → ``u``), as Mastodon folds hashtags.

    Only letters that decompose to an ASCII letter plus marks are folded, so
    Cyrillic (``й``, ``ё``) and other scripts are left as they are.
    """
    out = []
    for char in text:
        if char.isascii():
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char)
        if (
            base[0].isascii()
            and base[0].isalpha()
            and all(unicodedata.combining(c) for c in base[1:])
        ):
            out.append(base[0])
        else:
            out.append(char)
    return "".join(out)


def is_valid_tag(name: str) -> bool:
    """Whether ``name`` (without ``#``) is a hashtag Mastodon would accept."""
    return bool(_VALID.match(unicodedata.normalize("NFKC", name))) and not name.isdigit()


def tag_slug(name: str) -> str:
    """The path segment of a tag's pages and feed: its normalised name (Unicode kept),
    made a safe segment (:func:`~.segments.safe_segment`: a name over 100 bytes or a
    Windows device name such as ``con`` gets a short stable hash instead)."""
    return safe_segment(normalise_tag(name))
