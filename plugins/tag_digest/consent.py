"""Consent and visibility: which statuses may be archived and published at all.

Only ``public`` statuses whose author has not opted out are kept. An author
opts out with ``discoverable: false``, ``noindex: true``, or one of the
hashtags ``#nobot``, ``#noindex``, ``#nosearch`` in their profile note.
Reblogs are skipped (the original is what carries the author's choices).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import html as lxml_html

OPT_OUT_TAGS = ("nobot", "noindex", "nosearch")
_OPT_OUT = re.compile(r"#(?:" + "|".join(OPT_OUT_TAGS) + r")(?![\w])", re.IGNORECASE)


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
    note = account.get("note")
    if isinstance(note, str) and _OPT_OUT.search(note_text(note)):
        return Verdict(False, "author opted out in their profile note")
    return Verdict(True)
