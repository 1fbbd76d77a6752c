"""Benchmark data: the post generator, its settings hash, archives written with ``Archive``.

Posts come from ``bench/gen_archive.py`` (the project's shared generator of
realistic posts, ``generate(n, seed, tags, span_days) -> list[Post]``). The
settings hash names the generator, a digest of its source, the size, the seed,
the tags and the span: cached figures (the Markdown baseline) are reused only
while it is unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType

from tag_digest.archive.records import Post
from tag_digest.archive.shards import Archive
from tag_digest.times import format_time, parse_time

from . import gen_archive

TAGS: tuple[str, ...] = (
    "Supervised_finetuning", "LLM", "Машинное_обучение", "NLP", "датасет", "OpenAI", "RLHF",
    "нейросети", "Python", "искусственный_интеллект", "GPT", "LoRA", "RAG", "трансформеры",
    "data", "разметка", "ML", "обучение_с_учителем", "Хабр", "SFT",
)  # fmt: skip
"""The 20 configured tags (Latin and Cyrillic, most popular first)."""
SEED = 20250101
SPAN_DAYS = 730
"""Two years of dates (passed to generators that take ``span_days``)."""


@dataclass(frozen=True)
class Generator:
    name: str
    generate: Callable[..., list[Post]]
    source_digest: str


def generator(module: ModuleType = gen_archive) -> Generator:
    source = Path(module.__file__ or "").read_bytes()
    return Generator(module.__name__, module.generate, hashlib.sha256(source).hexdigest()[:16])


def settings_key(gen: Generator, n: int, seed: int = SEED, tags: Sequence[str] = TAGS) -> str:
    """A short hash of everything that decides the generated posts."""
    blob = json.dumps(
        [gen.name, gen.source_digest, n, seed, list(tags), SPAN_DAYS], ensure_ascii=False
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def posts(gen: Generator, n: int, seed: int = SEED, tags: Sequence[str] = TAGS) -> list[Post]:
    if "span_days" in inspect.signature(gen.generate).parameters:
        return gen.generate(n, seed, list(tags), span_days=SPAN_DAYS)
    return gen.generate(n, seed, list(tags))


def write_archive(root: Path, items: Sequence[Post]) -> None:
    """A fresh archive of ``items`` under ``root``, through the plugin's own ``Archive``."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    archive = Archive(root)
    for post in items:
        archive.put(post)
    archive.save()


def pristine_archive(work: Path, gen: Generator, n: int) -> Path:
    """``work/archive-<n>``: generated once per settings key, copied before each use."""
    root = work / f"archive-{n}"
    stamp = root / ".bench-key"
    key = settings_key(gen, n)
    if stamp.is_file() and stamp.read_text() == key:
        return root
    write_archive(root, posts(gen, n))
    stamp.write_text(key)
    return root


def copy_archive(source: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".bench-key"))


def newer_posts(
    gen: Generator,
    after: str,
    count: int,
    round_: int,
    step: dt.timedelta = dt.timedelta(minutes=7),
) -> list[Post]:
    """``count`` new posts dated ``step`` apart after ``after`` (a ``created_at``), unique URIs."""
    fresh = gen.generate(count, SEED + 1000 + round_, list(TAGS))
    base = parse_time(after)
    out = []
    for i, post in enumerate(fresh):
        created = base + step * (i + 1)
        stamp = format_time(created)
        out.append(
            replace(
                post,
                uri=f"{post.uri}-new{round_}",
                url=f"{post.url}-new{round_}",
                created_at=stamp,
                edited_at=None,
                fetched_at=stamp,
            )
        )
    return out


def add_new_posts(root: Path, gen: Generator, count: int, round_: int) -> int:
    """Add ``count`` new posts to the archive at ``root`` as a fetch would. Returns shards saved."""
    archive = Archive.load(root)
    newest = max(p.created_at for p in archive)
    for post in newer_posts(gen, newest, count, round_):
        archive.put(post)
    return len(archive.save())
