"""The search index's own process (site/search_process.py), with real forked processes."""

from __future__ import annotations

import os

import pytest
from tag_digest.errors import TagDigestError
from tag_digest.site.search_process import Indexing


def _pid() -> int:
    return os.getpid()


def _fails() -> int:
    raise TagDigestError("search: Pagefind: no disk")


def _cannot_write() -> int:
    raise OSError(28, "No space left on device")


def _dies() -> int:
    os._exit(3)


def test_the_work_runs_in_another_process_and_its_result_comes_back() -> None:
    indexing = Indexing(_pid, fork=True)
    assert indexing.forked
    assert indexing.result() != os.getpid()


def test_without_fork_the_work_runs_here_when_the_result_is_asked_for() -> None:
    indexing = Indexing(_pid, fork=False)
    assert not indexing.forked
    assert indexing.result() == os.getpid()


@pytest.mark.parametrize("fork", [True, False])
def test_errors_come_back_as_they_were_raised(fork: bool) -> None:
    with pytest.raises(TagDigestError, match=r"^search: Pagefind: no disk$"):
        Indexing(_fails, fork=fork).result()
    with pytest.raises(OSError, match="No space left on device"):
        Indexing(_cannot_write, fork=fork).result()


def test_a_process_that_dies_is_one_line_with_its_exit_code() -> None:
    with pytest.raises(TagDigestError, match=r"stopped unexpectedly \(exit code 3\)"):
        Indexing(_dies, fork=True).result()
