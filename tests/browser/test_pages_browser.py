"""The schedule dialog, clips and settings pages in a real headless Chromium."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from playwright.sync_api import expect

from publishing.models import ApiToken, Clip, ScheduledPost
from tests.clock import on_every_today

from .pages import PARIS, local_day, shoot

pytestmark = pytest.mark.django_db(transaction=True)


@on_every_today
def test_schedule_a_post_through_the_dialog_with_the_optimal_time(page, alice, alice_clip):
    day = local_day(3)
    page.goto(f"/calendar/?view=week&date={day.isoformat()}")
    page.click("text=New post")
    dialog = page.locator("#schedule-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("input[name=date]")).to_have_value(day.isoformat())

    dialog.locator("input[name=clip_q]").fill("run")
    dialog.locator("#clip-choices >> text=Morning run").click()
    dialog.locator("input[name=platforms][value=instagram]").check()
    dialog.locator("input[name=platforms][value=tiktok]").check()
    expect(dialog.locator("fieldset[data-platform=tiktok]")).to_be_visible()
    expect(dialog.locator("fieldset[data-platform=youtube]")).to_be_hidden()
    dialog.locator("select[name='options.tiktok.privacyLevel']").select_option("SELF_ONLY")

    caption = "Sunrise miles 🏃"
    dialog.locator("textarea[name=caption]").fill(caption)
    counter = dialog.locator(".caption-counter li[data-platform=instagram]")
    expect(counter).to_have_text("Instagram 16 / 2200")  # UTF-16 units (the emoji is 2), as the server counts

    use_optimal = dialog.locator("button.use-optimal")
    expect(use_optimal).to_be_visible()
    expect(dialog.locator("p.chips")).to_have_count(2)
    chosen = use_optimal.get_attribute("data-fill-time")
    shoot(page, "schedule-dialog")
    use_optimal.click()
    expect(dialog.locator("input[name=time]")).to_have_value(chosen)

    dialog.locator("button[type=submit]:has-text('Schedule')").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#flash")).to_contain_text("Scheduled 2 posts (Instagram, TikTok)")
    expect(page.locator("#calendar-grid .post-card")).to_have_count(2)  # redrawn without a reload

    when = datetime.combine(day, time.fromisoformat(chosen), PARIS)
    posts = ScheduledPost.objects.filter(owner=alice).order_by("platform")
    assert [(p.platform, p.scheduled_time, p.caption, p.clip_id) for p in posts] == [
        ("instagram", when, caption, alice_clip.pk),
        ("tiktok", when, caption, alice_clip.pk),
    ]
    assert posts[1].options == {"privacyLevel": "SELF_ONLY"}


def test_the_dialog_shows_errors_beside_the_field(page, alice):
    page.goto(f"/calendar/?view=week&date={local_day(3).isoformat()}")
    page.click("text=New post")
    dialog = page.locator("#schedule-dialog")
    dialog.locator("input[name=platforms][value=twitter]").check()
    dialog.locator("textarea[name=caption]").fill("x" * 290)
    expect(dialog.locator(".caption-counter li.over")).to_have_text("Twitter/X 290 / 280")
    dialog.locator("input[name=time]").fill("09:30")
    dialog.locator("button[type=submit]:has-text('Schedule')").click()
    expect(dialog.locator(".caption-field .field-error")).to_have_text(
        "The caption is 290 characters; Twitter/X allows at most 280."
    )
    expect(dialog.locator("input[name=platforms][value=twitter]")).to_be_checked()  # nothing typed is lost
    assert ScheduledPost.objects.count() == 0


def test_clips_search_and_add(page, alice, alice_clip):
    Clip.objects.create(owner=alice, title="Cooking pasta", media_url="https://cdn.example.com/p.mp4")
    page.click("nav >> text=Clips")
    page.wait_for_url("**/clips/")
    page.wait_for_load_state("load")  # htmx binds the search on load; typing before that is not heard
    expect(page.locator("#clip-list tbody tr")).to_have_count(2)
    page.fill("input[name=q]", "pasta")
    expect(page.locator("#clip-list tbody tr")).to_have_count(1)
    assert "q=pasta" in page.url
    page.fill(".add-clip input[name=title]", "Sunset timelapse")  # the upload box has a title too
    page.fill("input[name=media_url]", "http://cdn.example.com/sunset.mp4")
    page.click("text=Add clip")
    expect(page.locator(".field-error")).to_have_text("media_url must be an https:// URL.")
    page.fill("input[name=media_url]", "https://cdn.example.com/sunset.mp4")
    page.click("text=Add clip")
    expect(page.locator("#flash")).to_have_text("Added “Sunset timelapse”.")
    shoot(page, "clips")
    assert Clip.objects.filter(owner=alice, title="Sunset timelapse").exists()


def test_settings_zone_and_a_token_shown_once(page, alice):
    page.click("nav >> text=Settings")
    page.fill("input[name=timezone]", "Asia/Tokyo")
    page.click("#profile-settings >> text=Save")
    expect(page.locator("#flash")).to_have_text("Saved.")
    expect(page.locator(".who")).to_contain_text("Asia/Tokyo")
    page.fill("input[name=name]", "Zapier")
    page.click("text=Create token")
    secret = page.locator("code.token").inner_text()
    assert ApiToken.objects.get(user=alice, name="Zapier").token_hash == ApiToken.hash(secret)
    shoot(page, "settings")
    page.reload()
    expect(page.locator("code.token")).to_have_count(0)
