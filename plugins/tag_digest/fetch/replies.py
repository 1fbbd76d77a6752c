"""What a server's answer means: its status code, its JSON body, its text in a message.

:func:`check_status` turns a status code into a success, an error of :mod:`..errors`, or a
:class:`Retry` / :class:`Throttled` for :class:`.client.ApiClient` to act on;
:func:`decode_json` reads a body as JSON of the expected type; :func:`shown` makes text a
server chose fit for a one-line message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from ..errors import AuthRequiredError, NotFoundError, ServerFaultError

AUTH_STATUSES = (401, 403, 422)
SHOWN_CHARS = 200
"""Most characters of server-chosen text (a ``Location``) put into a message."""
TOKEN_PLACEHOLDER = "[DIGEST_TOKEN]"


class Retry(Exception):
    """A fault worth another try (internal)."""

    def __init__(self, problem: str, *, unreachable: bool = False) -> None:
        super().__init__(problem)
        self.problem = problem
        self.unreachable = unreachable


class Throttled(Exception):
    """A 429: the client waits for the reset and retries."""

    def __init__(self, headers: httpx.Headers) -> None:
        super().__init__("429")
        self.headers = headers


@dataclass(frozen=True, slots=True)
class Reply:
    """A whole response, read within the size cap."""

    status: int
    headers: httpx.Headers
    body: bytes


def shown(text: str, token: str | None = None) -> str:
    """Server-chosen ``text`` fit for a one-line message: printable, short, no token."""
    if token:
        text = text.replace(token, TOKEN_PLACEHOLDER)
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def _type_name(value: Any) -> str:
    names: dict[type, str] = {list: "a list", dict: "an object", str: "a string"}
    return names.get(type(value), type(value).__name__)


def decode_json(reply: Reply, expect: type) -> Any:
    """The JSON body of a 2xx reply, or :class:`Retry` naming what is wrong with it."""
    content_type = reply.headers.get("content-type", "").lower()
    if "html" in content_type:
        raise Retry("answered an HTML page instead of JSON")
    try:
        data = json.loads(reply.body)
    except UnicodeDecodeError:
        raise Retry("answered with undecodable bytes instead of JSON") from None
    except json.JSONDecodeError as exc:
        # The document ended early: at its last byte, or inside a string.
        if exc.pos >= len(exc.doc.rstrip()) or exc.msg.startswith("Unterminated string"):
            raise Retry("sent truncated JSON") from None
        raise Retry(f"sent invalid JSON ({exc.msg} at offset {exc.pos})") from None
    except RecursionError:
        raise Retry("sent JSON nested too deeply") from None
    except ValueError:  # an integer of more than 4300 digits
        raise Retry("sent JSON with an absurd number") from None
    if not isinstance(data, expect):
        raise Retry(f"sent JSON {_type_name(data)} where {_type_name(expect())} was expected")
    return data


def check_status(
    server: str,
    reply: Reply,
    token: str | None,
    *,
    token_name: str = "DIGEST_TOKEN",
    absent: frozenset[int] = frozenset({404}),
) -> None:
    """Raise for every status code that is not a success (``token``: the one sent, if any;
    ``token_name``: the variable it comes from; ``absent``: codes meaning "not found")."""
    code = reply.status
    if 200 <= code < 300:
        return
    if code == 429:
        raise Throttled(reply.headers)
    if code in AUTH_STATUSES:
        if token:
            raise AuthRequiredError(
                f"{server} refused the access token (HTTP {code}): set {token_name} to a valid "
                "access token with the read:statuses scope"
            )
        raise AuthRequiredError(
            f"{server} serves hashtag timelines only to logged-in users (HTTP {code}): "
            f"set {token_name} to an access token with the read:statuses scope"
        )
    if code in absent:
        raise NotFoundError(f"{server}: not found (HTTP {code})")
    if 300 <= code < 400:
        target = shown(reply.headers.get("location", "elsewhere"), token)
        raise ServerFaultError(
            f"{server} redirects to {target}; redirects are not followed: "
            "put the server's real address in DIGEST_SERVERS"
        )
    if code >= 500:
        raise Retry(f"answered HTTP {code}")
    raise ServerFaultError(f"{server} answered HTTP {code}")
