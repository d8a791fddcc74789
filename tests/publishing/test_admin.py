"""The admin: every page opens, secrets stay hidden, and the actions move posts through the lifecycle."""

from __future__ import annotations

import uuid
from datetime import time, timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from analytics.models import EngagementSnapshot, HarvestedPost, HarvestStatus, PostMetric
from publishing.models import (
    ApiToken,
    CalendarFeedToken,
    Clip,
    ImportJob,
    Notification,
    NotificationPreference,
    PostEvent,
    PostingSlot,
    Profile,
    PublishAttempt,
    PublishingPause,
    ScheduledPost,
    Series,
    SeriesSkip,
    SocialAccount,
    Status,
    WebhookDelivery,
    WebhookEndpoint,
)

pytestmark = pytest.mark.django_db

SECRET_KEY = "blt_admin_test_secret_9f8e7d"
WEBHOOK_SECRET = "whsec_admin_test_secret_1a2b3c"


@pytest.fixture
def carol() -> User:
    user = User.objects.create_user("carol", password="carol-password-123")
    profile = Profile.objects.get(user=user)
    profile.blotato_api_key = SECRET_KEY
    profile.save()
    return user


@pytest.fixture
def account(carol) -> SocialAccount:
    return SocialAccount.objects.create(owner=carol, platform="twitter", blotato_account_id="1001", username="carol")


@pytest.fixture
def boss_client(client, carol):
    boss = User.objects.create_user("boss", password="boss-password-123", is_staff=True, is_superuser=True)
    client.force_login(boss)
    return client


def make_post(account: SocialAccount, status: str = Status.SCHEDULED, **fields) -> ScheduledPost:
    if status == Status.PUBLISHING:  # the database insists a publishing post holds a lease
        fields.update(claim_token=uuid.uuid4(), lease_until=timezone.now() + timedelta(seconds=90))
    return ScheduledPost.objects.create(
        owner=account.owner,
        platform=account.platform,
        account=account,
        caption=fields.pop("caption", f"A {status} post"),
        scheduled_time=fields.pop("scheduled_time", timezone.now() + timedelta(days=1)),
        status=status,
        **fields,
    )


def run_action(boss_client, action: str, posts: list[ScheduledPost]) -> list[str]:
    """Run an admin action on the posts; the messages it left for the user."""
    response = boss_client.post(
        reverse("admin:publishing_scheduledpost_changelist"),
        {"action": action, "_selected_action": [str(p.pk) for p in posts]},
        follow=True,
    )
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def statuses(posts: list[ScheduledPost]) -> list[str]:
    return [ScheduledPost.objects.get(pk=p.pk).status for p in posts]


@pytest.fixture
def one_of_each(carol, account) -> dict:
    """One saved row of every registered model."""
    post = make_post(account, Status.FAILED)
    token, _ = ApiToken.issue(carol)
    series = Series.objects.create(
        owner=carol,
        caption="Weekly",
        targets=[{"platform": account.platform, "account": account.pk, "options": {}}],
        frequency="weekly",
        weekdays=[0],
        start_day=timezone.now().date(),
        local_time=time(9),
        timezone="UTC",
    )
    return {
        ScheduledPost: post,
        Series: series,
        SeriesSkip: SeriesSkip.objects.create(
            series=series,
            first_index=0,
            last_index=1,
            first_time=timezone.now(),
            last_time=timezone.now(),
            reason="its time had passed before it was created",
        ),
        PublishAttempt: PublishAttempt.objects.create(
            post=post, number=1, claim_token=uuid.uuid4(), started_at=timezone.now(), state="rejected"
        ),
        Clip: Clip.objects.create(owner=carol, title="Clip", media_url="https://cdn.example.com/a.mp4"),
        SocialAccount: account,
        Profile: carol.profile,
        ApiToken: token,
        PostMetric: PostMetric.objects.create(owner=carol, platform="twitter", posted_at=timezone.now(), views=3),
        PostEvent: PostEvent.objects.create(post=post, status=Status.FAILED, message="Blotato refused the post"),
        HarvestedPost: HarvestedPost.objects.create(post=post, published_id="5321272"),
        EngagementSnapshot: EngagementSnapshot.objects.create(
            owner=carol,
            post=post,
            platform="twitter",
            published_id="5321272",
            fetched_at=timezone.now(),
            metrics={"likesCount": "3"},
        ),
        HarvestStatus: HarvestStatus.objects.create(user=carol, last_run_at=timezone.now()),
        PostingSlot: PostingSlot.objects.create(account=account, weekday=2, local_time=time(9, 0)),
        CalendarFeedToken: _calendar_feed(carol),
        PublishingPause: PublishingPause.objects.create(owner=carol),
        Notification: Notification.objects.create(user=carol, kind="post_failed", message="A post failed", post=post),
        NotificationPreference: NotificationPreference.objects.create(user=carol),
        WebhookEndpoint: (
            endpoint := WebhookEndpoint.objects.create(
                owner=carol, url="https://hooks.example.com/mp", events=["post.failed"], secret=WEBHOOK_SECRET
            )
        ),
        WebhookDelivery: WebhookDelivery.objects.create(
            endpoint=endpoint, event_type="post.failed", payload={"type": "post.failed"}
        ),
        ImportJob: ImportJob.objects.create(owner=carol, file_name="posts.csv", kind="csv", rows_total=2),
    }


def _calendar_feed(user) -> CalendarFeedToken:
    CalendarFeedToken.issue(user)
    return CalendarFeedToken.objects.get(user=user)


def test_every_model_of_ours_is_registered():
    ours = [*apps.get_app_config("publishing").get_models(), *apps.get_app_config("analytics").get_models()]
    assert [model for model in ours if model not in admin.site._registry] == []


def test_every_changelist_and_change_page_opens(boss_client, one_of_each):
    assert set(one_of_each) == {m for m in admin.site._registry if m._meta.app_label in ("publishing", "analytics")}
    for model, obj in one_of_each.items():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        assert boss_client.get(reverse(f"{name}_changelist")).status_code == 200, model
        assert boss_client.get(reverse(f"{name}_change", args=[obj.pk])).status_code == 200, model


def test_the_blotato_key_and_token_hashes_never_show(boss_client, one_of_each, carol):
    token = one_of_each[ApiToken]
    pages = [
        reverse("admin:publishing_profile_changelist"),
        reverse("admin:publishing_profile_change", args=[carol.profile.pk]),
        reverse("admin:publishing_apitoken_changelist"),
        reverse("admin:publishing_apitoken_change", args=[token.pk]),
    ]
    for page in pages:
        html = boss_client.get(page).content.decode()
        assert SECRET_KEY not in html
        assert token.token_hash not in html
        assert "blotato_api_key" not in html
    assert "Blotato key set" in boss_client.get(pages[0]).content.decode()


def test_webhook_secrets_never_show(boss_client, one_of_each):
    endpoint = one_of_each[WebhookEndpoint]
    pages = [
        reverse("admin:publishing_webhookendpoint_changelist"),
        reverse("admin:publishing_webhookendpoint_change", args=[endpoint.pk]),
        reverse("admin:publishing_webhookdelivery_change", args=[one_of_each[WebhookDelivery].pk]),
    ]
    for page in pages:
        assert WEBHOOK_SECRET not in boss_client.get(page).content.decode()


def test_retry_requeues_retryable_posts_and_skips_the_rest(boss_client, account):
    posts = [make_post(account, s) for s in ("failed", "missed", "needs_review", "scheduled", "published")]
    messages = run_action(boss_client, "retry_posts", posts)
    assert statuses(posts) == ["scheduled", "scheduled", "scheduled", "scheduled", "published"]
    assert messages == ["Retried 3 post(s); skipped 2 that were not failed, missed or needs review."]
    retried = ScheduledPost.objects.get(pk=posts[0].pk)
    assert retried.scheduled_time <= timezone.now()
    assert retried.last_error == ""


def test_cancel_cancels_only_scheduled_posts(boss_client, account):
    posts = [make_post(account, s) for s in ("scheduled", "scheduled", "publishing", "failed")]
    messages = run_action(boss_client, "cancel_posts", posts)
    assert statuses(posts) == ["cancelled", "cancelled", "publishing", "failed"]
    assert messages == ["Cancelled 2 post(s); skipped 2 that were not scheduled."]


def test_publish_now_makes_scheduled_and_retryable_posts_due(boss_client, account):
    posts = [make_post(account, s) for s in ("scheduled", "missed", "publishing", "published", "cancelled")]
    before = timezone.now()
    messages = run_action(boss_client, "publish_now", posts)
    assert statuses(posts) == ["scheduled", "scheduled", "publishing", "published", "cancelled"]
    assert messages == ["Queued 2 post(s) to publish now; skipped 3 already publishing or settled."]
    due = ScheduledPost.objects.due(timezone.now()).filter(pk__in=[posts[0].pk, posts[1].pk])
    assert due.count() == 2
    assert all(p.scheduled_time >= before for p in due)


def test_editing_a_scheduled_post_saves_only_caption_and_time(boss_client, account):
    post = make_post(account, Status.SCHEDULED, caption="Old words")
    url = reverse("admin:publishing_scheduledpost_change", args=[post.pk])
    local = timezone.localtime(post.scheduled_time)
    form = {
        "caption": "New words",
        "scheduled_time_0": local.strftime("%Y-%m-%d"),
        "scheduled_time_1": local.strftime("%H:%M:%S"),
        "attempt_log-TOTAL_FORMS": "0",
        "attempt_log-INITIAL_FORMS": "0",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
    }
    assert boss_client.post(url, form).status_code == 302
    assert ScheduledPost.objects.get(pk=post.pk).caption == "New words"


def test_a_post_that_is_no_longer_scheduled_cannot_be_edited(boss_client, account):
    post = make_post(account, Status.PUBLISHED, caption="Already out")
    url = reverse("admin:publishing_scheduledpost_change", args=[post.pk])
    local = timezone.localtime(post.scheduled_time)
    form = {
        "caption": "Too late",
        "scheduled_time_0": local.strftime("%Y-%m-%d"),
        "scheduled_time_1": local.strftime("%H:%M:%S"),
        "attempt_log-TOTAL_FORMS": "0",
        "attempt_log-INITIAL_FORMS": "0",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
    }
    response = boss_client.post(url, form)
    assert response.status_code == 200
    assert "only scheduled posts can be edited" in response.content.decode()
    assert ScheduledPost.objects.get(pk=post.pk).caption == "Already out"


def test_the_admin_records_a_persons_verdict_on_unconfirmed_posts(boss_client, account):
    live, absent, published = (
        make_post(account, Status.NEEDS_REVIEW),
        make_post(account, Status.NEEDS_REVIEW),
        make_post(account, Status.PUBLISHED),
    )
    assert run_action(boss_client, "confirm_live", [live, published]) == [
        "1 post(s) marked published; skipped 1 that did not need review."
    ]
    assert run_action(boss_client, "send_after_review", [absent, published]) == [
        "1 post(s) sent again; skipped 1 that did not need review."
    ]
    assert statuses([live, absent, published]) == [Status.PUBLISHED, Status.SCHEDULED, Status.PUBLISHED]
    decided = [(e.status, e.actor.username) for e in PostEvent.objects.filter(post__in=[live, absent]).order_by("at")]
    assert decided == [(Status.PUBLISHED, "boss"), (Status.SCHEDULED, "boss")]
