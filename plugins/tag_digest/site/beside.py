"""The search index (and the link exports) made in a process of its own while the build
writes the other pages.

:class:`Beside` forks a process (where ``fork`` exists) that runs one function (in a
build, the bundles' update and the search page's filter choices, ``SearchPages._work``)
and hands its result, or the line of its error, back through a pipe;
:meth:`Beside.result` waits for it. The child inherits the build's model (a fork copies
a page only when one side writes it), makes the search records and drives Pagefind, so
the indexing and the page writing run on two cores side by side. A thread would not: it
takes turns with the page writing on one interpreter (measured at 100,000 posts: no
gain). Without ``fork``, or when asked not to fork, the function runs in this process
when the result is asked for.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Generic, TypeVar, cast

from ..errors import TagDigestError

T = TypeVar("T")

_OK, _ERROR, _OS_ERROR = "ok", "error", "os-error"


def forkable() -> bool:
    """Whether this platform can fork processes (the workers, the search, the exports)."""
    return "fork" in multiprocessing.get_all_start_methods()


def _child(work: Callable[[], object], conn: Connection) -> None:
    # What the build made before the fork is never garbage here: the collector leaves it
    # alone (else each full collection walks, and so copies, every page of the inherited heap).
    gc.freeze()
    try:
        result = work()
    except TagDigestError as error:  # the message survives pickling, not always the error
        conn.send((_ERROR, str(error)))
    except OSError as error:
        conn.send((_OS_ERROR, str(error)))
    else:
        conn.send((_OK, result))
    finally:
        conn.close()
    # Anything else propagates: multiprocessing prints it and the process exits with 1.


class Beside(Generic[T]):
    """``work()`` under way in a forked process, or waiting to run here."""

    def __init__(
        self,
        work: Callable[[], T],
        *,
        fork: bool,
        name: str = "tag_digest search",
        daemon: bool = True,
    ) -> None:
        """``daemon``: a build stopped by an error does not wait for the process (else it
        does, when it exits: for work that must not be cut off halfway, a file being written)."""
        self.work = work
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        if fork and forkable():
            context = multiprocessing.get_context("fork")
            receiver, sender = context.Pipe(duplex=False)
            self._process = context.Process(
                target=_child, args=(work, sender), name=name, daemon=daemon
            )
            self._process.start()
            sender.close()
            self._conn = receiver

    @property
    def forked(self) -> bool:
        """Whether ``work`` runs in a process of its own."""
        return self._process is not None

    def result(self) -> T:
        """What ``work()`` returned. Raises :class:`TagDigestError` or :class:`OSError` (its
        message) as ``work`` did, or :class:`TagDigestError` when the process died."""
        if self._process is None or self._conn is None:
            return self.work()
        try:
            kind, value = self._conn.recv()
        except EOFError:
            kind, value = None, None
        finally:
            self._conn.close()
        self._process.join()
        if kind == _OK:
            return cast(T, value)
        if kind == _ERROR:
            raise TagDigestError(str(value))
        if kind == _OS_ERROR:
            raise OSError(str(value))
        raise TagDigestError(
            f"{self._process.name}: the process stopped unexpectedly "
            f"(exit code {self._process.exitcode})"
        )
