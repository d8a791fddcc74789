"""The settings page: zone and grace period, the write-only Blotato key, accounts, API tokens."""

from __future__ import annotations

import json

import pytest
from django.contrib.sessions.models import Session
from django.db import connection

from publishing.models import ApiToken, Profile, SocialAccount

pytestmark = pytest.mark.django_db

NEW_KEY = "blt_new_key_for_alice_9876"


def test_the_page_shows_each_section(browser, alice):
    page = browser.get("/settings/").content.decode()
    for heading in ["Time zone and late posts", "Blotato API key", "Connected accounts", "API tokens"]:
        assert heading in page
    assert 'name="timezone" value="Europe/Paris"' in page
    assert '<option value="Asia/Tokyo">' in page  # the searchable list of zones
    assert "@demo_tiktok" in page


def test_saving_the_zone_and_grace_period(browser, alice):
    response = browser.post("/settings/profile", {"timezone": "Asia/Tokyo", "late_grace_minutes": "45"})
    assert response.status_code == 302
    profile = Profile.objects.get(user=alice)
    assert (profile.timezone, profile.late_grace_minutes) == ("Asia/Tokyo", 45)


@pytest.mark.parametrize(
    "fields, message",
    [
        (
            {"timezone": "Mars/Olympus", "late_grace_minutes": "30"},
            "Mars/Olympus&#x27; is not a time zone we offer",
        ),
        ({"timezone": "localtime", "late_grace_minutes": "30"}, "&#x27;localtime&#x27; is not a time zone we offer"),
        ({"timezone": "Factory", "late_grace_minutes": "30"}, "pick a place from the list"),
        ({"timezone": "UTC", "late_grace_minutes": "0"}, "greater than or equal to 1"),
        ({"timezone": "UTC", "late_grace_minutes": "99999"}, "less than or equal to 1440"),
        ({"timezone": "UTC", "late_grace_minutes": "soon"}, "Enter a whole number."),
    ],
)
def test_bad_profile_values_are_refused_and_nothing_changes(browser, alice, fields, message):
    response = browser.post("/settings/profile", fields)
    assert response.status_code == 422
    assert message in response.content.decode()
    profile = Profile.objects.get(user=alice)
    assert (profile.timezone, profile.late_grace_minutes) == ("Europe/Paris", 30)


def test_a_key_blotato_accepts_is_saved_encrypted_and_never_shown(browser, alice, fake_blotato):
    fake_blotato.add_sandbox_key(NEW_KEY)
    response = browser.post("/settings/blotato-key", {"api_key": f"  {NEW_KEY} "}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Key checked and saved: Blotato lists 9 connected account(s)." in page
    assert "Accounts synced: 9 connected." in page
    assert NEW_KEY not in page
    assert "••••9876" in page
    assert Profile.objects.get(user=alice).blotato_api_key == NEW_KEY
    with connection.cursor() as cursor:
        cursor.execute("SELECT blotato_api_key FROM publishing_profile WHERE user_id = %s", [alice.pk])
        stored = cursor.fetchone()[0]
    assert NEW_KEY not in stored and stored


def test_a_key_blotato_refuses_is_not_saved(browser, alice, fake_blotato):
    response = browser.post("/settings/blotato-key", {"api_key": "blt_wrong_key_000000"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Blotato refused this key" in page and "Nothing was saved." in page
    assert "blt_wrong_key_000000" not in page  # the password field does not echo it
    assert Profile.objects.get(user=alice).blotato_api_key == ""


def test_a_key_that_cannot_be_checked_is_not_saved(browser, alice, fake_blotato, settings):
    settings.BLOTATO_API_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    response = browser.post("/settings/blotato-key", {"api_key": NEW_KEY})
    assert response.status_code == 422
    assert "Could not reach Blotato to check the key" in response.content.decode()
    assert Profile.objects.get(user=alice).blotato_api_key == ""


@pytest.mark.parametrize("key", ["", "two words", "ключ"])
def test_a_malformed_key_is_refused_without_calling_blotato(browser, alice, fake_blotato, key):
    response = browser.post("/settings/blotato-key", {"api_key": key})
    assert response.status_code == 422
    assert fake_blotato.requests() == []


def test_removing_the_key(browser, alice, fake_blotato):
    Profile.objects.filter(user=alice).update(blotato_api_key=NEW_KEY)
    assert browser.post("/settings/blotato-key/remove").status_code == 302
    assert Profile.objects.get(user=alice).blotato_api_key == ""


def test_the_sync_button_mirrors_blotatos_accounts(browser, alice, fake_blotato):
    SocialAccount.objects.filter(owner=alice, platform="bluesky").update(blotato_account_id="gone")
    page = browser.post("/settings/accounts/sync", follow=True).content.decode()
    assert "Accounts synced: 9 connected." in page
    assert SocialAccount.objects.get(owner=alice, blotato_account_id="gone").is_active is False


def test_a_sync_blotato_refuses_says_so(browser, alice, fake_blotato, settings):
    settings.BLOTATO_API_KEY = "blt_unknown_key_111"
    page = browser.post("/settings/accounts/sync", follow=True).content.decode()
    assert "Blotato refused the key while syncing accounts" in page


def test_a_new_token_is_shown_once_and_works(browser, alice, client):
    page = browser.post("/settings/tokens", {"name": "Zapier"}, follow=True).content.decode()
    secret = page.split('<code class="token">')[1].split("</code>")[0]
    assert secret.startswith("mp_")
    token = ApiToken.objects.get(user=alice, name="Zapier")
    assert token.token_hash == ApiToken.hash(secret)
    assert secret not in browser.get("/settings/").content.decode()
    api = client.__class__(headers={"Authorization": f"Bearer {secret}"})
    assert api.get("/api/me").status_code == 200


def session_rows_holding(secret: str) -> list[str]:
    return [s.session_key for s in Session.objects.all() if secret in json.dumps(s.get_decoded()) + s.session_data]


def test_a_new_token_never_reaches_the_session_store(browser, alice):
    response = browser.post("/settings/tokens", {"name": "Zapier"})
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    secret = response.content.decode().split('<code class="token">')[1].split("</code>")[0]
    assert session_rows_holding(secret) == []
    assert secret not in browser.get("/settings/").content.decode()
    assert session_rows_holding(secret) == []


def test_revoking_a_token_stops_it(browser, alice, client):
    token, secret = ApiToken.issue(alice, "old")
    assert browser.post(f"/settings/tokens/{token.pk}/revoke").status_code == 302
    api = client.__class__(headers={"Authorization": f"Bearer {secret}"})
    assert api.get("/api/me").status_code == 401


def test_another_users_token_cannot_be_revoked(browser, bob):
    token, _ = ApiToken.issue(bob, "bob's")
    assert browser.post(f"/settings/tokens/{token.pk}/revoke").status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_a_token_name_is_required(browser, alice):
    response = browser.post("/settings/tokens", {"name": ""})
    assert response.status_code == 422
    assert not ApiToken.objects.filter(user=alice).exists()


def test_settings_require_login_and_csrf(client, alice):
    assert client.get("/settings/").status_code == 302
    assert client.post("/settings/profile", {}).status_code == 302
    strict = client.__class__(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.post("/settings/profile", {"timezone": "UTC", "late_grace_minutes": "5"}).status_code == 403
    assert strict.post("/settings/tokens", {"name": "x"}).status_code == 403
