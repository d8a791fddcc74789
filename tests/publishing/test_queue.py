"""The queue: posting slots through the API, "next_slot" scheduling, the gap, reordering, races."""

from __future__ import annotations

import json
import random
import threading
import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from publishing import queue
from publishing.api_input import PAST_TOLERANCE
from publishing.bad_input import BadInput
from publishing.lifecycle import PostPlan
from publishing.models import PostEvent, ScheduledPost, SocialAccount, Status
from publishing.posting_slots import WeeklySlot

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # Wednesday, 13:00 in Paris (alice's zone)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def twitter(alice) -> SocialAccount:
    return SocialAccount.objects.get(owner=alice, platform="twitter")


def send(client, method: str, url: str, body=None, raw: bytes | None = None):
    data = raw if raw is not None else json.dumps(body) if body is not None else ""
    return getattr(client, method)(url, data=data, content_type="application/json")


def slots_url(account_id: str) -> str:
    return f"/api/publishing/accounts/{account_id}/slots"


def put_slots(client, account: SocialAccount, *slots: tuple[int, str]):
    body = {"slots": [{"weekday": d, "time": t} for d, t in slots]}
    return send(client, "put", slots_url(account.blotato_account_id), body)


def queue_one(client, caption: str = "queued", platforms=("twitter",)):
    body = {"platforms": list(platforms), "caption": caption, "scheduled_time": "next_slot"}
    return send(client, "post", "/api/publishing/schedule", body)


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)


# --- slots through the API ----------------------------------------------------------------------


def test_slots_are_replaced_and_read_back_with_the_next_free_instants(alice_api, twitter):
    response = put_slots(alice_api, twitter, (2, "18:00"), (2, "9:00"), (3, "09:00"))
    assert response.status_code == 200
    body = response.json()
    assert body["slots"] == [
        {"weekday": 2, "day": "Wednesday", "time": "09:00"},
        {"weekday": 2, "day": "Wednesday", "time": "18:00"},
        {"weekday": 3, "day": "Thursday", "time": "09:00"},
    ]
    assert body["timezone"] == "Europe/Paris"
    assert body["queue_gap_minutes"] == 30
    # Wednesday 13:00 in Paris: 09:00 has passed; 18:00 Paris is 17:00 UTC.
    assert body["next_free_slots"][:3] == ["2026-11-25T17:00:00Z", "2026-11-26T08:00:00Z", "2026-12-02T08:00:00Z"]
    assert alice_api.get(slots_url(twitter.blotato_account_id)).json() == body
    response = put_slots(alice_api, twitter)
    assert response.json()["slots"] == [] and response.json()["next_free_slots"] == []


@pytest.mark.parametrize(
    "body, message, detail",
    [
        ({}, "slots must be a list", "slots"),
        ({"slots": "09:00"}, "slots must be a list", "slots"),
        ({"slots": [], "extra": 1}, "Unknown field(s): extra.", "unknown"),
        ({"slots": ["09:00"]}, "slots[0] must be an object", "slots[0]"),
        ({"slots": [{"weekday": 7, "time": "09:00"}]}, "slots[0].weekday must be 0 (Monday) to 6", "slots[0].weekday"),
        ({"slots": [{"weekday": True, "time": "09:00"}]}, "slots[0].weekday must be 0", "slots[0].weekday"),
        ({"slots": [{"weekday": "1", "time": "09:00"}]}, "slots[0].weekday must be 0", "slots[0].weekday"),
        ({"slots": [{"weekday": 1, "time": "25:00"}]}, "slots[0].time: '25:00' is not a time of day", "slots[0].time"),
        (
            {"slots": [{"weekday": 1, "time": "nine"}]},
            "slots[0].time: 'nine' is not a time like 09:00",
            "slots[0].time",
        ),
        ({"slots": [{"weekday": 1}]}, 'slots[0].time must be a string like "09:00"', "slots[0].time"),
        ({"slots": [{"weekday": 1, "time": "9:00", "tz": "UTC"}]}, "slots[0] has unknown field(s): tz", "slots[0]"),
        (
            {"slots": [{"weekday": 1, "time": "09:00"}, {"weekday": 1, "time": "9:00"}]},
            "slots[1] repeats Tue 09:00",
            "slots[1]",
        ),
    ],
)
def test_bad_slots_are_refused_precisely_and_change_nothing(alice_api, twitter, body, message, detail):
    put_slots(alice_api, twitter, (0, "10:00"))
    response = send(alice_api, "put", slots_url(twitter.blotato_account_id), body)
    assert response.status_code == 400
    assert response.json()["error"].startswith(message)
    assert detail in response.json()["details"]
    assert queue.account_slots(twitter) == [WeeklySlot(0, time(10))]


def test_too_many_slots_are_refused(alice_api, twitter):
    every_half_hour = [(d, f"{h:02d}:{m:02d}") for d in range(7) for h in range(24) for m in (0, 30)]
    response = put_slots(alice_api, twitter, *every_half_hour)
    assert response.status_code == 400
    assert response.json()["details"] == {"slots": "too many"}


def test_malformed_json_and_wrong_methods_are_refused(alice_api, twitter):
    assert send(alice_api, "put", slots_url(twitter.blotato_account_id), raw=b"{not json").status_code == 400
    assert send(alice_api, "post", slots_url(twitter.blotato_account_id), {"slots": []}).status_code == 405


def test_other_users_accounts_are_404(alice_api, bob, bob_api):
    bob_twitter = SocialAccount.objects.get(owner=bob, platform="twitter")
    bob_twitter.blotato_account_id = "bob-9"
    bob_twitter.save()
    assert alice_api.get(slots_url("bob-9")).status_code == 404
    assert put_slots(alice_api, bob_twitter, (0, "09:00")).status_code == 404
    assert (
        alice_api.get(slots_url("no-such-account")).json()["error"] == "No connected account with id no-such-account."
    )
    assert queue.account_slots(bob_twitter) == []


def test_anonymous_requests_are_401(client, twitter):
    assert client.get(slots_url(twitter.blotato_account_id)).status_code == 401


# --- next_slot ----------------------------------------------------------------------------------


def test_next_slot_takes_the_accounts_next_free_slot_and_keeps_the_gap(alice_api, twitter):
    put_slots(alice_api, twitter, (2, "18:00"), (2, "18:20"), (2, "19:00"), (3, "09:00"))
    first = queue_one(alice_api, "first")
    assert first.status_code == 201
    assert first.json()["posts"][0]["scheduled_time"] == "2026-11-25T17:00:00Z"  # 18:00 Paris
    second = queue_one(alice_api, "second")
    # 18:20 is within the 30-minute gap of 18:00: 19:00 is next.
    assert second.json()["posts"][0]["scheduled_time"] == "2026-11-25T18:00:00Z"
    third = queue_one(alice_api, "third")
    assert third.json()["posts"][0]["scheduled_time"] == "2026-11-26T08:00:00Z"


def test_a_post_scheduled_by_hand_near_a_slot_keeps_the_queue_off_it(alice_api, twitter):
    put_slots(alice_api, twitter, (2, "18:00"), (2, "19:00"))
    by_hand = {"platforms": ["twitter"], "caption": "by hand", "scheduled_time": "2026-11-25T18:10:00"}
    assert send(alice_api, "post", "/api/publishing/schedule", by_hand).status_code == 201
    assert queue_one(alice_api).json()["posts"][0]["scheduled_time"] == "2026-11-25T18:00:00Z"


def test_the_gap_is_the_users_setting(alice_api, alice, twitter):
    alice.profile.queue_gap_minutes = 90
    alice.profile.save()
    put_slots(alice_api, twitter, (2, "18:00"), (2, "19:00"), (2, "19:30"), (2, "20:00"))
    times = [queue_one(alice_api).json()["posts"][0]["scheduled_time"] for _ in range(2)]
    assert times == ["2026-11-25T17:00:00Z", "2026-11-25T18:30:00Z"]  # 18:00, then 19:30 (19:00 is too close)


def test_a_cancelled_post_frees_its_slot(alice_api, twitter):
    put_slots(alice_api, twitter, (2, "18:00"), (3, "09:00"))
    post_id = queue_one(alice_api).json()["posts"][0]["id"]
    assert alice_api.delete(f"/api/publishing/calendar/{post_id}").status_code == 200
    assert queue_one(alice_api).json()["posts"][0]["scheduled_time"] == "2026-11-25T17:00:00Z"


def test_each_platform_takes_its_own_accounts_slot(alice_api, alice, twitter):
    bluesky = SocialAccount.objects.get(owner=alice, platform="bluesky")
    put_slots(alice_api, twitter, (2, "18:00"))
    put_slots(alice_api, bluesky, (3, "07:30"))
    response = queue_one(alice_api, platforms=["twitter", "bluesky"])
    assert response.status_code == 201
    times = {p["platform"]: p["scheduled_time"] for p in response.json()["posts"]}
    assert times == {"twitter": "2026-11-25T17:00:00Z", "bluesky": "2026-11-26T06:30:00Z"}
    assert len({p["group_id"] for p in response.json()["posts"]}) == 1


def test_an_account_without_slots_refuses_and_nothing_is_written(alice_api, twitter):
    put_slots(alice_api, twitter, (2, "18:00"))
    response = queue_one(alice_api, platforms=["twitter", "bluesky"])
    assert response.status_code == 409
    assert "no free posting slot" in response.json()["error"]
    assert response.json()["details"] == {"scheduled_time": "no free slot for bluesky"}
    assert not ScheduledPost.objects.exists()


def test_next_slot_with_publish_now_is_refused(alice_api, twitter):
    put_slots(alice_api, twitter, (2, "18:00"))
    body = {"platforms": ["twitter"], "caption": "x", "scheduled_time": "next_slot", "publish_now": True}
    response = send(alice_api, "post", "/api/publishing/schedule", body)
    assert response.status_code == 400
    assert response.json()["details"] == {"scheduled_time": "conflicts with publish_now"}


@pytest.mark.parametrize("value", ["next-slot", "NEXT_SLOT", "next slot"])
def test_other_words_are_not_next_slot(alice_api, twitter, value):
    put_slots(alice_api, twitter, (2, "18:00"))
    body = {"platforms": ["twitter"], "caption": "x", "scheduled_time": value}
    response = send(alice_api, "post", "/api/publishing/schedule", body)
    assert response.status_code == 400
    assert "is not an ISO 8601 date-time" in response.json()["error"]


def test_the_queue_never_hands_out_a_past_slot(alice_api, twitter):
    put_slots(alice_api, twitter, (2, "13:00"), (2, "12:59"))  # now is 13:00 Paris; 12:59 a minute ago
    response = queue_one(alice_api)
    assert response.json()["posts"][0]["scheduled_time"] == "2026-12-02T11:59:00Z"  # next Wednesday
    assert timedelta(0) < PAST_TOLERANCE  # the queue does not use the API's tolerance for the past


# --- the race: two posts queued at the same moment ----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_posts_queued_at_the_same_moment_get_different_slots(alice, twitter):
    queue.replace_slots(twitter, {WeeklySlot(2, time(18)), WeeklySlot(2, time(19)), WeeklySlot(3, time(9))})
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def add(n: int) -> None:
        try:
            start.wait()
            plan = PostPlan("twitter", SocialAccount.objects.get(pk=twitter.pk))
            queue.queue_posts(alice, plans=[plan], clip=None, caption=f"racer {n}", now=NOW)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    times = sorted(ScheduledPost.objects.values_list("scheduled_time", flat=True))
    assert times == [paris(2026, 11, 25, 18), paris(2026, 11, 25, 19)]


# --- reorder and shuffle ------------------------------------------------------------------------


def queued_three(alice_api, twitter) -> list[str]:
    put_slots(alice_api, twitter, (2, "18:00"), (2, "19:00"), (2, "20:00"))
    return [queue_one(alice_api, f"post {n}").json()["posts"][0]["id"] for n in range(3)]


def captions_in_time_order(account) -> list[str]:
    return [p.caption for p in queue.queued_posts(account, now=NOW)]


def test_reordering_moves_posts_between_the_queues_times(alice, alice_api, twitter):
    ids = queued_three(alice_api, twitter)
    times_before = [p.scheduled_time for p in queue.queued_posts(twitter, now=NOW)]
    new_order = queue.moved_one_place([p.pk for p in queue.queued_posts(twitter, now=NOW)], ids_uuid(ids)[2], "up")
    moved = queue.reorder(twitter, new_order, now=NOW, by=alice)
    assert moved == 2
    assert captions_in_time_order(twitter) == ["post 0", "post 2", "post 1"]
    assert [p.scheduled_time for p in queue.queued_posts(twitter, now=NOW)] == times_before
    # Each move went through the lifecycle and is on the post's timeline.
    assert PostEvent.objects.filter(post_id=ids[2], message__startswith="Moved to").count() == 1


def ids_uuid(ids: list[str]) -> list[uuid.UUID]:
    return [uuid.UUID(i) for i in ids]


def test_moving_the_first_post_up_changes_nothing(alice, alice_api, twitter):
    ids = ids_uuid(queued_three(alice_api, twitter))
    assert queue.moved_one_place(ids, ids[0], "up") == ids
    assert queue.reorder(twitter, ids, now=NOW, by=alice) == 0


def test_a_reorder_naming_other_posts_is_refused(alice, alice_api, twitter):
    ids = ids_uuid(queued_three(alice_api, twitter))
    with pytest.raises(BadInput) as refused:
        queue.reorder(twitter, ids[:2], now=NOW, by=alice)
    assert refused.value.status == 409
    assert captions_in_time_order(twitter) == ["post 0", "post 1", "post 2"]


def test_a_post_claimed_before_the_reorder_refuses_it(alice, alice_api, twitter):
    ids = ids_uuid(queued_three(alice_api, twitter))
    times = list(ScheduledPost.objects.order_by("scheduled_time").values_list("scheduled_time", flat=True))
    ScheduledPost.objects.filter(pk=ids[0]).update(status=Status.PUBLISHING, lease_until=NOW, claim_token=ids[0])
    with pytest.raises(BadInput) as refused:
        queue.reorder(twitter, [ids[1], ids[0], ids[2]], now=NOW, by=alice)
    assert refused.value.status == 409
    assert list(ScheduledPost.objects.order_by("scheduled_time").values_list("scheduled_time", flat=True)) == times


def test_shuffle_keeps_the_times_and_the_posts(alice, alice_api, twitter):
    queued_three(alice_api, twitter)
    times_before = [p.scheduled_time for p in queue.queued_posts(twitter, now=NOW)]
    queue.shuffle(twitter, now=NOW, by=alice, rng=random.Random(3))
    after = queue.queued_posts(twitter, now=NOW)
    assert [p.scheduled_time for p in after] == times_before
    assert sorted(p.caption for p in after) == ["post 0", "post 1", "post 2"]
    assert [p.caption for p in after] != ["post 0", "post 1", "post 2"]


# --- the queue through the API ---------------------------------------------------------------------


def queue_url(account_id: str, *rest: str) -> str:
    return "/".join([f"/api/publishing/accounts/{account_id}/queue", *rest])


def test_the_queue_is_listed_reordered_and_shuffled_through_the_api(alice_api, twitter):
    ids = queued_three(alice_api, twitter)
    listed = alice_api.get(queue_url(twitter.blotato_account_id)).json()
    assert [post["id"] for post in listed["posts"]] == ids and listed["count"] == 3
    assert [post["caption"] for post in listed["posts"]] == ["post 0", "post 1", "post 2"]
    times = [post["scheduled_time"] for post in listed["posts"]]
    assert times == ["2026-11-25T17:00:00Z", "2026-11-25T18:00:00Z", "2026-11-25T19:00:00Z"]
    assert listed["next_free_slot"] == "2026-12-02T17:00:00Z"  # next Wednesday's 18:00 in Paris

    response = send(alice_api, "put", queue_url(twitter.blotato_account_id), {"order": [ids[2], ids[0], ids[1]]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["moved"] == 3
    assert [post["id"] for post in body["posts"]] == [ids[2], ids[0], ids[1]]
    assert [post["scheduled_time"] for post in body["posts"]] == times  # the times stay, the posts move

    response = send(alice_api, "post", queue_url(twitter.blotato_account_id, "shuffle"))
    assert response.status_code == 200, response.content
    shuffled = response.json()
    assert sorted(post["id"] for post in shuffled["posts"]) == sorted(ids)
    assert [post["scheduled_time"] for post in shuffled["posts"]] == times
    assert 0 <= shuffled["moved"] <= 3


@pytest.mark.parametrize(
    ("body", "message", "detail"),
    [
        ({}, "order must be a list of post ids", "order"),
        ({"order": "abc"}, "order must be a list of post ids", "order"),
        ({"order": [], "extra": 1}, "Unknown field(s): extra.", "unknown"),
        ({"order": [12]}, "order[0] is not a post id.", "order[0]"),
        ({"order": ["not-a-uuid"]}, "order[0] is not a post id.", "order[0]"),
    ],
)
def test_a_malformed_order_is_a_400_naming_the_item(alice_api, twitter, body, message, detail):
    ids = queued_three(alice_api, twitter)
    response = send(alice_api, "put", queue_url(twitter.blotato_account_id), body)
    assert response.status_code == 400
    assert response.json()["error"].startswith(message)
    assert detail in response.json()["details"]
    assert captions_in_time_order(twitter) == ["post 0", "post 1", "post 2"]
    repeated = send(alice_api, "put", queue_url(twitter.blotato_account_id), {"order": [ids[0], ids[0], ids[1]]})
    assert repeated.status_code == 400 and repeated.json()["details"] == {"order[1]": "duplicate"}


def test_an_order_that_is_not_the_queue_is_a_409_and_moves_nothing(alice_api, twitter):
    ids = queued_three(alice_api, twitter)
    response = send(alice_api, "put", queue_url(twitter.blotato_account_id), {"order": [ids[1], ids[0]]})
    assert response.status_code == 409
    assert response.json()["error"].startswith("The queue changed meanwhile")
    stranger = str(uuid.uuid4())
    response = send(alice_api, "put", queue_url(twitter.blotato_account_id), {"order": [*ids[:2], stranger]})
    assert response.status_code == 409
    assert captions_in_time_order(twitter) == ["post 0", "post 1", "post 2"]


def test_another_users_posts_cannot_be_reordered_and_an_unknown_account_is_a_404(alice_api, bob_api, twitter):
    ids = queued_three(alice_api, twitter)
    # Bob's account has its own Blotato id space: the same id is his own account, with his own queue.
    assert bob_api.get(queue_url(twitter.blotato_account_id)).json()["posts"] == []
    response = send(bob_api, "put", queue_url(twitter.blotato_account_id), {"order": ids})
    assert response.status_code == 409  # not his queue's posts: nothing moves
    assert send(bob_api, "post", queue_url(twitter.blotato_account_id, "shuffle")).json()["moved"] == 0
    assert captions_in_time_order(twitter) == ["post 0", "post 1", "post 2"]
    for method, path, body in (("get", (), None), ("put", (), {"order": []}), ("post", ("shuffle",), None)):
        response = send(alice_api, method, queue_url("no-such-account", *path), body)
        assert response.status_code == 404, (method, response.content)
        assert response.json()["error"] == "No connected account with id no-such-account."


# --- the queue gap setting ------------------------------------------------------------------------


def test_the_queue_gap_is_read_and_changed_through_the_api(alice_api, alice):
    assert alice_api.get("/api/me").json()["queue_gap_minutes"] == 30
    response = send(alice_api, "patch", "/api/me", {"queue_gap_minutes": 120})
    assert response.status_code == 200 and response.json()["queue_gap_minutes"] == 120
    alice.profile.refresh_from_db()
    assert alice.profile.queue_gap_minutes == 120


@pytest.mark.parametrize("value", [-1, 1441, 30.5, "30", True, None])
def test_a_bad_queue_gap_is_refused(alice_api, alice, value):
    response = send(alice_api, "patch", "/api/me", {"queue_gap_minutes": value})
    assert response.status_code == 400
    assert response.json()["details"] == {"queue_gap_minutes": "invalid"}
    alice.profile.refresh_from_db()
    assert alice.profile.queue_gap_minutes == 30


def test_the_queue_gap_is_on_the_settings_page(browser, alice):
    form = {"timezone": "Europe/Paris", "late_grace_minutes": "30", "queue_gap_minutes": "45"}
    assert browser.post("/settings/profile", form).status_code == 302
    alice.profile.refresh_from_db()
    assert alice.profile.queue_gap_minutes == 45
    refused = browser.post("/settings/profile", {**form, "queue_gap_minutes": "-5"})
    assert refused.status_code == 422
    alice.profile.refresh_from_db()
    assert alice.profile.queue_gap_minutes == 45
