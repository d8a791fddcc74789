"""The analytics part of /api/openapi.json: optimal posting times and the metrics import."""

from __future__ import annotations

from publishing.openapi_parts import (
    COUNT,
    json_content,
    op,
    path_item,
    path_param,
    query_param,
    record,
    ref,
    response_ref,
)

HOUR_LIST = {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 23}}
DAY_LIST = {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 6}, "description": "0 = Monday"}
SCORES = {"type": "number", "minimum": 0, "maximum": 100}
SOURCE = {"type": "string", "enum": ["default", "blended", "historical"]}
SLOT = {"time": {"type": "string", "format": "date-time"}, "local_time": {"type": "string"}, "score": SCORES}
METRIC_ROW = {
    "type": "object",
    "description": "posted_at with an offset is that instant; without one, your local time.",
    "properties": {
        "platform": ref("PlatformName"),
        "posted_at": {"type": "string"},
        **{name: {"type": ["integer", "string"]} for name in ("views", "likes", "comments", "shares", "saves")},
        "followers": {"type": ["integer", "string", "null"]},
        "post_url": {"type": ["string", "null"]},
    },
    "required": ["platform", "posted_at", "views", "likes", "comments", "shares", "saves"],
}

SCHEMAS = {
    "PlatformTimes": record(
        {
            "platform": ref("Platform"),
            "timezone": {"type": "string"},
            "best_hours": HOUR_LIST,
            "best_days": DAY_LIST,
            "hour_scores": {"type": "array", "items": SCORES, "minItems": 24, "maxItems": 24},
            "day_scores": {"type": "array", "items": SCORES, "minItems": 7, "maxItems": 7},
            "sample_size": COUNT,
            "source": SOURCE,
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "window_days": {"type": "integer"},
        }
    ),
    "RecommendRequest": {
        "type": "object",
        "properties": {
            "platform": ref("PlatformName"),
            "preferred_date": {"type": "string", "description": "A date in your zone, or a datetime (its date part)."},
        },
        "required": ["platform", "preferred_date"],
        "additionalProperties": False,
    },
    "Recommendation": record(
        {
            "platform": ref("Platform"),
            "recommended_time": {"type": "string", "format": "date-time"},
            "local_time": {"type": "string"},
            "score": SCORES,
            "alternatives": {"type": "array", "items": record(SLOT)},
            "source": SOURCE,
        }
    ),
    "MetricsUpload": {
        "type": "object",
        "properties": {"metrics": {"type": "array", "items": METRIC_ROW}},
        "required": ["metrics"],
        "additionalProperties": False,
    },
    "MetricsImported": record({"imported": COUNT, "updated": COUNT, "already_harvested": COUNT}),
    "MetricsDeleted": record({"deleted": COUNT}),
}

RESPONSES = {
    "UnsupportedType": json_content(ref("Error"), 'Send text/csv, or application/json with {"metrics": [...]}.')
}

PLATFORM = path_param("platform", "A platform; an unknown one is a 404 listing the platforms.")


def _metrics_post() -> dict:
    operation = op(
        "importMetrics",
        "Import post metrics (all rows or none; re-importing updates)",
        (200, "MetricsImported"),
        body="MetricsUpload",
    )
    operation["requestBody"]["content"]["text/csv"] = {"schema": {"type": "string"}}
    operation["responses"]["415"] = response_ref("UnsupportedType")
    return operation


PATHS = {
    "/api/optimal-posting-times/platform/{platform}": path_item(
        "analytics",
        "Best times on a platform",
        parameters=[PLATFORM],
        get=op("platformTimes", "Best hours and days from your last 90 days", (200, "PlatformTimes"), "404"),
    ),
    "/api/optimal-posting-times/recommend": path_item(
        "analytics",
        "A time for a date",
        post=op(
            "recommendTime",
            "The best free hour on a date in your zone",
            (200, "Recommendation"),
            "404",
            "409",
            body="RecommendRequest",
        ),
    ),
    "/api/analytics/metrics": path_item(
        "analytics",
        "Your post metrics",
        post=_metrics_post(),
        delete=op(
            "deleteMetrics",
            "Delete your metrics (of one platform)",
            (200, "MetricsDeleted"),
            "404",
            query=[query_param("platform", "Only this platform's rows.")],
        ),
    ),
}
