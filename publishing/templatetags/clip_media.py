"""A clip's thumbnail and facts as pages show them: "video · 0:12 · 1080×1920 (9:16) · 4.2 MB"."""

from __future__ import annotations

from math import gcd

from django import template
from django.urls import reverse
from django.utils.html import format_html

from publishing.media_types import human_size

register = template.Library()

NAMED_RATIOS = {(9, 16), (16, 9), (1, 1), (4, 5), (5, 4), (4, 3), (3, 4), (2, 3), (3, 2), (21, 9), (1, 2), (2, 1)}


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def ratio_text(width: int | None, height: int | None) -> str:
    if not width or not height:
        return ""
    divisor = gcd(width, height)
    exact = (width // divisor, height // divisor)
    if exact in NAMED_RATIOS:
        return f"{exact[0]}:{exact[1]}"
    near = min(NAMED_RATIOS, key=lambda r: abs(r[0] / r[1] - width / height))
    if abs(near[0] / near[1] - width / height) < 0.01:  # 1080×1918 is still 9:16 to anyone
        return f"≈{near[0]}:{near[1]}"
    return f"{width / height:.2f}:1"


@register.filter
def clip_facts(clip) -> str:
    parts = [clip.media_kind]
    if clip.media_kind == "video" and clip.duration_s is not None:
        parts.append(duration_text(clip.duration_s))
    if clip.width and clip.height:
        parts.append(f"{clip.width}×{clip.height} ({ratio_text(clip.width, clip.height)})")
    if clip.size_bytes:
        parts.append(human_size(clip.size_bytes))
    return " · ".join(parts)


@register.simple_tag
def clip_thumbnail(clip, size: int = 64) -> str:
    """Our thumbnail of an uploaded clip (served to its owner only), or nothing."""
    if not clip or not clip.thumbnail:
        return ""
    return format_html(
        '<img class="clip-thumb" src="{}" alt="" width="{}" height="{}" loading="lazy" style="object-fit: cover">',
        reverse("clip_thumbnail", args=[clip.pk]),
        size,
        size,
    )
