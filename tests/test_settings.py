"""Settings: defaults, validation, and the one-line errors a user sees."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from tag_digest.errors import SettingError
from tag_digest.settings import DEFAULTS, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_defaults() -> None:
    s = load_settings({}, base=Path("/srv/site"))
    assert s.servers == ("https://mastodon.social",)
    assert s.tags == ("Supervised_finetuning",)
    assert s.archive_path == Path("/srv/site/content/archive")
    assert s.fetch is False
    assert s.since is None
    assert s.overlap == dt.timedelta(days=2)
    assert s.token_server == "https://mastodon.social"


def test_user_settings_are_not_modified() -> None:
    raw = {"DIGEST_TAGS": ["a"]}
    load_settings(raw, base=Path("/x"))
    assert raw == {"DIGEST_TAGS": ["a"]}
    assert "DIGEST_SERVERS" not in raw


def test_values_are_normalised() -> None:
    s = load_settings(
        {
            "DIGEST_SERVERS": ["https://Mastodon.Social/", "https://mastodon.social"],
            "DIGEST_TAGS": ["LLM", "llm", "Машинное_обучение"],
            "DIGEST_SINCE": "2024-07-01",
            "DIGEST_FETCH": "true",
            "DIGEST_ARCHIVE_PATH": "/abs/archive",
        },
        base=Path("/x"),
    )
    assert s.servers == ("https://mastodon.social",)
    assert s.tags == ("LLM", "Машинное_обучение")
    assert s.normalised_tags == ("llm", "машинное_обучение")
    assert s.since == dt.datetime(2024, 7, 1, tzinfo=dt.UTC)
    assert s.fetch is True
    assert s.archive_path == Path("/abs/archive")


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("DIGEST_SERVERS", [], "non-empty list"),
        ("DIGEST_SERVERS", ["mastodon.social"], "not an http(s) URL"),
        ("DIGEST_SERVERS", ["ftp://x.org"], "not an http(s) URL"),
        ("DIGEST_SERVERS", ["https://x.org/api"], "base URL only"),
        ("DIGEST_SERVERS", [42], "expected a server URL"),
        ("DIGEST_TAGS", [], "non-empty list"),
        ("DIGEST_TAGS", ["#llm"], "without '#'"),
        ("DIGEST_TAGS", ["two words"], "not a valid hashtag"),
        ("DIGEST_TAGS", [None], "is not a hashtag name"),
        ("DIGEST_SINCE", "yesterday", "ISO date"),
        ("DIGEST_SINCE", 2024, "ISO date"),
        ("DIGEST_FETCH", "maybe", "true or false"),
        ("DIGEST_OVERLAP_DAYS", -1, "expected a number from 0 to 3,650 days, got -1"),
        ("DIGEST_RETRIES", 1.5, "expected a whole number from 0 to 20, got 1.5"),
        ("DIGEST_TIMEOUT", "10", "expected a number from 0.05 to 300 seconds, got '10'"),
        ("DIGEST_PER_PAGE", 0, "expected a whole number from 1 to 1,000, got 0"),
        ("DIGEST_ARCHIVE_PATH", "", "directory path"),
        ("DIGEST_TOKEN_SERVER", "https://other.example", "not one of DIGEST_SERVERS"),
    ],
)
def test_invalid_values_name_the_setting(name: str, value: object, fragment: str) -> None:
    with pytest.raises(SettingError) as info:
        load_settings({name: value}, base=Path("/x"))
    message = str(info.value)
    assert message.startswith(f"{name}: ")
    assert fragment in message
    assert "\n" not in message


def test_every_default_is_documented_in_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in DEFAULTS if name not in readme]
    assert not missing, f"settings missing from README.md: {missing}"


def test_token_goes_to_one_server_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_TOKEN", "secret-token")
    s = load_settings(
        {"DIGEST_SERVERS": ["https://a.example", "https://b.example"]}, base=Path("/x")
    )
    assert s.token_for("https://a.example") == "secret-token"
    assert s.token_for("https://b.example") is None


def test_bad_setting_on_the_command_line_is_one_line(tmp_path: Path) -> None:
    """A real `pelican` run with a bad -e setting: exit 1, one error line, no traceback."""
    result = subprocess.run(
        [
            sys.executable, "-m", "pelican", str(ROOT / "content"),
            "-s", str(ROOT / "pelicanconf.py"), "-o", str(tmp_path / "out"),
            "-e", 'DIGEST_TAGS=["#llm"]', "DIGEST_FETCH=false",
        ],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "DIGEST_TAGS: write '#llm' without '#'" in output
    assert "Traceback" not in output
