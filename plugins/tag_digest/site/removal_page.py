"""``removal/index.html``: what the site keeps, and how an author gets a post removed.

Every page's footer links to it (``digest_removal`` in the shared context).
The page names the way out: delete the post or opt out (it disappears within
``DIGEST_AUDIT_DAYS``), or ask the maintainer at ``DIGEST_CONTACT``, by default
the issues of the repository the site is built from
(:func:`.moderation_settings.issues_url`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..digest.strings import plural
from ..moderation_settings import issues_url
from .context import PageContext, PageSink

REMOVAL_PATH = "removal/index.html"
REMOVAL_TEMPLATE = "digest/removal"
AUDIT_DAYS = 30
"""``DIGEST_AUDIT_DAYS``' default, used until the settings carry it."""


@dataclass(frozen=True, slots=True)
class Contact:
    href: str
    label: str
    """What the link says: the address, the URL, or "the repository's issues"."""


def contact_for(setting: str | None, words: Mapping[str, str], fallback: str) -> Contact:
    """The removal page's contact link for ``DIGEST_CONTACT`` (validated) or ``fallback``."""
    if setting is None:
        return Contact(fallback, words["removal_issues"])
    return Contact(setting, setting.removeprefix("mailto:"))


class RemovalPage:
    """The removal page."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx

    def audit_days(self) -> int:
        """How many days a deleted or opted-out post may still be shown (``DIGEST_AUDIT_DAYS``)."""
        return int(self.ctx.settings.audit_days)

    def write(self, out: PageSink) -> None:
        settings, words = self.ctx.settings, self.ctx.words
        contact = contact_for(settings.contact, words, issues_url())
        days = self.audit_days()
        out.write_page(
            REMOVAL_PATH,
            REMOVAL_TEMPLATE,
            inputs=[contact.href, contact.label, days, list(settings.tags), list(settings.servers)],
            contact=contact,
            removal_days=plural(words, settings.default_lang, "removal_days", days),
            current_link=self.ctx.urls.link(REMOVAL_PATH),
        )
        self.ctx.note_page(REMOVAL_PATH)
