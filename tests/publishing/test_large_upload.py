"""A 200 MB upload streams through to storage without ever being held whole in memory.

The multipart body is made on the fly (an MP4 header, then zeros), so the test itself holds no
copy either; tracemalloc measures every Python allocation made while Django parses, hashes,
stores and describes it. A file read whole would allocate at least its 200 MB at once.
"""

from __future__ import annotations

import hashlib
import tracemalloc

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.test.client import ClientHandler

from publishing.models import ApiToken, Clip
from publishing.upload_handler import ClipUploadHandler

pytestmark = pytest.mark.django_db

SIZE = 200 * 1024 * 1024
BOUNDARY = "----mediaposter-test-boundary"
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
PEAK_ALLOWED = 8 * 1024 * 1024  # a few 64 KB chunks, the test body's 1 MB pieces, the parser's buffers


class MultipartStream:
    """A multipart/form-data body of one `file` field, produced as it is read; hashes what it sends."""

    def __init__(self, size: int):
        self.head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\nBig one\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.size = size
        self.length = len(self.head) + size + len(self.tail)
        self.file_hash = hashlib.sha256()
        self.chunks = self._chunks()
        self.buffer = b""

    def _chunks(self):
        yield self.head
        sent = 0
        block = b"\x00" * (1024 * 1024)
        while sent < self.size:
            piece = MP4_HEAD + block[len(MP4_HEAD) :] if sent == 0 else block
            piece = piece[: self.size - sent]
            self.file_hash.update(piece)
            sent += len(piece)
            yield piece
        yield self.tail

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.buffer) < size:
            try:
                self.buffer += next(self.chunks)  # at most one 1 MB piece beyond what is asked
            except StopIteration:
                break
        if size < 0:
            size = len(self.buffer)
        out, self.buffer = self.buffer[:size], self.buffer[size:]
        return out

    def readline(self, size: int = -1) -> bytes:  # WSGI asks for it; the multipart parser reads blocks
        return self.read(size)


class RecordingHandler(ClipUploadHandler):
    """Our handler, remembering itself so the test can see what it was given."""

    used: list[ClipUploadHandler] = []

    def __init__(self, request=None):
        super().__init__(request)
        RecordingHandler.used.append(self)


def post_stream(body: MultipartStream, token: str):
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/clips",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": body,
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(body.length),
        "HTTP_AUTHORIZATION": f"Bearer {token}",
    }
    return ClientHandler()(environ)


def test_a_200_mb_upload_is_streamed_to_disk_hashed_in_chunks_and_stored(alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_HANDLERS = [f"{__name__}.RecordingHandler"]
    RecordingHandler.used.clear()
    _, token = ApiToken.issue(alice)
    # A first, small upload loads every module and template the path uses, so the measure below
    # is of the upload alone (the imports alone allocate about 14 MB).
    assert post_stream(MultipartStream(1024 * 1024), token).status_code == 201
    body = MultipartStream(SIZE)
    tracemalloc.start()
    try:
        response = post_stream(body, token)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    try:
        assert response.status_code == 201, response.content
        clip = Clip.objects.get(owner=alice, size_bytes=SIZE)
        assert clip.title == "Big one"
        assert clip.content_hash == body.file_hash.hexdigest()
        assert clip.file.size == SIZE
        handler = RecordingHandler.used[-1]
        assert isinstance(handler.file, TemporaryUploadedFile)
        assert handler.chunks_read >= SIZE // (64 * 1024)  # Django's 64 KB chunks, none bigger
        assert peak < PEAK_ALLOWED, f"peak Python memory {peak / 1024**2:.1f} MB while uploading 200 MB"
        # Zeros after a header are no video: the clip is kept, without facts, saying why.
        assert clip.duration_s is None and clip.facts_note
    finally:
        for stored in Clip.objects.filter(owner=alice):
            stored.file.delete(save=False)
