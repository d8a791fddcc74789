"""POST /api/publishing/imports: a bulk import through the API, as a file or as JSON rows.

The answer is every row's outcome (docs/import.md); a commit is all or nothing, in the request.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.utils import timezone

from .api_support import api_endpoint, error_response
from .bad_input import BadInput
from .bulk_import import ImportRefused, check_json, check_rows, commit_rows
from .import_files import read_file, read_json_rows, read_table, read_upload
from .json_body import read_json, refuse_unknown_fields

IMPORT_FIELDS = {"format", "rows", "dry_run"}


@api_endpoint("POST")
def imports(request):
    if request.content_type == "multipart/form-data":
        rows, dry_run = _uploaded_rows(request)
    else:
        rows, dry_run = _json_rows(read_json(request))
    now = timezone.now()
    if dry_run:
        return JsonResponse(check_json(check_rows(request.user, rows, now=now), committed=False))
    try:
        check = commit_rows(request.user, rows, now=now)
    except ImportRefused as refused:
        answer = check_json(refused.check, committed=False)
        return error_response(400, answer["summary"], {"error_rows": answer["error_rows"], "rows": answer["rows"]})
    return JsonResponse(check_json(check, committed=True), status=201)


def _uploaded_rows(request) -> tuple[list, bool]:
    upload = request.FILES.get("file")
    if upload is None:
        raise BadInput("Send the file in a form field named file.", {"file": "required"})
    dry_run = _flag(request.POST.get("dry_run", "false"))
    _, rows = read_file(read_upload(upload), name=upload.name, kind=request.POST.get("format", ""))
    return rows, dry_run


def _json_rows(data: dict) -> tuple[list, bool]:
    refuse_unknown_fields(data, IMPORT_FIELDS)
    dry_run = data.get("dry_run", False)
    if not isinstance(dry_run, bool):
        raise BadInput("dry_run must be true or false.", {"dry_run": "must be a boolean"})
    kind = data.get("format", "json")
    if "rows" not in data:
        raise BadInput("rows is required: a list of posts.", {"rows": "required"})
    if kind == "json":
        return read_json_rows(data["rows"]), dry_run
    if kind == "csv":
        table = data["rows"]
        cells_ok = isinstance(table, list) and all(
            isinstance(row, list) and all(isinstance(cell, str) for cell in row) for row in table
        )
        if not cells_ok:
            raise BadInput(
                'With "format": "csv", rows is a list of rows of strings, the first the header.',
                {"rows": "must be a list of lists of strings"},
            )
        return read_table(table), dry_run
    raise BadInput('format must be "json" or "csv".', {"format": "invalid"})


def _flag(value: str) -> bool:
    if value.lower() in ("true", "1", "yes", "on"):
        return True
    if value.lower() in ("false", "0", "no", "off", ""):
        return False
    raise BadInput("dry_run must be true or false.", {"dry_run": "must be a boolean"})
