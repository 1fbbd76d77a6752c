"""Every setting, walked through wrong types and extreme values: one line, never a traceback.

The settings walked are every ``DIGEST_*`` name in :data:`tag_digest.settings.DEFAULTS`
(a new setting is walked as soon as it has a default) and the Pelican settings the
plugin reads and checks (``DEFAULT_LANG``, ``TIMEZONE``). Each bad value is written
into a real settings file; ``python -m tag_digest fetch`` reads it in this process
(all of the walk), and real ``pelican`` and ``python -m tag_digest`` processes read a
sample of it (one value per setting, and the cases issue 10 names).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tag_digest.__main__ import NOTHING_READ, main
from tag_digest.errors import SettingError
from tag_digest.settings import DEFAULTS, load_settings

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = [*sorted(DEFAULTS), "DEFAULT_LANG", "TIMEZONE"]
STR_ONLY = {"DEFAULT_LANG"}
"""Pelican itself calls ``.lower()`` on these while reading the file, before any plugin
is loaded: a build with a value that is not a string is Pelican's own traceback."""

# Python source of values no setting accepts.
REFUSED = [
    "float('nan')",
    "float('inf')",
    "-float('inf')",
    "10**30",
    "-10**30",
    "-1",
    "1e308",
    "'x' * 100_000",
    "'\\x00'",
    "'a\\x00b'",
    "'line\\nbreak'",
    "b'bytes'",
    "1j",
    "{'a': [[{'b': None}]]}",
    "[[['x']]]",
    "[float('nan')]",
    "['\\x00']",
    "['x' * 100_000]",
    "{'https://mastodon.social'}",
    "object()",
    "lambda: 0",
    "_deep",
]
# Python source of values some settings accept: then the run goes on (and must not crash).
MAYBE = ["None", "''", "True", "False", "0", "1", "[]", "'true'"]

PREAMBLE = """\
import functools as _functools
_deep = _functools.reduce(lambda inner, _: [inner], range(10_000), [])
AUTHOR = 'walk'
SITENAME = 'walk'
PATH = 'content'
OUTPUT_PATH = 'output'
CACHE_PATH = 'cache'
THEME = {theme!r}
PLUGIN_PATHS = {plugins!r}
PLUGINS = ['tag_digest']
FEED_DOMAIN = 'http://127.0.0.1:8000'
DEFAULT_LANG = 'en'
TIMEZONE = 'UTC'
DIGEST_SERVERS = [{server!r}]
DIGEST_TAGS = ['walk']
DIGEST_ARCHIVE_PATH = 'archive'
DIGEST_FETCH = False
DIGEST_RETRIES = 0
DIGEST_PROGRESS = False
"""


def settings_file(folder: Path, name: str, source: str, server: str) -> Path:
    """A settings file like a user's, with ``name = <source>`` as its last line."""
    (folder / "content").mkdir(parents=True, exist_ok=True)
    text = PREAMBLE.format(
        theme=str(ROOT / "theme"), plugins=[str(ROOT / "plugins")], server=server
    )
    path = folder / "siteconf.py"
    path.write_text(f"{text}{name} = {source}\n", encoding="utf-8")
    return path


def value_of(source: str) -> object:
    import functools

    deep = functools.reduce(lambda inner, _: [inner], range(10_000), [])
    return eval(source, {"_deep": deep})  # the test's own constants, never input


def fetch_in_process(path: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["fetch", "-s", str(path)])
    return code, out.getvalue() + err.getvalue()


def assert_one_line_naming(output: str, name: str, path: Path) -> None:
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if "tag_digest:" in line]
    assert len(lines) == 1, output
    line = re.sub(r"\s+\S+\.py:\d+\s*$", "", lines[0].rstrip())  # Pelican's "plugin.py:18"
    assert len(line) < 400, line
    if name in STR_ONLY and f"tag_digest: {name}: " not in line:
        # Pelican's own reading refused the value: the line names the settings file.
        assert f"tag_digest: {path}: cannot read settings" in line, line
    else:
        assert f"tag_digest: {name}: " in line, line


@pytest.mark.parametrize("name", SETTINGS)
def test_every_setting_refuses_junk_with_one_line(
    name: str, tmp_path: Path, closed_port_url: str
) -> None:
    for n, source in enumerate(REFUSED):
        raw = {"DIGEST_SERVERS": [closed_port_url], "DIGEST_TAGS": ["walk"], name: value_of(source)}
        try:
            load_settings(raw, base=tmp_path)
        except SettingError as error:
            message = str(error)
        else:
            pytest.fail(f"{name} = {source} was accepted")
        assert message.startswith(f"{name}: ") and "\n" not in message, (source, message)
        assert len(message) < 300, (source, message)

        path = settings_file(tmp_path / str(n), name, source, closed_port_url)
        code, output = fetch_in_process(path)
        assert code == 1, (source, output)
        assert_one_line_naming(output, name, path)


@pytest.mark.parametrize("name", SETTINGS)
def test_every_setting_takes_or_refuses_plain_values_without_a_traceback(
    name: str, tmp_path: Path, closed_port_url: str
) -> None:
    for n, source in enumerate(MAYBE):
        raw = {"DIGEST_SERVERS": [closed_port_url], "DIGEST_TAGS": ["walk"], name: value_of(source)}
        try:
            load_settings(raw, base=tmp_path)
            accepted = True
        except SettingError as error:
            assert str(error).startswith(f"{name}: ") and "\n" not in str(error)
            accepted = False
        path = settings_file(tmp_path / str(n), name, source, closed_port_url)
        code, output = fetch_in_process(path)
        assert "Traceback" not in output, (source, output)
        if accepted and name not in STR_ONLY:
            # Nothing listens there: no server could be read, the fetch's own exit status
            # (tag_digest.__main__.NOTHING_READ), never a settings failure.
            assert code == NOTHING_READ, (source, output)
        elif not accepted:
            assert code == 1, (source, output)
            assert_one_line_naming(output, name, path)


def run(args: list[str], cwd: Path) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if k != "DIGEST_TOKEN"}
    env.update(CI="true", COLUMNS="1000")  # Pelican's log lines are not wrapped
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    return result.returncode, result.stdout + result.stderr


def pelican(path: Path) -> tuple[int, str]:
    return run([sys.executable, "-m", "pelican", "-s", str(path)], path.parent)


def fetch(path: Path) -> tuple[int, str]:
    return run([sys.executable, "-m", "tag_digest", "fetch", "-s", str(path)], path.parent)


ISSUE_CASES = [
    ("DIGEST_MAX_WAIT", "float('nan')", "expected a number from 0 to 86,400 seconds, got nan"),
    ("DIGEST_TIMEOUT", "float('nan')", "expected a number from 0.05 to 300 seconds, got nan"),
    ("DIGEST_TIMEOUT", "float('inf')", "expected a number from 0.05 to 300 seconds, got inf"),
    ("DIGEST_OVERLAP_DAYS", "float('nan')", "expected a number from 0 to 3,650 days, got nan"),
    ("DIGEST_OVERLAP_DAYS", "1e12", "expected a number from 0 to 3,650 days, got 1000000000000.0"),
    ("DIGEST_RETRIES", "True", "expected a whole number from 0 to 20, got True"),
    ("DEFAULT_LANG", "'zz'", "no locale data for 'zz'"),
    ("DIGEST_SERVERS", "['http://[::1']", "'http://[::1' is not a valid URL"),
    (
        "DIGEST_SERVERS",
        "['https://a.example:99999']",
        "'https://a.example:99999' is not a valid URL (check its host and port)",
    ),
    (
        "DIGEST_SERVERS",
        "['https://a b.example']",
        "'https://a b.example' has a space or control character in it",
    ),
    ("DIGEST_ARCHIVE_PATH", "'arch\\x00ive'", "'arch\\x00ive' has a control character in it"),
    ("DIGEST_SINCE", "'0001-01-01T00:00:00+01:00'", "'0001-01-01T00:00:00+01:00' is before 1970"),
    ("DIGEST_SINCE", "'9999-12-31T23:59:59-14:00'", "'9999-12-31T23:59:59-14:00' is in the future"),
    ("DIGEST_SINCE", "'2999-01-01'", "'2999-01-01' is in the future; give a past date"),
]


@pytest.mark.parametrize(("name", "source", "problem"), ISSUE_CASES)
def test_issue_cases_are_one_line_in_a_real_build_and_fetch(
    name: str, source: str, problem: str, tmp_path: Path, closed_port_url: str
) -> None:
    path = settings_file(tmp_path, name, source, closed_port_url)
    for code, output in (pelican(path), fetch(path)):
        assert code == 1, output
        assert_one_line_naming(output, name, path)
        assert f"tag_digest: {name}: {problem}" in output, output
    assert not (tmp_path / "output").exists()


def sample() -> list[tuple[str, str]]:
    """One refused value per setting not in :data:`ISSUE_CASES`, taking turns through
    :data:`REFUSED`."""
    covered = {name for name, _, _ in ISSUE_CASES}
    pairs = []
    for i, name in enumerate(n for n in SETTINGS if n not in covered):
        candidates = [s for s in REFUSED if name not in STR_ONLY or s.startswith("'")]
        pairs.append((name, candidates[(i * 5) % len(candidates)]))
    return pairs


@pytest.mark.parametrize(("name", "source"), sample())
def test_a_real_build_refuses_each_setting_with_one_line(
    name: str, source: str, tmp_path: Path, closed_port_url: str
) -> None:
    path = settings_file(tmp_path, name, source, closed_port_url)
    code, output = pelican(path)
    assert code == 1, output
    assert_one_line_naming(output, name, path)
