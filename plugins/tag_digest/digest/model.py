"""The site as the page generators see it: posts, their rendered fragments, tags.

Built once per build by :class:`~.generator.DigestGenerator` and shared by every
kind of page; see the generator's module docstring for how pages use it. The model
holds each post's record and the digest of its fragment, not the fragment itself:
:attr:`Entry.fragment` asks the :class:`FragmentSource` (in a build, the fragment
cache read one shard at a time, :mod:`..site.fragment_store`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from markupsafe import Markup

from ..archive.records import Post
from .grouping import local_date, newest_first
from .tagnames import normalise_tag, tag_slug
from .urls import Urls, tag_page_path


class FragmentSource(Protocol):
    """Where the posts' fragments are (by status URI)."""

    def fragment(self, uri: str) -> Markup:
        """The fragment of a post the source has."""
        ...

    def digest(self, uri: str) -> str | None:
        """:func:`fragment_digest` of its fragment; ``None``: the source has no such post."""
        ...


class InMemoryFragments:
    """Fragments held in a mapping (a model made from plain data, as in tests)."""

    def __init__(self, fragments: Mapping[str, str]) -> None:
        self.fragments = fragments

    def fragment(self, uri: str) -> Markup:
        found = self.fragments[uri]
        return found if isinstance(found, Markup) else Markup(found)

    def digest(self, uri: str) -> str | None:
        found = self.fragments.get(uri)
        return None if found is None else fragment_digest(found)


@dataclass(frozen=True, slots=True)
class Entry:
    """One visible post, ready to be placed on any page."""

    post: Post
    date: dt.date
    """The date the post falls on in the site's ``TIMEZONE``."""
    digest: str
    """A short hash of :attr:`fragment`, for page signatures."""
    tags: tuple[str, ...]
    """The configured tags (normalised) it carries, in configured order."""
    source: FragmentSource = field(repr=False, compare=False)

    @property
    def fragment(self) -> Markup:
        """Its ``<article class="h-entry">``, internal links starting with :data:`.urls.ROOT`
        (read when asked: the model keeps no post's HTML)."""
        return self.source.fragment(self.post.uri)


@dataclass(frozen=True, slots=True)
class TagInfo:
    """One configured tag and its posts."""

    name: str
    """As configured: ``Supervised_finetuning`` (shown as ``#Supervised_finetuning``)."""
    key: str
    """Normalised: ``supervised_finetuning``."""
    slug: str
    path: str
    """Output path of its index page (its newest posts): ``tags/<slug>/index.html``."""
    link: str
    """Site-root-relative link to it (``{{ SITEURL }}/{{ tag.link }}``)."""
    entries: tuple[Entry, ...]
    """Newest first."""

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def latest(self) -> dt.date | None:
        return self.entries[0].date if self.entries else None


@dataclass(frozen=True, slots=True)
class SiteModel:
    entries: tuple[Entry, ...]
    """Every visible post that carries at least one configured tag, newest first, once each."""
    by_uri: Mapping[str, Entry]
    tags: tuple[TagInfo, ...]
    """In the order of ``DIGEST_TAGS``."""
    servers: tuple[str, ...]
    """The servers read (``DIGEST_SERVERS``), for page footers."""
    tz: dt.tzinfo
    _keys: dict[str, TagInfo] = field(init=False, repr=False, compare=False)
    """Each tag by its normalised key (:meth:`tag` is asked once per tag of every post)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_keys", {t.key: t for t in self.tags})

    def tag(self, key: str) -> TagInfo | None:
        """The configured tag ``key`` names (normalised or not), if any."""
        found = self._keys.get(key)  # most callers have the normalised key already
        return found if found is not None else self._keys.get(normalise_tag(key))


def fragment_digest(fragment: str) -> str:
    return hashlib.blake2b(fragment.encode("utf-8"), digest_size=8).hexdigest()


def build_model(
    posts: Iterable[Post],
    fragments: Mapping[str, str] | FragmentSource,
    tags: Iterable[str],
    servers: Iterable[str],
    tz: dt.tzinfo,
    urls: Urls,
) -> SiteModel:
    """The model of ``posts`` (visible, carrying a configured tag) and their ``fragments``."""
    source = InMemoryFragments(fragments) if isinstance(fragments, Mapping) else fragments
    configured = [(name, normalise_tag(name)) for name in tags]
    keys = [key for _, key in configured]
    entries: list[Entry] = []
    for post in newest_first(posts):
        digest = source.digest(post.uri)
        carried = tuple(key for key in keys if key in post.tags)
        if digest is None or not carried or post.is_tombstone:
            continue
        entries.append(
            Entry(post=post, date=local_date(post, tz), digest=digest, tags=carried, source=source)
        )
    per_tag: dict[str, list[Entry]] = {key: [] for key in keys}
    for entry in entries:
        for key in entry.tags:
            per_tag[key].append(entry)
    tag_infos = []
    for name, key in configured:
        slug = tag_slug(name)
        path = tag_page_path(slug)
        tag_infos.append(
            TagInfo(
                name=name,
                key=key,
                slug=slug,
                path=path,
                link=urls.link(path),
                entries=tuple(per_tag[key]),
            )
        )
    return SiteModel(
        entries=tuple(entries),
        by_uri={e.post.uri: e for e in entries},
        tags=tuple(tag_infos),
        servers=tuple(servers),
        tz=tz,
    )
