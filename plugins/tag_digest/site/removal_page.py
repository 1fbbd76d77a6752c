"""``removal/index.html``: what the site keeps, and how an author gets a post removed.

A mixin of :class:`~.generator.DigestGenerator` (like :mod:`.period_pages`).
Every page's footer links to it (``digest_removal`` in the shared context).
The page names the way out: delete the post or opt out (it disappears within
``DIGEST_AUDIT_DAYS``), or ask the maintainer at ``DIGEST_CONTACT``, by default
the issues of the repository the site is built from
(:func:`.moderation_settings.issues_url`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..digest.page_words import plural
from ..moderation_settings import issues_url

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
    """Mixin: the removal page and the footer's link to it."""

    digest_settings: Any
    urls: Any
    context: dict[str, Any]
    page_words: Mapping[str, str]
    write_page: Any
    sitemap_pages: list[tuple[str, dt.datetime | None]]

    def prepare_removal(self) -> None:
        self.context["digest_removal"] = self.urls.link(REMOVAL_PATH)

    def audit_days(self) -> int:
        """How many days a deleted or opted-out post may still be shown (``DIGEST_AUDIT_DAYS``)."""
        days = getattr(self.digest_settings, "audit_days", AUDIT_DAYS)
        return int(days) if isinstance(days, int | float) else AUDIT_DAYS

    def generate_removal_page(self) -> None:
        settings = self.digest_settings
        contact = contact_for(settings.contact, self.page_words, issues_url())
        days = self.audit_days()
        self.write_page(
            REMOVAL_PATH,
            REMOVAL_TEMPLATE,
            inputs=[contact.href, contact.label, days, list(settings.tags), list(settings.servers)],
            contact=contact,
            removal_days=plural(self.page_words, settings.default_lang, "removal_days", days),
            current_link=self.urls.link(REMOVAL_PATH),
        )
        self.sitemap_pages.append((REMOVAL_PATH, None))
