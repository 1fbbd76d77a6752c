"""Work beside the build (site/beside.py: the search index, the link exports), in real forks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tag_digest.errors import TagDigestError
from tag_digest.site.beside import Beside
from tag_digest.site.writer import PageWriter


def _pid() -> int:
    return os.getpid()


def _fails() -> int:
    raise TagDigestError("search: Pagefind: no disk")


def _cannot_write() -> int:
    raise OSError(28, "No space left on device")


def _dies() -> int:
    os._exit(3)


def test_the_work_runs_in_another_process_and_its_result_comes_back() -> None:
    indexing = Beside(_pid, fork=True)
    assert indexing.forked
    assert indexing.result() != os.getpid()


def test_without_fork_the_work_runs_here_when_the_result_is_asked_for() -> None:
    indexing = Beside(_pid, fork=False)
    assert not indexing.forked
    assert indexing.result() == os.getpid()


@pytest.mark.parametrize("fork", [True, False])
def test_errors_come_back_as_they_were_raised(fork: bool) -> None:
    with pytest.raises(TagDigestError, match=r"^search: Pagefind: no disk$"):
        Beside(_fails, fork=fork).result()
    with pytest.raises(OSError, match="No space left on device"):
        Beside(_cannot_write, fork=fork).result()


def test_a_process_that_dies_is_one_line_with_its_exit_code() -> None:
    with pytest.raises(TagDigestError, match=r"stopped unexpectedly \(exit code 3\)"):
        Beside(_dies, fork=True).result()


def _pid_lines() -> list[str]:
    return [f"pid {os.getpid()}\n", "links\n"]


def _must_not_run() -> list[str]:
    raise AssertionError("made again")


def _made_by(path: Path) -> int:
    return int(path.read_text(encoding="utf-8").split()[1])


def test_a_big_file_made_beside_the_build_is_kept_and_remembered(tmp_path: Path) -> None:
    out, manifest = tmp_path / "out", tmp_path / "pages.json"
    first = PageWriter(out, manifest)
    first.write_stream("links.json", _pid_lines, "one", beside=True)
    assert first.finish().written == 1  # finish waits for it
    assert _made_by(out / "links.json") != os.getpid()
    second = PageWriter(out, manifest)  # the manifest has its real size: not made again
    second.write_stream("links.json", _must_not_run, "one", beside=True)
    assert second.finish().skipped == 1
    third = PageWriter(out, manifest)  # changed, and not beside: made here
    third.write_stream("links.json", _pid_lines, "two")
    assert third.finish().written == 1 and _made_by(out / "links.json") == os.getpid()


def test_a_big_file_that_cannot_be_made_beside_the_build_fails_the_build(tmp_path: Path) -> None:
    writer = PageWriter(tmp_path / "out", tmp_path / "pages.json")
    writer.write_stream("links.json", _cannot_write, "one", beside=True)  # type: ignore[arg-type]
    with pytest.raises(OSError, match="No space left on device"):
        writer.finish()
    assert not (tmp_path / "out" / "links.json").exists()


FAILING_BUILD = """
import sys, time
from pathlib import Path
from tag_digest.site.writer import PageWriter

def parts():
    yield "first\\n"
    time.sleep(0.5)  # still being written when the build fails
    yield "last\\n"

writer = PageWriter(Path(sys.argv[1]), None)
writer.write_stream("links.json", parts, "one", beside=True)
raise SystemExit("the build failed")  # never reaches writer.finish()
"""


def test_a_build_that_fails_meanwhile_still_leaves_the_file_whole(tmp_path: Path) -> None:
    plugins = Path(__file__).resolve().parents[2] / "plugins"
    run = subprocess.run(
        [sys.executable, "-c", FAILING_BUILD, str(tmp_path)],
        env={**os.environ, "PYTHONPATH": str(plugins)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1 and "the build failed" in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["links.json"]  # no half-written file
    assert (tmp_path / "links.json").read_text(encoding="utf-8") == "first\nlast\n"
