"""The notifications list, the header's count, and webhooks on the settings page, in a real Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from publishing import notifications
from publishing.models import NotificationKind, WebhookEndpoint

from .pages import shoot

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_header_counts_unread_notifications_and_the_list_marks_them_read(page, alice):
    for n in range(2):
        notifications.notify(alice.pk, NotificationKind.POST_FAILED, f"Twitter/X post {n} failed: caption too long")
    notifications.notify(alice.pk, NotificationKind.KEY_REFUSED, "Blotato refused your API key (unauthorised).")
    page.goto("/calendar/")
    link = page.locator("#notifications-link")
    expect(link.locator(".count")).to_have_text("3")

    link.click()
    page.wait_for_url("**/notifications/")
    items = page.locator("#notification-list li.notification")
    expect(items).to_have_count(3)
    expect(page.locator("#notification-list li.unread")).to_have_count(3)
    expect(items.first).to_contain_text("Blotato refused your key")  # newest first
    shoot(page, "notifications")

    items.first.locator("button:has-text('Mark read')").click()
    expect(page.locator("#notification-list li.unread")).to_have_count(2)
    expect(page.locator("#notifications-link .count")).to_have_text("2")

    page.click("button:has-text('Mark all read')")
    expect(page.locator("#notification-list li.unread")).to_have_count(0)
    expect(page.locator("#notifications-link .count")).to_have_count(0)
    assert notifications.unread_count(alice) == 0


def test_register_a_webhook_and_choose_notifications_on_the_settings_page(page, alice):
    page.goto("/settings/")
    form = page.locator("#webhooks form[action$='/settings/webhooks']")
    form.locator("input[name=url]").fill("http://hooks.example.com/mp")
    form.locator("button:has-text('Add webhook')").click()
    expect(page.locator("#webhooks .errorlist")).to_contain_text("url must use https://")
    assert not WebhookEndpoint.objects.exists()

    form = page.locator("#webhooks form[action$='/settings/webhooks']")
    form.locator("input[name=url]").fill("https://hooks.example.com/mp")
    form.locator("input[name=events][value='post.updated']").uncheck()
    form.locator("button:has-text('Add webhook')").click()
    secret = page.locator("#webhooks code.webhook-secret")
    expect(secret).to_contain_text("whsec_")
    endpoint = WebhookEndpoint.objects.get(owner=alice)
    assert secret.inner_text() == endpoint.secret
    assert "post.updated" not in endpoint.events and "post.failed" in endpoint.events
    expect(page.locator(f"#webhooks tr[data-webhook='{endpoint.pk}']")).to_contain_text("https://hooks.example.com/mp")
    shoot(page, "settings-webhooks")

    page.reload()  # the secret is not shown again
    expect(page.locator("#webhooks code.webhook-secret")).to_have_count(0)

    choices = page.locator("#notifications form")
    choices.locator("input[name=email_address]").fill("alice@example.com")
    choices.locator("input[name=email][value=post_missed]").uncheck()
    choices.locator("button:has-text('Save notification choices')").click()
    expect(page.locator("#flash")).to_contain_text("Notification choices saved.")
    in_app, email = notifications.choices(alice.pk)
    assert "post_missed" in in_app and "post_missed" not in email

    page.locator(f"#webhooks tr[data-webhook='{endpoint.pk}'] button:has-text('Delete')").click()
    expect(page.locator("#flash")).to_contain_text("Webhook deleted")
    assert not WebhookEndpoint.objects.exists()
