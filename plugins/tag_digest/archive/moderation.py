"""Moderation: which archived posts the maintainer's rules hide. Pure, no I/O.

One decision, :meth:`Rules.verdict`, used by both sides:

- the build (:mod:`.generator`) leaves a post it refuses out of every page,
  feed, link collection, export and sitemap, even from an archive that still
  holds it;
- the fetch (:mod:`.ingest`) never stores a refused post, and turns an archived
  one into a moderation tombstone (:meth:`.records.Post.withhold`: content
  dropped, the setting that hid it kept), which a later fetch replaces with
  the post when the rules no longer refuse it.

The verdict is the name of the first setting that refuses the post (cheapest
tests first), or ``None``. The rules are built and validated from the settings
by :mod:`.moderation_settings`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..formats.feeds import plain_text
from .records import Post, url_host

BLOCK_ACCOUNTS = "DIGEST_BLOCK_ACCOUNTS"
BLOCK_DOMAINS = "DIGEST_BLOCK_DOMAINS"
BLOCK_WORDS = "DIGEST_BLOCK_WORDS"
BLOCK_POSTS = "DIGEST_BLOCK_POSTS"
ONLY_ACCOUNTS = "DIGEST_ONLY_ACCOUNTS"
LANGUAGES = "DIGEST_LANGUAGES"
EXCLUDE_TAGS = "DIGEST_EXCLUDE_TAGS"
SKIP_REPLIES = "DIGEST_SKIP_REPLIES"
SKIP_BOTS = "DIGEST_SKIP_BOTS"


def word_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern matching any of ``words`` as a whole word, ignoring case (Unicode-aware).

    "Whole word": not preceded or followed by a letter, digit or ``_`` of any script,
    so ``спам`` matches "Спам!" and "#спам" but not "спамер". Spaces inside a phrase
    match any run of white space.
    """
    parts = [r"\s+".join(map(re.escape, w.split())) for w in words if w.split()]
    if not parts:
        return None
    # Longest first, so a phrase wins over a word it starts with.
    parts.sort(key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def normalise_post_url(url: str) -> str:
    """A status URI or URL as compared: host and scheme lower-case, no fragment or final ``/``."""
    text = url.strip().split("#", 1)[0]
    scheme, sep, rest = text.partition("://")
    if not sep:
        return text
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}".rstrip("/")


def post_handles(post: Post) -> frozenset[str]:
    """The author as ``user@host``, lower-case: a local account's ``acct`` has no host, so it
    gets the host of the server it was read from and of its profile URL."""
    acct = post.account.acct.strip().lstrip("@").lower()
    if not acct:
        return frozenset()
    if "@" in acct:
        return frozenset({acct})
    hosts = {url_host(post.server), url_host(post.account.url)} - {""}
    return frozenset(f"{acct}@{host}" for host in hosts)


def post_hosts(post: Post) -> frozenset[str]:
    """The hosts a domain block looks at: the author's and the status URI's."""
    hosts = {handle.rsplit("@", 1)[1] for handle in post_handles(post)}
    hosts |= {url_host(post.account.url), url_host(post.uri)}
    return frozenset(hosts - {""})


def on_domain(host: str, domains: frozenset[str]) -> bool:
    """Whether ``host`` is one of ``domains`` or a subdomain of one."""
    labels = host.split(".")
    return any(".".join(labels[i:]) in domains for i in range(len(labels)))


def language_kept(language: str | None, languages: frozenset[str]) -> bool:
    """Posts without a language are kept; ``en-GB`` counts as ``en``."""
    if not languages or not language:
        return True
    code = language.strip().lower().replace("_", "-")
    return code in languages or code.split("-", 1)[0] in languages


def searchable_text(post: Post) -> str:
    """What a word block reads: the post's plain text, content warning and card title."""
    title = post.card.title if post.card else ""
    return "\n".join((plain_text(post.content), post.spoiler_text, title))


@dataclass(frozen=True, slots=True)
class Rules:
    """The maintainer's moderation settings, normalised (see :mod:`.moderation_settings`)."""

    block_accounts: frozenset[str] = frozenset()
    """``user@host``, lower-case, no leading ``@``."""
    block_domains: frozenset[str] = frozenset()
    """Host names, lower-case."""
    block_words: tuple[str, ...] = ()
    block_posts: frozenset[str] = frozenset()
    """Status URIs or URLs, as :func:`normalise_post_url` gives them."""
    only_accounts: frozenset[str] = frozenset()
    """When not empty: only these accounts' posts are kept."""
    languages: frozenset[str] = frozenset()
    """Language codes, lower-case; empty: all languages."""
    exclude_tags: tuple[str, ...] = ()
    """Normalised hashtag names, in configured order."""
    skip_replies: bool = False
    skip_bots: bool = False
    pattern: re.Pattern[str] | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", word_pattern(self.block_words))

    @property
    def active(self) -> bool:
        """Whether any rule is set (nothing to check otherwise)."""
        return bool(
            self.block_accounts
            or self.block_domains
            or self.block_words
            or self.block_posts
            or self.only_accounts
            or self.languages
            or self.exclude_tags
            or self.skip_replies
            or self.skip_bots
        )

    def verdict(self, post: Post) -> str | None:
        """The setting that hides ``post``, or ``None`` when it may be shown and stored."""
        if not self.active or post.is_tombstone:
            return None
        if self.block_posts and (
            normalise_post_url(post.uri) in self.block_posts
            or (post.url and normalise_post_url(post.url) in self.block_posts)
        ):
            return BLOCK_POSTS
        handles = post_handles(post)
        if handles & self.block_accounts:
            return BLOCK_ACCOUNTS
        if self.block_domains and any(on_domain(h, self.block_domains) for h in post_hosts(post)):
            return BLOCK_DOMAINS
        if self.only_accounts and not handles & self.only_accounts:
            return ONLY_ACCOUNTS
        if self.skip_bots and post.account.bot:
            return SKIP_BOTS
        if self.skip_replies and post.in_reply_to:
            return SKIP_REPLIES
        if not language_kept(post.language, self.languages):
            return LANGUAGES
        if self.exclude_tags and set(self.exclude_tags).intersection(post.tags):
            return EXCLUDE_TAGS
        if self.pattern is not None and self.pattern.search(searchable_text(post)):
            return BLOCK_WORDS
        return None


def count_by_setting(hidden: dict[str, str]) -> dict[str, int]:
    """``{uri: setting}`` counted by setting."""
    counts: dict[str, int] = {}
    for setting in hidden.values():
        counts[setting] = counts.get(setting, 0) + 1
    return counts


def summary(hidden: dict[str, int]) -> str:
    """``"3 posts hidden (DIGEST_BLOCK_WORDS 2, DIGEST_BLOCK_ACCOUNTS 1)"``: one line's words."""
    total = sum(hidden.values())
    noun = "post" if total == 1 else "posts"
    parts = ", ".join(f"{name} {count}" for name, count in sorted(hidden.items()) if count)
    return f"{total} {noun} hidden" + (f" ({parts})" if parts else "")
