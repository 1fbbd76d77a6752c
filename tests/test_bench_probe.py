"""The benchmark's probe (bench/probe.py) and its watch on Pagefind (bench/child_peaks.py)
report a process's own peak memory, not the size of the process that started it: Linux
keeps ``ru_maxrss`` across ``execve``, so a child started by a benchmark holding hundreds
of MiB read as that big. Nothing is timed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MiB = 1 << 20

SHOW = (
    "import json, resource, sys; sys.path.insert(0, 'bench'); import probe; "
    "print(json.dumps([probe.own_peak(), "
    "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024]))"
)


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="Linux only")
def test_the_probe_reports_the_builds_own_peak_not_its_starters() -> None:
    held = bytearray(300 * MiB)  # this process now holds 300 MiB more (every page touched)
    for i in range(0, len(held), 4096):
        held[i] = 1
    done = subprocess.run(
        [sys.executable, "-c", SHOW], cwd=ROOT, capture_output=True, text=True, check=True
    )
    own, inherited = json.loads(done.stdout)
    assert inherited > 300 * MiB  # what ru_maxrss says of a fresh interpreter
    assert own < 100 * MiB  # what it holds
    del held


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="Linux only")
def test_child_peaks_reports_a_childs_own_peak_not_the_benchmarks() -> None:
    from bench.child_peaks import ChildPeaks

    held = bytearray(300 * MiB)
    for i in range(0, len(held), 4096):
        held[i] = 1
    grow = (
        "import time; b = bytearray(80 << 20); b[::4096] = b'x' * len(b[::4096]); time.sleep(0.5)"
    )
    name = Path(sys.executable).name[:15]  # the kernel's command name: the name run
    with ChildPeaks(name) as peaks:
        subprocess.run([sys.executable, "-c", grow], check=True)
    assert 80 * MiB < peaks.peak < 250 * MiB  # the child's 80 MiB, not this process's 300
    del held
