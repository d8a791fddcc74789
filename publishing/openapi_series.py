"""The recurring posts' part of /api/openapi.json (series_api.py, and `repeat` in a schedule
request); openapi.py merges it in."""

from __future__ import annotations

from .openapi_parts import COUNT, nullable, object_schema, op, path_item, path_param, record, ref
from .recurrence import FREQUENCIES
from .repeat_input import MAX_COUNT, MAX_INTERVAL, MAX_UNTIL_YEARS

UUID = {"type": "string", "format": "uuid"}
INSTANT = {"type": "string", "format": "date-time"}
WEEKDAYS = {
    "type": "array",
    "items": {"type": "integer", "minimum": 0, "maximum": 6},
    "minItems": 1,
    "uniqueItems": True,
    "description": "0 = Monday ... 6 = Sunday, in your zone. Weekly only; default: the first post's weekday.",
}
UNTIL = {
    "type": "string",
    "format": "date",
    "description": f"The last day (inclusive, your zone), on or after the first post's, at most {MAX_UNTIL_YEARS} "
    "years on. Not with count.",
}
COUNT_OF_POSTS = {
    "type": "integer",
    "minimum": 1,
    "maximum": MAX_COUNT,
    "description": "How many occurrences in all (those skipped count too). Not with until.",
}

SCHEMAS = {
    "Repeat": {
        **object_schema(
            {
                "frequency": {"type": "string", "enum": list(FREQUENCIES)},
                "interval": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_INTERVAL,
                    "default": 1,
                    "description": "Every N days, weeks or months.",
                },
                "weekdays": WEEKDAYS,
                "until": UNTIL,
                "count": COUNT_OF_POSTS,
            },
            required=["frequency"],
            closed=True,
        ),
        "description": "Makes the request a recurring post (a series) whose first occurrence is scheduled_time (a "
        "time, not next_slot; not with publish_now or a draft). Each occurrence is computed from the first, in your "
        "zone at the same wall-clock time (DST gaps move forward, overlaps take the first); monthly on the 29th-31st "
        "falls on a shorter month's last day. Occurrences are created ahead for a horizon (14 days by default); "
        "one whose time has passed is never created. Without until or count the series runs until ended. A bad "
        "field is a 400 naming it, e.g. details {'repeat.weekdays[1]': 'not a weekday'}.",
    },
    "SeriesOccurrence": record(
        {
            "post_id": UUID,
            "occurrence": {**COUNT, "description": "0 is the first occurrence."},
            "platform": ref("Platform"),
            "scheduled_time": INSTANT,
            "status": ref("Status"),
            "edited_alone": {"type": "boolean", "description": "Edited by itself: series edits pass it by."},
        }
    ),
    "SeriesSkip": record(
        {
            "first_index": COUNT,
            "last_index": COUNT,
            "first_time": INSTANT,
            "last_time": INSTANT,
            "platform": nullable("string", description="Null: every platform of the series."),
            "reason": {"type": "string"},
        }
    ),
    "Series": record(
        {
            "id": UUID,
            "caption": {"type": "string"},
            "clip_id": nullable("string", format="uuid"),
            "platforms": {"type": "array", "items": ref("Platform")},
            "options": {"type": "object", "description": "Each platform's options, as in a schedule request."},
            "repeat": record(
                {
                    "frequency": {"type": "string", "enum": list(FREQUENCIES)},
                    "interval": {"type": "integer", "minimum": 1},
                    "weekdays": {"type": ["array", "null"], "items": {"type": "integer"}},
                    "until": nullable("string", format="date"),
                    "count": nullable("integer"),
                }
            ),
            "description": {"type": "string", "examples": ["every week on Mon, Thu at 09:00"]},
            "start": {**INSTANT, "description": "The first occurrence's instant."},
            "timezone": {"type": "string", "description": "The zone the rule is read in (yours when it began)."},
            "paused": {"type": "boolean"},
            "ended_at": nullable("string", format="date-time"),
            "next_occurrence": nullable("string", format="date-time"),
            "occurrences_created": COUNT,
            "skipped": {"type": "array", "items": ref("SeriesSkip")},
            "upcoming": {"type": "array", "items": ref("SeriesOccurrence")},
            "created_at": INSTANT,
            "updated_at": INSTANT,
        }
    ),
    "SeriesList": record({"series": {"type": "array", "items": ref("Series")}, "count": COUNT}),
    "SeriesEdit": {
        **object_schema(
            {
                "caption": {"type": "string"},
                "clip_id": nullable("string", format="uuid"),
                "options": {"type": "object", "description": "Per platform of the series; its account stays."},
                "until": {**UNTIL, "type": ["string", "null"]},
                "count": {**COUNT_OF_POSTS, "type": ["integer", "null"]},
                "paused": {
                    "type": "boolean",
                    "description": "Paused, nothing new is created; resumed, it goes on from the next future "
                    "occurrence (the ones passed meanwhile are skipped, never sent late).",
                },
            },
            closed=True,
        ),
        "minProperties": 1,
        "description": "Changes the series and its future occurrences still scheduled, except those edited alone. "
        "Giving until or count replaces the end (both null: no end); a shorter end cancels the occurrences beyond "
        "it. The rule (frequency, interval, weekdays, time) cannot change: a 400 naming it. 409 once ended.",
    },
}

SERIES_ID = path_param("series_id", "A Series id.", UUID)

PATHS = {
    "/api/publishing/series": path_item(
        "series",
        "Recurring posts",
        get=op("listSeries", "Your series, newest first", (200, "SeriesList")),
    ),
    "/api/publishing/series/{series_id}": path_item(
        "series",
        "One recurring post",
        parameters=[SERIES_ID],
        get=op("getSeries", "One of your series, with its upcoming occurrences", (200, "Series"), "404"),
        patch=op(
            "editSeries",
            "Edit, pause or resume a series",
            (200, "Series"),
            "400",
            "404",
            "409",
            body="SeriesEdit",
        ),
        delete=op(
            "endSeries",
            "End a series: its future occurrences are cancelled, its past posts stay",
            (200, "Series"),
            "404",
        ),
    ),
}
