"""Turning an uploaded file into a clip: one clip per file per user, with its facts and thumbnail.

The file has already been received, hashed and type-checked by upload_handler.py. Here: the same
content uploaded again by the same user returns the clip it already is (nothing stored twice),
otherwise facts and a thumbnail are read from the temporary file and the file is saved to the
configured storage under a name of our own (the user's file name is kept only as the title).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import SuspiciousOperation
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http.multipartparser import MultiPartParserError

from .bad_input import BadInput
from .media_facts import facts_of
from .models import Clip
from .upload_handler import upload_outcome


@dataclass
class Stored:
    clip: Clip
    created: bool  # False: this user had already uploaded the same content

    @property
    def note(self) -> str:
        return "" if self.created else f"Already uploaded as “{self.clip.title}”."


def title_for(title: str, file_name: str) -> str:
    title = (title or "").strip() or PurePath(file_name).stem.strip() or "Untitled"
    if len(title) > 200:
        raise BadInput("title must be 1 to 200 characters.", {"title": "length"})
    return title


def store_upload(owner, uploaded, title: str = "") -> Stored:
    """The clip for this upload (an UploadedFile from ClipUploadHandler), new or the existing one."""
    title = title_for(title, uploaded.name)
    existing = Clip.objects.owned_by(owner).filter(content_hash=uploaded.content_hash).first()
    if existing:
        return Stored(existing, created=False)
    media_type = uploaded.media_type
    facts = facts_of(uploaded.temporary_file_path(), media_type.kind)
    clip = Clip(
        id=uuid.uuid4(),
        owner=owner,
        title=title,
        content_hash=uploaded.content_hash,
        content_type=media_type.content_type,
        size_bytes=uploaded.size,
        width=facts.width,
        height=facts.height,
        duration_s=facts.duration_s,
        facts_note=facts.note[:300],
    )
    # Our own names: the clip's id, the sniffed type's extension (never the user's, e.g. ".mp4.exe").
    clip.file.save(f"{clip.id}.{media_type.extension}", uploaded, save=False)
    if facts.thumbnail_jpeg:
        clip.thumbnail.save(f"{clip.id}.jpg", ContentFile(facts.thumbnail_jpeg), save=False)
    try:
        with transaction.atomic():
            clip.save(force_insert=True)
    except IntegrityError:
        # The same file arrived twice at once: the other request's clip stands, ours goes.
        _delete_files(clip)
        return Stored(Clip.objects.owned_by(owner).get(content_hash=uploaded.content_hash), created=False)
    return Stored(clip, created=True)


def _delete_files(clip: Clip) -> None:
    for field in (clip.file, clip.thumbnail):
        if field:
            field.delete(save=False)


UPLOAD_FIELDS = {"title", "csrfmiddlewaretoken"}


def upload_from_request(request) -> Stored:
    """The clip for a multipart request's `file` (and optional `title`), or a BadInput saying why not.

    Shared by POST /api/clips and the clips page, so both refuse exactly the same files.
    """
    try:
        refused = upload_outcome(request)
        fields, files = request.POST, request.FILES
    except (MultiPartParserError, SuspiciousOperation) as problem:
        raise BadInput(f"The multipart body could not be read: {problem}") from None
    if refused:
        reason = "too_large" if refused.status == 413 else "type"
        raise BadInput(refused.message, {"file": reason}, status=refused.status)
    unknown = sorted(set(fields) - UPLOAD_FIELDS) + sorted(set(files) - {"file"})
    if unknown:
        fields_named = ", ".join(unknown)
        raise BadInput(f"Unknown field(s): {fields_named}; send file and title.", dict.fromkeys(unknown, "unknown"))
    if len(files.getlist("file")) != 1:
        raise BadInput("Send exactly one file, in a multipart field named file.", {"file": "required"})
    return store_upload(request.user, files["file"], fields.get("title", ""))
