"""Importing metrics and asking for optimal times through the API (real PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from analytics.models import PostMetric
from publishing.models import ScheduledPost, SocialAccount, Status

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)  # 10:30 in Paris, a Wednesday


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def row(**overrides) -> dict:
    base = {
        "platform": "instagram",
        "posted_at": "2026-11-20T18:00:00Z",
        "views": 1000,
        "likes": 80,
        "comments": 5,
        "shares": 2,
        "saves": 3,
    }
    base.update(overrides)
    return base


def upload(client, rows):
    return client.post("/api/analytics/metrics", data=json.dumps({"metrics": rows}), content_type="application/json")


def test_json_rows_are_imported_and_reimporting_updates(alice_api, alice):
    rows = [row(post_url=f"https://www.instagram.com/p/{n}/", likes=n) for n in range(3)]
    assert upload(alice_api, rows).json() == {"imported": 3, "updated": 0, "already_harvested": 0}
    rows[0]["likes"] = 999
    assert upload(alice_api, rows).json() == {"imported": 0, "updated": 3, "already_harvested": 0}
    assert PostMetric.objects.filter(owner=alice).count() == 3
    assert PostMetric.objects.get(post_url="https://instagram.com/p/0").likes == 999  # stored in one spelling


def test_rows_without_a_url_are_keyed_by_their_time(alice_api, alice):
    upload(alice_api, [row()])
    assert upload(alice_api, [row(likes=5)]).json() == {"imported": 0, "updated": 1, "already_harvested": 0}
    assert PostMetric.objects.get(owner=alice).likes == 5


def test_a_csv_body_is_imported(alice_api, alice):
    csv_text = (
        "platform,posted_at,views,likes,comments,shares,saves,followers,post_url\n"
        "tiktok,2026-11-20T18:00:00,500,40,2,1,0,1200,\n"
        "x,2026-11-21T08:00:00+01:00,900,12,1,0,0,,https://x.com/a/status/1\n"
    )
    response = alice_api.post("/api/analytics/metrics", data=csv_text, content_type="text/csv")
    assert response.json() == {"imported": 2, "updated": 0, "already_harvested": 0}
    tiktok = PostMetric.objects.get(owner=alice, platform="tiktok")
    assert tiktok.posted_at == datetime(2026, 11, 20, 17, 0, tzinfo=UTC)  # 18:00 in Paris
    assert tiktok.followers == 1200
    assert PostMetric.objects.get(platform="twitter").followers is None


def test_a_bad_row_rejects_the_whole_upload_naming_each_bad_row(alice_api):
    rows = [row(), row(platform="myspace"), row(likes=-1, posted_at="yesterday"), row(views="many")]
    response = upload(alice_api, rows)
    assert response.status_code == 400
    assert response.json()["error"] == "3 row(s) cannot be imported; nothing was imported."
    assert response.json()["details"]["rows"] == [
        {"row": 2, "errors": {"platform": "unknown platform 'myspace'"}},
        {
            "row": 3,
            "errors": {
                "posted_at": "'yesterday' is not an ISO 8601 date-time, like 2026-12-27T14:00:00Z",
                "likes": "must not be negative",
            },
        },
        {"row": 4, "errors": {"views": "must be a whole number"}},
    ]
    assert PostMetric.objects.count() == 0


def test_a_csv_without_required_columns_is_refused(alice_api):
    response = alice_api.post(
        "/api/analytics/metrics", data="platform,posted_at\ntiktok,2026-11-20\n", content_type="text/csv"
    )
    assert response.status_code == 400
    assert response.json()["details"]["rows"][0]["errors"]["likes"] == "missing column"


def test_delete_removes_one_platform_of_mine_only(alice_api, bob_api, alice, bob):
    upload(alice_api, [row(), row(platform="tiktok")])
    upload(bob_api, [row()])
    response = alice_api.delete("/api/analytics/metrics?platform=instagram")
    assert response.json() == {"deleted": 1}
    assert PostMetric.objects.filter(owner=alice).count() == 1
    assert PostMetric.objects.filter(owner=bob).count() == 1


def test_a_metric_links_to_the_published_post_with_its_url(alice_api, alice):
    account = SocialAccount.objects.get(owner=alice, platform="instagram")
    post = ScheduledPost.objects.create(
        owner=alice,
        platform="instagram",
        account=account,
        caption="hi",
        scheduled_time=NOW - timedelta(days=3),
        status=Status.PUBLISHED,
        platform_url="https://www.instagram.com/reel/abc/",
    )
    upload(alice_api, [row(post_url="https://www.instagram.com/reel/abc/")])
    assert PostMetric.objects.get(owner=alice).post == post


def test_the_import_command_prints_a_summary(alice, tmp_path, capsys):
    path = tmp_path / "metrics.csv"
    path.write_text(
        "platform,posted_at,views,likes,comments,shares,saves\n"
        + "".join(f"youtube,2026-11-{d:02d}T15:00:00Z,10,1,0,0,0\n" for d in range(1, 11))
    )
    call_command("import_metrics", str(path), "--user", "alice")
    assert (
        capsys.readouterr().out.strip()
        == "10 rows from metrics.csv: 10 imported, 0 updated, 0 already known from Blotato."
    )


def test_no_history_answers_the_platform_defaults(alice_api):
    body = alice_api.get("/api/optimal-posting-times/platform/instagram").json()
    assert body["best_hours"] == [11, 14, 17, 20]
    assert body["best_days"] == [1, 2, 3, 4, 5]
    assert (body["source"], body["confidence"], body["sample_size"]) == ("default", 0.0, 0)
    assert body["timezone"] == "Europe/Paris"
    assert body["window_days"] == 90
    assert len(body["hour_scores"]) == 24 and len(body["day_scores"]) == 7
    assert all(0 <= s <= 100 for s in body["hour_scores"] + body["day_scores"])


def test_an_unknown_platform_is_a_404_listing_the_platforms(alice_api):
    response = alice_api.get("/api/optimal-posting-times/platform/myspace")
    assert response.status_code == 404
    assert response.json()["error"].startswith("Unknown platform 'myspace'. Known platforms: instagram, tiktok")


def test_history_moves_the_answer_and_other_users_history_does_not(alice_api, bob_api):
    # Bob posts a lot at 03:00 with huge engagement; that must not reach Alice's answer.
    bob_rows = [
        row(posted_at=f"2026-11-{d:02d}T03:00:00", likes=5000, post_url=f"https://i.com/b{d}") for d in range(1, 25)
    ]
    upload(bob_api, bob_rows)
    assert alice_api.get("/api/optimal-posting-times/platform/instagram").json()["source"] == "default"
    assert bob_api.get("/api/optimal-posting-times/platform/instagram").json()["sample_size"] == 24


def recommend(client, **body):
    return client.post("/api/optimal-posting-times/recommend", data=json.dumps(body), content_type="application/json")


def test_a_recommendation_is_on_the_local_date_in_the_future(alice_api):
    body = recommend(alice_api, platform="instagram", preferred_date="2026-11-27").json()
    local = datetime.fromisoformat(body["local_time"])
    assert local.date().isoformat() == "2026-11-27"
    assert local.hour == 11  # the best default hour of a Friday
    assert body["recommended_time"] == "2026-11-27T10:00:00Z"
    assert body["source"] == "default"
    assert 0 <= body["score"] <= 100
    assert len(body["alternatives"]) == 3
    assert all(a["score"] <= body["score"] for a in body["alternatives"])


def test_today_only_offers_hours_still_ahead(alice_api):
    body = recommend(alice_api, platform="instagram", preferred_date="2026-11-25").json()
    times = [body["local_time"]] + [a["local_time"] for a in body["alternatives"]]
    assert all(datetime.fromisoformat(t) > NOW for t in times)


def test_a_datetime_uses_its_date_as_written(alice_api):
    body = recommend(alice_api, platform="tiktok", preferred_date="2026-11-27T23:30:00-08:00").json()
    assert body["local_time"].startswith("2026-11-27")


def test_a_recommendation_keeps_an_hour_away_from_existing_posts(alice_api, alice):
    account = SocialAccount.objects.get(owner=alice, platform="instagram")
    ScheduledPost.objects.create(
        owner=alice,
        platform="instagram",
        account=account,
        caption="taken",
        scheduled_time=datetime(2026, 11, 27, 10, 30, tzinfo=UTC),
    )  # 11:30 Paris
    body = recommend(alice_api, platform="instagram", preferred_date="2026-11-27").json()
    for local in [body["local_time"]] + [a["local_time"] for a in body["alternatives"]]:
        hour = datetime.fromisoformat(local).hour
        assert hour not in (11, 12)


def test_a_date_in_the_past_is_refused(alice_api):
    response = recommend(alice_api, platform="instagram", preferred_date="2026-11-24")
    assert response.status_code == 400
    assert response.json()["error"] == "preferred_date 2026-11-24 is in the past in Europe/Paris."


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"preferred_date": "2026-11-27"}, 400, 'platform is required, like "instagram".'),
        ({"platform": "instagram", "preferred_date": "soon"}, 400, "preferred_date must be a date like 2026-11-27."),
        (
            {"platform": "instagram", "preferred_date": "2026-13-01"},
            400,
            "preferred_date '2026-13-01' is not a date like 2026-11-27.",
        ),
        ({"platform": "instagram", "preferred_date": 20261127}, 400, "preferred_date must be a date like 2026-11-27."),
        ({"platform": "instagram", "preferred_date": "2026-11-27", "x": 1}, 400, "Unknown field(s): x."),
    ],
)
def test_bad_recommend_input(alice_api, body, status, message):
    response = recommend(alice_api, **body)
    assert response.status_code == status
    assert response.json()["error"] == message


def test_a_dst_gap_hour_is_never_recommended(alice_api, alice):
    alice.profile.timezone = "Europe/Paris"
    alice.profile.save()
    with time_machine.travel(datetime(2027, 3, 20, 12, 0, tzinfo=UTC), tick=False):
        body = recommend(alice_api, platform="tiktok", preferred_date="2027-03-28").json()
    for local in [body["local_time"]] + [a["local_time"] for a in body["alternatives"]]:
        assert datetime.fromisoformat(local).hour != 2


def test_local_hours_follow_daylight_saving_time(alice_api):
    # 18:00 in Paris is 16:00Z in summer and 17:00Z in winter: both are the user's 18:00.
    rows = [
        row(platform="tiktok", posted_at=f"2026-{when}", likes=900, post_url=f"https://t.example/{n}")
        for n, when in enumerate(["10-20T16:00:00Z", "11-20T17:00:00Z"] * 20)
    ]
    rows += [
        row(platform="tiktok", posted_at=f"2026-11-{d:02d}T08:00:00Z", likes=1, post_url=f"https://t.example/m{d}")
        for d in range(1, 21)
    ]
    upload(alice_api, rows)
    body = alice_api.get("/api/optimal-posting-times/platform/tiktok").json()
    assert body["best_hours"][0] == 18
    assert body["sample_size"] == 60


def test_a_file_that_is_not_csv_is_a_400_not_a_crash(alice_api):
    response = alice_api.post("/api/analytics/metrics", data='97"\r\x8c|\n"a', content_type="text/csv")
    assert response.status_code == 400
    assert response.json()["error"] in ("The file is not readable as CSV.", "The CSV header lacks required columns.")
