"""An uploaded clip's file and thumbnail, served to its owner only (others get a 404).

Under /api/ so an API client (bearer token) can fetch them as the pages (session) do.

Files never sit in a public directory: MEDIA_ROOT (or the bucket) is read through these views,
whatever storage holds them, so a guessed URL shows nobody else's media.
"""

from __future__ import annotations

from django.http import FileResponse, Http404

from .api_support import api_endpoint
from .models import Clip


@api_endpoint("GET")
def clip_file(request, clip_id):
    clip = _owned_clip(request, clip_id)
    return _serve(clip.file, clip.content_type, f"{clip.title}.{clip.file.name.rpartition('.')[2]}")


@api_endpoint("GET")
def clip_thumbnail(request, clip_id):
    clip = _owned_clip(request, clip_id)
    return _serve(clip.thumbnail, "image/jpeg", f"{clip.title} (thumbnail).jpg")


def _owned_clip(request, clip_id) -> Clip:
    clip = Clip.objects.owned_by(request.user).filter(pk=clip_id).first()
    if clip is None:
        raise Http404("No clip with that id.")
    return clip


def _serve(field, content_type: str, download_name: str) -> FileResponse:
    if not field:
        raise Http404("This clip has no such file.")
    try:
        opened = field.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    response = FileResponse(opened, content_type=content_type, filename=download_name)
    response["Cache-Control"] = "private, max-age=3600"  # never in a shared cache: it is one user's
    response["Content-Security-Policy"] = "sandbox"  # opened on its own, a file runs nothing
    return response
