"""Writing Pagefind indexes ("bundles") of :class:`~.search.SearchRecord`\\ s to folders.

Pagefind's Python package (``pagefind[bin]``) ships the Pagefind binary and talks
to it over pipes (``pagefind --service``): nothing is downloaded, no Node is
needed. Each post is added as a *custom record*, so the index holds exactly one
result per post and none of the page chrome.

The package's own reader of the binary's replies sleeps 0.1 s before each one,
which caps indexing at ten records a second; :class:`_Service` reads them as
they come (same protocol, same messages). A bundle is written to a temporary
directory beside its folder and then swapped in, so a search never sees half an
index, and nothing of a deleted post stays behind. :func:`write_bundles` writes one bundle
while it feeds the next to a second Pagefind process (a bundle's writing takes about half
its time, with Python idle). Which bundles there are and when one is re-indexed is
:mod:`.search_store`'s job.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gzip
import itertools
import json
import os
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import cast

from pagefind.index import IndexConfig, PagefindIndex
from pagefind.service import PagefindService
from pagefind.service.types import (
    InternalRequestPayload,
    InternalResponsePayload,
    InternalServiceRequest,
)

from ..errors import TagDigestError
from .pagefind_start import next_core, started_on
from .search import SearchRecord

ENTRY = "pagefind-entry.json"
BATCH = 500
"""Records sent at once (the binary answers each in turn); two batches are in flight."""
Job = tuple[Iterable[SearchRecord], Path]
"""A bundle's records and the folder its index goes in."""
UNUSED = ("pagefind-*ui.js", "pagefind-*ui.css", "pagefind-highlight.js")
STOP_WAIT = 60.0
"""Seconds a bundle has to be whole on disk, and then its Pagefind process to stop by itself."""


class _Service(PagefindService):
    """:class:`PagefindService` started as :mod:`.pagefind_start` says (one core each), with
    a reader that does not sleep between replies, and a sender that does not format each
    request and reply for a debug log it does not write."""

    async def launch(self) -> PagefindService:
        with started_on(next_core()):
            return await super().launch()

    async def finish(self) -> None:
        """Let the binary stop by itself, at the end of its input (the package's
        :meth:`close` terminates it); terminated if it has not within :data:`STOP_WAIT` s."""
        backend = self._backend
        if backend.stdin is not None:
            backend.stdin.close()
        try:
            await asyncio.wait_for(backend.wait(), timeout=STOP_WAIT)
        except TimeoutError:
            backend.terminate()
            await backend.wait()
        finally:
            self._poll_task.cancel()

    async def send(self, payload: InternalRequestPayload) -> InternalResponsePayload:
        # The package's own send, less its three debug f-strings: they are made even when
        # the log is off, and two of them hold a record's whole text (at 100,000 posts,
        # some 10 s of the search process's time).
        self._message_id += 1
        message_id = self._message_id
        future: asyncio.Future[InternalResponsePayload] = self._loop.create_future()
        self._responses[message_id] = future
        stdin = self._backend.stdin
        if stdin is None:
            raise TagDigestError("search: the Pagefind binary stopped unexpectedly")
        request = InternalServiceRequest(message_id=message_id, payload=payload)
        stdin.write(base64.b64encode(json.dumps(request).encode("utf-8")) + b",")
        await stdin.drain()  # the binary answers once it has read the comma
        return await future

    async def _wait_for_responses(self) -> None:
        stdout = self._backend.stdout
        assert stdout is not None
        while True:
            try:
                output = await stdout.readuntil(b",")
            except asyncio.IncompleteReadError:
                error = TagDigestError("search: the Pagefind binary stopped unexpectedly")
                for future in self._responses.values():
                    if not future.done():
                        future.set_exception(error)
                return
            reply = json.loads(base64.b64decode(output[:-1]))
            if not isinstance(reply, dict):
                continue
            waiting = self._responses.get(reply.get("message_id") or -1)
            if waiting is None or waiting.done():
                continue
            payload = reply.get("payload") or {}
            if payload.get("type") == "Error":
                message = f"search: Pagefind: {payload.get('message')}"
                waiting.set_exception(TagDigestError(message))
            else:
                waiting.set_result(cast(InternalResponsePayload, payload))


async def _feed(records: Iterable[SearchRecord]) -> tuple[PagefindService, PagefindIndex]:
    """A Pagefind process holding ``records`` (not yet written)."""
    try:
        service = await _Service().launch()
    except OSError as exc:
        raise _one_line(exc) from None
    try:
        config: IndexConfig = {"write_playground": False}
        index: PagefindIndex = await service.create_index(config)
        stream = iter(records)
        sent: Awaitable[object] | None = None
        # Two batches in flight: the next batch's records are made while the binary
        # indexes the one sent before (its messages go out in order all the same).
        while batch := list(itertools.islice(stream, BATCH)):
            adding = asyncio.gather(
                *(
                    index.add_custom_record(
                        url=r.url,
                        content=r.content,
                        language=r.language,
                        meta=r.meta,
                        filters=r.filters,
                    )
                    for r in batch
                )
            )
            if sent is not None:
                await sent
            sent = adding
        if sent is not None:
            await sent
    except BaseException as exc:
        await service.close()
        if isinstance(exc, OSError):
            raise _one_line(exc) from None
        raise
    return service, index


async def _write(service: PagefindService, index: PagefindIndex, target: Path) -> None:
    """Pagefind writes what it holds into ``target``; then it stops (:meth:`_Service.finish`).

    The binary can answer the write before its last file, ``pagefind-entry.json``, is on
    disk: stopped then, it left that file empty (7 bundles of 40, written beside two busy
    loops), and the browser cannot load such a bundle. So the bundle is waited for until it
    is whole (:func:`bundle_complete`, at most :data:`STOP_WAIT` s) before Pagefind stops,
    and a bundle still not whole then is an error, never swapped in."""
    try:
        try:
            await index.write_files(output_path=str(target))
        except OSError as exc:
            raise _one_line(exc) from None
        waited = 0.0
        while not bundle_complete(target) and waited < STOP_WAIT:
            await asyncio.sleep(0.01)
            waited += 0.01
        await cast(_Service, service).finish()
    except BaseException:
        await service.close()
        raise
    if not bundle_complete(target):
        raise TagDigestError(f"search: Pagefind left an incomplete index in {target}")
    for unused in UNUSED:  # Pagefind's stock interfaces: the theme has its own
        for path in target.glob(unused):
            path.unlink()


def bundle_complete(folder: Path) -> bool:
    """Whether ``folder``'s ``pagefind-entry.json`` is whole and names index metadata that is
    there, whole too (what the browser loads first)."""
    try:
        entry = json.loads((folder / ENTRY).read_bytes())
        return all(
            gzip.decompress((folder / f"pagefind.{language['hash']}.pf_meta").read_bytes())
            for language in entry["languages"].values()
        )
    except (OSError, ValueError, KeyError, TypeError, EOFError, gzip.BadGzipFile):
        return False


def _one_line(exc: OSError) -> TagDigestError:
    if isinstance(exc, FileNotFoundError):
        return TagDigestError(
            f"search: cannot run Pagefind ({exc}); `make deps` installs pagefind[bin]"
        )
    return TagDigestError(f"search: Pagefind failed: {exc}")


async def _build_all(jobs: Iterable[Job], done: Callable[[Path], None]) -> None:
    writing: tuple[asyncio.Task[None], Path, Path] | None = None
    try:
        for records, target in jobs:
            target.parent.mkdir(parents=True, exist_ok=True)
            work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
            try:
                service, index = await _feed(records)
            except BaseException:
                shutil.rmtree(work, ignore_errors=True)
                raise
            # This bundle is written while the next one is fed: at most two Pagefind
            # processes, one of them writing, so the search keeps both cores busy.
            task = asyncio.ensure_future(_write(service, index, work / "new"))
            previous, writing = writing, (task, work, target)
            if previous is not None:
                await _finish(*previous, done)
        if writing is not None:
            last, writing = writing, None
            await _finish(*last, done)
    except Exception:
        if writing is not None:  # fed in full before the error: it is finished all the same
            last, writing = writing, None
            with contextlib.suppress(Exception):  # the first error is the one reported
                await _finish(*last, done)
        raise
    finally:
        if writing is not None:  # interrupted: the bundle being written is given up
            writing[0].cancel()
            with contextlib.suppress(BaseException):
                await writing[0]
            shutil.rmtree(writing[1], ignore_errors=True)


async def _finish(
    task: asyncio.Task[None], work: Path, target: Path, done: Callable[[Path], None]
) -> None:
    try:
        await task
        swap_in(work / "new", target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    done(target)


def write_bundles(jobs: Iterable[Job], done: Callable[[Path], None] = lambda _: None) -> None:
    """Index each job's records into its folder (replacing what was there), in order, calling
    ``done(folder)`` as each is in place.

    One Pagefind process per bundle, so the indexer's peak memory is that of one bundle
    (two at most at once: one is written while the next is fed). ``records`` is read
    :data:`BATCH` at a time: a generator keeps no more of them in memory than are in
    flight. Raises :class:`TagDigestError` (one line) when Pagefind cannot run; the
    bundle it was feeding, and any after it, are then not touched (the one before, fed
    in full, is finished and ``done`` first).
    """
    asyncio.run(_build_all(jobs, done))


def write_bundle(records: Iterable[SearchRecord], target: Path) -> Path:
    """Index ``records`` into the folder ``target`` (replacing what was there); returns it."""
    write_bundles([(records, target)])
    return target


def swap_in(folder: Path, target: Path) -> None:
    """Put ``folder`` at ``target`` (same file system), so a search never sees half an index."""
    old = target.with_name(f".{target.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.exists():
        target.rename(old)
    folder.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or one without hard links
        shutil.copy2(source, target)


def copy_bundle(source: Path, target: Path) -> None:
    """The bundle ``source`` at ``target``: its files hard-linked where the file system allows
    (a bundle's files are never changed in place, only replaced as a whole), else copied
    with their modification times."""
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        shutil.copytree(source, work / "new", copy_function=_link_or_copy)
        swap_in(work / "new", target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def entry_of(bundle: Path) -> bytes | None:
    """The bytes of ``bundle``'s ``pagefind-entry.json`` (names its index by hash), if any."""
    try:
        return (bundle / ENTRY).read_bytes()
    except OSError:
        return None
