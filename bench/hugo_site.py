"""The Hugo peer: the same posts as a Hugo site (a page per post, tag pages by 20).

Each visible post becomes ``content/posts/YYYY/MM/<id>.html``: JSON front matter
(``title``, ``date``, ``slug``, ``tags``, ``author``) and the post as HTML (Hugo
renders ``.html`` content as it is): the sanitised status HTML (the plugin's own
allow-list, as our build shows it), the content warning, the preview card as a
quote, media as images with their alt text and a line with the author and the
original post. The ``tags`` taxonomy gets a term page per hashtag, paginated by
20; the home page lists the newest 20 posts. Sections, RSS, the sitemap,
robots.txt and the 404 page are off: what remains is what issue 14's comparison
named (Hugo 0.111, a page per post, tag pages by 20).

The layouts are this module's own (:data:`LAYOUTS`), minimal and theme-free.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from html import escape
from pathlib import Path

from tag_digest.archive.records import Post
from tag_digest.digest.sanitize import clean_html

from .markdown_site import html_to_markdown

PER_PAGE = 20
BASE_URL = "https://digest.example.org/"

CONFIG = f"""\
baseURL = "{BASE_URL}"
languageCode = "ru"
defaultContentLanguage = "ru"
title = "tagdigest: Hugo peer"
disableKinds = ["section", "RSS", "sitemap", "robotsTXT", "404"]
paginate = {PER_PAGE}
timeZone = "UTC"
enableGitInfo = false

[taxonomies]
tag = "tags"

[markup.goldmark.renderer]
unsafe = true
"""

_BASEOF = """\
<!DOCTYPE html>
<html lang="{{ .Site.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ block "title" . }}{{ .Title }} · {{ .Site.Title }}{{ end }}</title>
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a>
 · <a href="{{ "/tags/" | relURL }}">tags</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
"""

_SUMMARY = """\
<article class="h-entry">
<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">\
{{ .Date.Format "2 Jan 2006 15:04" }}</time>
{{ .Content }}
<p>{{ range .Params.tags }}<a href="{{ "/tags/" | relURL }}{{ . | urlize }}/">#{{ . }}</a> \
{{ end }}</p>
</article>
"""

_PAGER = """\
{{ with .Paginator }}{{ if gt .TotalPages 1 }}<nav>
{{ if .HasPrev }}<a rel="prev" href="{{ .Prev.URL }}">newer</a>{{ end }}
page {{ .PageNumber }} of {{ .TotalPages }}
{{ if .HasNext }}<a rel="next" href="{{ .Next.URL }}">older</a>{{ end }}
</nav>{{ end }}{{ end }}
"""

LAYOUTS: dict[str, str] = {
    "_default/baseof.html": _BASEOF,
    "partials/summary.html": _SUMMARY,
    "partials/pager.html": _PAGER,
    "_default/single.html": """\
{{ define "main" }}
<article class="h-entry">
<h1>{{ .Title }}</h1>
<p>{{ .Params.author }} · <time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">\
{{ .Date.Format "2 Jan 2006 15:04" }}</time></p>
{{ .Content }}
<p>{{ range .Params.tags }}<a href="{{ "/tags/" | relURL }}{{ . | urlize }}/">#{{ . }}</a> \
{{ end }}</p>
</article>
{{ end }}
""",
    "index.html": """\
{{ define "main" }}
<h1>{{ .Site.Title }}</h1>
{{ range first 20 (where .Site.RegularPages "Type" "posts") }}\
{{ partial "summary.html" . }}{{ end }}
{{ end }}
""",
    "_default/list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ range .Paginator.Pages }}{{ partial "summary.html" . }}{{ end }}
{{ partial "pager.html" . }}
{{ end }}
""",
    "_default/terms.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.ByCount }}
<li><a href="{{ .Page.RelPermalink }}">#{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}
</ul>
{{ end }}
""",
    "_default/term.html": """\
{{ define "main" }}
<h1>#{{ .Title }}</h1>
{{ range .Paginator.Pages }}{{ partial "summary.html" . }}{{ end }}
{{ partial "pager.html" . }}
{{ end }}
""",
}


def status_id(post: Post) -> str:
    return post.uri.rstrip("/").rsplit("/", 1)[-1]


def title(post: Post) -> str:
    """The post's first paragraph as plain text (at most 100 characters), else the author."""
    paragraphs = html_to_markdown(post.content)
    first = re.sub(r"\\(.)", r"\1", paragraphs[0]) if paragraphs else ""
    text = first.strip() or post.account.display_name or post.account.acct
    return text if len(text) <= 100 else text[:99] + "…"


def front_matter(post: Post) -> dict[str, object]:
    """What Hugo reads of a post (written as JSON front matter)."""
    return {
        "title": title(post),
        "date": post.created_at,
        "slug": f"post-{status_id(post)}",
        "tags": list(post.tags),
        "author": post.account.display_name or post.account.acct,
    }


def body(post: Post) -> str:
    """The post as HTML: texts escaped, the status HTML through the plugin's allow-list."""
    parts = []
    if post.spoiler_text:
        parts.append(f"<p><strong>{escape(post.spoiler_text)}</strong></p>")
    parts.append(clean_html(post.content))
    if post.card:
        card = post.card
        lines = [f'<a href="{escape(card.url)}">{escape(card.title or card.url)}</a>']
        lines += [escape(text) for text in (card.description, card.provider) if text]
        parts.append(f"<blockquote><p>{'<br>'.join(lines)}</p></blockquote>")
    for media in post.media:
        src = escape(media.preview_url or media.url)
        parts.append(f'<p><img src="{src}" alt="{escape(media.description)}" loading="lazy"></p>')
    account = post.account
    parts.append(
        f'<p>— <a href="{escape(account.url)}">{escape(account.display_name)}</a> '
        f'@{escape(account.acct)} · <a href="{escape(post.url)}">оригинал</a></p>'
    )
    return "\n".join(parts)


def page(post: Post) -> str:
    """The whole content file: JSON front matter, a blank line, the HTML body."""
    meta = json.dumps(front_matter(post), ensure_ascii=False, indent=1)
    return f"{meta}\n\n{body(post)}\n"


def content_path(post: Post) -> Path:
    """``posts/YYYY/MM/<id>.html``, relative to the site's ``content/``."""
    return Path("posts", post.created_at[:4], post.created_at[5:7], f"{status_id(post)}.html")


def write_site(root: Path, posts: Iterable[Post]) -> int:
    """The configuration, the layouts and a content file per visible post. Returns the count."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.toml").write_text(CONFIG, encoding="utf-8")
    for name, text in LAYOUTS.items():
        path = root / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    count = 0
    for post in posts:
        if post.is_tombstone:
            continue
        path = root / "content" / content_path(post)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page(post), encoding="utf-8")
        count += 1
    return count
