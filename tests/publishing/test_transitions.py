"""The lifecycle table, walked: every allowed move happens once, is logged and told; no other exists."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from publishing import transitions
from publishing.models import PostEvent, ScheduledPost, SocialAccount, Status

pytestmark = pytest.mark.django_db
PAIRS = [(source, to) for source in Status.values for to in Status.values]


def post_in(owner, status: str) -> ScheduledPost:
    held = {}
    if status == Status.PUBLISHING:  # the database insists a publishing post holds a claim
        held = {"claim_token": uuid.uuid4(), "lease_until": timezone.now() + timedelta(seconds=90)}
    return ScheduledPost.objects.create(
        owner=owner,
        platform="twitter",
        account=SocialAccount.objects.get(owner=owner, platform="twitter"),
        caption="walked",
        scheduled_time=timezone.now(),
        status=status,
        **held,
    )


@pytest.mark.parametrize("source, to", [p for p in PAIRS if p[1] in transitions.ALLOWED[p[0]]])
def test_an_allowed_move_happens_once_logs_a_line_and_tells_the_story(alice, caplog, source, to):
    post = post_in(alice, source)
    claim = {"claim_token": uuid.uuid4(), "lease_until": timezone.now()} if to == Status.PUBLISHING else {}
    with caplog.at_level(logging.INFO, logger="publishing.transitions"):
        assert transitions.move(post.pk, [source], to, "walking the table", **claim) is True
        again = transitions.move(post.pk, [source], to, "walking the table", **claim)
    post.refresh_from_db()
    assert post.status == to
    assert again is (source == to)  # only a move that stays put can happen twice
    assert f"post {post.pk} {source} -> {to} (walking the table)" in caplog.messages
    assert PostEvent.objects.filter(post=post, status=to, message="walking the table").exists()
    if source == Status.PUBLISHING and to != Status.PUBLISHING:
        assert (post.claim_token, post.lease_until) == (None, None)  # leaving publishing releases the claim


@pytest.mark.parametrize("source, to", [p for p in PAIRS if p[1] not in transitions.ALLOWED[p[0]]])
def test_a_move_outside_the_table_is_refused_before_touching_the_post(alice, source, to):
    post = post_in(alice, source)
    with pytest.raises(ValueError, match=f"no transition {source} -> {to}"):
        transitions.move(post.pk, [source], to, "not in the lifecycle")
    post.refresh_from_db()
    assert post.status == source
    assert not PostEvent.objects.filter(post=post).exists()


def test_a_move_from_a_status_the_post_has_left_changes_nothing(alice):
    post = post_in(alice, Status.CANCELLED)
    assert transitions.move(post.pk, [Status.SCHEDULED], Status.PUBLISHING, "too late") is False
    post.refresh_from_db()
    assert post.status == Status.CANCELLED
    assert not PostEvent.objects.filter(post=post).exists()


def test_a_claim_fences_out_other_workers(alice):
    post = post_in(alice, Status.PUBLISHING)
    other = uuid.uuid4()
    assert transitions.fail(post.pk, "not mine", claim_token=other) is False
    assert transitions.fail(post.pk, "mine", claim_token=post.claim_token) is True
    post.refresh_from_db()
    assert (post.status, post.last_error) == (Status.FAILED, "mine")


def test_a_persons_move_that_lost_its_race_says_what_the_post_is_now(alice):
    post = post_in(alice, Status.SCHEDULED)
    ScheduledPost.objects.filter(pk=post.pk).update(status=Status.PUBLISHED)
    with pytest.raises(transitions.WrongStatus) as refused:
        transitions.cancel(post, actor=alice)
    assert refused.value.status == Status.PUBLISHED


def test_every_status_has_a_row_in_the_table():
    assert set(transitions.ALLOWED) == set(Status.values)
    assert all(set(targets) <= set(Status.values) for targets in transitions.ALLOWED.values())


def test_a_draft_is_never_claimed_whatever_its_time(alice):
    post = post_in(alice, Status.DRAFT)
    assert transitions.claim(post.pk, at=timezone.now() + timedelta(days=1)) is None
    post.refresh_from_db()
    assert post.status == Status.DRAFT


def test_an_undo_is_refused_once_the_posts_time_has_passed(alice):
    post = post_in(alice, Status.CANCELLED)  # its time is now
    with pytest.raises(transitions.WrongStatus):
        transitions.undo_cancel(post, at=timezone.now() + timedelta(seconds=1), actor=alice)
    post.refresh_from_db()
    assert post.status == Status.CANCELLED


def test_an_edit_of_a_claimed_post_is_refused_and_says_it_is_publishing(alice):
    post = post_in(alice, Status.SCHEDULED)
    assert transitions.claim(post.pk, at=timezone.now() + timedelta(seconds=1))
    with pytest.raises(transitions.WrongStatus) as refused:
        transitions.edit(post, "too late", actor=alice, caption="changed")  # `post` still says scheduled
    assert refused.value.status == Status.PUBLISHING
    post.refresh_from_db()
    assert post.caption == "walked"
