"""Reading posts through the API: one JSON shape everywhere, conditional calendar reads, token bookkeeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from hashlib import md5

import pytest
import time_machine
from django.core.cache import caches
from django.db.models import F
from django.test import Client, override_settings

from publishing import transitions
from publishing.models import ApiToken, ScheduledPost, SocialAccount, Status
from publishing.timeparse import iso_utc

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 12, 0, 0, 654321, tzinfo=UTC)
DECEMBER = "/api/publishing/calendar?start_date=2026-12-01&end_date=2026-12-31"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def expected_json(post: ScheduledPost) -> dict:
    """What the API has always said about a post, written from the model instance."""
    return {
        "id": str(post.pk),
        "group_id": str(post.group_id),
        "clip_id": str(post.clip_id) if post.clip_id else None,
        "platform": post.platform,
        "account_id": post.account.blotato_account_id,
        "caption": post.caption,
        "options": post.options,
        "scheduled_time": iso_utc(post.scheduled_time),
        "status": post.status,
        "attempts": post.attempts,
        "last_error": post.last_error or None,
        "platform_url": post.platform_url or None,
        "platform_post_id": post.platform_post_id or None,
        "blotato_submission_id": post.blotato_submission_id or None,
        "series_id": str(post.series_id) if post.series_id else None,
        "occurrence": post.occurrence_index,
        "published_at": iso_utc(post.published_at),
        "created_at": iso_utc(post.created_at),
        "updated_at": iso_utc(post.updated_at),
    }


def make_post(user, platform: str, at: datetime, clip=None, **fields) -> ScheduledPost:
    return ScheduledPost.objects.create(
        owner=user,
        platform=platform,
        account=SocialAccount.objects.get(owner=user, platform=platform),
        clip=clip,
        scheduled_time=at,
        **fields,
    )


def test_the_calendar_and_the_single_post_say_the_same_as_ever(clock, alice, alice_api, alice_clip):
    published = make_post(
        alice,
        "tiktok",
        datetime(2026, 12, 3, 9, 30, 59, 999999, tzinfo=UTC),
        clip=alice_clip,
        caption='Ünïcode "quoted" caption\n',
        status=Status.PUBLISHED,
        attempts=2,
        platform_url="https://www.tiktok.com/@demo/video/1",
        platform_post_id="7301",
        blotato_submission_id="sub-1",
        published_at=datetime(2026, 12, 3, 9, 31, 4, 500000, tzinfo=UTC),
    )
    failed = make_post(
        alice, "twitter", datetime(2026, 12, 2, 23, 0, tzinfo=UTC), status=Status.FAILED, last_error="Boom"
    )
    listed = alice_api.get(DECEMBER).json()["posts"]
    assert listed == [expected_json(failed), expected_json(published)]
    for post in (failed, published):
        assert alice_api.get(f"/api/publishing/calendar/{post.pk}").json() == expected_json(post)
    assert listed[1]["created_at"] == "2026-11-25T12:00:00Z"  # microseconds dropped, not rounded


def test_changed_posts_are_answered_as_they_are_stored(clock, alice_api):
    scheduled = alice_api.post(
        "/api/publishing/schedule",
        {"platforms": ["twitter", "bluesky"], "scheduled_time": "2026-12-27T14:00:00Z", "caption": "Hi"},
        content_type="application/json",
    ).json()["posts"]
    assert [p["platform"] for p in scheduled] == ["twitter", "bluesky"]
    for answer in scheduled:
        assert answer == expected_json(ScheduledPost.objects.get(pk=answer["id"]))
    moved = alice_api.patch(
        f"/api/publishing/calendar/{scheduled[0]['id']}",
        {"scheduled_time": "2026-12-28T09:00:00Z"},
        content_type="application/json",
    ).json()
    assert moved == expected_json(ScheduledPost.objects.get(pk=moved["id"]))
    assert moved["scheduled_time"] == "2026-12-28T09:00:00Z"


def test_an_unchanged_calendar_is_a_304_without_a_body(clock, alice, alice_api):
    make_post(alice, "twitter", datetime(2026, 12, 5, 10, 0, tzinfo=UTC), caption="One")
    first = alice_api.get(DECEMBER)
    etag = first["ETag"]
    assert etag.startswith('W/"')
    again = alice_api.get(DECEMBER, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert alice_api.get(DECEMBER, headers={"If-None-Match": etag.removeprefix("W/")}).status_code == 304
    assert alice_api.get(DECEMBER, headers={"If-None-Match": '"other", ' + etag}).status_code == 304
    assert alice_api.get(DECEMBER, headers={"If-None-Match": '"other"'}).status_code == 200


def test_any_change_to_a_post_in_range_changes_the_etag(clock, alice, alice_api):
    post = make_post(alice, "twitter", datetime(2026, 12, 5, 10, 0, tzinfo=UTC))
    seen = {alice_api.get(DECEMBER)["ETag"]}

    # Workers change posts with .update(); the clock here is frozen, yet each write shows.
    ScheduledPost.objects.filter(pk=post.pk).update(attempts=F("attempts") + 1)
    seen.add(alice_api.get(DECEMBER)["ETag"])
    ScheduledPost.objects.filter(pk=post.pk).update(scheduled_time=post.scheduled_time + timedelta(microseconds=1))
    seen.add(alice_api.get(DECEMBER)["ETag"])
    make_post(alice, "bluesky", datetime(2026, 12, 5, 10, 0, tzinfo=UTC))
    seen.add(alice_api.get(DECEMBER)["ETag"])
    ScheduledPost.objects.filter(pk=post.pk).delete()
    seen.add(alice_api.get(DECEMBER)["ETag"])
    assert len(seen) == 5

    held = alice_api.get(DECEMBER)["ETag"]
    ScheduledPost.objects.update(caption="Reworded")
    fresh = alice_api.get(DECEMBER, headers={"If-None-Match": held})
    assert fresh.status_code == 200
    assert fresh.json()["posts"][0]["caption"] == "Reworded"


def test_the_database_digest_is_the_one_python_makes_of_the_same_rows(clock, alice, bob):
    from publishing.calendar_version import rows_digest, rows_digest_in_python

    # SQLite installs use the Python sum; both must name the same rows the same way, which also
    # checks the SQL written out for PostgreSQL against the ORM's query.
    start, end = datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    assert rows_digest(alice, start, end) == rows_digest_in_python(alice, start, end) == md5(b"").hexdigest()
    for hour in (9, 7, 8):
        make_post(alice, "twitter", datetime(2026, 12, 5, hour, 0, tzinfo=UTC))
    before = rows_digest(alice, start, end)
    assert before == rows_digest_in_python(alice, start, end) != md5(b"").hexdigest()
    make_post(alice, "twitter", end)  # the range's end is not in it
    make_post(alice, "twitter", start - timedelta(microseconds=1))
    make_post(bob, "twitter", start)
    assert rows_digest(alice, start, end) == before
    ScheduledPost.objects.filter(owner=alice, scheduled_time__hour=8).update(attempts=1)
    assert rows_digest(alice, start, end) == rows_digest_in_python(alice, start, end) != before


def test_the_etag_depends_on_the_range_and_the_reader(clock, alice, bob, alice_api, bob_api):
    etag = alice_api.get(DECEMBER)["ETag"]
    assert alice_api.get(DECEMBER + "&platform=twitter")["ETag"] != etag  # filters are part of the version
    other_month = alice_api.get("/api/publishing/calendar", headers={"If-None-Match": etag})
    assert other_month.status_code == 200  # November: other start and end dates in the body
    make_post(bob, "twitter", datetime(2026, 12, 5, 10, 0, tzinfo=UTC))
    assert alice_api.get(DECEMBER, headers={"If-None-Match": etag}).status_code == 304
    assert bob_api.get(DECEMBER, headers={"If-None-Match": etag}).status_code == 200


def test_a_bad_range_is_still_a_400_with_if_none_match(clock, alice_api):
    response = alice_api.get("/api/publishing/calendar?start_date=yesterday", headers={"If-None-Match": "*"})
    assert response.status_code == 400


def test_a_token_records_its_last_use_at_most_once_a_minute(clock, alice):
    token, secret = ApiToken.issue(alice)
    client = Client(headers={"Authorization": f"Bearer {secret}"})

    def last_used():
        return ApiToken.objects.get(pk=token.pk).last_used_at

    assert last_used() is None
    assert client.get("/api/me").status_code == 200
    assert last_used() == NOW
    clock.shift(timedelta(seconds=59))
    assert client.get("/api/me").status_code == 200
    assert last_used() == NOW
    clock.shift(timedelta(seconds=2))
    assert client.get("/api/me").status_code == 200
    assert last_used() == NOW + timedelta(seconds=61)


def test_a_revoked_token_or_inactive_user_is_refused(clock, alice):
    token, secret = ApiToken.issue(alice)
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    alice.is_active = False
    alice.save()
    assert client.get(DECEMBER).status_code == 401
    alice.is_active = True
    alice.save()
    token.delete()
    assert client.get(DECEMBER).status_code == 401


def calendar_of(client: Client) -> tuple[str, list[dict]]:
    response = client.get(DECEMBER)
    assert response.status_code == 200
    return response["ETag"], response.json()["posts"]


def test_a_cached_calendar_answer_follows_every_kind_of_write(clock, alice, alice_api):
    post = make_post(alice, "twitter", datetime(2026, 12, 5, 10, 0, tzinfo=UTC), caption="First words")
    etag, listed = calendar_of(alice_api)
    assert listed == [expected_json(post)]
    version = etag.removeprefix('W/"').removesuffix('"')
    assert caches["answers"].get(f"calendar:{version}") is not None  # the answer was kept...
    assert calendar_of(alice_api) == (etag, listed)  # ...and is served again while nothing changes

    # The clock stays frozen throughout: each write must still show.
    writes = [
        lambda: transitions.claim(post.pk, at=datetime(2026, 12, 5, 10, 0, 1, tzinfo=UTC)),  # a worker's .update()
        lambda: ScheduledPost.objects.filter(pk=post.pk).update(
            status=Status.SCHEDULED, claim_token=None, lease_until=None
        ),
        lambda: (
            alice_api.patch(
                f"/api/publishing/calendar/{post.pk}", {"caption": "Second words"}, content_type="application/json"
            ).status_code
            == 200
        ),
        lambda: _save_caption(post.pk, "Third words"),  # save(update_fields=...), as the admin's actions do
    ]
    seen = {etag}
    for write in writes:
        assert write()  # each write really happened
        etag, listed = calendar_of(alice_api)
        assert listed == [expected_json(ScheduledPost.objects.get(pk=post.pk))]
        seen.add(etag)
    assert len(seen) == len(writes) + 1
    assert listed[0]["caption"] == "Third words"


def _save_caption(post_id, caption: str) -> bool:
    post = ScheduledPost.objects.get(pk=post_id)
    post.caption = caption
    post.save(update_fields=["caption"])
    return True


def test_every_write_moves_updated_at_even_on_a_frozen_clock(clock, alice):
    post = make_post(alice, "twitter", datetime(2026, 12, 5, 10, 0, tzinfo=UTC))
    stamps = [ScheduledPost.objects.get(pk=post.pk).updated_at]
    for _ in range(3):
        ScheduledPost.objects.filter(pk=post.pk).update(attempts=F("attempts") + 1)
        stamps.append(ScheduledPost.objects.get(pk=post.pk).updated_at)
    post.refresh_from_db()
    post.save(update_fields=["attempts"])
    stamps.append(ScheduledPost.objects.get(pk=post.pk).updated_at)
    assert stamps == sorted(set(stamps)) and len(stamps) == 5
    assert stamps[0] == NOW


@override_settings(
    CACHES={
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "answers": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"},
    }
)
def test_the_calendar_answers_without_its_cache(clock, alice, alice_api, caplog):
    post = make_post(alice, "twitter", datetime(2026, 12, 5, 10, 0, tzinfo=UTC))
    etag, listed = calendar_of(alice_api)
    assert listed == [expected_json(post)]
    assert alice_api.get(DECEMBER, headers={"If-None-Match": etag}).status_code == 304
    assert "Answer cache unavailable" in caplog.text
