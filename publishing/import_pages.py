"""The import page: upload a file, see the dry run row by row, then commit it (inline, or in a
worker with a progress bar the page polls)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from . import import_jobs
from .bad_input import BadInput
from .bulk_import import check_json
from .import_files import read_upload
from .models import ImportJob, ImportState
from .zones import user_zone

# The downloadable template (docs/import.md explains every column).
TEMPLATE_CSV = (
    "caption,platforms,accounts,time,clip,media_url,title,youtube.title,tiktok.privacy_level,options\r\n"
    "Our spring collection is here,instagram|tiktok,,next_slot,,https://cdn.example.com/spring.mp4,"
    "Spring,,PUBLIC_TO_EVERYONE,\r\n"
    'A text post with a time in your zone,"twitter,bluesky",,2027-03-01 09:30,,,,,,\r\n'
    "With an offset and a named account,,@mybrand,2027-03-02T18:00:00+01:00,,,,,,\r\n"
    "Behind the scenes,youtube,,next_slot,,https://cdn.example.com/bts.mp4,,Behind the scenes,,"
    '"{""youtube"": {""privacyStatus"": ""unlisted""}}"\r\n'
)


SHOWN_ROWS = 100


def _owned_job(request, job_id) -> ImportJob:
    job = ImportJob.objects.owned_by(request.user).filter(pk=job_id).first()
    if job is None:
        raise Http404("No such import.")
    return job


def _render(request, context: dict, *, status: int = 200):
    context.setdefault("timezone", user_zone(request.user).key)
    if context.get("progress"):
        context["rows_done"] = import_jobs.rows_done(context["job"])
    template = "publishing/partials/_import_result.html" if request.htmx else "publishing/import.html"
    return render(request, template, context, status=status)


@login_required
@require_GET
def import_page(request):
    return _render(request, {})


@login_required
@require_POST
def check_file(request):
    upload = request.FILES.get("file")
    if upload is None:
        return _render(request, {"problem": "Choose a CSV or JSON file to import."}, status=422)
    try:
        job, check = import_jobs.check_upload(request.user, read_upload(upload), name=upload.name)
    except BadInput as refused:
        return _render(request, {"problem": refused.message}, status=422)
    answer = check_json(check, committed=False)
    # Every row with an error, and the first rows of the rest: a table of 5,000 rows helps nobody.
    shown = [row for index, row in enumerate(answer["rows"]) if not row["ok"] or index < SHOWN_ROWS]
    context = {"job": job, "check": answer, "rows": shown, "hidden_rows": len(answer["rows"]) - len(shown)}
    return _render(request, context, status=200 if check.ok else 422)


@login_required
@require_POST
def commit(request, job_id):
    job = _owned_job(request, job_id)
    if job.state != ImportState.CHECKED:
        return _render(request, {"job": job, "progress": True})
    if import_jobs.runs_inline(job):
        import_jobs.commit_job(job.pk, inline=True)
    else:
        import_jobs.queue_commit(job)
    job.refresh_from_db()
    status = 422 if job.state == ImportState.REFUSED else 200
    return _render(request, {"job": job, "progress": True}, status=status)


@login_required
@require_GET
def progress(request, job_id):
    job = _owned_job(request, job_id)
    import_jobs.mark_stalled(job)
    return _render(request, {"job": job, "progress": True})


@login_required
@require_GET
def template_csv(request):
    response = HttpResponse(TEMPLATE_CSV, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mediaposter-import-template.csv"'
    return response
