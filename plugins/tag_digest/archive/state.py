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

``audit`` holds the rolling re-verification (:mod:`.audit`) per server:
``cycle_started`` and ``last_run`` (UTC times), per batch of tags (its normalised
names joined by ``,``) where the re-scan goes on (``below``: the next ``max_id``;
``reached``: the oldest ``created_at`` it got to; ``done``: this cycle's walk is
finished), ``pending`` (posts whose check alone failed: checked again next run)
and ``ids`` (a post's status id on that server where its ``uri`` does not show it).
Losing it restarts the audit, never removes a post.

It is never overwritten when it changed on disk since this run read it.
At the top level, ``last_success`` is when the last fetch that could read at least
one server started (UTC ISO-8601, as ``fetched_at``); absent before the first. The
pages' footer shows it (:func:`last_success`), so a build from an old archive does
not look fresh.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ArchiveError
from ..times import parse_time
from .atomic import write_atomic

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


@dataclass(slots=True)
class BatchAudit:
    """Where one batch's re-scan goes on in the current audit cycle."""

    below: str | None = None
    """The ``max_id`` of the next page; ``None``: from the top."""
    reached: str | None = None
    """``created_at`` of the oldest status the walk got to (posts from it on are covered)."""
    done: bool = False


@dataclass(slots=True)
class ServerAudit:
    """One server's audit: its cycle, cursors, pending checks and status ids."""

    cycle_started: str
    last_run: str
    batches: dict[str, BatchAudit] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _server_audit(data: Any) -> ServerAudit | None:
    if not isinstance(data, dict):
        return None
    started, last = _text(data.get("cycle_started")), _text(data.get("last_run"))
    if started is None or last is None:
        return None
    batches = data.get("batches")
    pending = data.get("pending")
    ids = data.get("ids")
    return ServerAudit(
        cycle_started=started,
        last_run=last,
        batches={
            key: BatchAudit(_text(b.get("below")), _text(b.get("reached")), b.get("done") is True)
            for key, b in (batches.items() if isinstance(batches, dict) else ())
            if isinstance(key, str) and isinstance(b, dict)
        },
        pending=[u for u in pending if isinstance(u, str) and u]
        if isinstance(pending, list)
        else [],
        ids={
            u: i
            for u, i in (ids.items() if isinstance(ids, dict) else ())
            if isinstance(u, str) and isinstance(i, str) and u and i
        },
    )


def _render_audit(audit: ServerAudit) -> dict[str, Any]:
    return {
        "batches": {
            key: {"below": b.below, "done": b.done, "reached": b.reached}
            for key, b in audit.batches.items()
            if b != BatchAudit()  # not started: the same as absent
        },
        "cycle_started": audit.cycle_started,
        "ids": dict(audit.ids),
        "last_run": audit.last_run,
        "pending": list(audit.pending),
    }


class FetchState:
    """Cursors per server and tag, read from and written to one JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.servers: dict[str, dict[str, TagState]] = {}
        self.audits: dict[str, ServerAudit] = {}
        self.last_success: str | None = None
        """When the last fetch that read at least one server started (``format_time``)."""
        self._saved = ""
        self._disk: bytes | None = None
        """The file's bytes when :meth:`load` read it (``None``: there was no file)."""

    @classmethod
    def load(cls, root: Path) -> tuple[FetchState, str | None]:
        """The state under ``root``, and a warning when an unreadable file was set aside."""
        state = cls(root / STATE_FILE)
        try:
            state._disk = state.path.read_bytes()
            text = state._disk.decode("utf-8")
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
        audits = data.get("audit") if isinstance(data, dict) else None
        for server, entry in (audits if isinstance(audits, dict) else {}).items():
            audit = _server_audit(entry)
            if audit is not None:
                state.audits[server] = audit
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
        if self.audits:
            data["audit"] = {server: _render_audit(a) for server, a in self.audits.items()}
        if self.last_success is not None:
            data["last_success"] = self.last_success
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    def _current(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None

    def save(self) -> bool:
        """Write the file if its text changed; whether it was written.

        Raises :class:`ArchiveError` when the file changed on disk since :meth:`load`.
        """
        text = self.render()
        current = self._current()
        if text == self._saved and current is not None:
            return False
        if not self.servers and not self.audits and self.last_success is None and current is None:
            return False
        if current != self._disk:
            raise ArchiveError(
                f"{self.path}: changed on disk since this run read it (another program "
                "wrote it); not overwritten: run again"
            )
        data = text.encode("utf-8")
        write_atomic(self.path, data)
        self._saved, self._disk = text, data
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
