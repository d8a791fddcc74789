"""What we learn of an uploaded file: dimensions, duration and a thumbnail.

Images are read with Pillow; videos with ffprobe (Debian's ffmpeg package, installed by the
project's setup) and a frame at about one second, taken with ffmpeg, as the thumbnail. This runs
on the uploaded temporary file, inline in the upload request: ffprobe reads only the container's
header and ffmpeg seeks to one frame, so even a large video costs well under a second, and it
works the same whatever storage the file then goes to. Every step is bounded by a timeout; what
fails is left out and said in `note`, and the clip stays usable.
"""

from __future__ import annotations

import io
import json
import logging
import subprocess
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

THUMBNAIL_PX = 320  # the longer side
FRAME_AT_S = 1.0
PROBE_TIMEOUT_S = 30
FRAME_TIMEOUT_S = 60
Image.MAX_IMAGE_PIXELS = 100_000_000  # Pillow refuses larger ones (decompression bombs): a note, not a crash


@dataclass
class Facts:
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None
    thumbnail_jpeg: bytes | None = None
    note: str = ""


def facts_of(path: str, kind: str) -> Facts:
    try:
        return _image_facts(path) if kind == "image" else _video_facts(path)
    except Exception as problem:  # a broken file must not cost the user their upload
        logger.warning("could not read the facts of an uploaded %s: %s", kind, problem)
        return Facts(note=f"Could not read this {kind}'s size{'' if kind == 'image' else ' or length'}: {problem}")


def _image_facts(path: str) -> Facts:
    try:
        with Image.open(path) as image:
            image = ImageOps.exif_transpose(image)  # a phone photo's rotation, as it will be shown
            facts = Facts(width=image.width, height=image.height)
            facts.thumbnail_jpeg = _jpeg(image)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError) as problem:
        return Facts(note=f"Could not read this image: {problem}")
    return facts


def _video_facts(path: str) -> Facts:
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path],
        capture_output=True,
        timeout=PROBE_TIMEOUT_S,
        check=False,
    )
    if probe.returncode != 0:
        return Facts(note=f"Could not read this video: {_last_line(probe.stderr) or 'ffprobe failed'}.")
    facts = Facts()
    found = json.loads(probe.stdout or b"{}")
    video = next((s for s in found.get("streams", []) if s.get("codec_type") == "video"), None)
    if video is None:
        return Facts(note="This file has no video stream.")
    facts.width, facts.height = video.get("width"), video.get("height")
    if _rotation(video) in (90, 270) and facts.width and facts.height:
        facts.width, facts.height = facts.height, facts.width  # a phone video filmed upright
    duration = found.get("format", {}).get("duration") or video.get("duration")
    facts.duration_s = round(float(duration), 3) if duration else None
    at = FRAME_AT_S if (facts.duration_s or 0) > FRAME_AT_S else 0
    frame = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", str(at), "-i", path, "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-"],
        capture_output=True,
        timeout=FRAME_TIMEOUT_S,
        check=False,
    )
    if frame.returncode != 0 or not frame.stdout:
        facts.note = f"No thumbnail: {_last_line(frame.stderr) or 'ffmpeg gave no frame'}."
        return facts
    with Image.open(io.BytesIO(frame.stdout)) as image:
        facts.thumbnail_jpeg = _jpeg(image)  # ffmpeg has already applied the rotation
    return facts


def _rotation(stream: dict) -> int:
    """Degrees the player turns the picture: the display matrix (new ffmpeg) or the rotate tag."""
    for side in stream.get("side_data_list", []):
        if "rotation" in side:
            return int(float(side["rotation"])) % 360
    rotate = stream.get("tags", {}).get("rotate")
    return int(rotate) % 360 if rotate else 0


def _jpeg(image: Image.Image) -> bytes:
    image = image.copy()
    image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, "white")  # transparency on white, as a feed shows it
        flat.paste(image, mask=image.split()[-1])
        image = flat
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82)
    return out.getvalue()


def _last_line(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1][:200] if lines else ""


def aspect_ratio(width: int | None, height: int | None) -> float | None:
    return round(width / height, 4) if width and height else None
