"""Covers chosen from the clip: one frame of an uploaded video, as a JPEG hosted like any upload.

Instagram takes a reel cover image (`coverImageUrl`) and YouTube a thumbnail (`thumbnailUrl`),
both as URLs Blotato downloads; TikTok takes the frame's time itself (`videoCoverTimestamp`). So
for a frame time the person picks, ffmpeg cuts that frame from the uploaded file once per clip
and instant (`ffmpeg -ss T -i file -frames:v 1`), and the image becomes a cover Clip: hosted on
Blotato by media_hosting.py before its posts go, never listed among the owner's clips.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from .bad_input import BadInput
from .models import Clip

FFMPEG_SECONDS = 60  # one frame of a local file: anything longer is a stuck process
FIELD = "cover_frame_s"


def check_frame_time(value: object, clip: Clip | None) -> float:
    """The frame time a request asks for, in seconds, or BadInput naming what is wrong."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BadInput(f"{FIELD} must be a number of seconds.", {FIELD: "must be a number"})
    if value < 0:
        raise BadInput(f"{FIELD} must be at least 0.", {FIELD: "too small"})
    if clip is None:
        raise BadInput(f"{FIELD} needs a clip to take the frame from.", {FIELD: "no clip"})
    if not clip.file:
        raise BadInput(
            f"{FIELD} needs an uploaded clip; for a clip given as a URL, give covers as image URLs "
            "(options coverImageUrl, thumbnailUrl) or TikTok's videoCoverTimestamp.",
            {FIELD: "not an uploaded clip"},
        )
    if not (clip.content_type or "video/").startswith("video/"):
        raise BadInput(f"{FIELD} needs a video clip, not an image.", {FIELD: "not a video"})
    if clip.duration_s is not None and value > clip.duration_s:
        raise BadInput(
            f"{FIELD} ({value:g} s) is past the end of the clip ({clip.duration_s:g} s).",
            {FIELD: "past the end of the clip"},
        )
    return round(float(value), 3)


def cover_for(clip: Clip, at_s: float) -> Clip:
    """The cover Clip for this frame of `clip`: made (and later hosted) once, then reused."""
    found = Clip.objects.filter(cover_of=clip, cover_at_s=at_s).first()
    if found:
        return found
    image = extract_frame(clip, at_s)
    cover = Clip(
        owner=clip.owner,
        title=f"Cover of {clip.title} at {at_s:g} s"[:200],
        content_type="image/jpeg",
        size_bytes=len(image),
        cover_of=clip,
        cover_at_s=at_s,
    )
    cover.file.save(f"cover-{clip.pk}-{int(at_s * 1000)}.jpg", ContentFile(image), save=False)
    try:
        with transaction.atomic():
            cover.save()
    except IntegrityError:  # made meanwhile by another request for the same frame
        cover.file.delete(save=False)
        return Clip.objects.get(cover_of=clip, cover_at_s=at_s)
    return cover


def extract_frame(clip: Clip, at_s: float) -> bytes:
    """One JPEG frame at `at_s` seconds, by ffmpeg; BadInput when the file has none there."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise BadInput(
            "Covers from a frame need ffmpeg on the server (the project's setup installs it).",
            {FIELD: "ffmpeg missing"},
            status=422,
        )
    with tempfile.TemporaryDirectory(prefix="mp-cover-") as work:
        source = _local_path(clip, Path(work))
        out = Path(work) / "cover.jpg"
        # -ss before -i seeks by keyframe index then decodes to the exact instant: fast and exact.
        command = [ffmpeg, "-nostdin", "-loglevel", "error", "-ss", f"{at_s:.3f}", "-i", str(source)]
        command += ["-frames:v", "1", "-q:v", "2", "-f", "image2", "-y", str(out)]
        try:
            subprocess.run(command, check=False, capture_output=True, timeout=FFMPEG_SECONDS)
        except subprocess.TimeoutExpired:
            raise BadInput(f"Could not read a frame at {at_s:g} s of this clip.", {FIELD: "timed out"}) from None
        if not out.exists() or out.stat().st_size == 0:
            raise BadInput(f"This clip has no frame at {at_s:g} s: pick an earlier time.", {FIELD: "no frame there"})
        return out.read_bytes()


def _local_path(clip: Clip, work: Path) -> Path:
    """The file on local disk: its own path with the file system storage, else a copy (S3-style storage)."""
    try:
        return Path(clip.file.path)
    except NotImplementedError:
        copy = work / "source"
        with clip.file.open("rb") as source, open(copy, "wb") as target:
            shutil.copyfileobj(source, target, 1024 * 1024)
        return copy
