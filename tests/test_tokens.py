"""DIGEST_TOKENS: one access token per server, each sent to its own server only."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from corpus_server import ROOT, TimelineServer, archive_bytes, hanna, spread
from tag_digest.errors import SettingError
from tag_digest.settings import DigestSettings, load_settings
from tag_digest.sync import sync_all

TAG = "IchbinHanna"
MakeSettings = Callable[..., DigestSettings]


def test_two_servers_with_two_tokens_each_get_only_their_own(
    mastodon: TimelineServer,
    mastodon_b: TimelineServer,
    make_settings: MakeSettings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    first, second = "tok-first-1a2b3c4d", "tok-second-5e6f7a8b"
    monkeypatch.setenv("DIGEST_TOKEN", first)
    monkeypatch.setenv("DIGEST_TOKEN_B", second)
    caplog.set_level(logging.DEBUG)
    now = dt.datetime.now(dt.UTC)
    mastodon.statuses = spread(hanna()[:8], now, dt.timedelta(hours=1))
    mastodon_b.statuses = spread(hanna()[8:16], now, dt.timedelta(hours=1))
    settings = make_settings(
        [mastodon.url, mastodon_b.url],
        [TAG],
        DIGEST_TOKENS={mastodon.url: "DIGEST_TOKEN", mastodon_b.url: "DIGEST_TOKEN_B"},
    )
    report = sync_all(settings)
    sync_all(settings)  # a second run: the audit's requests carry tokens too
    a_seen = mastodon.seen + mastodon.instance_seen
    b_seen = mastodon_b.seen + mastodon_b.instance_seen
    assert a_seen and b_seen
    assert all(s.headers.get("Authorization") == f"Bearer {first}" for s in a_seen)
    assert all(s.headers.get("Authorization") == f"Bearer {second}" for s in b_seen)
    for data in archive_bytes(settings.archive_path).values():
        assert first.encode() not in data and second.encode() not in data
    text = caplog.text + json.dumps(report.as_json())
    assert first not in text and second not in text


def test_a_server_left_out_of_digest_tokens_gets_no_token(
    mastodon: TimelineServer,
    mastodon_b: TimelineServer,
    make_settings: MakeSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DIGEST_TOKEN", "tok-only-for-b-9z8y")
    mastodon.statuses = hanna()[:5]
    mastodon_b.statuses = hanna()[:5]
    settings = make_settings(
        [mastodon.url, mastodon_b.url], [TAG], DIGEST_TOKENS={mastodon_b.url: "DIGEST_TOKEN"}
    )
    sync_all(settings)
    assert all("Authorization" not in s.headers for s in mastodon.seen + mastodon.instance_seen)
    assert all("Authorization" in s.headers for s in mastodon_b.seen)


def test_the_old_token_server_setting_keeps_working(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_TOKEN", "secret")
    servers = ["https://a.example", "https://b.example"]
    old = load_settings(
        {"DIGEST_SERVERS": servers, "DIGEST_TOKEN_SERVER": "https://b.example"}, base=Path("/x")
    )
    assert old.tokens == (("https://b.example", "DIGEST_TOKEN"),)
    assert (old.token_for("https://a.example"), old.token_for("https://b.example")) == (
        None,
        "secret",
    )
    default = load_settings({"DIGEST_SERVERS": servers}, base=Path("/x"))
    assert default.tokens == (("https://a.example", "DIGEST_TOKEN"),)
    nobody = load_settings({"DIGEST_SERVERS": servers, "DIGEST_TOKENS": {}}, base=Path("/x"))
    assert nobody.token_for("https://a.example") is None and nobody.token_server is None


@pytest.mark.parametrize(
    ("value", "extra", "fragment"),
    [
        ("DIGEST_TOKEN", {}, "expected a mapping"),
        ({"https://other.example": "DIGEST_TOKEN"}, {}, "not one of DIGEST_SERVERS"),
        ({"ftp://a.example": "DIGEST_TOKEN"}, {}, "not an http(s) URL"),
        ({"https://a.example": "GITHUB_TOKEN"}, {}, "starting with DIGEST_TOKEN"),
        ({"https://a.example": "digest_token"}, {}, "starting with DIGEST_TOKEN"),
        ({"https://a.example": 5}, {}, "starting with DIGEST_TOKEN"),
        (
            {"https://a.example": "DIGEST_TOKEN", "https://b.example": "DIGEST_TOKEN"},
            {},
            "named for two servers",
        ),
        (
            {"https://a.example": "DIGEST_TOKEN", "https://A.example/": "DIGEST_TOKEN_2"},
            {},
            "given twice",
        ),
        (
            {"https://a.example": "DIGEST_TOKEN"},
            {"DIGEST_TOKEN_SERVER": "https://a.example"},
            "not both",
        ),
    ],
)
def test_bad_digest_tokens_name_the_setting(
    value: object, extra: dict[str, str], fragment: str
) -> None:
    raw = {"DIGEST_SERVERS": ["https://a.example", "https://b.example"], "DIGEST_TOKENS": value}
    with pytest.raises(SettingError) as info:
        load_settings({**raw, **extra}, base=Path("/x"))
    message = str(info.value)
    assert message.startswith("DIGEST_TOKENS: ") and fragment in message and "\n" not in message


def test_the_workflow_passes_every_token_variable_the_settings_name() -> None:
    """The shipped settings' DIGEST_TOKENS (or the default DIGEST_TOKEN) reach `make fetch`."""
    from pelican.settings import read_settings

    raw = read_settings(str(ROOT / "pelicanconf.py"))
    settings = load_settings(raw, base=ROOT)
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text())
    fetch = next(s for s in workflow["jobs"]["build"]["steps"] if s.get("id") == "fetch")
    names = {name for _, name in settings.tokens}
    assert names
    for name in names:
        assert fetch["env"].get(name) == f"${{{{ secrets.{name} }}}}"
