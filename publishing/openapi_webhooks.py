"""The webhook endpoints' part of /api/openapi.json (webhooks_api.py); openapi.py merges it in."""

from __future__ import annotations

from .openapi_parts import COUNT, nullable, object_schema, op, path_item, path_param, record, ref
from .webhooks import EVENTS

UUID = {"type": "string", "format": "uuid"}
URL = {
    "type": "string",
    "format": "uri",
    "maxLength": 2000,
    "description": "https:// (http:// only where the install sets WEBHOOKS_ALLOW_HTTP); no user name or password; "
    "not a private, loopback, link-local or reserved address unless the install sets WEBHOOKS_ALLOW_PRIVATE.",
}
EVENT_LIST = {"type": "array", "items": ref("WebhookEvent"), "minItems": 1, "uniqueItems": True}
WEBHOOK = {
    "id": UUID,
    "url": {"type": "string", "format": "uri"},
    "events": {"type": "array", "items": ref("WebhookEvent")},
    "is_active": {"type": "boolean", "description": "False once switched off (by you, or after repeated failures)."},
    "consecutive_failures": COUNT,
    "disabled_reason": nullable("string"),
    "created_at": {"type": "string", "format": "date-time"},
}

SCHEMAS = {
    "WebhookEvent": {"type": "string", "enum": list(EVENTS)},
    "Webhook": record(WEBHOOK),
    "WebhookCreated": {
        **record({**WEBHOOK, "secret": {"type": "string", "description": "The signing secret; shown only here."}}),
        "description": "The new webhook and its signing secret (docs/webhooks.md shows how to check signatures).",
    },
    "WebhookList": record(
        {
            "webhooks": {"type": "array", "items": ref("Webhook")},
            "count": COUNT,
            "events": {"type": "array", "items": ref("WebhookEvent"), "description": "Every event one can ask for."},
        }
    ),
    "WebhookCreate": object_schema({"url": URL, "events": EVENT_LIST}, required=["url", "events"], closed=True),
    "WebhookChange": {
        **object_schema(
            {
                "url": URL,
                "events": EVENT_LIST,
                "is_active": {
                    "type": "boolean",
                    "description": "true switches it on again and clears its failure count.",
                },
            },
            closed=True,
        ),
        "minProperties": 1,
    },
    "WebhookDeleted": record({"deleted": UUID}),
}

WEBHOOK_ID = path_param("webhook_id", "A Webhook id.", UUID)

PATHS = {
    "/api/publishing/webhooks": path_item(
        "webhooks",
        "Webhooks",
        get=op("listWebhooks", "Your webhooks", (200, "WebhookList")),
        post=op("createWebhook", "Register a URL for post events", (201, "WebhookCreated"), body="WebhookCreate"),
    ),
    "/api/publishing/webhooks/{webhook_id}": path_item(
        "webhooks",
        "One webhook",
        parameters=[WEBHOOK_ID],
        get=op("getWebhook", "One of your webhooks", (200, "Webhook"), "404"),
        patch=op(
            "changeWebhook",
            "Change its URL or events, switch it on or off",
            (200, "Webhook"),
            "404",
            body="WebhookChange",
        ),
        delete=op("deleteWebhook", "Delete it: nothing more is sent", (200, "WebhookDeleted"), "404"),
    ),
}
