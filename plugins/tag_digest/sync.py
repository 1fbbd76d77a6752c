"""Fetch every configured server into the archive (placeholder until the fetcher lands)."""

from __future__ import annotations

from .settings import DigestSettings


def sync_all(settings: DigestSettings) -> None:
    raise NotImplementedError
