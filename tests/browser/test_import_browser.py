"""The import page in headless Chromium: a dry run with an error row, the fixed file, the commit."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from publishing.models import ScheduledPost

from .pages import shoot

pytestmark = pytest.mark.django_db(transaction=True)

# The browser's "today" is Wednesday 25 Nov 2026 (tests/clock.py); alice is in Paris.
WITH_AN_ERROR = "caption,platforms,time\nLaunch day,twitter,2026-11-27 09:00\nToo soon,bluesky,2026-11-01 09:00\n"
FIXED = WITH_AN_ERROR.replace("2026-11-01 09:00", "2026-11-27 18:00")


def choose_file(page, text: str) -> None:
    page.set_input_files("input[name=file]", {"name": "posts.csv", "mimeType": "text/csv", "buffer": text.encode()})
    page.click("button:has-text('Check the file')")


def test_upload_see_the_error_row_fix_commit_and_find_the_posts_on_the_calendar(page, alice):
    page.click("nav >> text=Import")
    choose_file(page, WITH_AN_ERROR)

    bad_row = page.locator("tr[data-row='3']")
    expect(bad_row).to_have_class("row-error")
    expect(bad_row).to_contain_text("time: time 2026-11-01 09:00 is in the past")
    expect(page.locator("tr[data-row='2']")).to_contain_text("twitter · Twitter/X @demo_twitter · 2026-11-27 09:00")
    expect(page.locator("#commit-import")).to_have_count(0)
    shoot(page, "import-dry-run-error")

    choose_file(page, FIXED)
    expect(page.locator(".import-summary")).to_contain_text("2 rows, 2 posts")
    page.click("#commit-import")
    expect(page.locator("#import-progress")).to_contain_text("Imported 2 posts from 2 rows")
    assert sorted(ScheduledPost.objects.values_list("caption", flat=True)) == ["Launch day", "Too soon"]

    page.click("#import-progress >> text=See them on the calendar")
    page.goto("/calendar/?view=week&date=2026-11-27")
    expect(page.locator("body")).to_contain_text("Launch day")
    expect(page.locator("body")).to_contain_text("Too soon")
