"""Pelican's rich console, where the fetch's progress bars and the build's notices go.

Pelican runs its build inside a live display on this console; printing anywhere else would
tear it. Only the top level and ``site/`` ask for it: ``fetch/`` gets it passed in.
"""

from __future__ import annotations

from rich.console import Console


def console() -> Console:
    from pelican.log import console as pelican_console

    assert isinstance(pelican_console, Console)
    return pelican_console
