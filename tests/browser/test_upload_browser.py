"""Uploading on the clips page in a real Chromium: pick a video, drop an image, see them arrive."""

from __future__ import annotations

import base64

import pytest
from playwright.sync_api import expect

from publishing.models import Clip
from tests.publishing.media_samples import mp4_file, png_bytes

from .pages import shoot

pytestmark = pytest.mark.django_db(transaction=True)

# Remembers each class the upload box takes, so the test sees its "uploading" state (progress bar
# shown) however fast a local upload goes.
WATCH_THE_UPLOAD = """() => {
  window.uploadSeen = {classes: []};
  const form = document.getElementById("upload-form");
  new MutationObserver(() => window.uploadSeen.classes.push(form.className))
    .observe(form, {attributes: true, attributeFilter: ["class"]});
}"""

DROP_A_FILE = """([name, type, data]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, {type}));
  const zone = document.getElementById("upload-form");
  zone.dispatchEvent(new DragEvent("dragenter", {dataTransfer: transfer, bubbles: true, cancelable: true}));
  zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
}"""


def test_pick_a_video_then_drop_an_image_and_see_progress_and_thumbnails(page, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    video = mp4_file(tmp_path, seconds=2, size="320x568", name="Morning swim.mp4")
    page.goto("/clips/")
    page.evaluate(WATCH_THE_UPLOAD)

    page.set_input_files("#upload-file", str(video))
    status = page.locator("#upload-status")
    expect(status).to_have_text("Uploaded “Morning swim”.")
    expect(page.locator("#upload-percent")).to_have_text("100%")
    seen = page.evaluate("window.uploadSeen")
    assert any("uploading" in classes for classes in seen["classes"])  # the bar was shown while sending
    clip = Clip.objects.get(owner=alice, title="Morning swim")
    card = page.locator(f"#clip-{clip.pk}")
    expect(card.locator(".clip-facts")).to_contain_text("video · 0:02 · 320×568")
    thumbnail = card.locator("img.clip-thumb")
    expect(thumbnail).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())

    image = base64.b64encode(png_bytes(400, 500, "teal")).decode()
    page.evaluate(DROP_A_FILE, ["Poster.png", "image/png", image])
    expect(status).to_have_text("Uploaded “Poster”.")
    poster = Clip.objects.get(owner=alice, title="Poster")
    expect(page.locator(f"#clip-{poster.pk} .clip-facts")).to_contain_text("image · 400×500 (4:5)")
    poster_thumbnail = page.locator(f"#clip-{poster.pk} img.clip-thumb").element_handle()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=poster_thumbnail)
    shoot(page, "clips-upload")

    page.evaluate(DROP_A_FILE, ["Poster again.png", "image/png", image])  # the same content
    expect(status).to_have_text("Already uploaded as “Poster”.")
    assert Clip.objects.filter(owner=alice).count() == 2
