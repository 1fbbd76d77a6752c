"""What a server allows: who may read its hashtag feeds, and whether it batches tags.

Mastodon 4.5+ announces in ``GET /api/v2/instance`` under
``configuration.timelines_access.hashtag_feeds`` whether local and remote posts
in hashtag feeds are ``public``, ``authenticated`` or ``disabled``. Older servers
say nothing, which means public. :func:`plan_access` turns that and the presence
of a token into what to ask for (``local=true``, ``remote=true`` or both).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import AuthRequiredError, FetchError, NotFoundError
from .client import ApiClient

PUBLIC = "public"
AUTHENTICATED = "authenticated"
DISABLED = "disabled"
BATCH_SIZE = 4
"""Tags per timeline request: the path tag and 3 in ``any[]``.

Mastodon's ``TagFeed`` takes the path tag together with ``any[]`` and keeps the
first 4 names (``LIMIT_PER_MODE = 4`` applied to ``[tag] | any``): a fifth tag
would be dropped without a word, and its posts never fetched.
"""


@dataclass(frozen=True, slots=True)
class InstanceInfo:
    local: str = PUBLIC
    remote: str = PUBLIC
    software: str = "mastodon"


@dataclass(frozen=True, slots=True)
class Access:
    """What to ask a server's hashtag timelines for."""

    scope: str
    """``all``, ``local`` or ``remote``."""
    warning: str | None = None

    @property
    def params(self) -> list[tuple[str, str]]:
        return [] if self.scope == "all" else [(self.scope, "true")]


def _access_value(value: Any) -> str:
    return value if value in (PUBLIC, AUTHENTICATED, DISABLED) else PUBLIC


def parse_instance(data: Any) -> InstanceInfo:
    """The parts of an ``/api/v2/instance`` answer that matter here."""
    if not isinstance(data, dict):
        return InstanceInfo()
    config = data.get("configuration")
    access = config.get("timelines_access") if isinstance(config, dict) else None
    feeds = access.get("hashtag_feeds") if isinstance(access, dict) else None
    feeds = feeds if isinstance(feeds, dict) else {}
    text = f"{data.get('version', '')} {data.get('source_url', '')}".lower()
    software = "gotosocial" if "gotosocial" in text else "mastodon"
    return InstanceInfo(
        local=_access_value(feeds.get("local")),
        remote=_access_value(feeds.get("remote")),
        software=software,
    )


def batch_size(info: InstanceInfo) -> int:
    """How many tags one timeline request may carry (GoToSocial ignores ``any[]``)."""
    return 1 if info.software == "gotosocial" else BATCH_SIZE


def plan_access(info: InstanceInfo, *, server: str, has_token: bool) -> Access:
    """Which posts to ask for; raises when there is nothing we may read."""

    def readable(value: str) -> bool:
        return value == PUBLIC or (value == AUTHENTICATED and has_token)

    local, remote = readable(info.local), readable(info.remote)
    if local and remote:
        return Access("all")
    hint = "set DIGEST_TOKEN to an access token with the read:statuses scope"
    if remote:
        why = "need login" if info.local == AUTHENTICATED else "are disabled"
        warning = f"{server}: local posts in hashtag feeds {why}; fetching remote posts only"
        return Access("remote", warning + (f" ({hint})" if info.local == AUTHENTICATED else ""))
    if local:
        why = "need login" if info.remote == AUTHENTICATED else "are disabled"
        warning = f"{server}: remote posts in hashtag feeds {why}; fetching local posts only"
        return Access("local", warning + (f" ({hint})" if info.remote == AUTHENTICATED else ""))
    if AUTHENTICATED in (info.local, info.remote):
        raise AuthRequiredError(f"{server} serves hashtag feeds only to logged-in users: {hint}")
    raise FetchError(f"{server} has disabled its hashtag feeds")


def fetch_instance(client: ApiClient) -> InstanceInfo:
    """Ask the server about itself; a server without ``/api/v2/instance`` is taken as public."""
    try:
        return parse_instance(client.get_json("/api/v2/instance", expect=dict))
    except (NotFoundError, AuthRequiredError):
        return InstanceInfo()
