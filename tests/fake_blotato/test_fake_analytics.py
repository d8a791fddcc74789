"""The fake's analytics: readings at fixed checkpoints after publishing, known by the published-post
id only, the published-post and top-post lists, the knobs, and the hidden engagement curve."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from publishing.fake_blotato.state import DEFAULT_RATE_LIMITS
from tests.fake_blotato.calls import KEY, advance_to_hour, at_age, call, create, sandbox_post, status_of

HOUR, DAY = 3600, 86400
FIELDS = {
    "twitter": {"impressionsCount", "likesCount", "repliesCount", "twitterRetweetsCount", "twitterQuotesCount"},
    "threads": {"impressionsCount", "likesCount", "repliesCount", "threadsRepostsCount", "threadsQuotesCount"},
    "bluesky": {"likesCount", "repliesCount", "blueskyRepostsCount", "blueskyQuotesCount"},
    "tiktok": {"viewsCount", "likesCount", "commentsCount", "sharesCount"},
    "youtube": {"viewsCount", "likesCount", "commentsCount"},
    "instagram": {"playsCount", "reachCount", "likesCount", "commentsCount", "sharesCount", "savesCount"},
    "facebook": {"impressionsCount", "reachCount", "likesCount", "commentsCount", "sharesCount"},
    "pinterest": {"impressionsCount", "savesCount", "clicksCount", "pinterestSaveRate"},
}
ROUTES = ["/v2/published-posts", "/v2/analytics", "/v2/analytics/platforms", "/v2/analytics/summary"]


def publish(fake, platform: str = "twitter", text: str = "hello") -> str:
    """Publish a post now; its published-post id."""
    published_id = fake.published_id(create(fake, sandbox_post(platform, text)))
    assert published_id is not None
    return published_id


def analytics(fake, published_id: str, **kwargs):
    return call(fake, "GET", f"/v2/posts/{published_id}/analytics", **kwargs)


def get(fake, path: str, **params) -> dict:
    response = call(fake, "GET", path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def flat_curve(**hours: float) -> list[list[float]]:
    """One multiplier for every slot, except the hours given as h18=10.0 etc., on every weekday."""
    return [[hours.get(f"h{hour}", 1.0) for hour in range(24)] for _ in range(7)]


# --- readings over time ------------------------------------------------------------------------


def test_a_post_has_not_synced_before_its_first_checkpoint(fake):
    start = fake.now()
    published_id = publish(fake)
    assert analytics(fake, published_id).json() == {"message": "Analytics have not yet synced for this post"}
    at_age(fake, start, DAY - 60)
    assert analytics(fake, published_id).status_code == 404
    at_age(fake, start, DAY + 60)
    assert analytics(fake, published_id).status_code == 200


@pytest.mark.parametrize(
    ("plan", "expected"),
    [("starter", [0, 0, 1, 2, 3, 4, 4]), ("agency", [0, 1, 2, 3, 4, 5, 5])],
)
def test_readings_land_at_each_checkpoint_of_the_plan(fake, plan, expected):
    fake.set_knobs(analytics_plan=plan)
    start = fake.now()
    published_id = publish(fake)
    seen = []
    for age in (6 * HOUR - 60, 6 * HOUR + 60, DAY + 60, 7 * DAY + 60, 14 * DAY + 60, 30 * DAY + 60, 90 * DAY):
        at_age(fake, start, age)
        response = analytics(fake, published_id)
        seen.append(len(response.json()["history"]) if response.status_code == 200 else 0)
    assert seen == expected


def test_each_reading_is_stamped_at_its_checkpoint(fake):
    start = fake.now()
    published_id = publish(fake)
    at_age(fake, start, 31 * DAY)
    body = analytics(fake, published_id).json()
    stamps = [_parse(entry["fetchedAt"]) - start for entry in body["history"]]
    assert [round(stamp.total_seconds() / DAY) for stamp in stamps] == [1, 7, 14, 30]
    assert body["lastFetchedAt"] == body["history"][-1]["fetchedAt"]
    assert body["lastFetchedAt"].endswith("Z") and len(body["lastFetchedAt"]) == len("2026-06-11T12:00:00.000Z")
    assert body["lastError"] is None
    assert body["metrics"] == body["history"][-1]["metrics"]


@pytest.mark.parametrize("platform", sorted(FIELDS))
def test_counts_are_strings_that_never_decrease_and_only_the_platforms_fields(fake, platform):
    fake.set_knobs(analytics_plan="agency")
    start = fake.now()
    published_id = publish(fake, platform)
    at_age(fake, start, 31 * DAY)
    history = analytics(fake, published_id).json()["history"]
    assert len(history) == 5
    for entry in history:
        assert set(entry["metrics"]) <= FIELDS[platform]
    final = history[-1]["metrics"]
    assert set(final) == FIELDS[platform]
    for name in final:
        if name == "pinterestSaveRate":  # a ratio: a JSON number, not a count
            assert all(isinstance(e["metrics"].get(name, 0.0), float) for e in history)
            continue
        values = [e["metrics"][name] for e in history]
        assert all(isinstance(v, str) and v.isdigit() for v in values)
        assert [int(v) for v in values] == sorted(int(v) for v in values)


def test_linkedin_posts_are_listed_but_never_synced(fake):
    start = fake.now()
    published_id = publish(fake, "linkedin")
    at_age(fake, start, 60 * DAY)
    response = analytics(fake, published_id)
    assert (response.status_code, response.json()) == (404, {"message": "Analytics have not yet synced for this post"})
    assert fake.snapshots(published_id) == []
    item = get(fake, "/v2/published-posts")["items"][0]
    assert (item["id"], item["latestMetrics"], item["metricsHistory"]) == (published_id, None, [])


# --- ids ---------------------------------------------------------------------------------------


def test_analytics_know_the_published_id_not_the_submission_id(fake):
    start = fake.now()
    submission_id = create(fake, sandbox_post("twitter"))
    published_id = fake.published_id(submission_id)
    at_age(fake, start, 2 * DAY)
    assert published_id.isdigit() and published_id != submission_id
    assert analytics(fake, published_id).status_code == 200
    response = analytics(fake, submission_id)
    assert (response.status_code, response.json()) == (404, {"message": "Not found"})
    assert analytics(fake, "5321272").json() == {"message": "Not found"}


def test_the_published_post_carries_the_status_url_and_the_list_id_but_no_submission_id(fake):
    submission_id = create(fake, sandbox_post("twitter"))
    item = get(fake, "/v2/published-posts")["items"][0]
    assert item["postUrl"] == status_of(fake, submission_id)["publicUrl"]
    assert item["id"] == get(fake, "/v2/posts")["items"][0]["id"] == fake.published_id(submission_id)
    assert submission_id not in str(item)
    assert set(item) == {"id", "platform", "postUrl", "createdAt", "content", "latestMetrics", "metricsHistory"}


def test_another_users_post_is_not_found(fake):
    start = fake.now()
    published_id = publish(fake)
    fake.add_key("blt_other_key", [{"id": "9001", "platform": "twitter", "fullname": "O", "username": "o"}])
    at_age(fake, start, 2 * DAY)
    try:
        assert analytics(fake, published_id, key="blt_other_key").json() == {"message": "Not found"}
        assert call(fake, "GET", "/v2/published-posts", key="blt_other_key").json() == {"items": [], "count": 0}
    finally:
        fake.remove_key("blt_other_key")


def test_a_post_not_yet_published_has_no_published_id_and_is_not_listed(fake):
    fake.set_knobs(publish_delay_s=600)
    submission_id = create(fake, sandbox_post("twitter"))
    assert fake.published_id(submission_id) is None
    assert get(fake, "/v2/published-posts") == {"items": [], "count": 0}
    fake.advance(600)
    assert fake.published_id(submission_id) is not None
    with pytest.raises(LookupError):
        fake.published_id("no-such-submission")


def test_failed_posts_are_not_published_posts(fake):
    fake.force_outcome(create(fake, sandbox_post("twitter", "doomed")), "failed", "Invalid account credentials")
    assert get(fake, "/v2/published-posts")["count"] == 0


# --- the published-post list ------------------------------------------------------------------


def test_published_posts_page_by_offset_with_the_total_count(fake):
    ids = [publish(fake, text=f"post {n}") for n in range(5)]
    first = get(fake, "/v2/published-posts", limit=2)
    assert first["count"] == 5
    assert [item["id"] for item in first["items"]] == ids[::-1][:2]  # newest first by default
    rest = get(fake, "/v2/published-posts", limit=2, offset=4)
    assert ([item["id"] for item in rest["items"]], rest["count"]) == ([ids[0]], 5)
    oldest = get(fake, "/v2/published-posts", sortBy="oldest", limit=100)
    assert [item["id"] for item in oldest["items"]] == ids


def test_published_posts_filter_on_text_and_platform(fake):
    publish(fake, "twitter", "Launch day!")
    publish(fake, "bluesky", "launch recap")
    publish(fake, "twitter", "something else")
    assert get(fake, "/v2/published-posts", query="LAUNCH")["count"] == 2
    found = get(fake, "/v2/published-posts", query="launch", platform="twitter")
    assert [(i["platform"], i["content"]) for i in found["items"]] == [("twitter", "Launch day!")]
    assert found["count"] == 1


def test_published_posts_carry_the_latest_reading_once_there_is_one(fake):
    start = fake.now()
    published_id = publish(fake)
    assert get(fake, "/v2/published-posts")["items"][0]["latestMetrics"] is None
    at_age(fake, start, 8 * DAY)
    item = get(fake, "/v2/published-posts")["items"][0]
    assert item["metricsHistory"] == fake.snapshots(published_id)
    assert item["latestMetrics"] == item["metricsHistory"][-1]
    assert set(item["latestMetrics"]) == {"fetchedAt", "metrics"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": "0"}, "querystring/limit must be an integer from 1 to 100"),
        ({"limit": "101"}, "querystring/limit must be an integer from 1 to 100"),
        ({"offset": "-1"}, "querystring/offset must be an integer >= 0"),
        ({"sortBy": "best"}, "querystring/sortBy must be equal to one of the allowed values"),
        ({"platform": "myspace"}, "querystring/platform must be equal to one of the allowed values"),
    ],
)
def test_published_posts_refuse_bad_parameters(fake, params, message):
    response = call(fake, "GET", "/v2/published-posts", params=params)
    assert (response.status_code, response.json()["message"]) == (400, message)


# --- top posts ---------------------------------------------------------------------------------


def test_top_posts_are_sorted_by_the_requested_count_descending(fake):
    start = fake.now()
    for n, platform in enumerate(["twitter", "tiktok", "youtube", "instagram", "facebook", "bluesky"] * 2):
        publish(fake, platform, f"post {n}")
    at_age(fake, start, 8 * DAY)
    for sort_by, fields in [
        ("views_count", ("viewsCount", "playsCount", "impressionsCount")),
        ("likes_count", ("likesCount",)),
        ("comments_count", ("commentsCount", "repliesCount")),
        ("reach_count", ("reachCount",)),
    ]:
        items = get(fake, "/v2/analytics", sortBy=sort_by, limit=100)["items"]
        assert len(items) == 12
        values = [
            next((int(i["latestMetrics"]["metrics"][f]) for f in fields if f in i["latestMetrics"]["metrics"]), -1)
            for i in items
        ]
        assert values == sorted(values, reverse=True), sort_by
    ranked = get(fake, "/v2/analytics", sortBy="views_count", limit=100)["items"]
    assert [i["platform"] for i in ranked[-2:]] == ["bluesky", "bluesky"]  # no views count: last


def test_top_posts_cover_the_last_30_days_by_default_and_honour_the_window(fake):
    old = publish(fake, text="old")
    fake.advance(31 * DAY)
    recent = publish(fake, text="recent")
    fake.advance(2 * DAY)
    assert [i["id"] for i in get(fake, "/v2/analytics")["items"]] == [recent]
    since = (fake.now() - timedelta(days=40)).isoformat()
    assert {i["id"] for i in get(fake, "/v2/analytics", since=since)["items"]} == {old, recent}
    until = (fake.now() - timedelta(days=10)).isoformat()
    assert [i["id"] for i in get(fake, "/v2/analytics", since=since, until=until)["items"]] == [old]


def test_top_posts_stop_at_the_limit_and_have_no_cursor(fake):
    for n in range(5):
        publish(fake, text=f"post {n}")
    body = get(fake, "/v2/analytics", limit=3)
    assert list(body) == ["items"] and len(body["items"]) == 3


@pytest.mark.parametrize(
    ("params", "status"),
    [({"limit": "101"}, 400), ({"sortBy": "shares_count"}, 400), ({"since": "yesterday"}, 400), ({}, 200)],
)
def test_top_posts_check_their_parameters(fake, params, status):
    assert call(fake, "GET", "/v2/analytics", params=params).status_code == status


# --- the hidden curve --------------------------------------------------------------------------


def test_an_evening_post_beats_an_early_morning_one_on_an_evening_curve(fake):
    fake.set_knobs(analytics_curves={"1001": flat_curve(h18=10.0, h4=0.1)})
    advance_to_hour(fake, 4)
    early = publish(fake, text="early")
    advance_to_hour(fake, 18)
    evening = publish(fake, text="evening")
    fake.advance(31 * DAY)
    views = {pid: int(analytics(fake, pid).json()["metrics"]["impressionsCount"]) for pid in (early, evening)}
    assert views[evening] > 10 * views[early]


def test_the_true_curve_is_seeded_per_account(fake):
    curve = fake.true_engagement_curve("1001")
    assert len(curve) == 7 and all(len(row) == 24 for row in curve)
    assert all(value > 0 for row in curve for value in row)
    assert curve == fake.true_engagement_curve("1001")
    assert curve != fake.true_engagement_curve("1007")
    fake.set_knobs(analytics_seed=7)
    assert curve != fake.true_engagement_curve("1001")
    explicit = flat_curve(h18=3.0)
    fake.set_knobs(analytics_curves={"1001": explicit})
    assert fake.true_engagement_curve("1001") == explicit


def test_without_noise_the_final_counts_are_base_times_curve(fake):
    fake.set_knobs(analytics_noise=0, analytics_curves={"1001": flat_curve()})
    start = fake.now()
    published_id = publish(fake)
    at_age(fake, start, 31 * DAY)
    one = analytics(fake, published_id).json()["metrics"]
    fake.set_knobs(analytics_curves={"1001": [[2.0] * 24] * 7})
    two = analytics(fake, published_id).json()["metrics"]
    assert all(int(two[name]) in (2 * int(one[name]), 2 * int(one[name]) + 1) for name in one)


def test_the_curve_hours_are_counted_in_the_timezone_knob(fake):
    fake.set_knobs(analytics_noise=0, analytics_curves={"1001": flat_curve(h20=5.0)})
    advance_to_hour(fake, 18)
    start = fake.now()
    published_id = publish(fake)
    at_age(fake, start, 2 * DAY)
    utc = int(analytics(fake, published_id).json()["metrics"]["impressionsCount"])
    fake.set_knobs(analytics_timezone="Etc/GMT-2")  # always UTC+2
    shifted = int(analytics(fake, published_id).json()["metrics"]["impressionsCount"])
    assert shifted > 4 * utc


def test_the_same_seed_gives_the_same_numbers(fake):
    start = fake.now()
    published_id = publish(fake)
    at_age(fake, start, 8 * DAY)
    first, seed = fake.snapshots(published_id), fake.state.knob("analytics_seed")
    fake.set_knobs(analytics_seed=12345)
    assert fake.snapshots(published_id) != first
    fake.set_knobs(analytics_seed=seed)
    assert fake.snapshots(published_id) == first


# --- knobs -------------------------------------------------------------------------------------


def test_the_not_synced_wording_is_a_knob(fake):
    fake.set_knobs(analytics_not_synced_message="Metrics are not ready")
    assert analytics(fake, publish(fake)).json() == {"message": "Metrics are not ready"}


@pytest.mark.parametrize("empty", [True, ["twitter"]])
def test_empty_readings_come_with_a_last_error(fake, empty):
    fake.set_knobs(analytics_empty_metrics=empty)
    start = fake.now()
    published_id = publish(fake)
    at_age(fake, start, 8 * DAY)
    body = analytics(fake, published_id).json()
    assert (body["metrics"], body["lastError"]) == ({}, "Could not collect metrics from twitter")
    assert [entry["metrics"] for entry in body["history"]] == [{}, {}]
    assert get(fake, "/v2/published-posts")["items"][0]["latestMetrics"]["metrics"] == {}
    assert fake.snapshots(published_id)[-1]["metrics"] != {}  # the truth is still there


def test_empty_readings_can_hit_one_platform_only(fake):
    fake.set_knobs(analytics_empty_metrics=["bluesky"])
    start = fake.now()
    published_id = publish(fake)
    at_age(fake, start, 2 * DAY)
    assert analytics(fake, published_id).json()["lastError"] is None


def test_the_history_can_leave_out_the_latest_reading(fake):
    fake.set_knobs(analytics_history_omits_latest=True)
    start = fake.now()
    published_id = publish(fake)
    at_age(fake, start, 8 * DAY)
    body = analytics(fake, published_id).json()
    assert len(body["history"]) == 1
    assert body["metrics"] == fake.snapshots(published_id)[-1]["metrics"]
    assert body["lastFetchedAt"] == fake.snapshots(published_id)[-1]["fetchedAt"]
    assert len(get(fake, "/v2/published-posts")["items"][0]["metricsHistory"]) == 1


def test_jitter_delays_each_reading_within_its_range(fake):
    fake.set_knobs(analytics_jitter_s=[600, 3600])
    start = fake.now()
    published_id = publish(fake)
    at_age(fake, start, DAY + 590)
    assert analytics(fake, published_id).status_code == 404
    at_age(fake, start, 31 * DAY)
    delays = [(_parse(s["fetchedAt"]) - start).total_seconds() % DAY for s in fake.snapshots(published_id)]
    assert len(delays) == 4 and all(599 <= delay <= 3601 for delay in delays)


def test_a_fixed_jitter_delays_every_reading_by_that_much(fake):
    fake.set_knobs(analytics_jitter_s=1800)
    start = fake.now()
    published_id = publish(fake)
    at_age(fake, start, DAY + 1700)
    assert analytics(fake, published_id).status_code == 404
    at_age(fake, start, DAY + 1900)
    assert analytics(fake, published_id).status_code == 200


@pytest.mark.parametrize(
    "knobs",
    [
        {"analytics_plan": "creator"},
        {"analytics_jitter_s": -1},
        {"analytics_jitter_s": [10, 5]},
        {"analytics_jitter_s": [0, 7 * HOUR]},
        {"analytics_noise": -0.1},
        {"analytics_noise": "high"},
        {"analytics_seed": 1.5},
        {"analytics_timezone": "Mars/Olympus"},
        {"analytics_timezone": "America"},
        {"analytics_curves": [[1.0] * 24] * 7},
        {"analytics_disabled": "yes"},
        {"analytics_curves": {"1001": [[1.0] * 24] * 6}},
        {"analytics_curves": {"1001": [[1.0] * 23] * 7}},
        {"analytics_curves": {"1001": [[-1.0] * 24] * 7}},
        {"analytics_empty_metrics": ["myspace"]},
        {"analytics_not_synced_message": 404},
        {"analytics_speed": 2},
        {"rate_limits": {"GET /analytics/everything": 5}},
    ],
)
def test_bad_analytics_knobs_are_refused(fake, knobs):
    with pytest.raises(ValueError):
        fake.set_knobs(**knobs)


def test_reset_puts_the_analytics_knobs_back(fake):
    curve = fake.true_engagement_curve("1001")
    fake.set_knobs(
        analytics_plan="agency",
        analytics_seed=1,
        analytics_disabled=True,
        analytics_curves={"1001": flat_curve()},
    )
    fake.reset()
    fake.add_sandbox_key(KEY)
    assert fake.state.knob("analytics_plan") == "starter"
    assert fake.state.knob("analytics_disabled") is False
    assert fake.true_engagement_curve("1001") == curve


def test_a_curve_given_to_a_knob_is_copied(fake):
    explicit = flat_curve()
    fake.set_knobs(analytics_curves={"1001": explicit})
    explicit[0][0] = 99.0
    assert fake.true_engagement_curve("1001")[0][0] == 1.0


# --- disabled, extra routes, rate limits, faults -----------------------------------------------


def test_disabled_analytics_answer_not_available_everywhere(fake):
    fake.set_knobs(analytics_disabled=True, analytics_extra_routes=True)
    start = fake.now()
    published_id = publish(fake)
    at_age(fake, start, 2 * DAY)
    for path in [f"/v2/posts/{published_id}/analytics", *ROUTES]:
        response = call(fake, "GET", path)
        assert (response.status_code, response.json()) == (404, {"message": "Analytics not available"}), path
    assert call(fake, "GET", "/v2/posts").status_code == 200


def test_the_extra_routes_are_off_by_default(fake):
    for path in ROUTES[2:]:
        assert call(fake, "GET", path).status_code == 404


def test_the_extra_routes_sum_the_latest_counts(fake):
    fake.set_knobs(analytics_extra_routes=True)
    start = fake.now()
    ids = [publish(fake, "twitter"), publish(fake, "twitter"), publish(fake, "bluesky")]
    at_age(fake, start, 2 * DAY)
    latest = [fake.snapshots(pid)[-1]["metrics"] for pid in ids]
    summary = get(fake, "/v2/analytics/summary")
    assert summary["likesCount"] == str(sum(int(m["likesCount"]) for m in latest))
    by_platform = {item.pop("platform"): item for item in get(fake, "/v2/analytics/platforms")["items"]}
    assert set(by_platform) == {"twitter", "bluesky"}
    assert by_platform["twitter"]["impressionsCount"] == str(sum(int(m["impressionsCount"]) for m in latest[:2]))
    assert by_platform["bluesky"] == latest[2]


@pytest.mark.parametrize("path", ["/v2/posts/123/analytics", *ROUTES])
def test_analytics_routes_allow_60_requests_a_minute(fake, path):
    fake.set_knobs(analytics_extra_routes=True, rate_limits=DEFAULT_RATE_LIMITS)
    assert all(call(fake, "GET", path).status_code != 429 for _ in range(60))
    response = call(fake, "GET", path)
    assert response.status_code == 429
    assert response.json()["message"].startswith("Rate limit exceeded, retry in")
    fake.advance(60)
    assert call(fake, "GET", path).status_code != 429


def test_faults_can_target_the_analytics_routes(fake):
    published_id = publish(fake)
    fake.inject("status", route="GET /posts/{id}/analytics", status=503)
    assert analytics(fake, published_id).status_code == 503
    assert analytics(fake, published_id).status_code == 404  # used up: back to "not yet synced"
    fake.set_knobs(fault_mix={"GET /published-posts": [{"fault": "rate_limit", "share": 1.0, "retry_after": 5}]})
    response = call(fake, "GET", "/v2/published-posts")
    assert (response.status_code, response.headers["retry-after"]) == (429, "5")
    assert call(fake, "GET", "/v2/analytics").status_code == 200


def test_the_truth_is_readable_through_the_control_endpoints(fake):
    start = fake.now()
    submission_id = create(fake, sandbox_post("twitter"))
    at_age(fake, start, 2 * DAY)
    published_id = call(fake, "GET", f"/__fake__/published-id?submission_id={submission_id}").json()["id"]
    assert published_id == fake.published_id(submission_id)
    snapshots = call(fake, "GET", f"/__fake__/snapshots?published_id={published_id}").json()
    assert snapshots == fake.snapshots(published_id)
    curve = call(fake, "GET", "/__fake__/engagement-curve?account_id=1001").json()
    assert curve == fake.true_engagement_curve("1001")
    assert call(fake, "GET", "/__fake__/snapshots?published_id=nope").status_code == 404


def _parse(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))
