"""Golden output: whole built sites, byte for byte, checked in under ``tests/golden/``.

Two sites, built with the project's ``pelicanconf.py`` by a real ``pelican`` run each:

- ``default``: the shipped archive (``content/archive``), Russian, relative URLs;
- ``generated``: 40 posts from ``bench.gen_archive`` (content warnings, media, cards,
  replies, edits, custom emoji; Russian and English posts), three of them deleted, in
  English, under an absolute ``SITEURL`` with a sub-path (feeds, sitemap, canonical links).

``python tests/golden.py`` (``make golden``) rebuilds both and rewrites the trees: run it
when a change to the output is meant, and commit the trees with the change that explains
them. A restructuring must leave them as they are (``tests/test_golden.py``).

Pagefind's index (``pagefind/``) is left out: it is binary and checked by the search tests.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
SKIPPED_DIRS = ("pagefind",)
GENERATED_POSTS = 40
DELETED = (3, 17, 29)
"""Serial numbers of the generated posts that are tombstones."""


def _pelican(out: Path, cache: Path, overrides: dict[str, object]) -> None:
    extra = [f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in overrides.items()]
    command = [sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py", "-o", str(out)]
    command += ["-q", "-e", "DIGEST_FETCH=false", f"CACHE_PATH={json.dumps(str(cache))}", *extra]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"pelican failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def generated_archive(root: Path) -> Path:
    """The archive of the ``generated`` site: 40 posts, three of them deleted."""
    sys.path.insert(0, str(ROOT))
    from tag_digest.archive.shards import Archive

    from bench.gen_archive import generate

    posts = generate(GENERATED_POSTS, seed=7, span_days=45)
    archive = Archive.load(root)
    for serial, post in enumerate(posts):
        archive.put(post.tombstone("2025-06-30T00:00:00.000Z") if serial in DELETED else post)
    archive.save()
    return root


def build_sites(work: Path) -> dict[str, Path]:
    """Both golden sites, built from scratch into ``work``."""
    default = work / "default"
    _pelican(default, work / "cache-default", {})
    archive = generated_archive(work / "archive-generated")
    generated = work / "generated"
    from bench.gen_archive import DEFAULT_TAGS

    _pelican(
        generated,
        work / "cache-generated",
        {
            "DIGEST_ARCHIVE_PATH": str(archive),
            "DIGEST_TAGS": list(DEFAULT_TAGS[:5]),
            "DEFAULT_LANG": "en",
            "SITENAME": "Golden digest",
            "SITEURL": "https://example.org/digest",
            "FEED_DOMAIN": "https://example.org/digest",
            "RELATIVE_URLS": False,
            "DIGEST_PER_PAGE": 6,
        },
    )
    return {"default": default, "generated": generated}


def files(root: Path) -> Iterator[Path]:
    """Every file of a built tree that golden output covers, sorted."""
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and relative.parts[0] not in SKIPPED_DIRS:
            yield relative


def differences(expected: Path, actual: Path, limit: int = 40) -> list[str]:
    """What differs between two trees: missing and extra files, and a diff of changed ones."""
    want, have = set(files(expected)), set(files(actual))
    report = [f"missing: {p}" for p in sorted(want - have)]
    report += [f"extra: {p}" for p in sorted(have - want)]
    for path in sorted(want & have):
        old, new = (expected / path).read_bytes(), (actual / path).read_bytes()
        if old == new:
            continue
        try:
            diff = difflib.unified_diff(
                old.decode().splitlines(), new.decode().splitlines(),
                f"golden/{path}", f"built/{path}", n=1, lineterm="",
            )  # fmt: skip
            report.append("\n".join(list(diff)[:limit]))
        except UnicodeDecodeError:
            report.append(f"changed (binary): {path}")
    return report


def update(work: Path) -> None:
    for name, built in build_sites(work).items():
        target = GOLDEN / name
        if target.exists():
            shutil.rmtree(target)
        for relative in files(built):
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(built / relative, target / relative)
        print(f"golden: {name}: {sum(1 for _ in files(target))} files")


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory(prefix="tagdigest-golden-") as tmp:
        update(Path(tmp))
