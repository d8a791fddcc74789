"""A big import committed by a real Celery worker while the page polls its progress."""

from __future__ import annotations

from datetime import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from publishing import queue
from publishing.models import ImportJob, ImportState, ScheduledPost, SocialAccount
from publishing.posting_slots import WeeklySlot
from tests.conftest import TEST_KEY
from tests.processes import wait_until, watched_processes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.workers]

ROWS = 300


@pytest.fixture
def celery_processes(tmp_path, fake_blotato):
    with watched_processes(tmp_path, fake_blotato.url, TEST_KEY) as processes:
        yield processes


def test_a_file_over_the_inline_limit_is_committed_by_a_worker(client, alice, settings, celery_processes):
    # Queue slots every hour: the rows' times follow whatever day the worker's clock says.
    twitter = SocialAccount.objects.get(owner=alice, platform="twitter")
    queue.replace_slots(twitter, {WeeklySlot(d, time(h)) for d in range(7) for h in range(24)})
    settings.IMPORT_INLINE_ROWS = 10
    text = "caption,platforms,time\n" + "".join(f"Post {n},twitter,next_slot\n" for n in range(ROWS))
    client.force_login(alice)
    client.post("/import/check", {"file": SimpleUploadedFile("big.csv", text.encode(), "text/csv")})
    job = ImportJob.objects.get(owner=alice)

    page = client.post(f"/import/{job.pk}/commit", headers={"HX-Request": "true"}).content.decode()
    assert "Waiting for a worker" in page
    celery_processes.start_worker()
    wait_until(
        lambda: ImportJob.objects.get(pk=job.pk).state not in (ImportState.QUEUED, ImportState.RUNNING),
        timeout=90,
        describe=lambda: f"job {ImportJob.objects.filter(pk=job.pk).values('state', 'errors').first()}",
    )

    job.refresh_from_db()
    assert (job.state, job.posts_created, job.rows_done) == (ImportState.DONE, ROWS, ROWS)
    posts = list(ScheduledPost.objects.filter(owner=alice).order_by("scheduled_time"))
    assert [p.caption for p in posts] == [f"Post {n}" for n in range(ROWS)]  # file order is slot order
    assert len({p.scheduled_time for p in posts}) == ROWS
    assert all(p.scheduled_time.minute == 0 for p in posts)
    done = client.get(f"/import/{job.pk}/progress", headers={"HX-Request": "true"}).content.decode()
    assert f"Imported {ROWS} posts" in done
