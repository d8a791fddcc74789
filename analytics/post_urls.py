"""One spelling per post URL, so a post met in different places (our post, Blotato's published-post
list, a CSV export) is recognised as the same post.

The host is lowercased and loses `www.`/`m.`, twitter.com becomes x.com, the query, fragment and
trailing slash go. YouTube is the exception: a video is its id (`watch?v=`, `/shorts/`,
`youtu.be/`), since dropping the query would make every video the same URL.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

_YOUTUBE_HOSTS = {"youtube.com", "youtu.be", "music.youtube.com"}
_VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")


def canonical_post_url(url: str | None) -> str:
    """The URL's canonical https form, or "" for anything that is not a web address with a host."""
    if not url or not isinstance(url, str):
        return ""
    text = url.strip()
    if "://" not in text and ":" not in text.split("/")[0]:  # a bare host: x.com/... (not javascript:)
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.hostname.lower()
    for prefix in ("www.", "m.", "mobile."):
        host = host.removeprefix(prefix)
    if host == "twitter.com":
        host = "x.com"
    if host in _YOUTUBE_HOSTS:
        video = _youtube_video_id(host, parts.path, parts.query)
        return f"https://youtube.com/watch?v={video}" if video else ""
    path = parts.path.rstrip("/")
    return f"https://{host}{path}"


def _youtube_video_id(host: str, path: str, query: str) -> str:
    if host == "youtu.be":
        candidate = path.strip("/").split("/")[0]
    elif path.startswith("/shorts/") or path.startswith("/live/"):
        candidate = path.split("/")[2] if len(path.split("/")) > 2 else ""
    else:
        candidate = (parse_qs(query).get("v") or [""])[0]
    return candidate if _VIDEO_ID.match(candidate) else ""
