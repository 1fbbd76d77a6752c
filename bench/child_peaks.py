"""The peak memory of a benchmark's child processes of one name, each its own.

``RUSAGE_CHILDREN``'s ``ru_maxrss`` cannot tell it: Linux keeps ``ru_maxrss`` across
``execve``, so a child started by the benchmark is never shown below the benchmark's own
size when it started (some 700 MiB by the search benchmark's turn). :class:`ChildPeaks`
reads each running child's ``VmHWM`` (its own peak so far, which only grows) from
``/proc`` every 50 ms while it is used, and keeps the largest: a child's growth
in its last moments can be missed, never what the benchmark holds.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import TracebackType

PROC = Path("/proc")


def _hwm(status: str) -> int | None:
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return None


def _children(parent: int) -> list[str]:
    """The pids of ``parent``'s children: each of its threads' ``children`` list where the
    kernel keeps one, else every process whose ``PPid`` is ``parent``."""
    lists = list((PROC / str(parent) / "task").glob("*/children"))
    if lists:
        pids: list[str] = []
        for task in lists:
            try:
                pids += task.read_text(encoding="ascii").split()
            except OSError:
                continue
        return pids
    found = []
    for entry in PROC.iterdir() if PROC.is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        # "pid (name) state ppid …": the name may hold spaces and parentheses
        if stat.rpartition(")")[2].split()[1:2] == [str(parent)]:
            found.append(entry.name)
    return found


def child_peaks(name: str, parent: int) -> list[int]:
    """The ``VmHWM`` of each running child of ``parent`` whose command name is ``name``."""
    found = []
    for pid in _children(parent):
        try:
            status = (PROC / pid / "status").read_text(encoding="utf-8", errors="replace")
        except OSError:  # gone meanwhile
            continue
        first = status.partition("\n")[0]  # "Name:\tpagefind"
        if first.partition(":")[2].strip() != name:
            continue
        peak = _hwm(status)
        if peak is not None:
            found.append(peak)
    return found


class ChildPeaks:
    """``with ChildPeaks("pagefind") as peaks: …``, then ``peaks.peak``: the largest own peak
    of a child of this process so named while the block ran (0: none seen, or no ``/proc``)."""

    def __init__(self, name: str, every: float = 0.05) -> None:
        self.name, self.every, self.peak = name, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        me = os.getpid()
        while not self._stop.wait(self.every):
            self.peak = max([self.peak, *child_peaks(self.name, me)])

    def __enter__(self) -> ChildPeaks:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
