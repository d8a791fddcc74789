"""First start in a real Chromium: the caption counter agrees with the server, the browser's zone
is offered once, the zone picker lists real places, the login page and cards read well.

The server's clock is travelled (the `today` fixture); the browser's own zone is set per context.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from publishing.models import Profile, ScheduledPost
from publishing.platforms import RULES
from publishing.zones import offered_zone, offered_zones
from tests.conftest import connect_sandbox_accounts

from .pages import local_day, post_on, shoot

pytestmark = pytest.mark.django_db(transaction=True)

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
CAPTIONS = [
    "Plain ASCII caption",
    "日本語のテキストと한국어",
    f"Family {FAMILY} flag \U0001f1eb\U0001f1f7 wave \U0001f44b\U0001f3fd keycap 1\ufe0f\u20e3",
    "Cafe\u0301 a\u0332 — quotes “x” … €",  # combining marks; light and heavy punctuation for X
    "Read https://example.com/a/very/long/path?q=1 and www.example.org, mail bob@example.com",
    "see example.com. (http://t.co/abc)",
]
PLATFORMS = ["twitter", "bluesky", "threads", "instagram", "linkedin", "facebook"]


def open_dialog(page):
    page.goto(f"/calendar/?view=week&date={local_day(3).isoformat()}")
    page.click("text=New post")
    dialog = page.locator("#schedule-dialog")
    expect(dialog).to_be_visible()
    for platform in PLATFORMS:
        dialog.locator(f"input[name=platforms][value={platform}]").check()
    return dialog


def test_the_live_counter_counts_as_the_server_does(page, alice):
    dialog = open_dialog(page)
    caption = dialog.locator("textarea[name=caption]")
    for text in CAPTIONS:
        caption.fill("")
        caption.press_sequentially(text[:12])  # typed key by key, then the rest at once
        caption.fill(text)
        for platform in PLATFORMS:
            item = dialog.locator(f".caption-counter li[data-platform={platform}]")
            expect(item).to_have_attribute("data-length", str(RULES[platform].caption_length(text)))


def test_an_over_long_caption_is_refused_naming_each_platform_the_counter_marked(page, alice):
    dialog = open_dialog(page)
    text = ("語" * 3 + "\U0001f44d") * 40  # X: 320 weighted; Threads: 280; Bluesky: 160 graphemes
    dialog.locator("textarea[name=caption]").fill(text)
    expect(dialog.locator(".caption-counter li.over")).to_have_count(1)
    expect(dialog.locator(".caption-counter li.over")).to_have_text("Twitter/X 320 / 280")
    text = ("語" + "\U0001f44d") * 130  # X: 520; Threads: 130 + 520 = 650; Bluesky: 260
    dialog.locator("textarea[name=caption]").fill(text)
    over = dialog.locator(".caption-counter li.over")
    expect(over).to_have_count(2)
    assert over.evaluate_all("items => items.map(i => i.dataset.platform)") == ["twitter", "threads"]
    dialog.locator("input[name=time]").fill("09:30")
    dialog.locator("button[type=submit]:has-text('Schedule')").click()
    expect(dialog.locator(".caption-field .field-error")).to_have_text(
        "The caption is too long for Twitter/X (520 characters; at most 280) and Threads (650 characters; at most 500)."
    )
    assert ScheduledPost.objects.count() == 0


@pytest.fixture
def newcomer(db) -> User:
    user = User.objects.create_user("newcomer", password="newcomer-password-123")  # zone: the default, UTC
    connect_sandbox_accounts(user)
    return user


@pytest.fixture
def browser_in(today, chromium, live_server):
    """A fresh Chromium context whose own clock is in `zone`, logged in as `username`."""
    contexts = []

    def open_page(zone: str, username: str):
        context = chromium.new_context(
            base_url=live_server.url, timezone_id=zone, viewport={"width": 1280, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto("/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", f"{username}-password-123")
        page.click("button[type=submit]")
        page.wait_for_url("**/calendar/")
        page.problems = problems
        return page

    yield open_page
    for context in contexts:
        context.close()


def test_first_login_offers_the_browsers_zone_and_one_click_takes_it(browser_in, newcomer):
    page = browser_in("Asia/Tokyo", "newcomer")
    offer = page.locator("#zone-offer")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("Your browser is set to Asia/Tokyo; your calendar shows times in UTC.")
    shoot(page, "zone-offer")
    offer.locator("button:has-text('Use Asia/Tokyo')").click()
    expect(page.locator("#flash")).to_have_text("Your calendar now shows times in Asia/Tokyo.")
    expect(page.locator(".who")).to_contain_text("Asia/Tokyo")
    expect(page.locator(".calendar-head .zone")).to_have_text("Times in Asia/Tokyo")
    expect(page.locator("#zone-offer")).to_have_count(0)
    page.reload()
    expect(page.locator("#zone-offer")).to_have_count(0)
    profile = Profile.objects.get(user=newcomer)
    assert (profile.timezone, profile.zone_offer_answered) == ("Asia/Tokyo", True)
    assert page.problems == []


def test_a_dismissed_offer_is_not_made_again(browser_in, newcomer):
    page = browser_in("America/Sao_Paulo", "newcomer")
    page.locator("#zone-offer button:has-text('Keep UTC')").click()
    expect(page.locator("#zone-offer")).to_have_count(0)
    page.goto("/clips/")
    expect(page.locator("#zone-offer")).to_have_count(0)
    profile = Profile.objects.get(user=newcomer)
    assert (profile.timezone, profile.zone_offer_answered) == ("UTC", True)


def test_a_browser_already_in_the_users_zone_is_not_asked(browser_in, newcomer):
    page = browser_in("UTC", "newcomer")
    expect(page.locator("#zone-offer")).to_be_hidden()


def test_the_zone_picker_lists_real_places_and_refuses_others(page, alice):
    page.goto("/settings/")
    box = page.locator("input[name=timezone]")
    expect(box).to_have_value("Europe/Paris")
    listed = page.locator("datalist#zone-names option").evaluate_all("options => options.map(o => o.value)")
    assert listed == list(offered_zones())
    assert "Asia/Tokyo" in listed and not {"localtime", "Factory", "posixrules", "US/Eastern"} & set(listed)
    assert box.get_attribute("list") == "zone-names"
    box.fill("Factory")
    page.click("#profile-settings >> text=Save")
    expect(page.locator("#profile-settings .errorlist")).to_contain_text(
        "'Factory' is not a time zone we offer: pick a place from the list"
    )
    box = page.locator("input[name=timezone]")
    box.fill("America/Argentina/Buenos_Aires")
    page.click("#profile-settings >> text=Save")
    expect(page.locator("#flash")).to_have_text("Saved.")
    assert Profile.objects.get(user=alice).timezone == offered_zone("America/Argentina/Buenos_Aires")


def test_the_login_page_has_no_menu_and_the_favicon_loads(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/login/")
    expect(page.locator("header.top nav")).to_have_count(0)
    expect(page.locator("header.top .brand")).to_be_visible()
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(icon).status == 200
    context.close()


def test_cards_show_the_platform_label_and_the_whole_status(page, alice):
    day = local_day(2)
    post_on(alice, day, caption="A long caption that must not push the status word out of the card")
    page.goto(f"/calendar/?view=month&date={day.isoformat()}")
    card = page.locator(".post-card").first
    expect(card.locator(".platform")).to_have_text("XTwitter/X")  # the label, and the full name for screen readers
    status = card.locator(".status")
    expect(status).to_have_text("◷Scheduled")
    box, holder = status.bounding_box(), card.bounding_box()
    assert box["x"] + box["width"] <= holder["x"] + holder["width"]  # the whole word inside the card
    colour = card.locator(".platform").evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(0, 0, 0)"  # X's black
    shoot(page, "calendar-cards")
