"""Fetch every configured server into the archive: :func:`sync_all`.

Per server: ask ``/api/v2/instance`` who may read hashtag feeds, then for each
batch of tags scan the timeline from the top (a first fetch down to
``DIGEST_SINCE`` or the end; later runs down past the ids already scanned and
the overlap window), resume an unfinished first fetch further down, put what
came back into the archive and tombstone what vanished from a complete re-scan.

Faults never stop the build: a server that fails is given up with a warning,
what was fetched before is kept, and the archive is saved after every server.
One server holds a run for at most :func:`.ratelimit.server_budget` seconds
(DIGEST_MAX_WAIT plus 30 DIGEST_TIMEOUTs), however slowly it answers. Only
archive errors (corrupt shard, unwritable directory) are raised.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from .archive.audit_plan import remember_ids, remove_authors
from .archive.ingest import withhold_archived
from .archive.lock import LOCK_WAIT, archive_lock
from .archive.shards import Archive
from .archive.state import FetchState, ServerAudit
from .audit import AuditJob, audit_server
from .console import console
from .errors import ArchiveError, AuthRequiredError, FetchError, NotFoundError, UnreachableError
from .fetch.client import ApiClient
from .fetch.instance import batch_size, fetch_instance, plan_access
from .fetch.progress import FetchProgress, wanted
from .fetch.ratelimit import PAGING_LIMIT, Pacer, server_budget
from .fetch.replies import shown
from .fetch.timeline import Batch, exclude_params, make_batches
from .settings import DigestSettings
from .sync_batch import Run, remove_vanished_posts, sync_batch
from .sync_report import ServerReport, SyncReport
from .times import format_time

log = logging.getLogger("tag_digest")


def _save(archive: Archive, state: FetchState) -> None:
    """Archive first, then the cursors: a crash in between only costs a re-scan."""
    try:
        archive.save()
        state.save()
    except OSError as exc:
        raise ArchiveError(
            f"{archive.root}: cannot write the archive ({exc.strerror or exc})"
        ) from None


def _audit(run: Run, client: ApiClient, batches: list[Batch]) -> None:
    """The rolling audit (:mod:`.audit`), then every post of an author seen opting out."""
    settings, report = run.settings, run.report
    audit = run.state.audits.get(run.server)
    if settings.audit_budget > 0 and audit is None:
        audit = ServerAudit(cycle_started=run.fetched_at, last_run=run.fetched_at)
        run.state.audits[run.server] = audit  # the cycle starts: nothing is due yet
        remember_ids(run.archive, run.server, audit, run.ids)
    elif settings.audit_budget > 0 and audit is not None:
        job = AuditJob(
            run.server, run.archive, audit, batches, run.now, settings.audit_days,
            settings.audit_budget, run.access.scope, run.access.params, run.origins,
            run.seen, run.ids,
        )  # fmt: skip
        result = audit_server(client, job)
        for message in result.warnings:
            run.warn(message)
        report.new += result.new
        report.updated += result.updated
        report.removed += result.removed
        report.verified, report.audit_removed, report.audit = (
            result.verified, result.removed, result.text,
        )  # fmt: skip
        run.authors |= result.authors
    report.removed += remove_authors(run.archive, run.authors, run.fetched_at)


def may_carry_token(server: str) -> bool:
    """Whether ``server`` may be sent the token: over https, or plain http to this machine
    or a private network (anyone on the way would read it otherwise)."""
    parts = urlsplit(server)
    if parts.scheme == "https":
        return True
    host = (parts.hostname or "").lower()
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private


def _token_for(settings: DigestSettings, server: str, report: ServerReport) -> str | None:
    token = settings.token_for(server)
    if token and not may_carry_token(server):
        name = settings.token_name(server)
        message = f"{server}: {name} is not sent over plain http; use https://"
        report.warnings.append(message)
        log.warning("tag_digest: %s", message)
        return None
    return token


def _token_hint(settings: DigestSettings, server: str) -> str:
    name = settings.token_name(server)
    if name is not None:
        return "" if name == "DIGEST_TOKEN" else f" ({name} holds this server's token)"
    if any(settings.token_for(url) for url, _ in settings.tokens):
        return f" (no token goes to {server}: add it to DIGEST_TOKENS)"
    return ""


def sync_server(
    server: str,
    settings: DigestSettings,
    archive: Archive,
    state: FetchState,
    now: dt.datetime,
    progress: FetchProgress,
) -> ServerReport:
    """Fetch every batch from ``server``; faults end up in the report, never raised."""
    report = ServerReport(server)
    token = _token_for(settings, server, report)
    pacer = Pacer(
        server,
        max_wait=settings.max_wait,
        paging_limit=None if token else PAGING_LIMIT,
        budget=server_budget(settings.max_wait, settings.timeout),
    )
    client = ApiClient(
        server,
        pacer=pacer,
        token=token,
        token_name=settings.token_name(server) or "DIGEST_TOKEN",
        timeout=settings.timeout,
        retries=settings.retries,
        backoff=settings.backoff,
    )
    try:
        with client:
            info = fetch_instance(client)
            access = plan_access(info, server=server, has_token=token is not None)
            batches = make_batches(settings.tags, batch_size(info))
            run = Run(server, settings, archive, state, now, access, report, progress)
            if batch_size(info) > 1:  # Mastodon's TagFeed; GoToSocial ignores it
                run.exclude = exclude_params(settings.moderation.exclude_tags)
            if access.warning:
                run.warn(access.warning)
            progress.server(server, len(batches))
            faults = 0
            for batch in batches:
                try:
                    sync_batch(run, client, batch)
                except NotFoundError as exc:
                    faults += 1
                    run.warn(f"{exc} for {batch.label}")
                progress.batch_done()
            if not faults:
                remove_vanished_posts(run)
            _audit(run, client, batches)
    except UnreachableError as exc:
        report.error, report.unreachable = str(exc), True
    except AuthRequiredError as exc:
        report.error = f"{exc}{_token_hint(settings, server)}"
    except FetchError as exc:
        report.error = f"gave up on {server} for this run, keeping what was fetched: {exc}"
    except Exception as exc:  # whatever a hostile answer provokes, the build goes on
        log.debug("tag_digest: %s: unexpected error", server, exc_info=True)
        report.error = (
            f"gave up on {server} for this run, keeping what was fetched: unexpected "
            f"{type(exc).__name__} ({shown(str(exc), token)}); please report it"
        )
    finally:
        report.requests = client.requests
    if report.error and not report.unreachable:
        report.warnings.append(report.error)
        log.warning("tag_digest: %s", report.error)
    return report


def _console_echo(line: str) -> None:
    """Print like Pelican's own "Done:" line (its console; shown without -v)."""
    console().print(line, markup=False, highlight=False, soft_wrap=True)


def sync_all(
    settings: DigestSettings,
    *,
    now: dt.datetime | None = None,
    echo: Callable[[str], None] | None = None,
    lock_wait: float = LOCK_WAIT,
) -> SyncReport:
    """Fetch all servers into the archive under ``settings.archive_path``; save it; report.

    One summary line per server goes to ``echo`` (default: Pelican's console).
    Raises only :class:`ArchiveError` (a corrupt shard stops everything before any fetch;
    another fetch holding the archive for over ``lock_wait`` seconds, see :mod:`.lock`).
    """
    now = now or dt.datetime.now(dt.UTC)
    report = SyncReport()
    with archive_lock(settings.archive_path, lock_wait):  # one fetch at a time, load to save
        archive = Archive.load(settings.archive_path)
        state, problem = FetchState.load(settings.archive_path)
        if problem:
            log.warning("tag_digest: %s", problem)
        report.withheld = withhold_archived(archive, settings.moderation, format_time(now))
        try:
            with FetchProgress(wanted(settings.progress, console()), console()) as progress:
                for server in settings.servers:
                    report.servers.append(
                        sync_server(server, settings, archive, state, now, progress)
                    )
                    if report.any_read:
                        state.last_success = format_time(now)
                    _save(archive, state)
        finally:
            _save(archive, state)
        report.posts, report.last_success = len(archive.visible()), state.last_success
    _warn_unreachable(report)
    lines = report.lines()
    if settings.moderation.active:
        lines.append(report.moderation_line())
    for line in lines:
        (echo or _console_echo)(f"tag_digest: {line}")
    return report


def _warn_unreachable(report: SyncReport) -> None:
    """One warning when no server could be reached at all, else one per unreachable server."""
    down = [s for s in report.servers if s.unreachable]
    if down and len(down) == len(report.servers):
        names = ", ".join(s.server for s in down)
        message = f"no network: could not reach {names}; the archive is used as it is"
        for s in down:
            s.warnings.append(message)
        log.warning("tag_digest: %s", message)
        return
    for s in down:
        message = f"{s.error}; keeping the archive for this server"
        s.warnings.append(message)
        log.warning("tag_digest: %s", message)
