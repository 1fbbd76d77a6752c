"""Consent and visibility: which statuses may be archived and published at all.

Only ``public`` statuses whose author has not opted out are kept. An author
opts out with ``discoverable: false``, ``noindex: true``, or one of the
hashtags :data:`OPT_OUT_TAGS` in the plain text of their profile note or of
their profile fields. Those hashtags are recognised as hashtags are
everywhere else (:func:`.tagnames.normalise_tag`: NFKC, case-folded, Latin
accents folded), so ``#NoBot``, ``＃ｎｏｂｏｔ`` (full width) and ``#nöbot``
all count, and ``#nobotanist`` does not.
Reblogs are skipped (the original is what carries the author's choices).
Consent fields of the wrong type (``discoverable: "false"``, ``noindex: 1``, a
``reblog`` that is not ``null``, a note that is not text) count as no consent.
This is the one place consent is decided: the fetch and the audit ask
:func:`check_status`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from lxml import html as lxml_html

from ..digest.tagnames import normalise_tag

OPT_OUT_TAGS = frozenset({"nobot", "noindex", "nosearch", "noarchive"})
"""Normalised hashtags by which an author opts out of being archived."""
_TAG_EXTRA = "_\u00b7\u200c"  # besides letters, digits and marks, as tagnames allows


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    reason: str = ""


def note_text(note: str) -> str:
    """The plain text of an account's HTML note."""
    if not note.strip():
        return ""
    try:
        return str(lxml_html.fromstring(f"<div>{note}</div>").text_content())
    except (ValueError, TypeError):
        return note


def _tag_char(char: str) -> bool:
    return char.isalnum() or char in _TAG_EXTRA or unicodedata.category(char).startswith("M")


def hashtags_in(text: str) -> frozenset[str]:
    """The normalised hashtags written in the plain ``text`` (``#`` then letters, digits, marks)."""
    text = unicodedata.normalize("NFKC", text)  # the full-width "＃" and small "﹟" become "#"
    found = set()
    start = text.find("#")
    while start != -1:
        end = start + 1
        while end < len(text) and _tag_char(text[end]):
            end += 1
        name = normalise_tag(text[start + 1 : end])
        if name:
            found.add(name)
        start = text.find("#", end)
    return frozenset(found)


def profile_texts(account: dict[str, Any]) -> list[str]:
    """The plain texts of an account's profile: its note, and each field's name and value."""
    texts = []
    note = account.get("note")
    if isinstance(note, str):
        texts.append(note_text(note))
    fields = account.get("fields")
    for item in fields if isinstance(fields, list) else ():
        if isinstance(item, dict):
            parts = (item.get("name"), item.get("value"))
            texts += [note_text(part) for part in parts if isinstance(part, str)]
    return texts


def opted_out(account: dict[str, Any]) -> bool:
    """Whether the profile text carries one of the :data:`OPT_OUT_TAGS`."""
    return any(OPT_OUT_TAGS & hashtags_in(text) for text in profile_texts(account))


def check_status(status: Any) -> Verdict:
    """Whether a status (Mastodon API JSON) may be archived, and why not."""
    if not isinstance(status, dict):
        return Verdict(False, "not a status object")
    if status.get("visibility") != "public":
        return Verdict(False, f"visibility {status.get('visibility')!r}")
    if status.get("reblog"):
        return Verdict(False, "reblog")
    account = status.get("account")
    if not isinstance(account, dict):
        return Verdict(False, "no account")
    if account.get("discoverable") is False:
        return Verdict(False, "author not discoverable")
    if account.get("noindex") is True:
        return Verdict(False, "author asked for noindex")
    if opted_out(account):
        return Verdict(False, "author opted out in their profile")
    return _clear(status, account)


def _clear(status: dict[str, Any], account: dict[str, Any]) -> Verdict:
    """Refuse consent fields of the wrong type: only what is clearly consent counts.

    ``discoverable: false`` is refused above; a server that sends ``"false"``, ``0``
    or an object means something, but not a clear yes.
    """
    if status.get("reblog") is not None:
        return Verdict(False, "reblog")
    if account.get("discoverable") not in (True, None):
        return Verdict(False, f"discoverable {account.get('discoverable')!r}"[:60])
    if account.get("noindex") not in (False, None):
        return Verdict(False, f"noindex {account.get('noindex')!r}"[:60])
    if not isinstance(account.get("note"), str | None):
        return Verdict(False, "a note that is not text")
    return Verdict(True)
