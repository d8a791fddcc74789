"""A change to a series (PATCH /api/publishing/series/{id}, the series page), checked like a post's.

Caption, clip and options are checked against every platform of the series, as the schedule
request was; the end (`until` or `count`, or neither for no end) is checked as `repeat`'s. The
rule itself (frequency, interval, weekdays, time) does not change: end the series and start
another, so posts already made keep the rule they were made by.
"""

from __future__ import annotations

from .api_input import _account, _options, _string, check_caption, owned_clip
from .bad_input import BadInput
from .json_body import refuse_unknown_fields
from .models import Series
from .platforms import RULES, Platform
from .repeat_input import MAX_COUNT, end_date, whole_number
from .series import SeriesEdit

SERIES_EDIT_FIELDS = {"caption", "clip_id", "options", "until", "count", "paused"}
RULE_FIELDS = {"frequency", "interval", "weekdays", "scheduled_time", "repeat", "platforms"}


def parse_series_edit(data: dict, series: Series) -> SeriesEdit:
    fixed = sorted(RULE_FIELDS & set(data))
    if fixed:
        raise BadInput(
            f"{', '.join(fixed)} cannot change on a running series: end it and start a new one.",
            dict.fromkeys(fixed, "not editable"),
        )
    refuse_unknown_fields(data, SERIES_EDIT_FIELDS)
    if not data:
        raise BadInput(
            "Nothing to change: send caption, clip_id, options, until, count or paused.",
            {"allowed": sorted(SERIES_EDIT_FIELDS)},
        )
    change = SeriesEdit()
    platforms = [target["platform"] for target in series.targets]
    if "caption" in data:
        change.caption = _string(data, "caption")
    if "clip_id" in data:
        change.clip, change.clip_given = owned_clip(data["clip_id"], series.owner), True
    caption = series.caption if change.caption is None else change.caption
    clip = change.clip if change.clip_given else series.clip
    if not caption.strip() and clip is None:
        raise BadInput("Nothing to post: write a caption or choose a clip.", {"caption": "empty"})
    check_caption(caption, platforms)
    for platform in platforms:
        if RULES[platform].media_required and clip is None:
            label = Platform(platform).label
            raise BadInput(f"{label} needs media: choose a clip (clip_id).", {"clip_id": f"required for {platform}"})
    if "options" in data:
        change.options = {}
        for platform, fields in _options(data["options"], platforms).items():
            if "account_id" in fields:
                where = f"options.{platform}.account_id"
                raise BadInput(f"{where}: a series keeps its accounts.", {where: "not editable"})
            _account(series.owner, platform, None, fields)  # a Page or board the platform requires
            change.options[platform] = fields
    if "until" in data or "count" in data:
        until = end_date(data.get("until"), series.start_day, prefix="")
        count = whole_number(data, "count", default=None, most=MAX_COUNT, prefix="")
        if until is not None and count is not None:
            raise BadInput(
                "A series ends on a date (until) or after a number of posts (count), not both.",
                {"until": "conflicts with count", "count": "conflicts with until"},
            )
        change.ends = {"until": until, "count": count}
    if "paused" in data:
        if not isinstance(data["paused"], bool):
            raise BadInput("paused must be true or false.", {"paused": "must be a boolean"})
        change.paused = data["paused"]
    return change
