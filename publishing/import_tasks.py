"""The bulk import's Celery task (routed to the notify queue; settings.CELERY_IMPORTS loads it)."""

from __future__ import annotations

from celery import shared_task

from . import import_jobs


@shared_task(name="publishing.commit_import", ignore_result=True)
def commit_import(job_id: str) -> None:
    import_jobs.commit_job(job_id)
