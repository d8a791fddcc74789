"""Management commands: thin wrappers over the same domain functions the tasks call."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from analytics.models import MetricSource, PostMetric
from analytics.scheduling import engine_answer
from publishing.models import ApiToken, Clip, ScheduledPost, SocialAccount, Status
from publishing.zones import user_zone

pytestmark = pytest.mark.django_db(transaction=True)


def test_dispatch_due_posts_once_publishes_what_is_due(alice, fake_blotato, capsys):
    account = SocialAccount.objects.get(owner=alice, platform="bluesky")
    post = ScheduledPost.objects.create(
        owner=alice, platform="bluesky", account=account, caption="due", scheduled_time=timezone.now()
    )
    call_command("dispatch_due_posts", "--once")
    assert capsys.readouterr().out.splitlines()[-1] == "dispatched 1 post(s)"
    post.refresh_from_db()
    assert post.status == Status.SUBMITTED
    assert len(fake_blotato.publications(account_id="1008")) == 1


def test_dispatch_due_posts_once_polls_a_submitted_post_until_it_is_published(alice, fake_blotato, capsys):
    account = SocialAccount.objects.get(owner=alice, platform="bluesky")
    post = ScheduledPost.objects.create(
        owner=alice, platform="bluesky", account=account, caption="due", scheduled_time=timezone.now()
    )
    call_command("dispatch_due_posts", "--once")
    capsys.readouterr()
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.POLL_INTERVAL_SECONDS + 1)):
        call_command("dispatch_due_posts", "--once")
    assert capsys.readouterr().out.splitlines() == [
        "checked 1 submitted and 0 verifying post(s); 0 lease(s) expired",
        "dispatched 0 post(s)",
    ]
    post.refresh_from_db()
    assert post.status == Status.PUBLISHED
    assert post.platform_url
    assert len(fake_blotato.publications(account_id="1008")) == 1  # polled, not sent again


def test_sync_accounts_stores_every_connected_account(fake_blotato, capsys):
    User.objects.create_user("carol")
    call_command("sync_accounts", "carol")
    assert capsys.readouterr().out.strip() == "carol: 9 account(s)"
    assert SocialAccount.objects.filter(owner__username="carol", is_active=True).count() == 9


def test_seed_demo_creates_a_user_clips_accounts_and_a_token(fake_blotato, capsys):
    call_command("seed_demo")
    token = capsys.readouterr().out.strip().splitlines()[-1]
    demo = User.objects.get(username="demo")
    assert demo.check_password("demo-password")
    assert Clip.objects.filter(owner=demo).count() == 3
    assert SocialAccount.objects.filter(owner=demo).count() == 9
    assert ApiToken.objects.filter(user=demo, token_hash=ApiToken.hash(token)).exists()
    call_command("seed_demo")  # running it again adds a token, not duplicates
    assert Clip.objects.filter(owner=demo).count() == 3


def test_the_sandbox_demo_starts_with_a_lived_in_month_and_learned_times(fake_blotato, db, capsys):
    call_command("seed_demo", "--history")
    demo = User.objects.get(username="demo")
    posts = ScheduledPost.objects.filter(owner=demo)
    assert posts.filter(status=Status.PUBLISHED).count() > 60
    assert all(
        url.startswith("https://")
        for url in posts.filter(status=Status.PUBLISHED).values_list("platform_url", flat=True)
    )
    assert posts.filter(status=Status.FAILED).count() == posts.filter(status=Status.NEEDS_REVIEW).count() == 1
    assert posts.filter(status=Status.SCHEDULED, scheduled_time__gt=timezone.now()).count() > 5
    assert {"instagram", "tiktok", "twitter"} <= set(
        posts.filter(status=Status.SCHEDULED).values_list("platform", flat=True)
    )
    learned = PostMetric.objects.filter(owner=demo, source=MetricSource.BLOTATO).count()
    assert learned > 60  # every published post's engagement came back through the harvest
    answer = engine_answer(demo, "instagram", user_zone(demo), now=timezone.now())
    assert answer.source != "default" and answer.sample_size > 10
    assert "Demo calendar:" in capsys.readouterr().out
    call_command("seed_demo", "--history")  # a second start adds nothing
    assert ScheduledPost.objects.filter(owner=demo).count() == posts.count()
