"""Times as text have one reader and one writer (``tag_digest.times``); every caller agrees."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from tag_digest import times
from tag_digest.archive import records
from tag_digest.archive.record_check import _is_time
from tag_digest.errors import SettingError
from tag_digest.fetch.rate_headers import parse_reset
from tag_digest.formats.feeds import atom_time
from tag_digest.formats.seo import _lastmod
from tag_digest.settings import load_settings

PLUGIN = Path(times.__file__).parent
NOW = dt.datetime(2024, 12, 27, 12, 0, tzinfo=dt.UTC)


def test_the_archive_format_round_trips() -> None:
    moment = dt.datetime(2024, 12, 27, 23, 30, 5, 123456, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    assert times.format_time(moment) == "2024-12-27T20:30:05.123Z"
    assert times.parse_time("2024-12-27T20:30:05.123Z") == moment.replace(microsecond=123000)
    assert times.parse_time("2024-12-27T20:30:05") == dt.datetime(
        2024, 12, 27, 20, 30, 5, tzinfo=dt.UTC
    )
    assert records.format_time is times.format_time and records.parse_time is times.parse_time


def test_whole_seconds_for_atom_and_sitemaps() -> None:
    moment = dt.datetime(2024, 12, 27, 20, 30, 5, 999999)  # naive: UTC
    assert times.format_time(moment, whole_seconds=True) == "2024-12-27T20:30:05Z"
    assert atom_time(moment) == _lastmod(moment) == "2024-12-27T20:30:05Z"


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("2024-12-27T20:30:05Z", True),
        (" 2024-12-27T20:30:05.5+03:00 ", True),
        ("2024-12-27", True),
        ("27.12.2024", False),
        ("2024-13-01T00:00:00Z", False),
        ("", False),
    ],
)
def test_every_reader_agrees(text: str, ok: bool) -> None:
    """The archive check, ``DIGEST_SINCE`` and a server's reset header accept the same times."""
    try:
        times.read_time(text)
        parsed = True
    except ValueError:
        parsed = False
    assert parsed is ok
    assert _is_time(text) is ok
    assert (parse_reset(text, NOW) is not None) is ok or text == ""
    if not ok and text:
        with pytest.raises(SettingError, match="DIGEST_SINCE"):
            load_settings({"DIGEST_SINCE": text}, base=PLUGIN)


def test_no_other_module_parses_iso_times() -> None:
    """``datetime.fromisoformat`` is called only in ``times.py``."""
    callers = []
    for path in sorted(PLUGIN.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "fromisoformat"
                and not (isinstance(node.value, ast.Attribute) and node.value.attr == "date")
            ):
                callers.append(path.relative_to(PLUGIN).as_posix())
    assert callers == ["times.py"]
