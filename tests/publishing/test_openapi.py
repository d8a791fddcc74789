"""The OpenAPI document: valid 3.1, complete, and true to what the API really sends."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from analytics import api_urls as analytics_api_urls
from publishing import api_urls
from publishing.models import Status
from publishing.platforms import Platform

pytestmark = pytest.mark.django_db

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

# What each view's api_endpoint(...) allows in publishing/api.py (openapi.json: GET only).
ALLOWED = {
    "/api/publishing/schedule": {"post"},
    "/api/publishing/calendar": {"get"},
    "/api/publishing/calendar/{post_id}": {"get", "patch", "delete"},
    "/api/publishing/calendar/{post_id}/retry": {"post"},
    "/api/publishing/calendar/{post_id}/review": {"post"},
    "/api/publishing/webhooks": {"get", "post"},
    "/api/publishing/webhooks/{webhook_id}": {"get", "patch", "delete"},
    "/api/publishing/calendar/{post_id}/undo-cancel": {"post"},
    "/api/publishing/series": {"get"},
    "/api/publishing/series/{series_id}": {"get", "patch", "delete"},
    "/api/clips": {"get", "post"},
    "/api/clips/{clip_id}/file": {"get"},
    "/api/clips/{clip_id}/thumbnail.jpg": {"get"},
    "/api/accounts": {"get"},
    "/api/accounts/sync": {"post"},
    "/api/publishing/accounts/{account_id}/slots": {"get", "put"},
    "/api/publishing/accounts/{account_id}/queue": {"get", "put"},
    "/api/publishing/accounts/{account_id}/queue/shuffle": {"post"},
    "/api/publishing/imports": {"post"},
    "/api/me": {"get", "patch"},
    "/api/openapi.json": {"get"},
    "/api/optimal-posting-times/platform/{platform}": {"get"},
    "/api/optimal-posting-times/recommend": {"post"},
    "/api/analytics/metrics": {"post", "delete"},
}


@pytest.fixture
def document(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def openapi_path(route: str) -> str:
    """A Django route like `calendar/<str:post_id>` as OpenAPI writes it: `/api/calendar/{post_id}`."""
    return "/api/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def conforms(document: dict, schema_name: str, instance: object) -> list[str]:
    """Why `instance` does not match components.schemas[schema_name] (empty when it does)."""
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]}
    return [error.message for error in OAS31Validator(schema).iter_errors(instance)]


def send(client: Client, method: str, url: str, body: dict | None = None):
    data = json.dumps(body) if body is not None else ""
    return getattr(client, method)(url, data=data, content_type="application/json")


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate(document, cls=OpenAPIV31SpecValidator)


def test_the_document_needs_no_login_and_other_methods_get_a_json_405():
    browser = Client(enforce_csrf_checks=True)
    assert browser.get("/api/openapi.json").status_code == 200
    response = browser.post("/api/openapi.json")
    assert response.status_code == 405
    assert response.json()["details"] == {"allowed": ["GET"]}


def test_every_api_url_is_documented_and_nothing_else(document):
    patterns = api_urls.urlpatterns + analytics_api_urls.urlpatterns
    routes = {openapi_path(str(pattern.pattern)) for pattern in patterns}
    assert routes == set(document["paths"])
    assert routes == set(ALLOWED)


def test_every_allowed_method_is_documented(document):
    for path, methods in ALLOWED.items():
        assert set(document["paths"][path]) & HTTP_METHODS == methods, path


def test_the_methods_listed_here_are_the_ones_the_views_allow(client):
    """Keeps ALLOWED honest: every other method is refused with the allowed ones in the details."""
    for path, methods in ALLOWED.items():
        url = path.replace("{post_id}", str(uuid.uuid4())).replace("{platform}", "instagram")
        url = url.replace("{series_id}", str(uuid.uuid4()))
        url = url.replace("{clip_id}", str(uuid.uuid4()))
        for method in sorted({"get", "post", "put", "patch", "delete"} - methods):
            response = client.generic(method.upper(), url)
            assert response.status_code == 405, (method, path)
            assert {m.lower() for m in response.json()["details"]["allowed"]} == methods, (method, path)


def test_platform_and_status_enums_come_from_the_code(document):
    schemas = document["components"]["schemas"]
    assert schemas["Platform"]["enum"] == Platform.values
    assert schemas["PlatformName"]["enum"] == Platform.values + ["x"]
    assert schemas["Status"]["enum"] == Status.values
    assert set(schemas["ScheduleOptions"]["properties"]) == set(Platform.values) | {"x"}


def test_what_the_api_accepts_and_answers_matches_the_schemas(document, alice_api, alice_clip):
    day = (timezone.now() + timedelta(days=10)).date()
    request = {
        "platforms": ["tiktok", "x"],
        "clip_id": str(alice_clip.pk),
        "caption": "Documented!",
        "scheduled_time": f"{day}T10:00:00",
        "options": {"tiktok": {"privacyLevel": "SELF_ONLY", "account_id": "1006"}},
    }
    assert conforms(document, "ScheduleRequest", request) == []
    scheduled = send(alice_api, "post", "/api/publishing/schedule", request)
    assert scheduled.status_code == 201, scheduled.json()
    assert conforms(document, "ScheduleResult", scheduled.json()) == []

    calendar = alice_api.get(f"/api/publishing/calendar?start_date={day}&end_date={day}&platform=x,tiktok")
    assert calendar.json()["count"] == 2
    assert conforms(document, "Calendar", calendar.json()) == []

    new_clip = {"title": "Sunset", "media_url": "https://cdn.example.com/sunset.mp4", "duration_s": 12.5}
    assert conforms(document, "ClipCreate", new_clip) == []
    assert conforms(document, "Clip", send(alice_api, "post", "/api/clips", new_clip).json()) == []
    assert conforms(document, "ClipList", alice_api.get("/api/clips?q=sun").json()) == []
    assert conforms(document, "AccountList", alice_api.get("/api/accounts").json()) == []
    assert conforms(document, "Me", send(alice_api, "patch", "/api/me", {"late_grace_minutes": 45}).json()) == []

    refused = send(alice_api, "post", "/api/publishing/schedule", {"platforms": ["myspace"]})
    assert refused.status_code == 400
    assert conforms(document, "Error", refused.json()) == []


def test_the_schemas_refuse_what_the_api_refuses(document):
    assert conforms(document, "ScheduleRequest", {"platforms": ["twitter"], "caption": "no time"}) != []
    assert conforms(document, "ScheduleRequest", {"platforms": [], "publish_now": True}) != []
    assert conforms(document, "ScheduleRequest", {"platforms": ["twitter"], "publish_now": True, "extra": 1}) != []
    bad_option = {"platforms": ["tiktok"], "publish_now": True, "options": {"tiktok": {"privacyLevel": "FRIENDS"}}}
    assert conforms(document, "ScheduleRequest", bad_option) != []
    assert conforms(document, "PostEdit", {}) != []
    assert conforms(document, "MeUpdate", {"late_grace_minutes": 0}) != []
    assert conforms(document, "ClipCreate", {"title": "x", "media_url": "http://insecure.example.com/a.mp4"}) != []


def test_the_webhook_answers_match_their_schemas(document, alice_api):
    request = {"url": "https://hooks.example.com/mp", "events": ["post.failed", "post.published"]}
    assert conforms(document, "WebhookCreate", request) == []
    created = send(alice_api, "post", "/api/publishing/webhooks", request)
    assert created.status_code == 201
    assert conforms(document, "WebhookCreated", created.json()) == []
    one = f"/api/publishing/webhooks/{created.json()['id']}"
    assert conforms(document, "Webhook", alice_api.get(one).json()) == []
    assert conforms(document, "WebhookList", alice_api.get("/api/publishing/webhooks").json()) == []
    changed = send(alice_api, "patch", one, {"is_active": False})
    assert conforms(document, "Webhook", changed.json()) == []
    assert conforms(document, "WebhookDeleted", alice_api.delete(one).json()) == []
    assert conforms(document, "WebhookCreate", {"url": "https://h.example.com/", "events": ["post.boom"]}) != []
    assert conforms(document, "WebhookChange", {}) != []


def test_the_series_answers_match_their_schemas(document, alice_api):
    day = (timezone.now() + timedelta(days=3)).date()
    request = {
        "platforms": ["twitter"],
        "caption": "Every week",
        "scheduled_time": f"{day}T10:00:00",
        "repeat": {"frequency": "weekly", "weekdays": [0, 4], "count": 6},
    }
    assert conforms(document, "ScheduleRequest", request) == []
    created = send(alice_api, "post", "/api/publishing/schedule", request)
    assert created.status_code == 201, created.json()
    assert conforms(document, "ScheduleResult", created.json()) == []
    one = f"/api/publishing/series/{created.json()['series_id']}"
    assert conforms(document, "Series", alice_api.get(one).json()) == []
    assert conforms(document, "SeriesList", alice_api.get("/api/publishing/series").json()) == []
    assert conforms(document, "SeriesEdit", {"caption": "Changed", "until": None, "count": 3}) == []
    assert conforms(document, "Series", send(alice_api, "patch", one, {"caption": "Changed", "count": 3}).json()) == []
    assert conforms(document, "Series", alice_api.delete(one).json()) == []
    assert conforms(document, "Repeat", {"frequency": "weekly", "weekdays": [7]}) != []
    assert conforms(document, "Repeat", {"frequency": "daily", "every": 2}) != []
    assert conforms(document, "SeriesEdit", {}) != []
