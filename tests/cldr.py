"""Compare dates formatted from locale data without hard-coding CLDR's typography.

Babel's CLDR data decides the dash in a range (en dash in one release, em dash in the next) and
the spaces around it or before "г." (narrow no-break, thin). Tests assert the words and digits,
which are ours to get right, and leave that punctuation to the locale: ``plain()`` folds every
dash to "-" and every kind of space to " ".
"""

from __future__ import annotations

import re

_DASHES = re.compile(r"\s*[\u2010-\u2015\u2212-]\s*")
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


def plain(text: str) -> str:
    """``text`` with CLDR's dashes and spaces folded: ``"23 — 29 дек."`` → ``"23-29 дек."``."""
    return _DASHES.sub("-", _SPACES.sub(" ", text)).strip()
