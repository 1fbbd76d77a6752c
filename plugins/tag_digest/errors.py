"""The plugin's exceptions.

    TagDigestError                 every error the plugin raises on purpose
    ├── SettingError               a DIGEST_* setting is invalid (names the setting)
    ├── ArchiveError               the archive cannot be read or written (names the file)
    │   └── CorruptShardError      a shard has a line that is not a valid record (file and line)
    └── FetchError                 a server could not be read
        ├── AuthRequiredError      401/403/422: the server wants DIGEST_TOKEN
        ├── NotFoundError          404: no such hashtag (or API) on that server
        ├── RateLimitedError       throttled for longer than DIGEST_MAX_WAIT
        └── ServerFaultError       5xx, timeouts, resets, bad JSON after the retries ran out
            └── UnreachableError   no connection at all (DNS, refused, no network)

The user sees ``str(error)``: one line, naming the setting, file or server.
"""

from __future__ import annotations

import logging
import reprlib
from typing import NoReturn

log = logging.getLogger("tag_digest")

_SHOWN = reprlib.Repr()
_SHOWN.maxstring = _SHOWN.maxother = 60
_SHOWN.maxlevel, _SHOWN.maxlist, _SHOWN.maxdict = 3, 4, 4


def shown(value: object) -> str:
    """``value`` as an error message shows it: its ``repr``, short and on one line
    (a huge string, deep nesting or a broken ``__repr__`` cannot flood the message)."""
    return " ".join(_SHOWN.repr(value).splitlines())


class TagDigestError(Exception):
    """Base of every error tagdigest raises on purpose."""


class SettingError(TagDigestError):
    """A DIGEST_* setting has an invalid value."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {' '.join(problem.splitlines())}")
        self.name = name


class ArchiveError(TagDigestError):
    """The archive could not be read or written."""


class CorruptShardError(ArchiveError):
    """A shard holds a line that is not a valid record."""

    def __init__(self, path: str, line: int, problem: str) -> None:
        super().__init__(f"{path}:{line}: corrupt archive line ({problem}); fix or remove it")
        self.path = path
        self.line = line


class FetchError(TagDigestError):
    """A server could not be read."""


class AuthRequiredError(FetchError):
    """The server refuses hashtag timelines without an access token."""


class NotFoundError(FetchError):
    """The server answered 404: it does not know the hashtag (or the API)."""


class RateLimitedError(FetchError):
    """The server throttled us for longer than we are willing to wait."""


class ServerFaultError(FetchError):
    """The server kept failing after the retries ran out."""


class UnreachableError(ServerFaultError):
    """No connection could be made at all: DNS failure, refused, no network."""


def fail(error: TagDigestError) -> NoReturn:
    """Stop the build with one clear line (no traceback): the error names the setting or file."""
    log.error("tag_digest: %s", error)
    raise SystemExit(1)
