"""The search bundles in the output and in Pelican's cache: re-index only what changed.

Each bundle (:mod:`..digest.search_bundles`) is an independent Pagefind index in
``<output>/pagefind/<key>/``. A copy of each is kept in the cache directory
(``<CACHE_PATH>/tag_digest/search/<key>/``) and the state file
(``<CACHE_PATH>/tag_digest/search.json``) keeps, per key, the signature of the records
it was made from. For every bundle of this build, one of three things happens:

- *kept*: same signature, the cached copy exists and the output already holds the
  same index (same ``pagefind-entry.json``, which names the index by hash): nothing;
- *copied*: same signature and cached copy, but the output lacks it (the output
  directory was deleted, as ``make publish`` does) or holds another one: copied back
  from the cache, Pagefind does not run;
- *indexed*: anything else: Pagefind indexes the bundle's records into the cache, then
  it is copied to the output.

Bundles are indexed one after another, each by its own Pagefind process (one is written
while the next is fed, :func:`.search_index.write_bundles`), so the indexer's peak memory
is that of the two biggest bundles at most. A folder in ``<output>/pagefind/``
or in the cache that is no bundle of this build (a bundle no longer produced, the
single index of earlier versions) is removed.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .search import SearchRecord
from .search_index import copy_bundle, entry_of, write_bundles
from .writer import replace_file

SEARCH_DIR = "pagefind"
"""The bundles' folder in the output."""
STATE_VERSION = 1


@dataclass(frozen=True, slots=True)
class Bundle:
    """One bundle of this build."""

    key: str
    posts: int
    signature: Callable[[], str]
    """A hash of everything its records are made from (made when the store asks: in a build,
    in the search's own process)."""
    records: Callable[[], Iterable[SearchRecord]]
    """Its records, made only when it is re-indexed (a generator: made as Pagefind takes them)."""


@dataclass(slots=True)
class StoreReport:
    """What :func:`update_bundles` did, key by key."""

    kept: list[str] = field(default_factory=list)
    copied: list[str] = field(default_factory=list)
    indexed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def read_state(state: Path) -> dict[str, str]:
    """The signature per bundle key of the last build (empty when missing or unreadable)."""
    try:
        data = json.loads(state.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        return {}
    bundles = data.get("bundles")
    if not isinstance(bundles, dict):
        return {}
    return {str(k): v for k, v in bundles.items() if isinstance(v, str)}


def _write_state(state: Path, bundles: dict[str, str]) -> None:
    text = json.dumps({"version": STATE_VERSION, "bundles": bundles}, sort_keys=True, indent=1)
    replace_file(state, text.encode("utf-8"))


def _prune(folder: Path, keep: set[str], report: list[str] | None = None) -> None:
    """Remove everything in ``folder`` whose name is not in ``keep``."""
    if not folder.is_dir():
        return
    for child in sorted(folder.iterdir()):
        if child.name in keep:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
        if report is not None and not child.name.startswith("."):
            report.append(child.name)


def update_bundles(
    bundles: Sequence[Bundle], output: Path, cache: Path, state: Path
) -> StoreReport:
    """Make ``output/pagefind/<key>/`` hold every bundle of ``bundles`` and nothing else.

    ``cache`` is the folder of the cached copies, ``state`` the state file. Raises
    :class:`~..errors.TagDigestError` when Pagefind fails; the state then no longer
    claims the bundle being indexed, so the next build indexes it again.
    """
    report = StoreReport()
    where = output / SEARCH_DIR
    keys = {b.key for b in bundles}
    saved = read_state(state)
    current = {key: sig for key, sig in saved.items() if key in keys}
    if not bundles:
        shutil.rmtree(where, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
        if saved:
            _write_state(state, {})
        return report
    _prune(where, keys, report.removed)
    _prune(cache, keys)
    if current != saved:
        _write_state(state, current)
    indexing: list[tuple[Bundle, str]] = []
    for bundle in bundles:
        kept, out = cache / bundle.key, where / bundle.key
        cached = entry_of(kept)
        signature = bundle.signature()
        if saved.get(bundle.key) == signature and cached is not None:
            if entry_of(out) == cached:
                report.kept.append(bundle.key)
            else:
                copy_bundle(kept, out)
                report.copied.append(bundle.key)
            continue
        indexing.append((bundle, signature))
    claimed = [current.pop(bundle.key, None) for bundle, _ in indexing]
    if any(old is not None for old in claimed):  # until indexed, no bundle is claimed
        _write_state(state, current)
    signatures = {cache / bundle.key: (bundle.key, signature) for bundle, signature in indexing}

    def indexed(kept: Path) -> None:
        key, signature = signatures[kept]
        copy_bundle(kept, where / key)
        current[key] = signature
        _write_state(state, current)
        report.indexed.append(key)

    write_bundles(((bundle.records(), cache / bundle.key) for bundle, _ in indexing), indexed)
    return report
