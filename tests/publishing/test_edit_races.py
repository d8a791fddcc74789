"""Edits racing real Celery workers (beat, a worker, PostgreSQL, Redis, the fake Blotato).

Whoever wins the post's row decides: an edit that wins is what Blotato receives; an edit that
loses to the claim is refused (409) and changes nothing. Either way each post goes out once.
Counts and states only; the waits are liveness bounds, never timing checks.
"""

from __future__ import annotations

import json

import pytest

from publishing.models import ScheduledPost, Status
from tests.conftest import TEST_KEY
from tests.processes import CeleryProcesses, wait_until

from .test_workers import all_settled, make_posts, publications_by_text, statuses

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.workers]


@pytest.fixture
def workers(tmp_path, fake_blotato):
    processes = CeleryProcesses(tmp_path, fake_blotato.url, TEST_KEY)
    yield processes
    processes.stop_all()
    print(processes.output()[-6000:])  # shown by pytest when the test fails


def patch(client, post, body: dict):
    return client.patch(f"/api/publishing/calendar/{post.pk}", data=json.dumps(body), content_type="application/json")


def test_an_edit_while_the_worker_is_sending_is_a_409_and_nothing_is_sent_twice(
    alice, alice_api, fake_blotato, workers
):
    # Blotato takes a while to answer, so the post stays `publishing` long enough to be edited.
    fake_blotato.set_knobs(latency_s=2.0)
    [post] = make_posts(alice, 1, due_in=1, prefix="original")
    workers.start_worker()
    workers.start_beat()
    wait_until(
        lambda: ScheduledPost.objects.filter(pk=post.pk, status=Status.PUBLISHING).exists(),
        timeout=60,
        describe=statuses,
    )
    response = patch(alice_api, post, {"caption": "too late"})
    assert response.status_code == 409
    assert response.json()["details"] == {"status": "publishing"}
    wait_until(all_settled, timeout=60, describe=statuses)
    post.refresh_from_db()
    assert (post.status, post.caption) == (Status.PUBLISHED, "original 0")
    assert publications_by_text(fake_blotato) == {"original 0": 1}


def test_edits_racing_the_claim_either_win_and_are_sent_or_lose_and_change_nothing(
    alice, alice_api, fake_blotato, workers
):
    fake_blotato.set_knobs(latency_s=0.2)
    posts = make_posts(alice, 12, due_in=1, prefix="before")
    workers.start_worker(concurrency=4)
    workers.start_beat()
    answers = {}
    for n, post in enumerate(posts):
        answers[post.pk] = patch(alice_api, post, {"caption": f"after {n}"}).status_code
    assert set(answers.values()) <= {200, 409}
    wait_until(all_settled, timeout=120, describe=statuses)
    assert statuses() == {Status.PUBLISHED: 12}
    sent = publications_by_text(fake_blotato)
    assert set(sent.values()) == {1} and len(sent) == 12  # each post once
    for n, post in enumerate(posts):
        post.refresh_from_db()
        expected = f"after {n}" if answers[post.pk] == 200 else f"before {n}"
        assert post.caption == expected  # an edit that won is kept, one that lost changed nothing
        assert sent[expected] == 1  # and it is what Blotato received


def test_an_edit_that_wins_is_what_goes_out(alice, alice_api, fake_blotato, workers):
    [post] = make_posts(alice, 1, due_in=3, prefix="draft words")
    assert patch(alice_api, post, {"caption": "final words"}).status_code == 200
    workers.start_worker()
    workers.start_beat()
    wait_until(all_settled, timeout=60, describe=statuses)
    assert publications_by_text(fake_blotato) == {"final words": 1}
