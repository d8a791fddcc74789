"""Real little media files for the upload tests: a PNG drawn with Pillow, MP4s made by ffmpeg."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from PIL import Image


def png_bytes(width: int = 640, height: int = 360, colour: str = "orange") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def mp4_file(folder: Path, *, seconds: float = 2, size: str = "320x240", rotate: int = 0, name="clip.mp4") -> Path:
    """A real H.264 MP4 of ffmpeg's test pattern; `rotate` sets the player's rotation as phones do."""
    path = folder / name
    command = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc=duration={seconds}:size={size}:rate=25"]
    command += ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "ultrafast"]
    subprocess.run([*command, str(path)], check=True, capture_output=True, timeout=60)
    if rotate:  # ffmpeg 5 writes the display matrix only when copying the stream
        turned = folder / f"turned-{name}"
        copy = ["ffmpeg", "-v", "error", "-y", "-i", str(path), "-c", "copy", "-metadata:s:v:0", f"rotate={rotate}"]
        subprocess.run([*copy, str(turned)], check=True, capture_output=True, timeout=60)
        turned.replace(path)
    return path
