"""The bulk import's doors: the page (dry run, inline and queued commit), the API and the command."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from publishing.import_files import read_file
from publishing.import_jobs import commit_job
from publishing.import_pages import TEMPLATE_CSV
from publishing.models import ImportJob, ImportState, ScheduledPost

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

GOOD = "caption,platforms,time\nOne,twitter,2026-12-01T09:00:00Z\nTwo,bluesky,2026-12-01 10:00\n"
BAD = "caption,platforms,time\nOne,twitter,2026-12-01T09:00:00Z\nTwo,bluesky,2026-11-01 10:00\n"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def upload(client, text: str, name: str = "posts.csv"):
    return client.post("/import/check", {"file": SimpleUploadedFile(name, text.encode(), "text/csv")})


class TestPage:
    def test_the_page_is_linked_and_offers_the_template(self, browser):
        page = browser.get("/queue/").content.decode()
        assert 'href="/import/"' in page
        assert 'href="/import/template.csv"' in browser.get("/import/").content.decode()

    def test_the_template_csv_reads_as_an_import_file(self, browser):
        response = browser.get("/import/template.csv")
        assert response["Content-Disposition"].startswith("attachment")
        kind, rows = read_file(response.content, name="template.csv")
        assert kind == "csv" and len(rows) == 4 and response.content.decode() == TEMPLATE_CSV

    def test_the_documented_example_is_the_template(self):
        example = (ROOT / "docs" / "import-example.csv").read_text()
        assert example.replace("\n", "\r\n") == TEMPLATE_CSV

    def test_a_dry_run_shows_the_error_row_and_offers_no_commit(self, browser):
        response = upload(browser, BAD, "posts.csv")

        assert response.status_code == 422
        page = response.content.decode()
        assert "1 of 2 rows has an error (row 3)" in page
        assert 'data-row="3" class="row-error"' in page and "is in the past" in page
        assert "commit-import" not in page
        assert ScheduledPost.objects.count() == 0

    def test_a_good_file_commits_inline_from_its_dry_run(self, browser, alice):
        response = upload(browser, GOOD, "posts.csv")
        assert response.status_code == 200 and "Import 2 posts" in response.content.decode()
        job = ImportJob.objects.get(owner=alice)

        committed = browser.post(f"/import/{job.pk}/commit", headers={"HX-Request": "true"})

        assert "Imported 2 posts from 2 rows" in committed.content.decode()
        assert sorted(ScheduledPost.objects.values_list("caption", flat=True)) == ["One", "Two"]
        job.refresh_from_db()
        assert (job.state, job.posts_created, job.content) == (ImportState.DONE, 2, "")
        # A second press (or a second tab) creates nothing more.
        browser.post(f"/import/{job.pk}/commit")
        assert ScheduledPost.objects.count() == 2

    def test_a_big_file_is_queued_for_a_worker_and_the_page_polls(self, browser, alice, settings):
        settings.IMPORT_INLINE_ROWS = 1
        upload(browser, GOOD)
        job = ImportJob.objects.get(owner=alice)

        page = browser.post(f"/import/{job.pk}/commit", headers={"HX-Request": "true"}).content.decode()

        assert "Waiting for a worker to import 2 rows" in page
        assert f'hx-get="/import/{job.pk}/progress" hx-trigger="every 1s"' in page
        assert ScheduledPost.objects.count() == 0
        commit_job(job.pk)  # what the worker runs (tests/publishing/test_import_worker.py runs a real one)
        done = browser.get(f"/import/{job.pk}/progress", headers={"HX-Request": "true"}).content.decode()
        assert "Imported 2 posts" in done and "hx-trigger" not in done

    def test_a_commit_whose_worker_was_lost_stops_polling_and_says_nothing_was_written(self, browser, alice):
        upload(browser, GOOD)
        job = ImportJob.objects.get(owner=alice)
        ImportJob.objects.filter(pk=job.pk).update(state=ImportState.RUNNING, started_at=NOW)
        progress = f"/import/{job.pk}/progress"
        assert "hx-trigger" in browser.get(progress, headers={"HX-Request": "true"}).content.decode()

        with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
            page = browser.get(progress, headers={"HX-Request": "true"}).content.decode()

        assert "Nothing was imported" in page and "its worker was lost" in page and "hx-trigger" not in page
        assert ImportJob.objects.get(pk=job.pk).state == ImportState.FAILED

    def test_a_file_problem_is_said_on_the_page(self, browser):
        response = upload(browser, "caption,colour\nhi,red\n")
        assert response.status_code == 422
        assert "Unknown column &#x27;colour&#x27; in the header" in response.content.decode()

    def test_a_row_that_changed_meaning_since_the_dry_run_refuses_the_commit(self, browser, alice):
        upload(browser, GOOD)
        job = ImportJob.objects.get(owner=alice)
        alice.social_accounts.filter(platform="bluesky").update(is_active=False)

        page = browser.post(f"/import/{job.pk}/commit").content.decode()

        assert "Nothing was imported" in page and "Row 3, <code>platforms</code>: No connected Bluesky account" in page
        assert ScheduledPost.objects.count() == 0

    def test_another_users_import_is_404(self, browser, bob):
        bobs = Client()
        bobs.force_login(bob)
        upload(bobs, GOOD)
        job = ImportJob.objects.get(owner=bob)
        assert browser.post(f"/import/{job.pk}/commit").status_code == 404
        assert browser.get(f"/import/{job.pk}/progress").status_code == 404


class TestApi:
    def post_json(self, client, body):
        return client.post("/api/publishing/imports", data=json.dumps(body), content_type="application/json")

    def test_a_dry_run_answers_every_rows_outcome(self, alice_api):
        rows = [
            {"caption": "One", "platforms": ["twitter"], "time": "next_slot"},
            {"caption": "Two", "platforms": "bluesky", "time": "2026-12-01T09:00:00Z"},
        ]
        answer = self.post_json(alice_api, {"rows": rows, "dry_run": True})

        assert answer.status_code == 200
        body = answer.json()
        assert body["ok"] is False and body["committed"] is False and body["error_rows"] == [1]
        assert body["rows"][0]["errors"][0]["column"] == "time"
        assert body["rows"][1]["posts"] == [
            {
                "platform": "bluesky",
                "account_id": "1008",
                "account": "Bluesky @demo_bluesky",
                "scheduled_time": "2026-12-01T09:00:00Z",
                "local_time": "2026-12-01 10:00",
                "slot": False,
            }
        ]
        assert ScheduledPost.objects.count() == 0

    def test_a_commit_with_a_bad_row_is_a_400_listing_it_and_creates_nothing(self, alice_api):
        table = [["caption", "platforms", "time"], ["One", "twitter", "2026-12-01T09:00:00Z"], ["", "twitter", "soon"]]
        answer = self.post_json(alice_api, {"format": "csv", "rows": table})

        assert answer.status_code == 400
        assert answer.json()["details"]["error_rows"] == [3]
        assert ScheduledPost.objects.count() == 0

    def test_a_multipart_file_commits(self, alice_api):
        answer = alice_api.post(
            "/api/publishing/imports", {"file": SimpleUploadedFile("p.csv", GOOD.encode()), "dry_run": "false"}
        )
        assert answer.status_code == 201 and answer.json()["post_count"] == 2
        assert ScheduledPost.objects.count() == 2

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ({"rows": "nope"}, "A JSON import is a list of posts"),
            ({"rows": [], "dry_run": "yes"}, "dry_run must be true or false"),
            ({"format": "xml", "rows": []}, 'format must be "json" or "csv"'),
            ({"format": "csv", "rows": [{"a": 1}]}, "rows is a list of rows of strings"),
            ({"dry_run": True}, "rows is required"),
            ({"rows": [], "extra": 1}, "Unknown field(s): extra"),
        ],
    )
    def test_wrong_shapes_are_400s_naming_the_problem(self, alice_api, body, message):
        answer = self.post_json(alice_api, body)
        assert answer.status_code == 400 and message in answer.json()["error"]

    def test_an_oversize_upload_is_413(self, alice_api, settings):
        settings.IMPORT_MAX_BYTES = 10
        answer = alice_api.post("/api/publishing/imports", {"file": SimpleUploadedFile("p.csv", GOOD.encode())})
        assert answer.status_code == 413


class TestCommand:
    def test_a_dry_run_reports_and_creates_nothing(self, alice, tmp_path):
        path = tmp_path / "posts.csv"
        path.write_text(GOOD)
        out, err = io.StringIO(), io.StringIO()

        call_command("import_posts", str(path), "--user", "alice", "--dry-run", stdout=out, stderr=err)

        assert "2 rows, would create 2 posts (times in Europe/Paris)" in out.getvalue()
        assert "2/2 rows" in err.getvalue()  # the progress bar
        assert ScheduledPost.objects.count() == 0

    def test_a_commit_creates_the_posts(self, alice, tmp_path):
        path = tmp_path / "posts.json"
        path.write_text(json.dumps([{"caption": "x", "platforms": ["twitter"], "time": "2026-12-01T09:00:00Z"}]))
        out = io.StringIO()
        call_command("import_posts", str(path), "--user", "alice", stdout=out, stderr=io.StringIO())
        assert "created 1 posts" in out.getvalue() and ScheduledPost.objects.count() == 1

    def test_bad_rows_fail_the_command_naming_them(self, alice, tmp_path):
        path = tmp_path / "posts.csv"
        path.write_text(BAD)
        err = io.StringIO()

        with pytest.raises(CommandError, match=r"\(row 3\)"):
            call_command("import_posts", str(path), "--user", "alice", stdout=io.StringIO(), stderr=err)

        assert "row 3, time: time 2026-11-01 10:00 is in the past" in err.getvalue()
        assert ScheduledPost.objects.count() == 0

    def test_an_unknown_user_or_file_is_an_error(self, alice, tmp_path):
        with pytest.raises(CommandError, match="No user named 'zed'"):
            call_command("import_posts", str(tmp_path / "x.csv"), "--user", "zed")
        with pytest.raises(CommandError, match="Cannot read"):
            call_command("import_posts", str(tmp_path / "x.csv"), "--user", "alice")
