#!/usr/bin/env python3
"""Commit the archive after a fetch: one commit, only when it changed, with the counts.

    python3 scripts/commit_archive.py [--summary FILE] [--archive DIR] [--push]
                                      [--remote NAME] [--branch NAME]

The workflow runs it as ``make commit-archive PUSH=1`` after ``make fetch``.

* Reads the fetch summary (JSON ``{"new": n, "updated": n, "removed": n, ...}``).
* Stages only the archive's own files under ``--archive``: the month shards
  (``YYYY/YYYY-MM.jsonl``) and the fetcher's ``state.json`` (where each timeline
  was read up to). Never a temporary file a killed fetch left behind, never
  anything else in the repository.
* Commits them as ``github-actions[bot]`` when they changed, with the counts in the
  message; when nothing changed there is no commit and nothing is pushed.
* ``--push`` pushes the commit to the branch. When someone else pushed first, it
  rebases the archive commit onto theirs and tries again.
* When ``GITHUB_TOKEN`` is set, git receives it from a credential helper that
  reads the environment: the token is never written to ``.git/config`` and never
  appears on a command line.

Standard library only: it runs before (and without) the project's virtualenv.
Exit status 0 when committed or when there was nothing to commit; 1 on an error,
reported as one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898699+github-actions[bot]@users.noreply.github.com"
PUSH_ATTEMPTS = 3
# Answers git's "get" requests with the token from the environment, nothing else.
CREDENTIAL_HELPER = (
    '!f() { if test "$1" = get; then '
    "printf 'username=x-access-token\\npassword=%s\\n' \"$GITHUB_TOKEN\"; fi; }; f"
)


class CommitError(Exception):
    """A problem the user sees as one line."""


@dataclass(frozen=True, slots=True)
class Counts:
    new: int
    updated: int
    removed: int


def read_counts(path: Path) -> Counts:
    """The counts of a fetch summary file. Raises :class:`CommitError` naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommitError(f"{path}: no fetch summary (did `make fetch` run?)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CommitError(f"{path}: cannot read the fetch summary: {exc}") from None
    except json.JSONDecodeError as exc:
        raise CommitError(f"{path}: the fetch summary is not JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise CommitError(f"{path}: the fetch summary is not a JSON object")
    values = {}
    for key in ("new", "updated", "removed"):
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise CommitError(f"{path}: {key!r} must be a whole number >= 0, got {value!r}")
        values[key] = value
    return Counts(**values)


def commit_message(counts: Counts) -> str:
    return (
        f"Update archive: {counts.new} new, {counts.updated} updated, "
        f"{counts.removed} removed posts"
    )


# Inside the archive directory: the month shards and the fetcher's state file.
ARCHIVE_FILE = re.compile(r"(?:(\d{4})/\1-(?:0[1-9]|1[0-2])\.jsonl|state\.json)")


def is_archive_file(path: str, archive: str) -> bool:
    """Whether ``path`` (relative to the repository) is one of the archive's files."""
    prefix = "" if archive in ("", ".") else archive.rstrip("/") + "/"
    return path.startswith(prefix) and ARCHIVE_FILE.fullmatch(path[len(prefix) :]) is not None


def porcelain_paths(status: str) -> list[str]:
    """The paths of ``git status --porcelain -z`` output (a rename's source skipped)."""
    paths: list[str] = []
    entries = iter(status.split("\0"))
    for entry in entries:
        if not entry:
            continue
        paths.append(entry[3:])
        if entry[0] in "RC":
            next(entries, None)
    return paths


def bot_environment(base: Mapping[str, str]) -> dict[str, str]:
    env = dict(base)
    env.update(
        GIT_AUTHOR_NAME=BOT_NAME,
        GIT_AUTHOR_EMAIL=BOT_EMAIL,
        GIT_COMMITTER_NAME=BOT_NAME,
        GIT_COMMITTER_EMAIL=BOT_EMAIL,
        GIT_TERMINAL_PROMPT="0",
    )
    return env


def auth_options(env: Mapping[str, str]) -> list[str]:
    """``git -c`` options that hand ``GITHUB_TOKEN`` to git, when it is set."""
    if not env.get("GITHUB_TOKEN"):
        return []
    return ["-c", "credential.helper=", "-c", f"credential.helper={CREDENTIAL_HELPER}"]


def subcommand(args: Sequence[str]) -> str:
    """The git command in ``args``, skipping ``-c name=value`` options."""
    skip = False
    for arg in args:
        if not skip and not arg.startswith("-"):
            return arg
        skip = arg == "-c"
    return "command"


class Git:
    """Runs git in one repository with the bot's identity."""

    def __init__(self, cwd: Path, env: Mapping[str, str]) -> None:
        self.cwd = cwd
        self.env = bot_environment(env)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["git", *args], cwd=self.cwd, env=self.env, capture_output=True, text=True
        )
        if check and result.returncode != 0:
            lines = (result.stderr.strip() or result.stdout.strip()).splitlines()
            detail = lines[-1] if lines else f"exit status {result.returncode}"
            raise CommitError(f"git {subcommand(args)} failed: {detail}")
        return result

    def changed_files(self, archive: str) -> list[str]:
        """The archive's files that differ from HEAD (new, modified or deleted)."""
        status = self.run("status", "--porcelain", "-z", "--untracked-files=all", "--", archive)
        return sorted({p for p in porcelain_paths(status.stdout) if is_archive_file(p, archive)})

    def current_branch(self) -> str:
        result = self.run("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
        if result.returncode != 0:
            raise CommitError("HEAD is detached: name the branch to push to with --branch")
        return result.stdout.strip()


def repository_root(cwd: Path, env: Mapping[str, str]) -> Path:
    result = Git(cwd, env).run("rev-parse", "--show-toplevel", check=False)
    if result.returncode != 0:
        raise CommitError(f"{cwd}: not inside a git repository")
    return Path(result.stdout.strip())


def relative_archive(archive: Path, root: Path) -> str:
    """``archive`` (absolute or relative to the working directory) relative to ``root``."""
    try:
        return archive.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise CommitError(f"{archive}: the archive is not inside the repository {root}") from None


def commit(git: Git, archive: str, counts: Counts) -> str | None:
    """Commit the archive's changed files; the new commit's id, or None when none changed.

    ``archive`` is relative to the repository's top level, where ``git`` runs.
    """
    pathspecs = [f":(literal){path}" for path in git.changed_files(archive)]
    if not pathspecs:
        return None
    git.run("add", "--all", "--", *pathspecs)
    git.run(
        "-c",
        "commit.gpgsign=false",
        "commit",
        "--quiet",
        "--no-verify",
        "-m",
        commit_message(counts),
        "--",
        *pathspecs,
    )
    return git.run("rev-parse", "HEAD").stdout.strip()


def push(git: Git, remote: str, branch: str) -> int:
    """Push HEAD to ``remote``/``branch``, rebasing onto it when it moved; the attempts used."""
    auth = auth_options(git.env)
    for attempt in range(1, PUSH_ATTEMPTS + 1):
        pushed = git.run(*auth, "push", "--quiet", remote, f"HEAD:refs/heads/{branch}", check=False)
        if pushed.returncode == 0:
            return attempt
        if attempt == PUSH_ATTEMPTS:
            break
        rebased = git.run(*auth, "pull", "--quiet", "--rebase", remote, branch, check=False)
        if rebased.returncode != 0:
            git.run("rebase", "--abort", check=False)
            reason = (rebased.stderr.strip() or "rebase failed").splitlines()[-1]
            raise CommitError(f"cannot rebase the archive commit onto {remote}/{branch}: {reason}")
    reason = (pushed.stderr.strip() or "push failed").splitlines()[-1]
    raise CommitError(f"cannot push to {remote}/{branch} after {PUSH_ATTEMPTS} attempts: {reason}")


def report(line: str, env: Mapping[str, str]) -> None:
    print(f"commit-archive: {line}")
    summary = env.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(f"{line}\n")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--summary",
        type=Path,
        default=Path(".tagdigest-summary.json"),
        help="the fetch summary JSON (default: %(default)s)",
    )
    parser.add_argument(
        "--archive",
        default="content/archive",
        help="the archive directory, DIGEST_ARCHIVE_PATH (default: %(default)s)",
    )
    parser.add_argument("--push", action="store_true", help="push the commit")
    parser.add_argument(
        "--remote", default="origin", help="remote to push to (default: %(default)s)"
    )
    parser.add_argument("--branch", help="branch to push to (default: the current branch)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    args = parse_args(argv)
    environ = os.environ if env is None else env
    try:
        counts = read_counts(args.summary)
        git = Git(repository_root(Path.cwd(), environ), environ)
        archive = relative_archive(Path(args.archive), git.cwd)
        branch = (args.branch or git.current_branch()) if args.push else ""
        sha = commit(git, archive, counts)
        if sha is None:
            report("archive unchanged, nothing to commit", environ)
            return 0
        report(f"committed {sha[:12]}: {commit_message(counts)}", environ)
        if args.push:
            attempts = push(git, args.remote, branch)
            rebased = " (after rebasing onto it)" if attempts > 1 else ""
            report(f"pushed to {args.remote}/{branch}{rebased}", environ)
    except CommitError as error:
        print(f"commit-archive: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
