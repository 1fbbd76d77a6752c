"""The baseline: the same posts written as one Markdown article each, as a user would.

Each post becomes ``posts/YYYY/MM/<id>.md`` with ``Title``, ``Date``, ``Tags``,
``Slug`` and ``Author`` metadata; its HTML is converted to Markdown (paragraphs,
links as ``[text](url)`` with the scheme hidden as Mastodon shows it, hashtags
and mentions as links), followed by the preview card as a quote, media as
images with their alt text, and a line with the author and the original post.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path

from tag_digest.archive.records import Post

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def escape(text: str) -> str:
    """Plain text made inert in Markdown."""
    return _SPECIAL.sub(r"\\\1", text)


class _ToMarkdown(HTMLParser):
    """Mastodon's status HTML (p, br, a, span) to Markdown paragraphs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.link: tuple[str, str] | None = None  # (href, class)
        self.link_text: list[str] = []
        self.cut = False
        self.hidden = 0
        self.span_stack: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "p":
            self._flush()
        elif tag == "br":
            self.current.append("  \n")
        elif tag == "a":
            self.link = (attr.get("href", ""), attr.get("class", ""))
            self.link_text = []
            self.cut = False
        elif tag == "span":
            invisible = "invisible" in attr.get("class", "").split()
            self.span_stack.append(invisible)
            self.hidden += invisible
            if "ellipsis" in attr.get("class", "").split():
                self.cut = True  # Mastodon shows only the start of this link

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._flush()
        elif tag == "span" and self.span_stack:
            self.hidden -= self.span_stack.pop()
        elif tag == "a" and self.link is not None:
            href = self.link[0]
            text = "".join(self.link_text)
            if self.cut:
                text += "…"
            self.current.append(
                f"[{escape(text)}]({href.replace(')', '%29')})" if href else escape(text)
            )
            self.link = None

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if self.link is not None:
            self.link_text.append(data)
        else:
            self.current.append(escape(data))

    def _flush(self) -> None:
        text = "".join(self.current).strip()
        if text:
            self.paragraphs.append(text)
        self.current = []


def html_to_markdown(html: str) -> list[str]:
    """The paragraphs of ``html`` as Markdown."""
    parser = _ToMarkdown()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.paragraphs


def _status_id(post: Post) -> str:
    return post.uri.rstrip("/").rsplit("/", 1)[-1]


def article(post: Post) -> str:
    """The Markdown article of one post."""
    paragraphs = html_to_markdown(post.content)
    first = re.sub(r"\\(.)", r"\1", paragraphs[0]) if paragraphs else post.account.display_name
    title = first if len(first) <= 100 else first[:99] + "…"
    lines = [
        f"Title: {title}",
        f"Date: {post.created_at}",
        f"Tags: {', '.join(post.tags)}",
        f"Slug: post-{_status_id(post)}",
        f"Author: {post.account.display_name or post.account.acct}",
        "",
    ]
    if post.spoiler_text:
        lines += [f"**{escape(post.spoiler_text)}**", ""]
    for paragraph in paragraphs[1:]:  # the first one is the title
        lines += [paragraph, ""]
    if post.card:
        card = post.card
        lines += [f"> **[{escape(card.title or card.url)}]({card.url})**  "]
        if card.description:
            lines += [f"> {escape(card.description)}  "]
        if card.provider:
            lines += [f"> {escape(card.provider)}"]
        lines += [""]
    for media in post.media:
        lines += [f"![{escape(media.description)}]({media.preview_url or media.url})", ""]
    author = (
        f"[{escape(post.account.display_name)}]({post.account.url}) @{escape(post.account.acct)}"
    )
    lines += [f"— {author} · [оригинал]({post.url})", ""]
    return "\n".join(lines)


def write_articles(content: Path, posts: Iterable[Post]) -> int:
    """Write every visible post as ``content/posts/YYYY/MM/<id>.md``. Returns the count."""
    count = 0
    for post in posts:
        if post.is_tombstone:
            continue
        folder = content / "posts" / post.created_at[:4] / post.created_at[5:7]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{_status_id(post)}.md").write_text(article(post), encoding="utf-8")
        count += 1
    return count
