"""At most once when Blotato is slow: a send whose outcome is unknown is never resent automatically.

A lost answer, a 5xx or a killed worker may come after Blotato created the post, and Blotato lists
a post only once it has processed it. So the post is looked for in the list for a window that fits
its media, adopted when it appears, and handed to its owner when it never does. The fake Blotato's
`list_delay_s` keeps created posts out of its list, as a video still processing is kept out.

The fake server runs in this process, so travelling the clock moves Blotato's clock too.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from publishing import dispatch, reconcile, transitions
from publishing.models import AttemptState, Clip, PostEvent, PublishAttempt, ScheduledPost, Status

from .test_dispatch import reload, schedule

pytestmark = pytest.mark.django_db(transaction=True)

WINDOWS = {"text": 60.0, "image": 120.0, "video": 600.0}
NEEDS_REVIEW_WORDS = "Could not confirm — check the platform before retrying"


@pytest.fixture
def clock(settings):
    settings.VERIFY_WINDOW_SECONDS = WINDOWS
    settings.VERIFY_INTERVAL_SECONDS = 20
    with time_machine.travel(datetime.now(UTC).replace(microsecond=0), tick=False) as traveller:
        yield traveller


def creates(fake) -> int:
    return len(fake.requests("POST", "/v2/posts"))


def story(post) -> list[str]:
    return list(PostEvent.objects.filter(post=post).order_by("at", "id").values_list("message", flat=True))


def video_clip(owner) -> Clip:
    return Clip.objects.create(owner=owner, title="Slow video", media_url="https://cdn.example.com/slow.mp4")


def test_a_lost_answer_for_a_video_blotato_lists_late_is_adopted_not_resent(alice, fake_blotato, clock):
    fake_blotato.set_knobs(list_delay_s=300)
    fake_blotato.inject("accept_then_drop")
    post = schedule(alice, caption="slow video", clip=video_clip(alice))
    dispatch.run_once()
    post = reload(post)
    assert post.status == Status.VERIFYING
    assert PublishAttempt.objects.get(post=post).state == AttemptState.UNKNOWN

    for _ in range(10):  # searched again and again while Blotato is still processing it
        clock.shift(25)
        reconcile.verify_unknown_outcome(post.pk)
        assert reload(post).status == Status.VERIFYING
    clock.shift(60)  # 310 s: now listed
    reconcile.verify_unknown_outcome(post.pk)

    post = reload(post)
    assert post.status == Status.PUBLISHED
    assert post.platform_url.startswith("https://x.com/demo_twitter/status/")
    assert creates(fake_blotato) == 1 and len(fake_blotato.publications()) == 1
    assert post.last_error.startswith("Blotato did not confirm the post")  # kept, not wiped by success
    assert post.verify_searches == 11
    told = story(post)
    assert "not sent again" in told[0] and "up to 10 minutes" in told[0]
    assert told[-1].startswith("Found on Blotato after 11 searches. Published: https://x.com/")


def test_a_500_after_the_post_was_created_is_adopted_once_it_is_listed(alice, fake_blotato, clock):
    fake_blotato.set_knobs(list_delay_s=45)
    fake_blotato.inject("accept_then_500")
    post = schedule(alice, caption="created, then a 500")
    dispatch.run_once()
    assert reload(post).status == Status.VERIFYING
    clock.shift(25)
    reconcile.verify_unknown_outcome(post.pk)
    assert reload(post).status == Status.VERIFYING
    clock.shift(25)
    reconcile.verify_unknown_outcome(post.pk)
    assert reload(post).status == Status.PUBLISHED
    assert creates(fake_blotato) == 1 and len(fake_blotato.publications()) == 1


def test_a_500_that_created_nothing_is_never_resent_it_needs_review(alice, fake_blotato, clock):
    fake_blotato.inject("status", status=500)
    post = schedule(alice, caption="maybe created")
    dispatch.run_once()
    clock.shift(30)
    reconcile.verify_unknown_outcome(post.pk)
    assert reload(post).status == Status.VERIFYING  # still inside the 60 s text window
    clock.shift(31)
    reconcile.verify_unknown_outcome(post.pk)

    post = reload(post)
    assert post.status == Status.NEEDS_REVIEW
    assert post.last_error.startswith(NEEDS_REVIEW_WORDS)
    for _ in range(3):  # however often dispatch and reconcile run afterwards
        clock.shift(600)
        dispatch.run_once()
        reconcile.verify_unknown_outcome(post.pk)
    assert reload(post).status == Status.NEEDS_REVIEW
    assert creates(fake_blotato) == 1
    assert fake_blotato.publications() == []
    assert "Looked for it 2 times" in story(post)[-1]


def test_a_post_listed_only_after_its_window_needs_review_and_is_not_duplicated(alice, fake_blotato, clock):
    fake_blotato.set_knobs(list_delay_s=900)
    fake_blotato.inject("accept_then_drop")
    post = schedule(alice, caption="very slow")
    dispatch.run_once()
    clock.shift(61)
    reconcile.verify_unknown_outcome(post.pk)
    assert reload(post).status == Status.NEEDS_REVIEW
    clock.shift(3600)
    dispatch.run_once()
    assert creates(fake_blotato) == 1 and len(fake_blotato.publications()) == 1


@pytest.mark.parametrize(
    "media_url, window",
    [(None, 60), ("https://cdn.example.com/photo.JPG", 120), ("https://cdn.example.com/clip.mp4?x=1", 600)],
)
def test_the_search_window_fits_the_media_the_post_carries(alice, fake_blotato, clock, media_url, window):
    clip = Clip.objects.create(owner=alice, title="media", media_url=media_url) if media_url else None
    fake_blotato.inject("accept_then_drop")
    post = schedule(alice, caption="which window", clip=clip, platform="facebook")
    dispatch.run_once()
    post = reload(post)
    assert post.status == Status.VERIFYING
    assert post.verify_until == datetime.now(UTC) + timedelta(seconds=window)


def test_searches_grow_further_apart_over_a_long_window(settings):
    settings.VERIFY_INTERVAL_SECONDS = 20
    settings.VERIFY_INTERVAL_MAX_SECONDS = 120
    gaps = [reconcile.search_interval(n).total_seconds() for n in (1, 4, 5, 9, 10, 15, 40)]
    assert gaps == [20, 20, 40, 40, 80, 120, 120]


def test_the_owner_may_allow_one_resend_after_the_window(alice, fake_blotato, clock):
    alice.profile.resend_unconfirmed = True
    alice.profile.save()
    fake_blotato.inject("drop", times=2)  # the connection drops after sending: nothing created
    post = schedule(alice, caption="resend allowed")
    dispatch.run_once()
    clock.shift(61)
    reconcile.verify_unknown_outcome(post.pk)
    post = reload(post)
    assert post.status == Status.SCHEDULED
    assert "sending it once more, as your settings allow" in post.last_error
    dispatch.run_once()  # the one resend; its answer is lost too
    clock.shift(61)
    reconcile.verify_unknown_outcome(post.pk)
    post = reload(post)
    assert post.status == Status.NEEDS_REVIEW  # never a second resend
    assert creates(fake_blotato) == 2


def test_an_earlier_problem_stays_on_record_when_a_later_attempt_succeeds(alice, fake_blotato, clock):
    fake_blotato.inject("rate_limit", retry_after=1)
    post = schedule(alice, caption="after a 429")
    dispatch.run_once()
    clock.shift(60)
    dispatch.run_once()
    reconcile.poll_submitted(post.pk)
    post = reload(post)
    assert post.status == Status.PUBLISHED
    assert post.last_error.startswith("Rate limited by Blotato")
    assert [event.status for event in PostEvent.objects.filter(post=post)] == [
        Status.SCHEDULED,
        Status.SUBMITTED,
        Status.PUBLISHED,
    ]


def test_a_worker_killed_mid_call_leaves_the_post_verifying_for_its_window(alice, fake_blotato, clock):
    post = schedule(alice, caption="killed mid-call")
    token = transitions.claim(post.pk, at=datetime.now(UTC))
    ScheduledPost.objects.filter(pk=post.pk).update(lease_until=datetime.now(UTC) - timedelta(seconds=1))
    PublishAttempt.objects.create(
        post=post, number=1, claim_token=token, started_at=datetime.now(UTC), state=AttemptState.SENT
    )
    assert reconcile.reap_expired_leases(at=datetime.now(UTC)) == 1
    post = reload(post)
    assert post.status == Status.VERIFYING
    assert post.verify_until == datetime.now(UTC) + timedelta(seconds=60)
    clock.shift(61)
    reconcile.verify_unknown_outcome(post.pk)
    assert reload(post).status == Status.NEEDS_REVIEW
    assert creates(fake_blotato) == 0


def test_a_link_from_blotato_that_is_not_a_web_address_is_never_stored(alice, fake_blotato, clock):
    post = schedule(alice, caption="hostile link")
    dispatch.run_once()
    submission_id = reload(post).blotato_submission_id
    with fake_blotato.state.lock:  # Blotato answering a javascript: URL as the post's public link
        fake_blotato.state._submissions[submission_id].public_url = "javascript:alert(document.cookie)"
    reconcile.poll_submitted(post.pk)
    post = reload(post)
    assert post.status == Status.PUBLISHED
    assert (post.platform_url, post.live_url) == ("", "")
    assert "Blotato gave no link" in story(post)[-1]
