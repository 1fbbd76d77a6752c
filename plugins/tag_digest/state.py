"""Where each server's timelines were last read up to: ``<archive>/state.json``.

Plain JSON, keys sorted, written atomically and only when it changes, so it can
live in git next to the archive. Per server and normalised tag:

- ``top_id``: the highest status id seen by the last complete scan from the top;
  the next incremental scan may stop once it is below it and the overlap window.
- ``backfill_below``: set while a first fetch is unfinished (cut short by
  ``DIGEST_MAX_PAGES`` or a fault): the next run continues down from this id
  instead of leaving a gap. ``null`` once the bottom (or ``DIGEST_SINCE``) was reached.

A tag without an entry has never been fetched from that server: its batch is
scanned as a first fetch. Losing this file costs one full re-scan, never a post.

At the top level, ``last_success`` is when the last fetch that could read at least
one server started (UTC ISO-8601, as ``fetched_at``); absent before the first. The
pages' footer shows it (:func:`last_success`), so a build from an old archive does
not look fresh.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .archive import write_atomic
from .records import parse_time

STATE_FILE = "state.json"
FORMAT = 1


@dataclass(frozen=True, slots=True)
class TagState:
    top_id: str | None = None
    backfill_below: str | None = None


def _tag_state(data: Any) -> TagState | None:
    if not isinstance(data, dict):
        return None
    top, below = data.get("top_id"), data.get("backfill_below")
    return TagState(
        top_id=top if isinstance(top, str) and top else None,
        backfill_below=below if isinstance(below, str) and below else None,
    )


class FetchState:
    """Cursors per server and tag, read from and written to one JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.servers: dict[str, dict[str, TagState]] = {}
        self.last_success: str | None = None
        """When the last fetch that read at least one server started (``format_time``)."""
        self._saved = ""

    @classmethod
    def load(cls, root: Path) -> tuple[FetchState, str | None]:
        """The state under ``root``, and a warning when an unreadable file was set aside."""
        state = cls(root / STATE_FILE)
        try:
            text = state.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return state, None
        except (OSError, UnicodeDecodeError) as exc:
            return state, f"{state.path}: unreadable ({exc}); every timeline is re-scanned"
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return state, f"{state.path}: invalid JSON ({exc.msg}); every timeline is re-scanned"
        servers = data.get("servers") if isinstance(data, dict) else None
        state.last_success = _moment(data.get("last_success") if isinstance(data, dict) else None)
        for server, tags in (servers if isinstance(servers, dict) else {}).items():
            if not isinstance(tags, dict):
                continue
            for tag, entry in tags.items():
                parsed = _tag_state(entry)
                if parsed is not None:
                    state.servers.setdefault(server, {})[tag] = parsed
        state._saved = text
        return state, None

    def get(self, server: str, tag: str) -> TagState | None:
        return self.servers.get(server, {}).get(tag)

    def set(self, server: str, tag: str, value: TagState) -> None:
        self.servers.setdefault(server, {})[tag] = value

    def render(self) -> str:
        data: dict[str, Any] = {
            "format": FORMAT,
            "servers": {
                server: {
                    tag: {"backfill_below": s.backfill_below, "top_id": s.top_id}
                    for tag, s in tags.items()
                }
                for server, tags in self.servers.items()
                if tags
            },
        }
        if self.last_success is not None:
            data["last_success"] = self.last_success
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    def save(self) -> bool:
        """Write the file if its text changed; whether it was written."""
        text = self.render()
        if text == self._saved and self.path.exists():
            return False
        if not self.servers and self.last_success is None and not self.path.exists():
            return False
        write_atomic(self.path, text)
        self._saved = text
        return True


def _moment(value: Any) -> str | None:
    """``value`` if it is an ISO-8601 time, else None (a hand-edited file loses only this)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parse_time(value)
    except ValueError:
        return None
    return value.strip()


def last_success(root: Path) -> dt.datetime | None:
    """When the archive under ``root`` was last fetched successfully; None if never (or unknown)."""
    state, _problem = FetchState.load(root)
    return None if state.last_success is None else parse_time(state.last_success)
