"""Every HTML page: a login redirect without a session, CSRF on every change, 404 for others' ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from publishing.models import ApiToken, Clip, ImportJob, ScheduledPost, Status

pytestmark = pytest.mark.django_db

PAGES = ["/calendar/", "/calendar/new", "/calendar/new/clips", "/calendar/new/times", "/clips/", "/settings/",
         "/analytics/", "/analytics/instagram/", "/import/", "/import/template.csv"]  # fmt: skip
CHANGES = [
    "/calendar/new",
    "/clips/",
    "/settings/profile",
    "/settings/blotato-key",
    "/settings/blotato-key/remove",
    "/settings/accounts/sync",
    "/settings/tokens",
    "/analytics/instagram/",
    "/calendar/posts/{post}/move",
    "/calendar/posts/{post}/cancel",
    "/calendar/posts/{post}/retry",
    "/calendar/posts/{post}/publish-now",
    "/calendar/posts/{post}/edit",
    "/calendar/posts/{post}/undo-cancel",
    "/settings/tokens/{token}/revoke",
    "/import/check",
    "/import/{job}/commit",
]
OWNED = [
    ("get", "/calendar/posts/{post}/"),
    ("post", "/calendar/posts/{post}/move"),
    ("post", "/calendar/posts/{post}/cancel"),
    ("post", "/calendar/posts/{post}/retry"),
    ("post", "/calendar/posts/{post}/publish-now"),
    ("get", "/calendar/posts/{post}/edit"),
    ("post", "/calendar/posts/{post}/edit"),
    ("get", "/calendar/posts/{post}/duplicate"),
    ("post", "/calendar/posts/{post}/undo-cancel"),
    ("post", "/settings/tokens/{token}/revoke"),
    ("post", "/import/{job}/commit"),
    ("get", "/import/{job}/progress"),
]


@pytest.fixture
def alice_things(alice):
    account = alice.social_accounts.get(platform="twitter")
    when = timezone.now() + timedelta(days=2)
    post = ScheduledPost.objects.create(
        owner=alice, platform="twitter", account=account, caption="x", scheduled_time=when
    )
    token, _ = ApiToken.issue(alice, "alice's")
    job = ImportJob.objects.create(owner=alice, kind="csv", content="caption,platforms,time\nx,twitter,next_slot\n")
    return {"post": post.pk, "token": token.pk, "job": job.pk}


@pytest.mark.parametrize(
    "path", PAGES + ["/calendar/posts/{post}/", "/calendar/posts/{post}/edit", "/calendar/posts/{post}/duplicate"]
)
def test_pages_redirect_to_login_without_a_session(client, alice_things, path):
    response = client.get(path.format(**alice_things))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("path", CHANGES)
def test_changes_redirect_to_login_without_a_session_and_change_nothing(client, alice_things, path):
    response = client.post(path.format(**alice_things), {"timezone": "UTC", "name": "x", "title": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert ScheduledPost.objects.get().status == Status.SCHEDULED
    assert ApiToken.objects.count() == 1 and Clip.objects.count() == 0


@pytest.mark.parametrize("path", CHANGES)
def test_every_change_needs_the_csrf_token(alice, alice_things, path):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    response = strict.post(path.format(**alice_things), {"timezone": "UTC", "name": "x", "title": "x"})
    assert response.status_code == 403
    assert ScheduledPost.objects.get().status == Status.SCHEDULED
    assert ApiToken.objects.count() == 1 and Clip.objects.count() == 0


@pytest.mark.parametrize(("method", "path"), OWNED)
def test_another_users_ids_are_404_on_every_page(client, bob, alice_things, method, path):
    client.force_login(bob)
    response = getattr(client, method)(path.format(**alice_things), {"scheduled_time": "2030-01-01T10:00"})
    assert response.status_code == 404
    post = ScheduledPost.objects.get()
    assert (post.status, post.scheduled_time > datetime(2029, 1, 1, tzinfo=UTC)) == (Status.SCHEDULED, False)
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/a.mp4",
        "https://10.1.2.3/a.mp4",
        "https://[::1]/a.mp4",
        "https://169.254.169.254/latest/meta-data/",
        "https://localhost/a.mp4",
        "https://db.internal/a.mp4",
        "https://127.1/a.mp4",
        "https://0x7f000001/a.mp4",
        "https://intranet/a.mp4",
    ],
)
def test_media_urls_on_private_or_internal_hosts_are_refused(alice_api, url):
    response = alice_api.post("/api/clips", {"title": "x", "media_url": url}, content_type="application/json")
    assert response.status_code == 400
    # Forms without a dot-separated public name fail the URL check itself; the rest the host check.
    assert response.json()["details"]["media_url"] in ("not a public host", "invalid URL")
    assert Clip.objects.count() == 0
