"""The suite's own guard: a test that would reach the internet fails instead."""

from __future__ import annotations

import httpx
import pytest


def test_a_request_to_the_internet_is_refused() -> None:
    with pytest.raises(httpx.ConnectError, match="never touch the internet"):
        httpx.get("https://mastodon.social/api/v2/instance", timeout=2)


def test_loopback_is_allowed(closed_port_url: str) -> None:
    with pytest.raises(httpx.ConnectError) as info:
        httpx.get(closed_port_url, timeout=2)
    assert "never touch" not in str(info.value)
