"""The zones offered: real places only; the first-login offer of the browser's zone."""

from __future__ import annotations

from zoneinfo import available_timezones

import pytest

from publishing.models import Profile
from publishing.zones import UnknownZone, offered_zone, offered_zones

pytestmark = pytest.mark.django_db


def test_only_real_places_and_utc_are_offered():
    offered = set(offered_zones())
    assert {"Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC"} <= offered
    assert offered <= available_timezones()
    for name in ["localtime", "Factory", "posixrules", "Etc/GMT+5", "US/Eastern", "Asia/Calcutta", "EST5EDT", "GB"]:
        assert name not in offered


@pytest.mark.parametrize("alias, current", [("Asia/Calcutta", "Asia/Kolkata"), ("Europe/Kiev", "Europe/Kyiv")])
def test_a_legacy_name_a_browser_reports_means_its_current_zone(alias, current):
    assert offered_zone(alias) == current


@pytest.mark.parametrize("name", ["Factory", "localtime", "Mars/Olympus", "", "Europe/Paris\x00"])
def test_anything_else_is_refused_with_the_name_and_what_to_do(name):
    with pytest.raises(UnknownZone, match="is not a time zone we offer: pick a place from the list"):
        offered_zone(name)


def fresh(username, django_user_model):
    user = django_user_model.objects.create_user(username, password="pw-123-456-789")
    return Profile.objects.get_or_create(user=user)[0]


def test_the_offer_is_on_the_page_until_answered(client, django_user_model):
    profile = fresh("newcomer", django_user_model)
    client.force_login(profile.user)
    assert 'id="zone-offer"' in client.get("/settings/").content.decode()
    response = client.post("/settings/zone-offer", {"answer": "accept", "zone": "Asia/Calcutta", "next": "/clips/"})
    assert response.status_code == 302 and response["Location"] == "/clips/"
    profile.refresh_from_db()
    assert (profile.timezone, profile.zone_offer_answered) == ("Asia/Kolkata", True)
    assert 'id="zone-offer"' not in client.get("/settings/").content.decode()


def test_dismissing_keeps_the_zone_and_ends_the_offer(client, django_user_model):
    profile = fresh("newcomer", django_user_model)
    client.force_login(profile.user)
    response = client.post(
        "/settings/zone-offer", {"answer": "dismiss", "zone": "Asia/Tokyo", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/calendar/"  # never sent off to another site
    profile.refresh_from_db()
    assert (profile.timezone, profile.zone_offer_answered) == ("UTC", True)


def test_a_zone_we_do_not_offer_changes_nothing(client, django_user_model):
    profile = fresh("newcomer", django_user_model)
    client.force_login(profile.user)
    page = client.post("/settings/zone-offer", {"answer": "accept", "zone": "Factory"}, follow=True).content.decode()
    assert "&#x27;Factory&#x27; is not a time zone we offer" in page
    profile.refresh_from_db()
    assert (profile.timezone, profile.zone_offer_answered) == ("UTC", False)


def test_a_user_who_chose_a_zone_is_not_offered_one(client, alice):
    client.force_login(alice)  # Europe/Paris, chosen before
    assert 'id="zone-offer"' not in client.get("/settings/").content.decode()


def test_saving_a_zone_in_settings_answers_the_offer(client, django_user_model):
    profile = fresh("newcomer", django_user_model)
    client.force_login(profile.user)
    client.post("/settings/profile", {"timezone": "Europe/Berlin", "late_grace_minutes": "30"})
    profile.refresh_from_db()
    assert (profile.timezone, profile.zone_offer_answered) == ("Europe/Berlin", True)


def test_a_legacy_zone_saved_before_can_be_kept(client, django_user_model):
    profile = fresh("oldtimer", django_user_model)
    Profile.objects.filter(pk=profile.pk).update(timezone="US/Eastern")
    client.force_login(profile.user)
    response = client.post("/settings/profile", {"timezone": "US/Eastern", "late_grace_minutes": "20"})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.timezone, profile.late_grace_minutes) == ("US/Eastern", 20)
