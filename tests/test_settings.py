"""Settings: defaults, validation, and the one-line errors a user sees."""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys
from pathlib import Path

import pytest
from tag_digest.errors import SettingError, shown
from tag_digest.settings import (
    DEFAULTS,
    EARLIEST_SINCE,
    NUMBERS,
    DigestSettings,
    load_settings,
)
from tag_digest.values import plain

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


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", ""), ("digest", "digest/"), ("/digest/", "digest/"), ("a/b-c_1.x", "a/b-c_1.x/")],
)
def test_digest_path_is_kept_as_plain_segments(value: str, expected: str) -> None:
    assert load_settings({"DIGEST_PATH": value}, base=Path("/site")).digest_path == expected


@pytest.mark.parametrize("value", ["../up", "a/../b", "a b", "дайджест", "a\\b", "x.", 3, ["d"]])
def test_a_bad_digest_path_names_the_setting(value: object) -> None:
    with pytest.raises(SettingError, match="DIGEST_PATH"):
        load_settings({"DIGEST_PATH": value}, base=Path("/site"))
def test_every_number_setting_has_a_range_holding_its_default() -> None:
    numbers = {
        name: default
        for name, default in DEFAULTS.items()
        if isinstance(default, int | float) and not isinstance(default, bool)
    }
    assert sorted(NUMBERS) == sorted(numbers), "each number setting needs a range in NUMBERS"
    for name, default in numbers.items():
        bounds = NUMBERS[name]
        assert isinstance(default, int) or not bounds.integer, name
        assert bounds.check(name, default) == default


def test_readme_shows_each_number_settings_range() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, bounds in NUMBERS.items():
        (row,) = [line for line in readme.splitlines() if line.startswith(f"| `{name}` |")]
        assert f"({plain(bounds.low)} to {plain(bounds.high)})" in row, row


@pytest.mark.parametrize("name", sorted(NUMBERS))
def test_number_ranges_are_inclusive_and_refuse_everything_else(name: str) -> None:
    bounds = NUMBERS[name]
    for edge in (bounds.low, bounds.high):
        value = int(edge) if bounds.integer else float(edge)
        assert isinstance(load_settings({name: value}, base=Path("/x")), DigestSettings)
    step = 1 if bounds.integer else 0.001
    for bad in (bounds.low - step, bounds.high + step, True, False, math.nan, math.inf, 10**400):
        with pytest.raises(SettingError) as info:
            load_settings({name: bad}, base=Path("/x"))
        assert str(info.value) == f"{name}: expected {bounds.describe()}, got {shown(bad)}"


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1]:8080",
        "http://127.0.0.1:9",
        "https://мастодон.рф",
        "https://social.example.org.",
        "https://my_host.example:65535",
    ],
)
def test_valid_server_urls_are_kept(url: str) -> None:
    assert load_settings({"DIGEST_SERVERS": [url]}, base=Path("/x")).servers == (url.lower(),)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://[::1", "is not a valid URL (check its host and port)"),
        ("http://[zz]", "is not a valid URL (check its host and port)"),
        ("https://a.example:99999", "is not a valid URL (check its host and port)"),
        ("https://a.example:0", "is not a valid URL (check its host and port)"),
        ("https://a.example:http", "is not a valid URL (check its host and port)"),
        ("https://a..example", "is not a valid URL (check its host and port)"),
        ("https://-a.example", "is not a valid URL (check its host and port)"),
        ("https://a!.example", "is not a valid URL (check its host and port)"),
        (f"https://{'a' * 64}.example", "is not a valid URL (check its host and port)"),
        ("https://" + "a." * 130 + "example", "is not a valid URL (check its host and port)"),
        ("https://a b.example", "has a space or control character in it"),
        ("https://a.exa\tmple", "has a space or control character in it"),
        ("https://a.example\x00", "has a space or control character in it"),
    ],
)
def test_server_urls_with_a_bad_host_or_port_are_refused(url: str, problem: str) -> None:
    with pytest.raises(SettingError) as info:
        load_settings({"DIGEST_SERVERS": [url]}, base=Path("/x"))
    message = str(info.value)
    assert message.startswith("DIGEST_SERVERS: ") and message.endswith(problem)


def test_since_is_from_1970_to_now() -> None:
    assert load_settings({"DIGEST_SINCE": "1970-01-01"}, base=Path("/x")).since == EARLIEST_SINCE
    east = load_settings({"DIGEST_SINCE": "2024-01-01T00:00:00+14:00"}, base=Path("/x"))
    assert east.since == dt.datetime(2023, 12, 31, 10, tzinfo=dt.UTC)
    today = dt.datetime.now(dt.UTC).date()
    for day in (today, today + dt.timedelta(days=1)):  # "today" where the day began earlier
        assert load_settings({"DIGEST_SINCE": day.isoformat()}, base=Path("/x")).since
    later = today + dt.timedelta(days=3)
    for value, problem in [
        (later, f"{later!r} is in the future; give a past date"),
        ("9999-12-31T23:59:59-14:00", "'9999-12-31T23:59:59-14:00' is in the future"),
        ("1969-12-31T23:59:59", "'1969-12-31T23:59:59' is before 1970"),
        ("0001-01-01T00:00:00+01:00", "'0001-01-01T00:00:00+01:00' is before 1970"),
    ]:
        with pytest.raises(SettingError) as info:
            load_settings({"DIGEST_SINCE": value}, base=Path("/x"))
        assert str(info.value).startswith(f"DIGEST_SINCE: {problem}")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("arch\x00ive", "'arch\\x00ive' has a control character in it"),
        ("arch\nive", "'arch\\nive' has a control character in it"),
        ("x" * 5000, "File name too long"),
        (42, "expected a directory path, got 42"),
    ],
)
def test_archive_paths_the_system_cannot_use_are_refused(value: object, problem: str) -> None:
    with pytest.raises(SettingError) as info:
        load_settings({"DIGEST_ARCHIVE_PATH": value}, base=Path("/x"))
    assert str(info.value).startswith("DIGEST_ARCHIVE_PATH: ") and problem in str(info.value)


def test_pelicans_language_and_time_zone_are_checked() -> None:
    s = load_settings({"DEFAULT_LANG": "pt-BR", "TIMEZONE": "Europe/Moscow"}, base=Path("/x"))
    assert (s.default_lang, s.timezone) == ("pt-BR", "Europe/Moscow")
    for name, value, problem in [
        ("DEFAULT_LANG", "zz", "DEFAULT_LANG: no locale data for 'zz' (e.g. 'ru' or 'en')"),
        ("DEFAULT_LANG", ["ru"], "DEFAULT_LANG: expected a language code such as 'ru' or 'en'"),
        ("TIMEZONE", "Mars/Base", "TIMEZONE: unknown time zone 'Mars/Base'"),
        ("TIMEZONE", "x" * 300, "TIMEZONE: expected a time zone name such as 'Europe/Moscow'"),
        ("TIMEZONE", "x" * 99, "TIMEZONE: unknown time zone 'xxxxx"),
    ]:
        with pytest.raises(SettingError) as info:
            load_settings({name: value}, base=Path("/x"))
        assert str(info.value).startswith(problem)


def test_a_huge_or_deep_value_is_shown_short() -> None:
    deep: list[object] = []
    for _ in range(10_000):
        deep = [deep]
    for value in ("#" + "x" * 100_000, deep):
        with pytest.raises(SettingError) as info:
            load_settings({"DIGEST_TAGS": [value]}, base=Path("/x"))
        assert len(str(info.value)) < 200
