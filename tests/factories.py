"""The factories tests share: a post, a server's status, an API client for a test server,
an archive's records.

Test files import these instead of keeping copies (``from factories import make_post``);
a test that needs other defaults passes them, or wraps a factory once at its top.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from tag_digest.archive.records import Account, Card, Post
from tag_digest.archive.shards import Archive
from tag_digest.archive.statuses import from_status
from tag_digest.fetch.client import ApiClient
from tag_digest.fetch.ratelimit import Pacer
from tag_digest.settings import DigestSettings


def make_post(n: int, month: str = "2024-12", **changes: Any) -> Post:
    """Post ``n`` of ``a@example.social`` in ``month`` (day and minute from ``n``), tagged
    ``llm``, with a preview card; ``changes`` replace any field."""
    post = Post(
        uri=f"https://example.social/users/a/statuses/{n}",
        url=f"https://example.social/@a/{n}",
        server="https://example.social",
        created_at=f"{month}-{1 + n % 28:02d}T10:{n % 60:02d}:00.000Z",
        edited_at=None,
        language="ru",
        account=Account("a@example.social", "Автор", "https://example.social/@a", ""),
        content=f"<p>Пост номер {n}</p>",
        spoiler_text="",
        sensitive=False,
        tags=("llm",),
        card=Card("https://habr.com/ru/articles/1/", "Заголовок", "Описание", "Хабр"),
        fetched_at="2024-12-28T00:00:00.000Z",
    )
    return replace(post, **changes)


def mastodon_status(
    n: int,
    *,
    server: str = "https://mastodon.social",
    acct: str = "a",
    name: str = "Автор",
    **fields: Any,
) -> dict[str, Any]:
    """Status ``n`` of ``acct`` on ``server`` as a Mastodon server sends it: its URI, URL and
    author, and the ``fields`` a test cares about (:func:`.statuses.from_status` fills the
    rest with a server's defaults)."""
    status: dict[str, Any] = {
        "uri": f"{server}/users/{acct}/statuses/{n}",
        "url": f"{server}/@{acct}/{n}",
        "account": {"acct": acct, "display_name": name, "url": f"{server}/@{acct}"},
    }
    status.update(fields)
    return status


def timeline_post(
    n: int,
    when: str,
    tags: list[str],
    html: str,
    *,
    language: str = "ru",
    fetched_at: str = "2025-01-05T00:00:00.000Z",
    **fields: Any,
) -> Post:
    """Post ``n`` as mastodon.social's tag timeline gives it (public, with an id), read into a
    record; ``fields`` go to :func:`mastodon_status` (``acct``, ``name``, ``card``, …)."""
    status = mastodon_status(
        n,
        id=str(n),
        created_at=when,
        visibility="public",
        language=language,
        content=html,
        tags=[{"name": t} for t in tags],
        **fields,
    )
    return from_status(status, "https://mastodon.social", fetched_at)


def client_for(
    url: str,
    *,
    retries: int = 0,
    timeout: float = 2.0,
    max_wait: float = 5.0,
    rand: Callable[[], float] = lambda: 0.5,
    **options: Any,
) -> ApiClient:
    """An :class:`ApiClient` for the test server at ``url``: short timeout, no retries and a
    fixed jitter unless asked, backoff in milliseconds."""
    options.setdefault("backoff", 0.001)
    pacer = Pacer(url, max_wait=max_wait)
    return ApiClient(url, pacer=pacer, retries=retries, timeout=timeout, rand=rand, **options)


def load(settings: DigestSettings) -> dict[str, Post]:
    """Every record of the archive ``settings`` name, by URI."""
    return Archive.load(settings.archive_path).records
