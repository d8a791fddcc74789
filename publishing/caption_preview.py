"""Where each platform cuts a caption with "… more" in its feed, for the schedule dialog's preview.

Rough figures, in characters, from the platforms' help pages and what their apps show on a phone;
the real cut depends on the screen, line breaks and media. None: the platform shows the whole
caption (short-form platforms whose limit is the fold).
"""

from __future__ import annotations

from .platforms import Platform

SEE_MORE_AT: dict[str, int | None] = {
    Platform.INSTAGRAM: 125,  # about two lines under the media
    Platform.TIKTOK: 100,  # a line or two over the video
    Platform.YOUTUBE: 150,  # the description's first lines above "…more"
    Platform.FACEBOOK: 250,  # a post with media; text-only posts show more
    Platform.LINKEDIN: 210,  # about three lines before "…see more"
    Platform.PINTEREST: 50,  # the pin's description under its image
    Platform.TWITTER: None,
    Platform.THREADS: None,
    Platform.BLUESKY: None,
}
