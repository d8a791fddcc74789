"""/api/publishing/webhooks: register, read, change, delete; precise 4xx for bad input; only your own."""

from __future__ import annotations

import json

import pytest

from publishing import webhooks
from publishing.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

URL = "/api/publishing/webhooks"


def post(client, body, url=URL):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def patch(client, url, body):
    return client.patch(url, data=json.dumps(body), content_type="application/json")


def test_registering_answers_the_secret_once(alice_api, alice):
    response = post(alice_api, {"url": "https://hooks.example.com/mp", "events": ["post.failed", "post.published"]})
    assert response.status_code == 201
    created = response.json()
    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["post.published", "post.failed"]  # in the documented order
    assert created["is_active"] is True
    endpoint = WebhookEndpoint.objects.get(owner=alice)
    assert endpoint.secret == created["secret"]

    listed = alice_api.get(URL).json()
    assert listed["count"] == 1
    assert "secret" not in listed["webhooks"][0]
    assert listed["events"] == list(webhooks.EVENTS)
    assert "secret" not in alice_api.get(f"{URL}/{endpoint.pk}").json()


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"url": "not a url", "events": ["post.failed"]}, 400, {"url": "invalid"}),
        ({"url": 42, "events": ["post.failed"]}, 400, {"url": "invalid"}),
        ({"url": "ftp://hooks.example.com/", "events": ["post.failed"]}, 400, {"url": "invalid"}),
        ({"url": "http://hooks.example.com/", "events": ["post.failed"]}, 400, {"url": "not_https"}),
        ({"url": "https://user:pw@hooks.example.com/", "events": ["post.failed"]}, 400, {"url": "credentials"}),
        ({"url": "https://hooks.example.com:99999/", "events": ["post.failed"]}, 400, {"url": "invalid"}),
        ({"url": "https://127.0.0.1/hook", "events": ["post.failed"]}, 400, {"url": "private_address"}),
        ({"url": "https://10.0.0.7/hook", "events": ["post.failed"]}, 400, {"url": "private_address"}),
        ({"url": "https://[::1]/hook", "events": ["post.failed"]}, 400, {"url": "private_address"}),
        ({"url": "https://169.254.169.254/", "events": ["post.failed"]}, 400, {"url": "private_address"}),
        ({"url": "https://localhost/hook", "events": ["post.failed"]}, 400, {"url": "private_address"}),
        ({"url": "https://hooks.example.com/", "events": []}, 400, {"events": "invalid"}),
        ({"url": "https://hooks.example.com/", "events": "post.failed"}, 400, {"events": "invalid"}),
        ({"url": "https://h.example.com/", "events": ["post.failed", "post.boom"]}, 400, {"unknown": ["post.boom"]}),
        ({"url": "https://hooks.example.com/"}, 400, {"missing": ["events"]}),
        ({"url": "https://h.example.com/", "events": ["post.failed"], "secret": "mine"}, 400, {"unknown": ["secret"]}),
    ],
)  # fmt: skip
def test_bad_registrations_are_refused_precisely_and_nothing_is_saved(alice_api, body, status, detail):
    response = post(alice_api, body)
    assert response.status_code == status
    assert detail.items() <= response.json()["details"].items()
    assert not WebhookEndpoint.objects.exists()


def test_http_and_private_addresses_are_accepted_where_the_install_allows(alice_api, settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    response = post(alice_api, {"url": "http://127.0.0.1:8000/hook", "events": ["post.failed"]})
    assert response.status_code == 201


def test_malformed_json_is_a_400(alice_api):
    response = alice_api.post(URL, data="{", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"].startswith("Malformed JSON")


def test_changing_events_url_and_switching_on_and_off(alice_api):
    created = post(alice_api, {"url": "https://hooks.example.com/mp", "events": ["post.failed"]}).json()
    one = f"{URL}/{created['id']}"
    changed = patch(alice_api, one, {"events": ["post.missed"], "url": "https://other.example.com/x"})
    assert changed.status_code == 200
    assert changed.json()["events"] == ["post.missed"]
    assert changed.json()["url"] == "https://other.example.com/x"
    off = patch(alice_api, one, {"is_active": False}).json()
    assert (off["is_active"], off["disabled_reason"]) == (False, "Switched off by you.")
    WebhookEndpoint.objects.filter(pk=created["id"]).update(consecutive_failures=7)
    on = patch(alice_api, one, {"is_active": True}).json()
    assert (on["is_active"], on["consecutive_failures"], on["disabled_reason"]) == (True, 0, None)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({}, {"allowed": ["events", "is_active", "url"]}),
        ({"is_active": "yes"}, {"is_active": "invalid"}),
        ({"events": ["post.nope"]}, {"unknown": ["post.nope"]}),
        ({"url": "https://192.168.0.1/"}, {"url": "private_address"}),
        ({"owner": 3}, {"unknown": ["owner"]}),
    ],
)
def test_bad_changes_are_refused_and_change_nothing(alice_api, body, detail):
    created = post(alice_api, {"url": "https://hooks.example.com/mp", "events": ["post.failed"]}).json()
    response = patch(alice_api, f"{URL}/{created['id']}", body)
    assert response.status_code == 400
    assert detail.items() <= response.json()["details"].items()
    assert alice_api.get(f"{URL}/{created['id']}").json() == {k: v for k, v in created.items() if k != "secret"}


def test_other_users_webhooks_are_404_and_untouched(alice_api, bob_api):
    created = post(alice_api, {"url": "https://hooks.example.com/mp", "events": ["post.failed"]}).json()
    one = f"{URL}/{created['id']}"
    assert bob_api.get(one).status_code == 404
    assert patch(bob_api, one, {"is_active": False}).status_code == 404
    assert bob_api.delete(one).status_code == 404
    assert bob_api.get(URL).json()["count"] == 0
    assert alice_api.get(one).json()["is_active"] is True


@pytest.mark.parametrize("webhook_id", ["nope", "12", "00000000-0000-0000-0000-000000000000"])
def test_unknown_or_malformed_ids_are_404(alice_api, webhook_id):
    response = alice_api.get(f"{URL}/{webhook_id}")
    assert response.status_code == 404
    assert response.json()["error"] == "No webhook with that id."


def test_deleting(alice_api):
    created = post(alice_api, {"url": "https://hooks.example.com/mp", "events": ["post.failed"]}).json()
    assert alice_api.delete(f"{URL}/{created['id']}").json() == {"deleted": created["id"]}
    assert not WebhookEndpoint.objects.exists()


def test_at_most_twenty_per_user(alice_api):
    for n in range(webhooks.MAX_ENDPOINTS):
        assert post(alice_api, {"url": f"https://hooks.example.com/{n}", "events": ["post.failed"]}).status_code == 201
    response = post(alice_api, {"url": "https://hooks.example.com/more", "events": ["post.failed"]})
    assert response.status_code == 400
    assert response.json()["details"] == {"url": "too_many"}


def test_without_login_is_401(client):
    assert client.get(URL).status_code == 401
