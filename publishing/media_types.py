"""What a file is, told by its first bytes (its "magic"), never by its name or declared type.

We take the images and videos every platform we publish to accepts somewhere: JPEG, PNG, GIF,
WebP, MP4, MOV and WebM. Anything else is refused before it is stored, named as well as we can
("setup.exe is a Windows program, not an image or a video").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

SNIFF_BYTES = 4096  # enough for every signature below (WebM names its doctype in its first header)


@dataclass(frozen=True)
class MediaType:
    kind: str  # "image" or "video"
    content_type: str
    extension: str  # what we name the stored file with, whatever the upload was called
    label: str


JPEG = MediaType("image", "image/jpeg", "jpg", "JPEG")
PNG = MediaType("image", "image/png", "png", "PNG")
GIF = MediaType("image", "image/gif", "gif", "GIF")
WEBP = MediaType("image", "image/webp", "webp", "WebP")
MP4 = MediaType("video", "video/mp4", "mp4", "MP4")
MOV = MediaType("video", "video/quicktime", "mov", "MOV")
WEBM = MediaType("video", "video/webm", "webm", "WebM")
ACCEPTED = (JPEG, PNG, GIF, WEBP, MP4, MOV, WEBM)
ACCEPTED_LABELS = "JPEG, PNG, GIF, WebP, MP4, MOV or WebM"

# ISO base media brands that are QuickTime; every other ftyp brand (isom, mp41, mp42, avc1,
# iso2..6, M4V, dash, 3gp...) is read as MP4, which is what the platforms call them.
QUICKTIME_BRANDS = {b"qt  "}
# Old QuickTime files start straight with one of these atoms instead of ftyp.
QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}

# Files people drop by mistake, named so the refusal says what they dropped.
NOT_MEDIA = (
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"ID3", "an MP3 audio file"),
)


def sniff(head: bytes) -> MediaType | None:
    """The accepted media type these first bytes begin, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp":
        return MOV if head[8:12] in QUICKTIME_BRANDS else MP4
    if head[4:8] in QUICKTIME_ATOMS:
        return MOV
    # EBML: Matroska or WebM; only WebM (its doctype says so) is a format platforms take.
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:SNIFF_BYTES]:
        return WEBM
    return None


def refusal(file_name: str, head: bytes) -> str:
    """Why a file that sniff() did not recognise is refused, naming what it seems to be."""
    name = PurePath(file_name).name or "The file"
    if not head:
        return f"{name} is empty."
    what = next((label for magic, label in NOT_MEDIA if head.startswith(magic)), None)
    if what is None and head.startswith(b"\x1a\x45\xdf\xa3"):
        what = "a Matroska (.mkv) video; convert it to MP4 or WebM"
    suffix = PurePath(file_name).suffix.lower()
    if what is None and suffix and suffix.lstrip(".") not in _MEDIA_SUFFIXES:
        what = f"a {suffix}"
    if what is None:
        return f"{name} is not an image or a video we can post: its content is not {ACCEPTED_LABELS}."
    return f"{name} is {what}, not an image or a video (we take {ACCEPTED_LABELS})."


_MEDIA_SUFFIXES = {"jpg", "jpeg", "png", "gif", "webp", "mp4", "m4v", "mov", "webm", "mkv", "avi", "heic"}


def human_size(size: int) -> str:
    """1288490188 -> "1.2 GB" (binary units, as file managers show them)."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"
