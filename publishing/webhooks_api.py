"""The JSON API for webhooks: /api/publishing/webhooks (list, register) and /{id} (read, change, delete)."""

from __future__ import annotations

import uuid

from django.http import Http404, JsonResponse

from . import webhooks
from .api_support import api_endpoint
from .bad_input import BadInput
from .json_body import read_json, refuse_unknown_fields
from .models import WebhookEndpoint
from .timeparse import iso_utc

CREATE_FIELDS = {"url", "events"}
CHANGE_FIELDS = {"url", "events", "is_active"}


def webhook_json(endpoint: WebhookEndpoint) -> dict:
    return {
        "id": str(endpoint.pk),
        "url": endpoint.url,
        "events": endpoint.events,
        "is_active": endpoint.is_active,
        "consecutive_failures": endpoint.consecutive_failures,
        "disabled_reason": endpoint.disabled_reason or None,
        "created_at": iso_utc(endpoint.created_at),
    }


def _owned(request, webhook_id: str) -> WebhookEndpoint:
    """The user's endpoint, or the same 404 whether it is missing, malformed or someone else's."""
    try:
        pk = uuid.UUID(webhook_id)
    except ValueError:
        raise Http404("No webhook with that id.") from None
    endpoint = WebhookEndpoint.objects.owned_by(request.user).defer("secret").filter(pk=pk).first()
    if endpoint is None:
        raise Http404("No webhook with that id.")
    return endpoint


@api_endpoint("GET", "POST")
def webhook_list(request):
    if request.method == "POST":
        data = read_json(request)
        refuse_unknown_fields(data, CREATE_FIELDS)
        missing = sorted(CREATE_FIELDS - set(data))
        if missing:
            raise BadInput(f"Missing field(s): {', '.join(missing)}.", {"missing": missing})
        url, events = webhooks.check_url(data["url"]), webhooks.check_events(data["events"])
        endpoint, secret = webhooks.register(request.user, url, events)
        return JsonResponse({**webhook_json(endpoint), "secret": secret}, status=201)
    items = [webhook_json(e) for e in WebhookEndpoint.objects.owned_by(request.user).defer("secret")]
    return JsonResponse({"webhooks": items, "count": len(items), "events": list(webhooks.EVENTS)})


@api_endpoint("GET", "PATCH", "DELETE")
def webhook_detail(request, webhook_id: str):
    endpoint = _owned(request, webhook_id)
    if request.method == "DELETE":
        endpoint.delete()
        return JsonResponse({"deleted": webhook_id})
    if request.method == "PATCH":
        data = read_json(request)
        refuse_unknown_fields(data, CHANGE_FIELDS)
        if not data:
            raise BadInput("Send at least one of: events, is_active, url.", {"allowed": sorted(CHANGE_FIELDS)})
        changes = {}
        if "url" in data:
            changes["url"] = webhooks.check_url(data["url"])
        if "events" in data:
            changes["events"] = webhooks.check_events(data["events"])
        if "is_active" in data and not isinstance(data["is_active"], bool):
            raise BadInput("is_active must be true or false.", {"is_active": "invalid"})
        if changes:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(**changes)
        if data.get("is_active") is True:
            webhooks.switch_on(endpoint)
        elif data.get("is_active") is False:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
                is_active=False, disabled_reason="Switched off by you."
            )
        endpoint.refresh_from_db()
    return JsonResponse(webhook_json(endpoint))
