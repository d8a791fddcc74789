"""The clips page: the user's clips, a search over their titles, and two ways to add one.

A file from the computer: dropped on (or picked in) the upload box, sent by static/publishing/
clips.js to `POST /api/clips` with a progress bar; without JavaScript the same box is a plain
form posted to `upload_clip`. Both go through media_upload.upload_from_request.
Or a public https media URL that Blotato fetches (we never download it), checked by the same
`parse_clip` as the JSON form of `POST /api/clips`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from .api_input import parse_clip
from .bad_input import BadInput
from .forms import errors_by_field
from .media_upload import upload_from_request
from .models import Clip
from .search_query import search_text
from .upload_handler import size_limit

CLIP_FIELDS = ("title", "media_url", "thumbnail_url")


@login_required
@require_http_methods(["GET", "POST"])
def clips_page(request):
    fields, errors = {}, {}
    if request.method == "POST":
        fields = {name: request.POST.get(name, "").strip() for name in CLIP_FIELDS}
        try:
            clip = Clip.objects.create(owner=request.user, **parse_clip(fields))
        except BadInput as problem:
            errors = errors_by_field(problem)
        else:
            messages.success(request, f"Added “{clip.title}”.")
            return redirect("publishing:clips")
    return _page(request, fields, errors)


def _page(request, fields: dict, errors: dict, status: int | None = None):
    try:
        query = search_text(request.GET)
    except BadInput as problem:
        query, errors = "", {**errors, "q": problem.message}
    clips = Clip.objects.owned_by(request.user)
    if query:
        clips = clips.filter(title__icontains=query)
    context = {
        "clips": clips[:200],
        "query": query,
        "fields": fields,
        "errors": errors,
        "max_upload_bytes": size_limit("video"),
        "max_image_bytes": size_limit("image"),
    }
    status = status or (422 if errors else 200)
    if request.htmx and request.method == "GET":
        return render(request, "publishing/partials/_clip_list.html", context, status=status)
    return render(request, "publishing/clips.html", context, status=status)


@login_required
@require_POST
def upload_clip(request):
    """The upload box without JavaScript: a plain multipart form, answered with a redirect."""
    try:
        stored = upload_from_request(request)
    except BadInput as problem:
        return _page(request, {}, {"file": problem.message}, problem.status)
    else:
        if stored.created:
            messages.success(request, f"Uploaded “{stored.clip.title}”.")
        else:
            messages.info(request, stored.note)
    return redirect("publishing:clips")
