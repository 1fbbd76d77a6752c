"""A progress display while fetching: on a terminal only, quiet in CI.

It draws on the console it is given: Pelican's rich console
(:func:`tag_digest.console.console`), as Pelican runs its build inside a live display of its
own. The fetch side imports no Pelican: the caller (:mod:`tag_digest.sync`) passes it in.
``DIGEST_PROGRESS`` forces it on or off; unset, it shows on a terminal unless ``CI`` is set.
"""

from __future__ import annotations

import os
from types import TracebackType

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn


def wanted(setting: bool | None, console: Console, environ: dict[str, str] | None = None) -> bool:
    """Whether to show progress: the setting if given, else a terminal outside CI."""
    if setting is not None:
        return setting
    env = os.environ if environ is None else environ
    if env.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    return console.is_terminal


class FetchProgress:
    """One bar per server, advanced per batch; posts counted in the description."""

    def __init__(self, enabled: bool, console: Console) -> None:
        self._progress = (
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=console,
                transient=True,
            )
            if enabled
            else None
        )
        self._task: TaskID | None = None
        self._label = ""
        self._posts = 0

    def __enter__(self) -> FetchProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def server(self, server: str, batches: int) -> None:
        self._label, self._posts = server, 0
        if self._progress is not None:
            self._task = self._progress.add_task(self._text(), total=batches)

    def posts(self, count: int) -> None:
        self._posts += count
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=self._text())

    def batch_done(self) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)

    def _text(self) -> str:
        return escape(f"tag_digest: {self._label} ({self._posts} posts)")
