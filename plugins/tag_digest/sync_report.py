"""What a fetch run reports: one :class:`ServerReport` per server, and the run's
:class:`SyncReport` (the summary lines and ``--summary`` JSON)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .archive.moderation import count_by_setting, summary


@dataclass(slots=True)
class ServerReport:
    server: str
    new: int = 0
    updated: int = 0
    removed: int = 0
    requests: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    unreachable: bool = False
    verified: int = 0
    """Posts the audit re-verified in this run."""
    audit_removed: int = 0
    audit: str = ""
    """How far the audit has got (empty: it did not run)."""
    hidden: dict[str, str] = field(default_factory=dict)
    """Statuses the moderation rules refused (``uri``: setting)."""
    withheld: int = 0

    def line(self) -> str:
        text = (
            f"{self.server}: {self.new} new, {self.updated} updated, {self.removed} removed, "
            f"{self.requests} requests"
        )
        if self.audit:
            text += (
                f", {self.verified:,} re-verified, {self.audit_removed} removed by the audit, "
                f"{self.audit}"
            )
        return text + (" (gave up)" if self.error else "")

    def as_json(self) -> dict[str, Any]:
        return {
            "new": self.new,
            "updated": self.updated,
            "removed": self.removed,
            "requests": self.requests,
            "error": self.error,
            "warnings": list(self.warnings),
            "re_verified": self.verified,
            "removed_by_audit": self.audit_removed,
            "audit": self.audit,
        }


@dataclass(slots=True)
class SyncReport:
    servers: list[ServerReport] = field(default_factory=list)
    withheld: dict[str, str] = field(default_factory=dict)
    """Archived posts the moderation rules now refuse, made tombstones before fetching."""

    def moderation_line(self) -> str:
        """How many posts the moderation rules hide, and how many left the archive now."""
        hidden = dict(self.withheld)
        for server in self.servers:
            hidden.update(server.hidden)
        gone = len(self.withheld) + sum(s.withheld for s in self.servers)
        return f"moderation: {summary(count_by_setting(hidden))}; {gone} withheld from the archive"

    posts: int = 0
    """Posts the archive holds after the run (tombstones not counted)."""
    last_success: str | None = None
    """The archive's last successful fetch (this run's start when a server was read)."""

    @property
    def any_read(self) -> bool:
        """Whether at least one server could be read (none refused, unreachable or failed)."""
        return any(s.error is None for s in self.servers)

    def total(self, name: str) -> int:
        return sum(int(getattr(s, name)) for s in self.servers)

    def lines(self) -> list[str]:
        return [s.line() for s in self.servers]

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {k: self.total(k) for k in ("new", "updated", "removed", "requests")}
        data["servers"] = {s.server: {**s.as_json(), "ok": s.error is None} for s in self.servers}
        data["posts"], data["last_success"] = self.posts, self.last_success
        # Posts withheld by moderation left the archive too (the commit message counts them).
        data["withheld"] = len(self.withheld) + self.total("withheld")
        data["removed"] += data["withheld"]
        return data
