"""The clips page: the user's clips, a search over their titles, and a form to add one.

A clip is a title and a public https media URL that Blotato fetches; we never download it.
The form is checked by the same `parse_clip` as `POST /api/clips`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .api_input import parse_clip
from .bad_input import BadInput
from .forms import errors_by_field
from .models import Clip
from .search_query import search_text

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
    try:
        query = search_text(request.GET)
    except BadInput as problem:
        query, errors = "", {**errors, "q": problem.message}
    clips = Clip.objects.owned_by(request.user)
    if query:
        clips = clips.filter(title__icontains=query)
    context = {"clips": clips[:200], "query": query, "fields": fields, "errors": errors}
    status = 422 if errors else 200
    if request.htmx and request.method == "GET":
        return render(request, "publishing/partials/_clip_list.html", context, status=status)
    return render(request, "publishing/clips.html", context, status=status)
