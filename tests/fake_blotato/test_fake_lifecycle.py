"""Submissions on the fake clock: in-progress → published/failed, scheduled posts, the post list,
and /v2/schedules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.fake_blotato.calls import call, create, iso_in, post_body, status_of


def test_a_post_is_in_progress_until_the_publish_delay_has_passed(fake):
    fake.set_knobs(publish_delay_s=30)
    submission = create(fake, post_body())
    assert status_of(fake, submission) == {"postSubmissionId": submission, "status": "in-progress"}
    assert [p["id"] for p in fake.publications()] == [submission]  # it will go out: it counts already
    fake.advance(29)
    assert status_of(fake, submission)["status"] == "in-progress"
    fake.advance(2)
    published = status_of(fake, submission)
    assert published["status"] == "published"
    assert published["publicUrl"].startswith("https://x.com/demo_twitter/status/")


def test_a_random_publish_delay_stays_within_its_range(fake):
    fake.set_knobs(publish_delay_s=(10, 20))
    submissions = [create(fake, post_body(text=f"p{n}")) for n in range(5)]
    fake.advance(9)
    assert {status_of(fake, s)["status"] for s in submissions} == {"in-progress"}
    fake.advance(12)
    assert {status_of(fake, s)["status"] for s in submissions} == {"published"}


def test_published_and_failed_are_final(fake):
    published = create(fake, post_body(text="done"))
    fake.inject("platform_fail")
    failed = create(fake, post_body(text="broken"))
    fake.advance(86400 * 30)
    assert status_of(fake, published)["status"] == "published"
    assert status_of(fake, failed)["status"] == "failed"


def test_the_public_url_can_be_left_out(fake):
    fake.set_knobs(omit_public_url=True)
    submission = create(fake, post_body())
    assert status_of(fake, submission) == {"postSubmissionId": submission, "status": "published"}


def test_force_outcome_settles_a_submission_at_once(fake):
    fake.set_knobs(publish_delay_s=3600)
    submission = create(fake, post_body())
    fake.force_outcome(submission, "failed", "Unsupported media type")
    assert status_of(fake, submission)["errorMessage"] == "Unsupported media type"
    assert fake.publications() == []
    other = create(fake, post_body())
    fake.force_outcome(other, "published")
    assert status_of(fake, other)["status"] == "published"
    fake.force_outcome(other, "stuck")
    assert status_of(fake, other)["status"] == "in-progress"
    with pytest.raises(LookupError):
        fake.force_outcome("nope", "published")


def test_an_unknown_or_other_users_id_reads_in_progress_or_404(fake):
    fake.add_sandbox_key("blt_someone_else")
    theirs = create(fake, post_body(), key="blt_someone_else")
    assert status_of(fake, "nope") == {"postSubmissionId": "nope", "status": "in-progress"}
    assert status_of(fake, theirs) == {"postSubmissionId": theirs, "status": "in-progress"}
    fake.set_knobs(unknown_id_mode="404")
    assert call(fake, "GET", "/v2/posts/nope").json() == {"statusCode": 404, "message": "Not found"}
    assert call(fake, "GET", f"/v2/posts/{theirs}").status_code == 404


def test_a_scheduled_post_publishes_when_the_fake_clock_reaches_its_time(fake):
    fake.set_knobs(publish_delay_s=5)
    created = call(fake, "POST", "/v2/posts", post_body(scheduledTime=iso_in(hours=2))).json()
    submission = created["postSubmissionId"]
    assert status_of(fake, submission) == {
        "postSubmissionId": submission,
        "status": "scheduled",
        "scheduledTime": created["scheduledTime"],
    }
    assert fake.submissions()[0]["scheduled_time"] == created["scheduledTime"]
    fake.advance(2 * 3600 + 1)
    assert status_of(fake, submission)["status"] == "in-progress"
    fake.advance(5)
    assert status_of(fake, submission)["status"] == "published"


def test_the_list_holds_only_settled_posts_newest_first(fake):
    fake.set_knobs(publish_delay_s=600)
    create(fake, post_body(text="pending"))
    fake.set_knobs(publish_delay_s=0)
    create(fake, post_body(text="first"))
    fake.advance(10)
    create(fake, post_body("bluesky", "1008", text="second"))
    fake.inject("platform_fail", message="Invalid account credentials")
    create(fake, post_body(text="broken"))
    create(fake, post_body(text="later", scheduledTime=iso_in(fake.now(), days=1)))

    listed = call(fake, "GET", "/v2/posts").json()
    assert listed["cursor"] is None
    assert [i["text"] for i in listed["items"]] == ["later", "broken", "second", "first"]  # no "pending"
    later, broken, second, _ = listed["items"]
    assert later["state"] == {"type": "scheduled"}
    assert broken["state"] == {"type": "failed", "errorMessage": "Invalid account credentials"}
    assert second["state"]["type"] == "published" and second["state"]["postUrl"].startswith("https://bsky.app/")
    assert set(second) == {"id", "platform", "text", "mediaUrls", "postTime", "state"}
    assert second["id"] not in {s["id"] for s in fake.submissions()}  # a published-post id, not the submission's
    assert second["postTime"].endswith("Z")


def test_a_listing_delay_keeps_even_a_published_post_out_of_the_list_for_a_while(fake):
    fake.set_knobs(list_delay_s=120)
    submission = create(fake, post_body(text="slow video"))
    assert status_of(fake, submission)["status"] == "published"  # its status is known at once...
    assert call(fake, "GET", "/v2/posts").json()["items"] == []  # ...but the list does not show it
    fake.advance(119)
    assert call(fake, "GET", "/v2/posts").json()["items"] == []
    fake.advance(2)
    assert [i["text"] for i in call(fake, "GET", "/v2/posts").json()["items"]] == ["slow video"]


def test_a_listing_delay_range_is_drawn_per_post(fake):
    fake.set_knobs(list_delay_s=[10, 20])
    for n in range(5):
        create(fake, post_body(text=f"p{n}"))
    fake.advance(9)
    assert call(fake, "GET", "/v2/posts").json()["items"] == []
    fake.advance(12)
    assert len(call(fake, "GET", "/v2/posts").json()["items"]) == 5


def test_the_list_filters_by_status_platform_and_window(fake):
    create(fake, post_body(text="tweet"))
    create(fake, post_body("bluesky", "1008", text="skeet"))
    fake.inject("platform_fail")
    create(fake, post_body(text="failed tweet"))

    def texts(**params):
        return sorted(i["text"] for i in call(fake, "GET", "/v2/posts", params=params).json()["items"])

    assert texts(platform="bluesky") == ["skeet"]
    assert texts(status="failed") == ["failed tweet"]
    assert texts(status=["published", "failed"], platform="twitter") == ["failed tweet", "tweet"]
    assert texts(status="scheduled") == []
    now = fake.now()
    assert texts(since=(now + timedelta(minutes=1)).isoformat()) == []
    assert texts(until=(now - timedelta(minutes=1)).isoformat()) == []
    assert (
        len(texts(since=(now - timedelta(minutes=1)).isoformat(), until=(now + timedelta(minutes=1)).isoformat())) == 3
    )
    assert call(fake, "GET", "/v2/posts", params={"status": "in-progress"}).status_code == 400
    assert call(fake, "GET", "/v2/posts", params={"since": "yesterday"}).status_code == 400
    assert call(fake, "GET", "/v2/posts", params={"limit": "251"}).status_code == 400


def test_the_list_pages_with_an_opaque_cursor(fake):
    for n in range(5):
        create(fake, post_body(text=f"note {n}"))
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = call(fake, "GET", "/v2/posts", params=params).json()
        seen += [item["text"] for item in page["items"]]
        pages += 1
        cursor = page["cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert sorted(seen) == [f"note {n}" for n in range(5)]


def test_the_list_can_carry_account_and_submission_ids(fake):
    submission = create(fake, post_body())
    fake.set_knobs(list_includes_account_id=True, list_includes_submission_id=True)
    [item] = call(fake, "GET", "/v2/posts").json()["items"]
    assert (item["accountId"], item["postSubmissionId"]) == ("1001", submission)


def only_schedule(fake) -> dict:
    listing = call(fake, "GET", "/v2/schedules").json()
    assert listing["count"] == "1"
    return listing["items"][0]


def test_a_scheduled_post_has_a_schedule_record_until_it_goes_out(fake):
    body = post_body("facebook", "1003", text="on schedule", target={"pageId": "2001"}, scheduledTime=iso_in(hours=3))
    created = call(fake, "POST", "/v2/posts", body).json()
    schedule = only_schedule(fake)
    assert schedule["id"].startswith("sch_")
    assert schedule["scheduledAt"] == created["scheduledTime"]
    assert schedule["draft"] == body["post"]
    assert schedule["account"]["id"] == "1003"
    assert schedule["account"]["subaccountId"] == "2001"
    assert schedule["account"]["subaccountName"] == "Demo Page"
    assert call(fake, "GET", f"/v2/schedules/{schedule['id']}").json() == {"schedule": schedule}
    fake.advance(3 * 3600 + 1)
    assert status_of(fake, created["postSubmissionId"])["status"] == "published"
    assert call(fake, "GET", "/v2/schedules").json() == {"items": [], "count": "0", "cursor": None}
    assert call(fake, "GET", f"/v2/schedules/{schedule['id']}").json() == {"message": "Schedule not found"}
    patch = {"patch": {"scheduledTime": iso_in(fake.now(), hours=1)}}
    assert call(fake, "PATCH", f"/v2/schedules/{schedule['id']}", patch).status_code == 404


def test_patching_a_schedule_moves_it_and_replaces_the_draft_wholesale(fake):
    created = call(fake, "POST", "/v2/posts", post_body(text="v1", scheduledTime=iso_in(hours=2))).json()
    schedule_id = only_schedule(fake)["id"]
    path = f"/v2/schedules/{schedule_id}"
    assert call(fake, "PATCH", path, {"patch": {}}).json() == {
        "message": "patch: must NOT have fewer than 1 properties"
    }
    past = call(fake, "PATCH", path, {"patch": {"scheduledTime": "2020-01-01T00:00:00Z"}})
    assert (past.status_code, past.json()) == (422, {"message": "scheduledTime must be in the future"})

    moved = call(fake, "PATCH", path, {"patch": {"scheduledTime": iso_in(hours=5)}})
    assert (moved.status_code, moved.content) == (204, b"")
    fake.advance(3 * 3600)
    assert status_of(fake, created["postSubmissionId"])["status"] == "scheduled"

    draft = {"accountId": "1001", "content": {"text": "v2", "platform": "twitter"}}
    assert call(fake, "PATCH", path, {"patch": {"draft": draft}}).status_code == 204
    assert only_schedule(fake)["draft"] == draft
    fake.advance(2 * 3600 + 1)
    [published] = fake.publications()
    assert (published["text"], published["media_urls"], published["status"]) == ("v2", [], "published")


def test_a_deleted_schedule_reads_in_progress_forever_and_never_publishes(fake):
    created = call(fake, "POST", "/v2/posts", post_body(scheduledTime=iso_in(hours=2))).json()
    path = f"/v2/schedules/{only_schedule(fake)['id']}"
    deleted = call(fake, "DELETE", path)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert call(fake, "DELETE", path).status_code == 404
    fake.advance(86400)
    assert status_of(fake, created["postSubmissionId"])["status"] == "in-progress"
    assert fake.publications() == []
    assert call(fake, "GET", "/v2/posts").json()["items"] == []


def test_schedules_are_listed_soonest_first_and_paged(fake):
    for hours in (5, 1, 3):
        create(fake, post_body(text=f"in {hours}h", scheduledTime=iso_in(hours=hours)))
    first = call(fake, "GET", "/v2/schedules", params={"limit": 2}).json()
    assert first["count"] == "3"
    assert [s["draft"]["content"]["text"] for s in first["items"]] == ["in 1h", "in 3h"]
    rest = call(fake, "GET", "/v2/schedules", params={"limit": 2, "cursor": first["cursor"]}).json()
    assert [s["draft"]["content"]["text"] for s in rest["items"]] == ["in 5h"]
    assert rest["cursor"] is None


def test_another_users_schedule_is_not_found(fake):
    create(fake, post_body(scheduledTime=iso_in(hours=2)))
    schedule_id = only_schedule(fake)["id"]
    fake.add_sandbox_key("blt_stranger")
    assert call(fake, "GET", f"/v2/schedules/{schedule_id}", key="blt_stranger").status_code == 404
    assert call(fake, "DELETE", f"/v2/schedules/{schedule_id}", key="blt_stranger").status_code == 404


def test_reset_forgets_posts_but_keeps_keys(fake):
    create(fake, post_body())
    fake.set_knobs(publish_delay_s=99)
    fake.reset()
    assert fake.submissions() == [] and fake.requests() == []
    submission = create(fake, post_body())
    assert status_of(fake, submission)["status"] == "published"  # the delay went back to 0
