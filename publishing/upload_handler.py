"""Receiving an uploaded file: to a temporary file on disk, hashed and checked as it arrives.

Django hands each chunk (64 KB) of a multipart body to this handler. It never holds more than a
chunk in memory, computes the SHA-256 on the way, recognises the type from the first bytes, and
stops taking a file the moment it is not media or grows past its limit, so nothing unwanted is
ever stored (the temporary file is removed). The view reads what happened with `upload_outcome`.
Uploads to other views (the analytics CSV import) are only streamed to a temporary file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.urls import Resolver404, resolve

from .media_types import SNIFF_BYTES, MediaType, human_size, refusal, sniff

MULTIPART_OVERHEAD = 64 * 1024  # a request's boundaries and small fields around the file


@dataclass(frozen=True)
class Refusal:
    message: str
    status: int  # 413 too large, 415 not media


def size_limit(kind: str | None) -> int:
    if kind == "image":
        return min(settings.MAX_IMAGE_UPLOAD_BYTES, settings.MAX_UPLOAD_BYTES)
    return settings.MAX_UPLOAD_BYTES


def too_large(file_name: str, size: int, kind: str | None, *, about: bool = False) -> Refusal:
    name = PurePath(file_name).name or "The file"
    what = f"the largest {kind} upload" if kind == "image" else "the largest upload"
    limit = human_size(size_limit(kind))
    # Just over the limit reads as the limit once rounded: "is 1 MB; the largest is 1 MB" says nothing.
    said = f"more than {limit}" if human_size(size) == limit else f"{'about ' if about else ''}{human_size(size)}"
    return Refusal(f"{name} is {said}; {what} is {limit}.", 413)


# The views that take clips; any other upload (the analytics CSV import) is only streamed to disk.
CLIP_UPLOAD_VIEWS = {"api_clips", "upload_clip"}


class ClipUploadHandler(TemporaryFileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.refusal: Refusal | None = None
        self.request_length = 0
        self.chunks_read = 0
        self.takes_clips = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.request_length = content_length or 0
        self.takes_clips = _view_name(self.request) in CLIP_UPLOAD_VIEWS
        return None  # parse as usual, through the methods below

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        self.hasher = hashlib.sha256()
        self.head = b""
        self.media_type: MediaType | None = None
        if not self.takes_clips:
            return
        # Refuse a body far beyond any limit at once, before a byte of it is written.
        if self.request_length > settings.MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD:
            self._refuse(too_large(file_name, self.request_length, None, about=True))

    def receive_data_chunk(self, raw_data, start):
        self.chunks_read += 1
        if not self.takes_clips:
            return super().receive_data_chunk(raw_data, start)
        if self.media_type is None:
            self.head += raw_data[: SNIFF_BYTES - len(self.head)]
            if len(self.head) >= SNIFF_BYTES:
                self._recognise()
        if start + len(raw_data) > size_limit(self.media_type.kind if self.media_type else None):
            kind = self.media_type.kind if self.media_type else None
            self._refuse(too_large(self.file_name, max(self.request_length, start + len(raw_data)), kind, about=True))
        self.hasher.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        if not self.takes_clips:
            return super().file_complete(file_size)
        if self.media_type is None:  # a file shorter than SNIFF_BYTES
            # Raising SkipFile here would escape Django's parser; returning None drops the file.
            self.media_type = sniff(self.head)
            if self.media_type is None:
                self.refusal = self.refusal or Refusal(refusal(self.file_name, self.head), 415)
                self.file.close()
                return None
        uploaded = super().file_complete(file_size)
        uploaded.content_hash = self.hasher.hexdigest()
        uploaded.media_type = self.media_type
        return uploaded

    def _recognise(self) -> None:
        self.media_type = sniff(self.head)
        if self.media_type is None:
            self._refuse(Refusal(refusal(self.file_name, self.head), 415))

    def _refuse(self, why: Refusal) -> None:
        self.refusal = self.refusal or why
        self.file.close()  # a temporary file deletes itself when closed
        raise SkipFile()


def _view_name(request) -> str:
    if request is None:
        return ""
    try:
        return resolve(request.path_info).url_name or ""
    except Resolver404:
        return ""


def upload_outcome(request) -> Refusal | None:
    """Why a file of this request was refused while it arrived, if it was."""
    request.FILES  # noqa: B018 - parses the body if nothing has yet
    for handler in request.upload_handlers:
        if isinstance(handler, ClipUploadHandler) and handler.refusal:
            return handler.refusal
    return None
