"""Untrusted post HTML and text made safe to publish.

:func:`clean_html` puts a status's HTML through an nh3 allow-list: the tags
Mastodon itself allows in statuses, no ``script``/``style``/``iframe``/``object``/
``form``, no event-handler or ``style`` attribute, only absolute ``http(s)`` and
``mailto`` links, every link ``rel="nofollow noopener ugc"``. Of the classes only
Mastodon's link markup survives: ``invisible``/``ellipsis`` (a link shown without
its scheme, cut with an ellipsis) and ``mention``/``hashtag``. Microformats
classes (``h-card``, ``u-url``, ``h-entry``…) are dropped, so a post can never
forge the page's own h-entry markup.

:func:`link_hashtags` then points hashtag links at our tag page when the tag
is configured (the origin server's tag page is kept otherwise). A link it points
at our own page loses its ``rel``: ``nofollow noopener ugc`` is for links that
leave the site, and a tag page is ours, not the post author's.

nh3 serialises canonically (attributes ``name="value"``, ``"`` ``<`` ``>``
escaped inside values), which is what makes the small regular expressions
over its *output* here exact.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable

import nh3

from ..archive.origins import original_url
from ..weburl import is_web_url
from .tagnames import normalise_tag

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "a", "span", "del", "s", "pre", "code", "em", "strong", "b", "i",
        "u", "ul", "ol", "li", "blockquote", "sub", "sup",
    }
)  # fmt: skip
"""What Mastodon keeps in a status, minus headings (renamed to paragraphs: a post
must not break the page's heading outline)."""

REMOVED_WITH_CONTENT = frozenset({"script", "style", "template", "noscript", "textarea", "title"})
ALLOWED_CLASSES = {"a": {"mention", "hashtag"}, "span": {"invisible", "ellipsis"}}
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener ugc"

_HEADING = re.compile(r"<(/?)h[1-6](?=[\s/>])", re.IGNORECASE)
_EMPTY_CLASS = ' class=""'
_LINK = re.compile(r"<a ([^>]*)>(.*?)</a>", re.DOTALL)
_ATTR = re.compile(r'([a-z-]+)="([^"]*)"')
_TAGS = re.compile(r"<[^>]*>")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")

_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(REMOVED_WITH_CONTENT),
    attributes={"a": {"href"}},
    allowed_classes={k: set(v) for k, v in ALLOWED_CLASSES.items()},
    url_schemes=set(LINK_SCHEMES),
    url_relative="deny",
    link_rel=LINK_REL,
    strip_comments=True,
)


def plain(text: str) -> str:
    """``text`` without the control characters HTML forbids (still to be escaped)."""
    return _CONTROL.sub("", text)


def clean_html(content: str) -> str:
    """The allow-listed form of a status's HTML (see the module docstring)."""
    if not content:
        return ""
    renamed = _HEADING.sub(r"<\1p", plain(content))
    return _CLEANER.clean(renamed).replace(_EMPTY_CLASS, "")


def safe_url(value: str | None, *, mailto: bool = False) -> str | None:
    """``value`` if it is an absolute http(s) (or, if allowed, mailto) URL, else ``None``."""
    if not value:
        return None
    url = plain(value).strip()
    if is_web_url(url):
        return url
    scheme, sep, rest = url.partition(":")
    if mailto and sep and rest and scheme.lower() == "mailto":
        return url
    return None


def safe_original(uri: str, url: str) -> str | None:
    """``safe_url(original_url(uri, url))``: the link to "the original post", if any, checked
    once. :func:`~..archive.origins.original_url` gives ``""`` or a stripped web URL (it
    judged its host and port, which is all the URL check judges), so only one with control
    characters needs :func:`safe_url` again."""
    original = original_url(uri, url)
    if not original:
        return None
    return original if plain(original) == original else safe_url(original)


@functools.lru_cache(maxsize=1 << 16)
def _is_tag(text: str) -> bool:
    return bool(normalise_tag(text))


def link_text(inner_html: str) -> str:
    """The text of a link's inner HTML (entities decoded)."""
    return html.unescape(_TAGS.sub("", inner_html))


def link_hashtags(clean: str, href_for: Callable[[str], str | None]) -> str:
    """Rewrite the hashtag links in cleaned HTML.

    ``href_for(name)`` gets the tag as written (``Supervised_finetuning``) and
    returns the new (already escaped) ``href`` value, a link to one of our own
    pages (written without ``rel``), or ``None`` to keep the link as it is.
    """
    if "hashtag" not in clean:
        return clean

    def rewrite(match: re.Match[str]) -> str:
        attrs = dict(_ATTR.findall(match.group(1)))
        if "hashtag" not in attrs.get("class", "").split():
            return match.group(0)
        text = link_text(match.group(2)).strip()
        if not text.startswith("#") or not _is_tag(text):
            return match.group(0)
        href = href_for(text[1:])
        if href is None:
            return match.group(0)
        attrs["href"] = href
        attrs.pop("rel", None)
        rendered = " ".join(f'{key}="{value}"' for key, value in attrs.items())
        return f"<a {rendered}>{match.group(2)}</a>"

    return _LINK.sub(rewrite, clean)
