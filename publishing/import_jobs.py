"""An import from upload to commit: the dry run kept as an ImportJob, then the commit, inline or
in a worker (import_tasks.py) with its progress in Redis for the page to poll."""

from __future__ import annotations

import contextlib
import logging
import uuid
from datetime import timedelta

import redis
from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .bad_input import BadInput
from .bulk_import import ImportCheck, ImportRefused, check_rows, commit_rows
from .import_files import read_file
from .models import ImportJob, ImportState
from .redis_connection import shared_redis

logger = logging.getLogger(__name__)

PROGRESS_TTL_SECONDS = 3600
STALL_MARGIN_SECONDS = 60
STALLED = "The import stopped (its worker was lost); check the file again."


def check_upload(owner, content: bytes, *, name: str = "", kind: str = "") -> tuple[ImportJob | None, ImportCheck]:
    """The dry run of an uploaded file; a file without errors is kept for its commit (replacing the
    owner's earlier unconfirmed one)."""
    kind, rows = read_file(content, name=name, kind=kind)
    check = check_rows(owner, rows, now=timezone.now())
    ImportJob.objects.owned_by(owner).filter(state=ImportState.CHECKED).delete()
    if not check.ok:
        return None, check
    job = ImportJob.objects.create(
        owner=owner, file_name=name[:200], kind=kind, content=content.decode("utf-8-sig"), rows_total=len(rows)
    )
    return job, check


def runs_inline(job: ImportJob) -> bool:
    return job.rows_total <= settings.IMPORT_INLINE_ROWS


def queue_commit(job: ImportJob) -> bool:
    """Hand a checked job to a worker; False if it is no longer waiting (committed meanwhile)."""
    if ImportJob.objects.filter(pk=job.pk, state=ImportState.CHECKED).update(state=ImportState.QUEUED) != 1:
        return False
    # By name: import_tasks.py imports this module.
    transaction.on_commit(lambda: current_app.send_task("publishing.commit_import", args=[str(job.pk)]))
    return True


def commit_job(job_id: uuid.UUID | str, *, inline: bool = False) -> ImportJob | None:
    """Commit the job's file: every post or none. Claimed first, so a repeated message does nothing."""
    waiting = ImportState.CHECKED if inline else ImportState.QUEUED
    claimed = ImportJob.objects.filter(pk=job_id, state=waiting).update(
        state=ImportState.RUNNING, started_at=timezone.now()
    )
    if claimed != 1:
        return None
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    try:
        _, rows = read_file(job.content.encode(), kind=job.kind)
        # "done" is written with the posts, in their transaction: a job still running when its
        # worker is lost wrote nothing (mark_stalled).
        with transaction.atomic():
            check = commit_rows(job.owner, rows, now=timezone.now(), progress=lambda done, _total: _report(job, done))
            _finish(job, ImportState.DONE, posts=check.post_count)
    except ImportRefused as refused:
        _finish(job, ImportState.REFUSED, errors=row_errors(refused.check))
    except BadInput as refused:
        _finish(job, ImportState.REFUSED, errors=[{"row": None, "column": "", "message": refused.message}])
    except Exception:
        logger.exception("import %s stopped; nothing was written", job.pk)
        _finish(job, ImportState.FAILED, errors=[{"row": None, "column": "", "message": "The import stopped."}])
        raise
    return job


def mark_stalled(job: ImportJob) -> None:
    """A commit running longer than a task may (its worker was lost) wrote nothing: say so."""
    limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + STALL_MARGIN_SECONDS)
    stalled = ImportJob.objects.filter(
        pk=job.pk, state=ImportState.RUNNING, started_at__lt=timezone.now() - limit
    ).update(
        state=ImportState.FAILED,
        finished_at=timezone.now(),
        errors=[{"row": None, "column": "", "message": STALLED}],
    )
    if stalled:
        job.refresh_from_db()
        logger.warning("import %s: stalled, marked failed (nothing was written)", job.pk)


def row_errors(check: ImportCheck) -> list[dict]:
    return [
        {"row": row.number, "column": error.column, "message": error.message}
        for row in check.rows
        for error in row.errors
    ]


def _finish(job: ImportJob, state: str, *, errors=(), posts: int = 0) -> None:
    job.state = state
    job.errors = list(errors)
    job.posts_created = posts
    job.rows_done = job.rows_total if state == ImportState.DONE else 0
    job.finished_at = timezone.now()
    job.content = "" if state == ImportState.DONE else job.content  # the posts hold it now
    job.save()
    logger.info("import %s: %s, %d posts", job.pk, state, posts)


def _progress_key(job_id) -> str:
    return f"import-progress:{job_id}"


def _report(job: ImportJob, done: int) -> None:
    with contextlib.suppress(redis.RedisError):  # progress is for the eye; the import goes on
        shared_redis().set(_progress_key(job.pk), done, ex=PROGRESS_TTL_SECONDS)


def rows_done(job: ImportJob) -> int:
    """Rows checked so far by a running commit (from Redis), else the job's own count."""
    if job.state not in (ImportState.RUNNING, ImportState.QUEUED):
        return job.rows_done
    try:
        return int(shared_redis().get(_progress_key(job.pk)) or 0)
    except (redis.RedisError, ValueError):
        return 0
