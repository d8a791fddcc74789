"""Phones, tablets, touch, keyboard and screen readers, in a real headless Chromium.

Every page (and the import preview) at 390 × 844 (touch), 768 and 1280 px: nothing scrolls sideways and axe-core finds
nothing serious or critical. A finger drags a card by its grip; the keyboard moves one through
"Move…"; focus goes to the first problem after a refused submit and back to the opener after the
dialog; Back after a full-page visit shows the month that was on screen.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from publishing.models import ScheduledPost, Status
from tests.conftest import api_client_for

from .accessibility import serious_violations, sideways_overflow
from .pages import PARIS, local_day, post_on, shoot
from .test_import_browser import WITH_AN_ERROR, choose_file

pytestmark = pytest.mark.django_db(transaction=True)


def a_busy_calendar(alice) -> dict[str, ScheduledPost]:
    """Posts in every look a page can show: scheduled, published with its link, failed, a draft."""
    day = local_day(2)
    posts = {
        "scheduled": post_on(alice, day, caption="Launch teaser with a caption long enough to be cut on a card"),
        "published": post_on(alice, local_day(-1), hour=9, caption="Yesterday's news"),
        "failed": post_on(alice, local_day(-2), hour=18, caption="This one did not go"),
        "draft": post_on(alice, day, hour=17, caption="Maybe later"),
    }
    ScheduledPost.objects.filter(pk=posts["published"].pk).update(
        status=Status.PUBLISHED, published_at=timezone.now(), platform_url="https://x.com/demo/status/1"
    )
    ScheduledPost.objects.filter(pk=posts["failed"].pk).update(
        status=Status.FAILED, last_error="Twitter/X said: duplicate content"
    )
    ScheduledPost.objects.filter(pk=posts["draft"].pk).update(status=Status.DRAFT)
    # A weekly series, so the series page has a row to lay out (through the API, as a client would).
    repeat = {"frequency": "weekly", "weekdays": [0, 3], "count": 6}
    body = {"platforms": ["twitter"], "caption": "Tip of the week", "scheduled_time": f"{day}T10:00", "repeat": repeat}
    answer = api_client_for(alice).post("/api/publishing/schedule", body, content_type="application/json")
    assert answer.status_code == 201, answer.content
    return posts


def check_every_page(page, posts, where: str, screenshots: bool = False) -> list[str]:
    """Visit each page (and open the schedule dialog); what does not fit or what axe calls serious."""
    day = local_day(2).isoformat()
    pages = {
        "calendar month": f"/calendar/?view=month&date={day}",
        "calendar week": f"/calendar/?view=week&date={day}",
        "calendar agenda": f"/calendar/?view=agenda&date={day}",
        "post page": f"/calendar/posts/{posts['failed'].pk}/",
        "clips": "/clips/",
        "queue": "/queue/",
        "slots": "/slots/",
        "series": "/series/",
        "import": "/import/",
        "analytics": "/analytics/instagram/",
        "settings": "/settings/",
        "notifications": "/notifications/",
    }
    problems: list[str] = []
    for name, url in pages.items():
        page.goto(url)
        problems += sideways_overflow(page, f"{where} {name}")
        problems += serious_violations(page, f"{where} {name}")
        if screenshots and name in ("calendar month", "post page"):
            shoot(page, f"phone-{name.replace(' ', '-')}")
    page.goto(pages["import"])  # the import preview: a table of rows, one of them refused
    choose_file(page, WITH_AN_ERROR)
    expect(page.locator("tr[data-row='3']")).to_have_class("row-error")
    problems += sideways_overflow(page, f"{where} import preview")
    problems += serious_violations(page, f"{where} import preview")
    page.goto(pages["calendar month"])
    page.click(".new-post")
    dialog = page.locator("#schedule-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("input[name=platforms][value=instagram]").check()
    dialog.locator("input[name=platforms][value=linkedin]").check()
    dialog.locator("textarea[name=caption]").fill("A caption " * 20)
    expect(dialog.locator(".platform-preview li")).to_have_count(2)
    instagram, linkedin = (
        dialog.locator(f".platform-preview li[data-platform={p}]") for p in ("instagram", "linkedin")
    )
    expect(instagram.locator(".shown")).to_have_text(("A caption " * 13)[:125])  # Instagram's "more" at 125
    expect(instagram.locator(".fold")).to_have_text("… more")
    expect(linkedin.locator(".fold")).to_have_count(0)  # 200 characters: before LinkedIn's fold
    box = dialog.bounding_box()
    size = page.viewport_size
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], f"{where}: the dialog is wider than the screen"
    assert box["height"] <= size["height"], f"{where}: the dialog is taller than the screen (it scrolls inside)"
    problems += sideways_overflow(page, f"{where} schedule dialog")
    problems += serious_violations(page, f"{where} schedule dialog")
    if screenshots:
        dialog.locator(".platform-preview").scroll_into_view_if_needed()
        shoot(page, "phone-dialog")
    return problems


def test_every_page_fits_a_phone_and_axe_finds_nothing_serious(phone, alice):
    posts = a_busy_calendar(alice)
    problems = check_every_page(phone, posts, "390 px", screenshots=True)
    phone.context.clear_cookies()
    phone.goto("/login/")
    problems += sideways_overflow(phone, "390 px login") + serious_violations(phone, "390 px login")
    assert not problems, "\n".join(problems)


def test_every_page_fits_a_tablet_and_a_desktop_and_axe_finds_nothing_serious(page, alice):
    posts = a_busy_calendar(alice)
    page.set_viewport_size({"width": 768, "height": 1024})
    problems = check_every_page(page, posts, "768 px")
    page.set_viewport_size({"width": 1280, "height": 1000})
    problems += check_every_page(page, posts, "1280 px")
    assert not problems, "\n".join(problems)


def test_the_phone_menu_folds_behind_one_button(phone):
    nav = phone.locator("#site-nav")
    expect(nav).to_be_hidden()
    phone.click(".menu-toggle")
    expect(phone.locator(".menu-toggle")).to_have_attribute("aria-expanded", "true")
    phone.click("#site-nav >> text=Queue")
    phone.wait_for_url("**/queue/")


def touch_drag(page, source, target) -> None:
    """A finger on `source`, moved in steps onto `target` and lifted: real touch input through CDP."""
    source.scroll_into_view_if_needed()
    start, end = source.bounding_box(), target.bounding_box()
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    x1, y1 = end["x"] + end["width"] / 2, end["y"] + end["height"] / 2
    cdp = page.context.new_cdp_session(page)
    # A fingertip's size: Chrome's touch adjustment then picks the tap target, as on a real phone.
    finger = {"radiusX": 8, "radiusY": 8}
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0, **finger}]})
    for step in range(1, 6):
        x, y = x0 + (x1 - x0) * step / 5, y0 + (y1 - y0) * step / 5
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y, **finger}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_a_finger_drags_a_card_to_another_day_on_a_phone(phone, alice):
    start, target = local_day(7), local_day(9)
    post = post_on(alice, start)
    phone.goto(f"/calendar/?view=month&date={start.isoformat()}")
    grip = phone.locator(f"#post-{post.pk} .grip")
    expect(grip).to_be_visible()  # shown on a touch screen only
    touch_drag(phone, grip, phone.locator(f'td[data-slot="{target.isoformat()}"]'))
    expect(phone.locator(f'td[data-slot="{target.isoformat()}"] #post-{post.pk}')).to_be_visible()
    shoot(phone, "phone-calendar-after-drag")
    post.refresh_from_db()
    assert post.scheduled_time == datetime.combine(target, time(14, 15), PARIS)


def test_move_a_post_with_the_keyboard_and_a_refusal_keeps_the_dialog_open(page, alice):
    day = local_day(3)
    post = post_on(alice, day)
    page.goto(f"/calendar/?view=week&date={day.isoformat()}")
    move = page.locator(f"#post-{post.pk} .card-action.move")
    expect(move).to_have_attribute("aria-label", f"Move the Twitter/X post, {day.day} {day:%b} 14:15")
    move.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#move-dialog")
    expect(dialog).to_be_visible()
    picker = dialog.locator("input[name=scheduled_time]")
    expect(picker).to_be_focused()
    expect(picker).to_have_value(f"{day.isoformat()}T14:15")

    picker.fill(f"{local_day(-1).isoformat()}T10:00")  # the past: refused by the server's rule
    page.keyboard.press("Enter")
    expect(dialog.locator(".field-error")).to_have_text("That time has passed; pick a time in the future.")
    expect(picker).to_be_focused()
    post.refresh_from_db()
    assert post.scheduled_time == datetime.combine(day, time(14, 15), PARIS)

    target = local_day(4)
    picker.fill(f"{target.isoformat()}T09:40")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator(f'td[data-slot="{target.isoformat()}T09:00"] #post-{post.pk}')).to_be_visible()
    expect(page.locator(f"#post-{post.pk} .card-action.move")).to_be_focused()  # back where the user was
    post.refresh_from_db()
    assert post.scheduled_time == datetime.combine(target, time(9, 40), PARIS)


def test_focus_goes_to_the_first_problem_then_back_to_the_opener(page, alice):
    day = local_day(3)
    post = post_on(alice, day, caption="First words")
    page.goto(f"/calendar/?view=week&date={day.isoformat()}")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    page.click(".new-post")
    dialog = page.locator("#schedule-dialog")
    dialog.locator("input[name=platforms][value=twitter]").check()
    dialog.locator("textarea[name=caption]").fill("x" * 290)
    dialog.locator("input[name=time]").fill("09:30")
    dialog.locator("button[type=submit]:has-text('Schedule')").click()
    expect(dialog.locator(".caption-field .field-error")).to_be_visible()
    expect(dialog.locator(".platform-preview li[data-platform=twitter] .over-limit")).to_have_text(
        " Too long for Twitter/X: it would be refused."
    )
    expect(dialog.locator("textarea[name=caption]")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator(".new-post")).to_be_focused()

    page.locator(f"#post-{post.pk} button.edit").click()
    expect(dialog).to_be_visible()
    dialog.locator("textarea[name=caption]").fill("Better words")
    dialog.locator("button:has-text('Save changes')").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(f"#post-{post.pk}")).to_contain_text("Better words")  # the grid was redrawn
    expect(page.locator(f"#post-{post.pk} button.edit")).to_be_focused()


def test_focus_goes_to_the_first_problem_on_a_refused_page_form(page):
    page.goto("/clips/")
    page.fill(".add-clip input[name=title]", "Sunset")  # the upload box has a title too
    page.fill("input[name=media_url]", "http://cdn.example.com/sunset.mp4")
    page.click("text=Add clip")
    expect(page.locator(".field-error")).to_be_visible()
    expect(page.locator("input[name=media_url]")).to_be_focused()
    page.goto("/settings/")
    page.fill("input[name=timezone]", "Mars/Olympus")
    page.click("#profile-settings >> text=Save")
    expect(page.locator("#profile-settings .errorlist")).to_be_visible()
    expect(page.locator("input[name=timezone]")).to_be_focused()


def test_back_after_a_post_page_shows_the_month_that_was_on_screen(page, alice):
    day = local_day(2)
    first_of_next_month = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    post = post_on(alice, first_of_next_month + timedelta(days=1))
    page.goto(f"/calendar/?view=month&date={day.isoformat()}")
    this_month = page.locator("#calendar-grid h1").inner_text()
    page.click("text=Next ›")  # htmx: the grid is swapped and the URL pushed
    expect(page.locator("#calendar-grid h1")).not_to_have_text(this_month)
    next_month = page.locator("#calendar-grid h1").inner_text()
    page.locator(f"#post-{post.pk} a").click()  # a full-page visit to the post
    page.wait_for_url(f"**/calendar/posts/{post.pk}/")
    page.go_back()
    expect(page.locator("#calendar-grid h1")).to_have_text(next_month)
    expect(page.locator("header.top nav")).to_be_visible()  # the whole page, not a bare grid
    expect(page.locator("#calendar-grid")).to_have_count(1)
    page.go_back()
    expect(page.locator("#calendar-grid h1")).to_have_text(this_month)
    page.go_forward()
    expect(page.locator("#calendar-grid h1")).to_have_text(next_month)
    page.go_forward()
    page.wait_for_url(f"**/calendar/posts/{post.pk}/")
